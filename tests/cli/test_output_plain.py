"""Terminal output prints paths, values and messages as they are: no rich markup, no emoji
codes, and nothing cut at 80 columns when piped."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from passeur.cli import _load_commands
from passeur.cli.app import cli


def test_positions_and_brackets_print_as_is(tmp_path: Path) -> None:
    _load_commands()
    mapping = tmp_path / "[bold]a:100:1.map"
    mapping.write_text("mapping acomba.invoice <-> passeur.invoice\n" + "\n" * 98
                       + "NoFactur_with_a_long_name_that_goes_past_eighty_columns_for_sure"
                       "_really -> number\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", str(mapping)])
    assert result.exit_code == 1
    assert (f"{mapping}:100:1: error: unknown field "
            "`NoFactur_with_a_long_name_that_goes_past_eighty_columns_for_sure_really` in "
            "acomba.invoice") in result.output
    assert "💯" not in result.output


def test_tables_are_not_cut_when_piped() -> None:
    _load_commands()
    result = CliRunner().invoke(cli, ["plugins"])
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
