"""`passeur convert --original FILE` and `Converter.convert(original=...)`: the target's
current document is written over, so `key` keeps each line's unmapped fields with its own
line, and originals are matched to input documents by position (a wrong or missing one is
an error, never a silent mix-up).

The original is the real VosFactures answer `invoice_get.json` (three positions, read in
place); a copy in tmp_path gets one distinct unmapped field per position so that a line
moved onto another shows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

import passeur.cli.convert_cmd  # noqa: F401 - registers the command
from passeur import load_registry
from passeur.cli.app import cli
from passeur.engine.convert import Converter, parse_endpoint

ROOT = Path(__file__).resolve().parents[2]
INVOICE_GET = ROOT.parent / "shared" / "testdata" / "vosfactures" / "invoice_get.json"
ACOMBA = ROOT / "core" / "passeur" / "samples" / "acomba-invoice.json"


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, ["convert", *args])


def _original(tmp_path: Path) -> Path:
    """invoice_get.json with positions tagged a, b, c in a field no mapping rule maps."""
    document = json.loads(INVOICE_GET.read_text())
    for position, tag in zip(document["positions"], "abc", strict=True):
        position["accounting_tax_kind"] = tag
    path = tmp_path / "current.json"
    path.write_text(json.dumps(document))
    return path


def _view(tmp_path: Path, original: Path) -> dict[str, Any]:
    """The canonical invoice read from the original (what the sync engine compares)."""
    result = _run(str(original), "--from", "vosfactures", "--to", "passeur")
    assert result.exit_code == 0, result.output
    view: dict[str, Any] = json.loads(result.stdout)
    return view


def _positions(stdout: str) -> list[tuple[Any, Any, Any]]:
    body = json.loads(stdout)
    return [(p["product_id"], p["name"], p.get("accounting_tax_kind"))
            for p in body["invoice"]["positions"]]


def test_deleting_line_1_keeps_each_remaining_line_on_its_own_position(tmp_path: Path) -> None:
    original = _original(tmp_path)
    view = _view(tmp_path, original)
    del view["lines"][0]
    edited = tmp_path / "view.json"
    edited.write_text(json.dumps(view))
    result = _run(str(edited), "--from", "passeur", "--to", "vosfactures",
                  "--original", str(original))
    assert result.exit_code == 0, result.output
    assert _positions(result.stdout) == [
        (11914103, "embrace revolutionary info-mediaries", "b"),
        (11914104, "exploit real-time solutions", "c"),
    ]
    body = json.loads(result.stdout)["invoice"]
    # header fields no rule maps come from the original too (a create has none of them)
    assert (body["exchange_kind"], body["buyer_bank"], body["show_discount"]) == (
        "nbp", None, False)


def test_without_original_nothing_unmapped_is_written(tmp_path: Path) -> None:
    original = _original(tmp_path)
    view = _view(tmp_path, original)
    del view["lines"][0]
    edited = tmp_path / "view.json"
    edited.write_text(json.dumps(view))
    result = _run(str(edited), "--from", "passeur", "--to", "vosfactures")
    assert result.exit_code == 0, result.output
    assert _positions(result.stdout) == [
        (11914103, "embrace revolutionary info-mediaries", None),
        (11914104, "exploit real-time solutions", None),
    ]
    assert "exchange_kind" not in json.loads(result.stdout)["invoice"]


def test_reordered_lines_keep_their_own_fields(tmp_path: Path) -> None:
    original = _original(tmp_path)
    view = _view(tmp_path, original)
    view["lines"].reverse()
    edited = tmp_path / "view.json"
    edited.write_text(json.dumps(view))
    result = _run(str(edited), "--from", "passeur", "--to", "vosfactures",
                  "--original", str(original))
    assert result.exit_code == 0, result.output
    assert [(p, t) for p, _, t in _positions(result.stdout)] == [
        (11914104, "c"), (11914103, "b"), (11914102, "a")]


def _ndjson(path: Path, documents: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in documents))
    return path


def test_ndjson_originals_are_matched_by_position(tmp_path: Path) -> None:
    original = _original(tmp_path)
    view = _view(tmp_path, original)
    first, second = json.loads(json.dumps(view)), json.loads(json.dumps(view))
    del first["lines"][0]
    del second["lines"][2]
    current = json.loads(original.read_text())
    other = json.loads(original.read_text())
    for position in other["positions"]:
        position["accounting_tax_kind"] = position["accounting_tax_kind"].upper()
    views = _ndjson(tmp_path / "views.ndjson", [first, second])
    originals = _ndjson(tmp_path / "originals.ndjson", [current, other])
    result = _run(str(views), "--from", "passeur", "--to", "vosfactures",
                  "--original", str(originals))
    assert result.exit_code == 0, result.output
    outputs = result.stdout.splitlines()
    assert [t for _, _, t in _positions(outputs[0])] == ["b", "c"]
    assert [t for _, _, t in _positions(outputs[1])] == ["A", "B"]


def test_a_document_without_an_original_fails_and_the_others_convert(tmp_path: Path) -> None:
    original = _original(tmp_path)
    view = _view(tmp_path, original)
    views = _ndjson(tmp_path / "views.ndjson", [view, view])
    result = _run(str(views), "--from", "passeur", "--to", "vosfactures",
                  "--original", str(original))
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr.splitlines() == [
        "document 2: error: $: the original file holds 1 document(s), so document 2 has "
        "none (originals are matched by position)",
        "1 of 2 document(s) converted, 1 failed, 0 warning(s)",
    ]


def test_more_originals_than_documents_is_an_error(tmp_path: Path) -> None:
    original = _original(tmp_path)
    view = _view(tmp_path, original)
    current = json.loads(original.read_text())
    originals = _ndjson(tmp_path / "originals.ndjson", [current, current])
    edited = tmp_path / "view.json"
    edited.write_text(json.dumps(view))
    result = _run(str(edited), "--from", "passeur", "--to", "vosfactures",
                  "--original", str(originals))
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "original file: error: the original file holds 2 document(s) but the input only 1: "
        "originals are matched by position, so the input and the original file must hold "
        "the same documents in the same order",
        "1 of 1 document(s) converted, 0 failed, 0 warning(s)",
    ]


def test_the_original_of_another_document_is_refused(tmp_path: Path) -> None:
    """The Acomba sample (no. 10044) through the route to VosFactures, given
    invoice 55/01/2018 as its original: a mix-up, not an update."""
    result = _run(str(ACOMBA), "--from", "acomba", "--to", "vosfactures",
                  "--original", str(INVOICE_GET))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-2:] == [
        "document 1 (no. 10044): error: $.number: the original given for this document is "
        "number 55/01/2018, but the document is number 10044: originals are matched by "
        "position (the Nth document of the original file for the Nth input document)",
        "0 of 1 document(s) converted, 1 failed, 3 warning(s)",
    ]


def test_an_unreadable_original_fails_its_document(tmp_path: Path) -> None:
    original = _original(tmp_path)
    view = _view(tmp_path, original)
    edited = tmp_path / "view.json"
    edited.write_text(json.dumps(view))
    bad = tmp_path / "bad.json"
    bad.write_text('{"invoice": {"number": "55/01/2018", "positions": [{"quantity": "1,5"}]}}')
    result = _run(str(edited), "--from", "passeur", "--to", "vosfactures",
                  "--original", str(bad))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "document 1: error: $.invoice.positions[0].quantity: original: value \"1,5\" uses a "
        "decimal comma; write it with a point: 1.5",
        "0 of 1 document(s) converted, 1 failed, 0 warning(s)",
    ]


def test_an_original_where_no_mapping_writes_over_one_is_refused(tmp_path: Path) -> None:
    result = _run(str(INVOICE_GET), "--from", "vosfactures", "--to", "passeur",
                  "--original", str(INVOICE_GET))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].endswith(
        f"--original {INVOICE_GET}: the target is the canonical model (passeur.invoice): no "
        "mapping writes over it, so an original would change nothing")


def test_engine_api_takes_the_original_as_the_target_api_returns_it(tmp_path: Path) -> None:
    """What the sync engine calls on an update: `convert(view, original=current)`."""
    registry = load_registry()
    source = parse_endpoint(registry, "passeur")
    target = parse_endpoint(registry, "vosfactures", source)
    converter = Converter(registry, source, target)
    assert converter.original_problem() is None
    current = json.loads(_original(tmp_path).read_text())
    view = _view(tmp_path, _original(tmp_path))
    del view["lines"][1]
    outcome = converter.convert(view, original=current)
    assert not outcome.failed, outcome.issues
    assert [p["accounting_tax_kind"] for p in outcome.output["invoice"]["positions"]] == [
        "a", "c"]
    created = converter.convert(view, original=None)  # None: a create, nothing to keep
    assert [p.get("accounting_tax_kind") for p in created.output["invoice"]["positions"]] == [
        None, None]


def test_through_a_pair_mapping_the_route_step_writing_the_target_gets_it(
        tmp_path: Path) -> None:
    """acomba -> vosfactures runs acomba-vosfactures-invoice.map over the route (`extends`):
    the original goes to the route's last step, under the pair mapping's own rules."""
    created = _run(str(ACOMBA), "--from", "acomba", "--to", "vosfactures")
    assert created.exit_code == 0, created.output
    current = json.loads(created.stdout)
    assert "exchange_kind" not in current["invoice"]
    current["invoice"]["exchange_kind"] = "nbp"  # the target's own field, set since
    path = tmp_path / "current.json"
    path.write_text(json.dumps(current))
    result = _run(str(ACOMBA), "--from", "acomba", "--to", "vosfactures",
                  "--original", str(path))
    assert result.exit_code == 0, result.output
    again = json.loads(result.stdout)
    assert again["invoice"].pop("exchange_kind") == "nbp"
    assert again == json.loads(created.stdout)
