"""The tutorial's package (tests/plugins/sage100_plugin, installed by nox as a real
distribution) passes the kit and converts to and from VosFactures and ERP Connector.

The expected outputs are written by hand from the sample export and the corpus file
(their values copied from those files and checked by reading them), not produced by
passeur and saved.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from passeur import load_registry
from passeur.engine.convert import Converter, parse_endpoint
from passeur.engine.documents import RawDocument, read_all
from passeur.testing import check_plugin, value_differences

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "sage100_plugin" / "samples" / "ventes-2024-03.csv"
CORPUS = HERE.parents[1].parent / "shared" / "testdata"

pytest.importorskip("passeur_sage100", reason="nox installs tests/plugins/sage100_plugin")


def _passeur(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "passeur", *args], capture_output=True,
                          text=True, encoding="utf-8", check=False)


def _documents(system: str) -> list[Any]:
    fmt = load_registry().formats[f"{system}.invoice"]
    found = read_all(fmt.document_reader(), SAMPLE.read_bytes(), SAMPLE.name)
    assert all(isinstance(d, RawDocument) for d in found)
    return [d.value for d in found]


def test_the_kit_passes() -> None:
    report = check_plugin("sage100", [SAMPLE])
    assert "ventes-2024-03.csv: document 3: canonical -> sage100.invoice -> canonical equal" \
        in report.checked
    assert "sage100-invoice.map: compiles, 2 examples pass both ways" in report.checked


def test_the_export_is_recognised_without_from() -> None:
    result = _passeur("convert", str(SAMPLE), "--to", "passeur", "--json")
    assert result.returncode == 0, result.stderr
    numbers = [d["number"] for d in json.loads(result.stdout)["outputs"]] \
        if result.stdout.lstrip().startswith("{") else None
    if numbers is None:  # --json prints the documents themselves
        numbers = [d["number"] for d in json.loads(result.stdout)]
    assert numbers == ["FA00142", "FA00143", "AV00012"]


def test_to_vosfactures() -> None:
    registry = load_registry()
    converter = Converter(registry, parse_endpoint(registry, "sage100"),
                          parse_endpoint(registry, "vosfactures"))
    outcome = converter.convert(_documents("sage100")[1])
    assert not outcome.failed, outcome.issues
    expected = {"invoice": {
        "number": "FA00143", "kind": "vat", "income": True, "issue_date": "2024-03-05",
        "currency": "EUR", "buyer_name": "Librairie Martin",
        "positions": [{"code": "LIV-203", "name": "Manuel de comptabilité", "quantity": "2",
                       "price_net": "29.90", "total_price_net": "59.80", "tax": "5.50"}],
        "calculating_strategy": {"position": "default", "sum": "sum",
                                 "invoice_form_price_kind": "net"}}}
    assert value_differences(expected, outcome.output) == []


def test_credit_note_to_acomba() -> None:
    registry = load_registry()
    converter = Converter(registry, parse_endpoint(registry, "sage100"),
                          parse_endpoint(registry, "acomba"))
    outcome = converter.convert(_documents("sage100")[2])
    assert not outcome.failed, outcome.issues
    facture = outcome.output["Facture"]
    assert (facture["NoFacture"], facture["DateFacture"], facture["TypeDoc"]) == (
        "AV00012", "2024-03-06", "FACTURES")
    assert facture["InfoClientFacturerA"] == {"NoClient": "CDUPONT",
                                              "NomClient": "Dupont et Fils SARL"}
    assert facture["ExtendedProperties"] == {"passeur.kind": "credit_note",
                                             "passeur.currency": "EUR"}
    [line] = facture["LigneFacture"]
    assert (line["strNoProduit"], line["DescriptionLigne"]) == ("BUR-017",
                                                                "Classeur à levier (retour)")
    assert value_differences([Decimal("-1"), Decimal("3.25")],
                             [line["QteFacture"], line["PrixFinal"]]) == []
    # ERP Connector computes taxes from its tax group: the rate rides along, and is said so
    assert json.loads(line["ExtendedProperties"]["passeur.taxes"]) == [
        {"scheme": "VAT", "rate": "20.00"}]
    assert any(i.code == "target.tax_computed" for i in outcome.issues)


def test_from_vosfactures_corpus_invoice() -> None:
    """testdata/vosfactures/invoice_get.json (55/01/2018, three positions of 13 x 8.72 at
    0 %, each 113.33 net as VosFactures computed it from the gross) as Sage rows."""
    result = _passeur("convert", str(CORPUS / "vosfactures" / "invoice_get.json"),
                      "--from", "vosfactures", "--to", "sage100")
    assert result.returncode == 0, result.stderr
    head = "6;55/01/2018;2018-01-21;;Williams, Smith and Fuller;EUR;;"
    assert result.stdout.splitlines() == [
        "DO_Type;DO_Piece;DO_Date;DO_Tiers;CT_Intitule;DO_Devise;AR_Ref;DL_Design;DL_Qte;"
        "DL_PrixUnitaire;DL_Taxe1;DL_MontantHT",
        head + "exploit efficient communities;13.0;8.72;0;113.33",
        head + "embrace revolutionary info-mediaries;13.0;8.72;0;113.33",
        head + "exploit real-time solutions;13.0;8.72;0;113.33"]


def test_back_and_forth_through_acomba_keeps_the_rows() -> None:
    """sage100 -> acomba create payload -> sage100 gives the export's rows back, except the
    line amount: ERP Connector computes it (quantity x price, which is what these rows
    hold), so a create payload does not carry it and the rows read back have none."""
    registry = load_registry()
    sage, acomba = parse_endpoint(registry, "sage100"), parse_endpoint(registry, "acomba")
    for document in _documents("sage100"):
        there = Converter(registry, sage, acomba).convert(document)
        back = Converter(registry, acomba, sage).convert(there.output)
        assert not back.failed, back.issues
        expected = [{k: v for k, v in row.items() if k != "DL_MontantHT"} for row in document]
        assert value_differences(expected, back.output) == []
