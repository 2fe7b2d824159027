"""Small things seen by a new user: every command accepts an ERP's name, nothing prints
`None`, `--help` names the systems that are installed."""

from __future__ import annotations

from click.testing import CliRunner

from passeur.cli import _load_commands, main
from passeur.cli.app import cli


def test_systems_accepts_an_erp_behind_erp_connector() -> None:
    _load_commands()
    result = CliRunner().invoke(cli, ["systems", "acomba"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("erpconnector: ERP Connector")
    assert lines[1] == "├── acomba is a variant of erpconnector (erp = acomba)"


def test_a_document_type_without_a_canonical_type_says_so() -> None:
    _load_commands()
    result = CliRunner().invoke(cli, ["systems", "erpconnector"])
    assert "passeur.None" not in result.output
    assert "invoice_create (not mapped to the canonical model)" in result.output


def test_help_names_the_installed_systems_only(capsys: object) -> None:
    import pytest

    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    text = " ".join(out.split())
    assert "installed: " in text and "vosfactures" in text and "erpconnector" in text
