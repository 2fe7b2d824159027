"""`keep` in a layer: writing back, the original's value stays when the view still gives
the same result, exactly as in a mapping that stands alone (the layer's put starts from the
original), so a layer's own example passes backward."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

import passeur.cli.check_cmd  # noqa: F401 - registers the command
from passeur.cli.app import State, cli
from passeur.dsl import load_mapping

LEFT = {"NoFacture": "F1", "TypeDoc": "FACTURES", "DateFacture": "2024-04-24",
        "Description": "from oerp", "InfoClientFacturerA": {"NoClient": "C1"},
        "LigneFacture": [{"strNoProduit": "A", "QteFacture": 2, "PrixFinal": 10}]}
RIGHT = {"number": "F1", "kind": "vat", "income": True, "issue_date": "2024-04-24",
         "currency": "CAD", "description": "FROM OERP",
         "positions": [{"code": "A", "quantity": 2, "price_net": 10}],
         "additional_fields": {"client_external_id": "C1"}}

LAYER = f"""\
mapping acomba.invoice <-> vosfactures.invoice
extends route

upper(Description) <-> description keep

example "keep in a layer"
  left {json.dumps(LEFT)}
  right {json.dumps(RIGHT)}
end
"""


def _layer(tmp_path: Path) -> Path:
    path = tmp_path / "keep.map"
    path.write_text(LAYER, encoding="utf-8")
    return path


def test_the_layer_passes_its_own_example_both_ways(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(_layer(tmp_path)), "--json"], obj=State())
    report = json.loads(result.stdout)["files"][0]
    assert [p["message"] for p in report["problems"] if p["level"] != "info"] == []
    assert (report["examples"], report["examples_failed"]) == (1, 0)
    assert result.exit_code == 0


def test_keep_keeps_the_original_and_writes_a_change(registry: Any, tmp_path: Path) -> None:
    layer = load_mapping(_layer(tmp_path), registry)
    view = layer.forward(LEFT).value
    assert view["description"] == "FROM OERP"
    kept = layer.backward(view, LEFT)
    assert kept.value["Description"] == "from oerp"  # upper() of it is still the view's
    assert [i.code for i in kept.issues if i.code == "layer.lost"] == []
    changed = layer.backward({**view, "description": "NEW TEXT"}, LEFT)
    assert changed.value["Description"] == "NEW TEXT"
    assert [i.code for i in changed.issues if i.code == "layer.lost"] == []
