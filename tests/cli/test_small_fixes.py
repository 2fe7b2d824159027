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


def test_convert_names_the_document_by_its_number_and_sums_warnings_by_kind(
        tmp_path: object) -> None:
    from pathlib import Path

    import passeur

    _load_commands()
    sample = Path(passeur.__file__).parent / "samples" / "acomba-invoice.json"
    result = CliRunner().invoke(cli, ["convert", str(sample), "--from", "acomba", "--to",
                                      "vosfactures"])
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("document 1 (no. 10044): warning: $.lines[0].taxes: line 1 "
                               "carries 2 taxes")
    assert lines[-1] == "1 of 1 document(s) converted, 0 failed, 3 warning(s)"


def test_many_warnings_come_with_a_summary_by_kind(tmp_path: object) -> None:
    import json
    from pathlib import Path

    import passeur

    _load_commands()
    sample = json.loads((Path(passeur.__file__).parent / "samples" /
                         "acomba-invoice.json").read_text(encoding="utf-8"))
    many = Path(str(tmp_path)) / "many.json"
    many.write_text(json.dumps([sample, sample]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["convert", str(many), "--from", "acomba", "--to",
                                      "vosfactures"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-2:] == [
        "2 of 2 document(s) converted, 0 failed, 6 warning(s)",
        "warnings by kind: target.tax_count 6"]
