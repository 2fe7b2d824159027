"""`passeur explain` on a real compiled mapping: fields, rules, branches, defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import passeur.cli.explain_cmd  # noqa: F401  (registers the command)
from passeur.cli import cli
from passeur.cli.app import State

MAPPING = """\
mapping acomba.invoice <-> passeur.invoice
NoFacture <-> number
FraisDeTransport -> totals.charges default 0
if FraisDeTransport > 0 then "sale" else "purchase" -> direction
each LigneFacture <-> lines key strNoProduit = product_code
  strNoProduit <-> product_code
  QteFacture <-> quantity
end
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), obj=State())
    return result.exit_code, result.output


def run_split(*args: str) -> tuple[int, str, str]:
    """Exit code, standard output (the fields) and standard error (convert's problems)."""
    result = CliRunner().invoke(cli, list(args), obj=State())
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    mapping = tmp_path / "inv.map"
    mapping.write_text(MAPPING, encoding="utf-8")
    document = tmp_path / "in.json"
    document.write_text(json.dumps({
        "NoFacture": "F-1",
        "LigneFacture": [{"strNoProduit": "A", "QteFacture": 2.5},
                         {"strNoProduit": "B", "QteFacture": 1}]}), encoding="utf-8")
    return mapping, document


def test_each_field_with_its_rule_branch_and_default(files: tuple[Path, Path]) -> None:
    mapping, document = files
    code, output, errors = run_split("explain", str(mapping), str(document))
    assert code == 0, output
    # the document is read and checked as convert reads it: what it lacks is said too
    assert errors.splitlines() == [
        "document 1 (no. F-1): warning: $.DateFacture: required field DateFacture is missing",
        "document 1 (no. F-1): warning: $.InfoClientFacturerA: required field "
        "InfoClientFacturerA is missing"]
    m = str(mapping)
    assert output.splitlines() == [
        'number = "F-1"',
        f"  from {m}:2:1  NoFacture <-> number",
        "totals.charges = 0",
        f"  from {m}:3:1  FraisDeTransport -> totals.charges default 0",
        "  default fired",
        'direction = "purchase"',
        f'  from {m}:4:1  if FraisDeTransport > 0 then "sale" else "purchase" -> direction',
        "  branch: else",
        'lines[0].product_code = "A"',
        f"  from {m}:6:3  strNoProduit <-> product_code",
        "lines[0].quantity = 2.5",
        f"  from {m}:7:3  QteFacture <-> quantity",
        'lines[1].product_code = "B"',
        f"  from {m}:6:3  strNoProduit <-> product_code",
        "lines[1].quantity = 1",
        f"  from {m}:7:3  QteFacture <-> quantity",
    ]


def test_field_filter_and_json(files: tuple[Path, Path]) -> None:
    mapping, document = files
    code, output, _ = run_split("explain", str(mapping), str(document), "--field",
                                "lines.quantity", "--json")
    assert code == 0
    data = json.loads(output)
    assert [(f["path"], f["value"]) for f in data["fields"]] == [
        ("lines[0].quantity", "2.5"), ("lines[1].quantity", "1")]  # Decimal, as convert
    assert data["output"]["number"] == "F-1"
    # the output is convert's: completed at the hub (computed totals, where it came from)
    assert data["output"]["computed_totals"]["net"] == "0"
    assert data["output"]["source"] == {"system": "acomba", "id": "F-1",
                                        "location": str(document) + ":1"}
    assert [i.split(":")[0] for i in data["issues"]] == ["warning [input.required]"] * 2


def test_backward(files: tuple[Path, Path], tmp_path: Path) -> None:
    mapping, _ = files
    view = tmp_path / "view.json"
    view.write_text('{"number": "F-9", "lines": [{"product_code": "A", "quantity": 4}]}',
                    encoding="utf-8")
    code, output, _ = run_split("explain", str(mapping), str(view), "--backward", "--field",
                                "NoFacture")
    assert code == 0, output
    assert output.splitlines() == ['NoFacture = "F-9"',
                                   f"  from {mapping}:2:1  NoFacture <-> number"]


def test_unknown_field_and_bad_json_are_clear(files: tuple[Path, Path], tmp_path: Path) -> None:
    mapping, document = files
    code, output = run("explain", str(mapping), str(document), "--field", "nope")
    assert code == 2
    assert "no output field 'nope' was written by this mapping; written: direction" in output
    bad = tmp_path / "bad.json"
    bad.write_text('{"NoFacture": 1,}', encoding="utf-8")
    code, output = run("explain", str(mapping), str(bad))
    assert code == 3
    assert (f"document 1: error: {bad}:1:17: malformed JSON: expecting property name "
            "enclosed in double quotes") in output  # as convert says it


def test_a_failing_rule_exits_one_and_is_printed(tmp_path: Path) -> None:
    mapping = tmp_path / "m.map"
    mapping.write_text("mapping acomba.invoice <-> passeur.invoice\n"
                       "number(NoFacture) -> extensions.n\n", encoding="utf-8")
    document = tmp_path / "d.json"
    document.write_text('{"NoFacture": "12,50"}', encoding="utf-8")
    code, output = run("explain", str(mapping), str(document))
    assert code == 1
    assert 'value "12,50" at NoFacture is not a number (it has a decimal comma' in output


def test_input_that_is_not_utf8_or_not_an_object(files: tuple[Path, Path], tmp_path: Path) -> None:
    mapping, _ = files
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"NoFacture": "caf\xe9"}')
    code, output = run("explain", str(mapping), str(latin))
    assert code == 3
    assert (f"document 1: error: {latin}:1:19: $.NoFacture: byte 0xe9 is not UTF-8 text; "
            "save the file as UTF-8") in output
    array = tmp_path / "array.json"
    array.write_text("[1, 2]", encoding="utf-8")
    code, output = run("explain", str(mapping), str(array))
    assert code == 1  # as convert: a document that is not an invoice fails
    assert output == ("document 1: error: $: expected an ERP Connector invoice object, got a "
                      "number\n")
    code, output = run("explain", str(mapping), str(array), "--document", "3")
    assert code == 3
    assert f"{array} holds 2 document(s); there is no document 3" in output


def test_a_field_that_was_not_written_says_which_rule_stayed_silent_and_why(
        tmp_path: Path) -> None:
    mapping = tmp_path / "m.map"
    mapping.write_text("mapping acomba.invoice <-> passeur.invoice\n"
                       'Description -> buyer.note when Description != ""\n'
                       "Référence -> extensions.ref\n"
                       "sum(LigneFacture, QteFacture * Extra) -> totals.line_net\n",
                       encoding="utf-8")
    document = tmp_path / "d.json"
    # (a field the schema does not type: the reader leaves it as text, as convert does)
    document.write_text('{"Description": "", "LigneFacture": [{"QteFacture": 1, '
                        '"Extra": "12,50"}]}', encoding="utf-8")
    code, output = run("explain", str(mapping), str(document), "--field", "buyer.note")
    assert code == 1  # the sum failed on this document
    assert output.splitlines()[:2] == [
        "buyer.note: not written (its guard was false, or its source was absent)",
        f'  from {mapping}:2:1  Description -> buyer.note when Description != ""']
    code, output = run("explain", str(mapping), str(document), "--field", "extensions.ref")
    assert output.splitlines()[0] == "extensions.ref: not written (its source was absent)"
    code, output = run("explain", str(mapping), str(document), "--field", "totals")
    assert output.splitlines()[0] == (
        'totals.line_net: not written (it failed: value "12,50" at LigneFacture[0].Extra '
        "is not a number)")
