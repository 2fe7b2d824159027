"""An override is a layer: a consultant's few rules on top of the shipped mappings, and
everything else still comes through (or is reported)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import passeur.cli.convert_cmd  # noqa: F401 - registers the command
from passeur.cli.app import cli
from passeur.dsl import MappingCompileError, load_mapping

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "fixtures" / "golden"
SEED004 = GOLDEN / "acomba_seed004" / "input.json"

QC_LAYER = """\
mapping acomba.invoice <-> vosfactures.invoice
extends route

each LigneFacture <-> positions
  "QC-" + strNoProduit -> code
end
"""


def convert(source: Path, mapping: Path | None = None, *extra: str,
            to: str = "vosfactures") -> tuple[Any, str, int]:
    args = ["convert", str(source), "--from", "acomba", "--to", to, *extra]
    if mapping is not None:
        args += ["--mapping", str(mapping)]
    result = CliRunner().invoke(cli, args)
    out = json.loads(result.stdout) if result.stdout.strip() else None
    return out, result.stderr, result.exit_code


def golden(case: str) -> Any:
    return json.loads((GOLDEN / case / "vosfactures.json").read_text(encoding="utf-8"))


def prefixed(document: Any) -> Any:
    expected = copy.deepcopy(document)
    for position in expected["invoice"]["positions"]:
        if "code" in position:
            position["code"] = "QC-" + position["code"]
    return expected


@pytest.mark.parametrize("case", ["acomba_seed004", "acomba_seed003_created"])
def test_a_line_rule_in_a_layer_changes_only_that_field(case: str, tmp_path: Path) -> None:
    layer = tmp_path / "qc.map"
    layer.write_text(QC_LAYER, encoding="utf-8")
    source = GOLDEN / case / "input.json"
    out, stderr, code = convert(source, layer, "--on-issue", "ignore")
    assert code == 0, stderr
    # every other position field, the taxes, the totals, paid and the client reference
    # exactly as the reviewed golden output of the shipped route; only the codes prefixed
    assert out == prefixed(golden(case))
    assert "layer.lost" not in stderr and "writes nothing here" not in stderr


def test_a_layer_on_the_shipped_pair_keeps_paid_and_the_client_reference(
        tmp_path: Path) -> None:
    layer = tmp_path / "mine.map"
    layer.write_text("mapping acomba.invoice <-> vosfactures.invoice\n"
                     "extends acomba-vosfactures-invoice\n"
                     '"Acomba: " + Description -> description\n', encoding="utf-8")
    out, stderr, code = convert(SEED004, layer, "--on-issue", "ignore")
    assert code == 0, stderr
    expected = golden("acomba_seed004")
    assert out["invoice"]["paid"] == expected["invoice"]["paid"] == "1195.00"
    assert out["invoice"]["additional_fields"] == {"client_external_id": "0Comptoir"}
    expected["invoice"]["description"] = "Acomba: From OERP"
    assert out == expected


def test_extends_route_builds_on_the_route_convert_takes(tmp_path: Path) -> None:
    # the route between acomba and vosfactures is the shipped pair mapping: a layer that
    # `extends route` keeps what the pair adds (paid from the payment modes, the client)
    layer = tmp_path / "mine.map"
    layer.write_text(QC_LAYER, encoding="utf-8")
    mapping = load_mapping(layer)
    assert [m.path.name for m, _ in mapping.base] == ["acomba-vosfactures-invoice.map"]
    assert [m.path.name for m, _ in mapping.base[0][0].base] == [
        "erpconnector-invoice.map", "vosfactures-invoice.map"]


def test_a_rule_that_writes_nothing_where_the_base_wrote_is_reported(tmp_path: Path) -> None:
    layer = tmp_path / "lossy.map"
    layer.write_text("mapping acomba.invoice <-> vosfactures.invoice\nextends route\n"
                     "InfoClientFacturerA.NomClient -> additional_fields.client_external_id\n",
                     encoding="utf-8")
    out, stderr, code = convert(SEED004, layer)
    assert code == 0
    assert "additional_fields" not in out["invoice"]
    pair = ROOT / "mappings" / "erpconnector" / "acomba-vosfactures-invoice.map"
    assert (f'warning: additional_fields.client_external_id: the base wrote "0Comptoir" '
            f"({pair}:25:1 `InfoClientFacturerA.NoClient <-> "
            "additional_fields.client_external_id`) and the layer writes nothing here: "
            "removed by `InfoClientFacturerA.NomClient -> "
            f"additional_fields.client_external_id` at {layer}:3:1") in stderr


def test_a_guarded_layer_rule_takes_over_only_where_it_writes(tmp_path: Path) -> None:
    layer = tmp_path / "guard.map"
    layer.write_text("mapping acomba.invoice <-> vosfactures.invoice\nextends route\n"
                     'each LigneFacture <-> positions\n'
                     '  "QC-" + strNoProduit -> code when strNoProduit = "SCIE-10"\n'
                     "end\n", encoding="utf-8")
    out, stderr, code = convert(SEED004, layer, "--on-issue", "ignore")
    assert code == 0, stderr
    codes = [p.get("code") for p in out["invoice"]["positions"]]
    assert codes == ["CAThermo", None, None, None, "QC-SCIE-10"]


def test_drop_removes_a_base_field_and_says_so(tmp_path: Path) -> None:
    layer = tmp_path / "drop.map"
    layer.write_text("mapping acomba.invoice <-> vosfactures.invoice\nextends route\n"
                     "drop additional_fields.client_external_id\n"
                     "each LigneFacture <-> positions\n  drop quantity\nend\n",
                     encoding="utf-8")
    out, stderr, code = convert(SEED004, layer)
    assert code == 0, stderr
    expected = golden("acomba_seed004")
    del expected["invoice"]["additional_fields"]
    for position in expected["invoice"]["positions"]:
        position.pop("quantity", None)
    assert out == expected
    assert ('info: additional_fields.client_external_id: the base wrote "0Comptoir"') in stderr
    assert f"dropped by `drop -> additional_fields.client_external_id` at {layer}:3:1" in stderr
    assert stderr.count(f"dropped by `drop -> quantity` at {layer}:5:3") == 3


def test_drop_outside_a_layer_is_refused(registry: Any, tmp_path: Path) -> None:
    plain = tmp_path / "plain.map"
    plain.write_text("mapping acomba.invoice <-> passeur.invoice\nNoFacture <-> number\n"
                     "drop currency\n", encoding="utf-8")
    with pytest.raises(MappingCompileError) as info:
        load_mapping(plain, registry)
    assert str(info.value).startswith(
        f"{plain}:3:1: `drop` removes what a base writes, so it only belongs in a layer")


def test_extends_a_name_that_does_not_exist_or_maps_other_sides(registry: Any,
                                                                tmp_path: Path) -> None:
    layer = tmp_path / "mine.map"
    layer.write_text("mapping acomba.invoice <-> vosfactures.invoice\n"
                     "extends acomba-vosfactures-invoic\n", encoding="utf-8")
    with pytest.raises(MappingCompileError) as info:
        load_mapping(layer, registry)
    assert str(info.value).startswith(
        f"{layer}:2:1: cannot extend acomba-vosfactures-invoic: no file "
        f"acomba-vosfactures-invoic.map (looked in: {tmp_path}, ")
    layer.write_text("mapping vosfactures.client <-> passeur.client\n"
                     "extends vosfactures-invoice\n", encoding="utf-8")
    with pytest.raises(MappingCompileError) as info:
        load_mapping(layer, registry)
    assert "maps vosfactures.invoice <-> passeur.invoice, not vosfactures.client <-> " \
        "passeur.client" in str(info.value)


def test_an_extends_cycle_is_refused(registry: Any, tmp_path: Path) -> None:
    header = "mapping acomba.invoice <-> vosfactures.invoice\n"
    (tmp_path / "a.map").write_text(header + "extends b\n", encoding="utf-8")
    (tmp_path / "b.map").write_text(header + 'extends "a.map"\n', encoding="utf-8")
    with pytest.raises(MappingCompileError) as info:
        load_mapping(tmp_path / "a.map", registry)
    assert "extends cycle: a.map -> b.map -> a.map" in str(info.value)


def test_explain_reads_like_convert_and_says_what_a_layer_overrode(tmp_path: Path) -> None:
    import passeur.cli.explain_cmd  # noqa: F401 - registers the command

    layer = tmp_path / "qc.map"
    layer.write_text(QC_LAYER, encoding="utf-8")
    # the Facture wrapper of the ERP Connector payload is read as convert reads it
    result = CliRunner().invoke(cli, ["explain", str(layer), str(SEED004), "--field",
                                      "positions[0].code", "--json"])
    assert result.exit_code == 0, result.output
    fields = json.loads(result.stdout)["fields"]
    shipped = ROOT / "mappings" / "vosfactures" / "vosfactures-invoice.map"
    assert [(f["position"], f["value"], f["overridden"]) for f in fields] == [
        (f"{shipped}:118:3", "CAThermo",
         f'{layer}:5:3 `"QC-" + strNoProduit -> code`'),
        (f"{layer}:5:3", "QC-CAThermo", None)]
