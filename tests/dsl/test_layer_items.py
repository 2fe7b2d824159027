"""A layer's `each` block merges with the base's item by item: when the two give different
numbers of items, some items get only one side's fields, and convert says so (never a
silent partial or shortened item)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import passeur.cli.convert_cmd  # noqa: F401 - registers the command
from passeur.cli.app import State, cli

ROOT = Path(__file__).resolve().parents[2]
SEED004 = ROOT / "tests" / "fixtures" / "golden" / "acomba_seed004" / "input.json"

HEADER = "mapping acomba.invoice <-> vosfactures.invoice\n"
LINES = "each LigneFacture <-> positions\n  strNoProduit <-> code\nend\n"
PAYMENTS = 'each ListeModePaiements <-> positions\n  "payment" -> name\nend\n'


def _convert(tmp_path: Path, base: str, layer: str) -> tuple[int, dict, list[str]]:
    (tmp_path / "base.map").write_text(HEADER + "NoFacture <-> number\n" + base,
                                       encoding="utf-8")
    path = tmp_path / "layer.map"
    path.write_text(HEADER + 'extends "base.map"\n\n' + layer, encoding="utf-8")
    result = CliRunner().invoke(cli, ["convert", str(SEED004), "--from", "acomba", "--to",
                                      "vosfactures", "--mapping", str(path), "--json"],
                                obj=State())
    data = json.loads(result.stdout)
    messages = [f"{i['path']}: {i['message']} at {i.get('mapping', '')}"
                for p in data["problems"] for i in p["issues"] if i["code"] == "layer.items"]
    return result.exit_code, data, messages


def test_a_layer_with_fewer_items_than_the_base_is_reported(tmp_path: Path) -> None:
    # seed 004 has 5 lines and 2 payments: the layer walks the payments into positions
    code, data, messages = _convert(tmp_path, LINES, PAYMENTS)
    assert code == 0
    assert messages == [
        "positions: the layer's each block gives 2 item(s) and the base's 5: items are "
        "merged by position, so the base's last 3 item(s) get none of the layer's rules; "
        "walk the same list as the base (the base's `each` source) at "
        f"{tmp_path / 'layer.map'}:5:3"]
    positions = data["outputs"][0]["invoice"]["positions"]
    assert [p.get("name") for p in positions] == ["payment", "payment", None, None, None]


def test_a_layer_with_more_items_than_the_base_is_reported(tmp_path: Path) -> None:
    code, _, messages = _convert(tmp_path, PAYMENTS,
                                    "each LigneFacture <-> positions\n"
                                    '  "QC-" + strNoProduit -> code\nend\n')
    assert code == 0
    assert [m.split(" at ")[0] for m in messages] == [
        "positions: the layer's each block gives 5 item(s) and the base's 2: items are "
        "merged by position, so the layer's last 3 item(s) have none of the base's fields "
        "(they are not items the base writes); walk the same list as the base (the base's "
        "`each` source)"]


def test_the_same_list_on_both_sides_says_nothing(tmp_path: Path) -> None:
    code, data, messages = _convert(tmp_path, LINES, "each LigneFacture <-> positions\n"
                                    '  "QC-" + strNoProduit -> code\nend\n')
    assert code == 0 and messages == []
    assert [p.get("code") for p in data["outputs"][0]["invoice"]["positions"]] == [
        "QC-CAThermo", None, None, None, "QC-SCIE-10"]


def test_a_list_the_base_does_not_write_is_no_miscount(tmp_path: Path) -> None:
    # the layer adds a summary list the base never writes: nothing to merge it with
    code, data, messages = _convert(tmp_path, LINES, "group LigneFacture -> "
                                    "additional_fields.per_group by strNoGroupeProduit\n"
                                    "  strNoGroupeProduit -> group\n  count() -> lines\nend\n")
    assert (code, messages) == (0, [])
    # seed 004: four lines without a product group, the fourth line in group 115
    assert data["outputs"][0]["invoice"]["additional_fields"]["per_group"] == [
        {"lines": 4}, {"group": "115", "lines": 1}]
