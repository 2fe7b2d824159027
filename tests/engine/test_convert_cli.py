"""`passeur convert` on the command line: forms, errors, exit codes, --json."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import passeur.cli.convert_cmd  # noqa: F401 - registers the command
from passeur.cli.app import cli

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
SEED004 = GOLDEN / "acomba_seed004" / "input.json"

LINE = ('{"NoFacture": "%s", "DateFacture": "2024-04-24", "InfoClientFacturerA": {"NoClient": '
        '"C1"}, "LigneFacture": [{"strNoProduit": "P", "QteFacture": 2, "PrixFinal": %s}]}')


def _run(*args: str, stdin: str | None = None) -> object:
    return CliRunner().invoke(cli, ["convert", *args], input=stdin)


def test_ndjson_with_a_malformed_line_and_a_decimal_comma(tmp_path: Path) -> None:
    source = tmp_path / "in.ndjson"
    source.write_text("\n".join([LINE % ("F1", "10.00"), LINE % ("F2", '"12,50"'),
                                 '{"NoFacture": "F3", oops}', LINE % ("F4", "1.5")]) + "\n")
    result = _run(str(source), "--from", "acomba", "--to", "vosfactures")
    assert result.exit_code == 3  # type: ignore[attr-defined]
    outputs = [json.loads(line) for line in result.stdout.splitlines()]  # type: ignore[attr-defined]
    assert [o["invoice"]["number"] for o in outputs] == ["F1", "F4"]
    assert outputs[0]["invoice"]["positions"][0]["price_net"] == "10.00"
    assert result.stderr.splitlines() == [  # type: ignore[attr-defined]
        "document 2: error: $.LigneFacture[0].PrixFinal: value \"12,50\" uses a decimal comma; "
        "write it with a point: 12.50",
        f"document 3: error: {source}:3:21: malformed JSON: expecting property name enclosed "
        "in double quotes",
        "2 of 4 document(s) converted, 2 failed, 0 warning(s)",
    ]


def test_array_in_array_out_and_exit_1_when_a_document_fails(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text("[" + LINE % ("F1", "10.00") + ",\n"
                      + (LINE % ("F2", "1")).replace('"DateFacture"', '"TypeDoc": "FACTURE", '
                                                     '"DateFacture"') + "]")
    out = tmp_path / "out.json"
    result = _run(str(source), "--from", "acomba", "--to", "passeur", "-o", str(out))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    written = json.loads(out.read_text())
    assert [d["number"] for d in written] == ["F1"]
    assert ("document 2: error: $.TypeDoc: unknown TypeDoc \"FACTURE\"; did you mean "
            "'FACTURES'?") in result.stderr  # type: ignore[attr-defined]


def test_stdin_and_json_report() -> None:
    result = _run("-", "--from", "acomba", "--to", "vosfactures", "--json",
                  stdin=SEED004.read_text())
    assert result.exit_code == 0  # type: ignore[attr-defined]
    report = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert {k: report[k] for k in ("documents", "converted", "failed", "warnings", "from",
                                   "to", "on_issue")} == {
        "documents": 1, "converted": 1, "failed": 0, "warnings": 2,
        "from": "acomba.invoice", "to": "vosfactures.invoice", "on_issue": "warn"}
    assert report["problems"] == [{"document": 1, "id": None, "line": 1, "failed": False,
                                   "issues": [
        {"level": "warning", "code": "target.line_kind", "path": "$.lines[2].kind",
         "message": "line 3 is a blank line; vosfactures has no such lines"},
        {"level": "warning", "code": "target.line_kind", "path": "$.lines[3].kind",
         "message": "line 4 is a product_group line; vosfactures has no such lines"}]}]
    assert report["outputs"][0]["invoice"]["paid"] == "1195.00"


def test_on_issue_error_fails_the_document() -> None:
    result = _run(str(SEED004), "--from", "acomba", "--to", "vosfactures",
                  "--on-issue", "error")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stdout == ""  # type: ignore[attr-defined]
    assert "document 1: error: $.lines[2].kind: line 3 is a blank line" in result.stderr  # type: ignore[attr-defined]


def test_unknown_system_is_a_usage_error() -> None:
    result = _run(str(SEED004), "--from", "acomb", "--to", "vosfactures")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "unknown system 'acomb'; did you mean 'acomba'?" in result.stderr  # type: ignore[attr-defined]


def test_mapping_file_must_join_the_two_systems(tmp_path: Path) -> None:
    mapping = (Path(__file__).resolve().parents[2] / "mappings" / "vosfactures"
               / "vosfactures-client.map")
    result = _run(str(SEED004), "--from", "acomba", "--to", "vosfactures", "--mapping",
                  str(mapping))
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert ("maps vosfactures.client <-> passeur.party, not acomba.invoice to "
            "vosfactures.invoice") in result.stderr  # type: ignore[attr-defined]


def test_explicit_mapping_file_is_used(tmp_path: Path) -> None:
    mapping = tmp_path / "mine.map"
    mapping.write_text("mapping acomba.invoice <-> vosfactures.invoice\n"
                       "NoFacture <-> number\nDescription <-> description\n")
    source = tmp_path / "in.json"
    source.write_text('{"NoFacture": "F9", "Description": "x", "DateFacture": "2024-01-01"}')
    result = _run(str(source), "--from", "acomba", "--to", "vosfactures", "--mapping",
                  str(mapping))
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    assert json.loads(result.stdout) == {"invoice": {"number": "F9", "description": "x"}}  # type: ignore[attr-defined]


def test_help_teaches_with_examples() -> None:
    result = CliRunner().invoke(cli, ["convert", "--help"])
    assert result.exit_code == 0
    assert "passeur convert seed.json --from acomba --to vosfactures -o out.json" in result.stdout
    assert "--on-issue [ignore|warn|error]" in result.stdout
