"""`passeur check` as a user runs it: exit codes, human report, --json, --coverage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import passeur.cli.check_cmd  # registers the command (and binds `passeur`)
from passeur.cli import cli
from passeur.cli.app import State

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
mapping acomba.invoice <-> passeur.invoice
NoFacture <-> number
date(DateFacture) <-> issue_date
InfoClientFacturerA.NoClient <-> buyer.name
each LigneFacture <-> lines key strNoProduit = product_code
  strNoProduit <-> product_code
end
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), obj=State())
    return result.exit_code, result.output


@pytest.fixture
def mappings(tmp_path: Path) -> Path:
    (tmp_path / "good.map").write_text(GOOD, encoding="utf-8")
    return tmp_path


def test_a_passing_file_exits_zero(mappings: Path) -> None:
    code, output = run("check", str(mappings / "good.map"))
    assert code == 0, output
    assert output.splitlines() == [f"{mappings / 'good.map'}: ok (4 rules)",
                                   "1 file checked, 0 failed"]


def test_a_misspelled_field_fails_with_line_caret_and_suggestion(mappings: Path) -> None:
    bad = mappings / "bad.map"
    bad.write_text(GOOD.replace("NoFacture <-> number", "NoFactur <-> number"),
                   encoding="utf-8")
    code, output = run("check", str(mappings))
    assert code == 1
    assert (f"{bad}:2:1: error: unknown field `NoFactur` in acomba.invoice; did you mean "
            "`NoFacture`?\n  NoFactur <-> number\n  ^") in output
    assert output.endswith("2 files checked, 1 failed\n")


def test_json_output_for_tools(mappings: Path) -> None:
    (mappings / "bad.map").write_text(GOOD + "Bogus -> notes\n", encoding="utf-8")
    code, output = run("check", str(mappings), "--json")
    assert code == 1
    data = json.loads(output)
    assert data["ok"] is False
    bad, good = data["files"]
    assert good["ok"] is True and good["problems"] == []
    assert bad["problems"] == [{
        "file": str(mappings / "bad.map"), "line": 8, "column": 1, "level": "error",
        "code": "path", "message": "unknown field `Bogus` in acomba.invoice", "detail": ""}]


def test_coverage_report(mappings: Path) -> None:
    code, output = run("check", str(mappings / "good.map"), "--coverage")
    assert code == 0
    lines = output.splitlines()
    assert lines[1].startswith("  forward (acomba.invoice -> passeur.invoice): 4 of ")
    assert lines[2].startswith("    dropped: ")
    assert lines[3].startswith("  backward (passeur.invoice -> acomba.invoice): 4 of ")


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    code, output = run("check", str(tmp_path / "nope.map"))
    assert code == 3
    assert f"no such file or directory: {tmp_path / 'nope.map'}" in output


def test_a_directory_without_mappings_is_an_input_error(tmp_path: Path) -> None:
    code, output = run("check", str(tmp_path))
    assert code == 3
    assert "no mapping file (*.map) found" in output


def test_help_teaches_with_examples() -> None:
    code, output = run("check", "--help")
    assert code == 0
    assert "passeur check mappings/" in output and "--coverage" in output


def test_a_file_that_is_not_utf8_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "latin.map").write_bytes(
        b"mapping acomba.invoice <-> passeur.invoice\nNoFacture <-> number # caf\xe9\n")
    code, output = run("check", str(tmp_path))
    assert code == 1
    assert (f"{tmp_path / 'latin.map'}:2:27: error: the file is not UTF-8 text (byte 0xe9); "
            "save it as UTF-8") in output


def test_a_library_file_is_checked_for_what_it_can_be(tmp_path: Path) -> None:
    (tmp_path / "tables.map").write_text('table t\n  "A" <-> "b"\nend\nuppr(X) -> y\n',
                                         encoding="utf-8")
    code, output = run("check", str(tmp_path))
    assert code == 1
    assert f"{tmp_path / 'tables.map'}:4:1: error: unknown function `uppr`; did you mean " \
        "`upper`?" in output


def test_a_layer_says_what_it_overrides_and_what_it_may_remove(tmp_path: Path) -> None:
    pair = tmp_path / "pair.map"
    pair.write_text("mapping acomba.invoice <-> vosfactures.invoice\nextends route\n"
                    "Description -> description\nDescription -> exchange_note\n", encoding="utf-8")
    code, output = run("check", str(pair), "--coverage")
    assert code == 0, output
    shipped = ROOT / "mappings" / "erpconnector"
    assert output.splitlines() == [
        f"{pair}: ok (2 rules, 1 warning)",
        f"{pair}:3:1: info: overrides, forward: {shipped}/acomba-vosfactures-invoice.map:27:1 "
        "`Description <-> description`",
        "  Description -> description",
        "  ^",
        f"{pair}:4:1: warning: overrides nothing forward: the base writes no "
        "`exchange_note` (a new field: fine if meant; otherwise check the path)",
        "  Description -> exchange_note",
        "  ^",
        "  layer, forward: may remove what the base writes at:",
        f"    description (where {pair}:3:1 writes nothing)",
        "1 file checked, 0 failed"]


def test_without_paths_the_shipped_mappings_are_checked() -> None:
    code, output = run("check", "--json")
    assert code == 0, output
    files = [Path(f["file"]).name for f in json.loads(output)["files"]]
    top = (Path(__file__).resolve().parents[2] / "mappings").resolve()
    shipped = sorted(p.name for p in top.rglob("*.map"))
    # plus the files of installed third-party plugins (nox installs the tutorial's sage100)
    theirs = sorted(p.name for d in passeur.load_registry().mapping_dirs
                    if not Path(d).resolve().is_relative_to(top) for p in Path(d).rglob("*.map"))
    assert sorted(files) == sorted(shipped + theirs) and shipped
