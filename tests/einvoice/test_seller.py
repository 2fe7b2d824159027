"""VosFactures and Acomba invoices written as UBL and CII: EN 16931-valid where their data
allows it, the seller taken from the source or from a seller file (never invented), and
every rule a document cannot meet reported with its business terms."""

from __future__ import annotations

import functools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO, TESTDATA
from lxml import etree

import passeur.cli.convert_cmd  # registers the command
import passeur.cli.validate_cmd  # noqa: F401 - registers the command
from passeur.cli.app import cli
from passeur.engine.convert import Converter, parse_endpoint
from passeur.engine.seller import fill_seller, load_seller
from passeur.errors import InputError
from passeur.model import Address, Direction, Invoice, Party, validate_en16931
from passeur.serialize import structure
from support.einvoice_corpus import registry

SELLER = Path(__file__).parent / "seller.toml"
GOLDEN = REPO / "tests" / "fixtures" / "golden"
VOSFACTURES = TESTDATA / "vosfactures"


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


@functools.cache
def _converter(source: str, target: str, seller: bool) -> Converter:
    reg = registry()
    return Converter(reg, parse_endpoint(reg, source), parse_endpoint(reg, target),
                     seller=load_seller(SELLER) if seller else None)


def _convert(source: str, target: str, document: Any, seller: bool = True) -> Any:
    return _converter(source, target, seller).convert(document)


def _reread(target: str, written: bytes) -> list[str]:
    """The rules the written file breaks, read back by the system of its syntax."""
    back = _convert(target, "passeur", written, seller=False)
    assert not back.failed, back.issues
    return sorted({f.rule for f in validate_en16931(structure(back.output, Invoice))})


def _warned(outcome: Any) -> list[str]:
    """The warnings' codes, but what CII does not carry (test_cii_losses.py)."""
    return sorted({i.code for i in outcome.issues if i.level.name == "WARNING"
                   and i.code != "cii.not_carried"})


# what each document lacks is in its source, not in passeur: these are the rules it cannot
# meet (a create payload has no number, an Acomba line names only its product...)
CASES = [
    ("vosfactures", VOSFACTURES / "invoice_get.json", 0, [], ["seller.other"]),
    ("vosfactures", VOSFACTURES / "invoice_get2.json", 0, ["BR-10"], ["BR-10", "seller.other"]),
    ("vosfactures", VOSFACTURES / "invoice_created.json", 0,
     ["BR-08", "BR-10", "BR-12", "BR-15", "BR-16", "BR-CO-09", "BR-CO-18"],
     ["BR-08", "BR-10", "BR-12", "BR-15", "BR-16", "BR-CO-09", "BR-CO-18", "seller.other"]),
    ("vosfactures", GOLDEN / "vosfactures_seed002_lines" / "input.json", 0,
     ["BR-02", "BR-10", "BR-12", "BR-13", "BR-14", "BR-15"],
     ["BR-02", "BR-10", "BR-12", "BR-13", "BR-14", "BR-15"]),
    ("acomba", GOLDEN / "acomba_seed003_get" / "input.json", 0,
     ["BR-10", "BR-CO-04", "BR-CO-15", "BR-CO-18", "BR-CO-25"],
     ["BR-10", "BR-CO-04", "BR-CO-15", "BR-CO-18", "BR-CO-25", "totals.tax_undetailed"]),
    # TPS and TVQ written as one VAT rate (passeur.model.salestax): only the payment terms
    # Acomba does not give are missing
    ("acomba", GOLDEN / "acomba_seed003_created" / "input.json", 0, ["BR-CO-25"], ["BR-CO-25"]),
    ("acomba", GOLDEN / "acomba_seed004" / "input.json", 0,
     ["BR-02", "BR-07", "BR-10", "BR-12", "BR-13", "BR-14", "BR-15", "BR-24", "BR-25",
      "BR-26", "BR-CO-04", "BR-CO-18"],
     ["BR-02", "BR-07", "BR-10", "BR-12", "BR-13", "BR-14", "BR-15", "BR-24", "BR-25",
      "BR-26", "BR-CO-04", "BR-CO-18"]),
]


# the files the schema refuses for what their source lacks (no number, no lines, a tax
# without its rate where CII needs a VAT breakdown), each said by a warning (xsd.invalid)
SCHEMA_INVALID = {("invoice_created.json", "ubl"), ("invoice_created.json", "cii"),
                  ("vosfactures_seed002_lines", "ubl"), ("vosfactures_seed002_lines", "cii"),
                  ("acomba_seed003_get", "cii"), ("acomba_seed004", "ubl"),
                  ("acomba_seed004", "cii")}


@pytest.mark.parametrize("target", ["ubl", "cii"])
@pytest.mark.parametrize(("source", "path", "index", "broken", "warned"), CASES,
                         ids=[f"{c[1].parent.name}/{c[1].name}" for c in CASES])
def test_written_files_break_exactly_the_rules_their_source_cannot_meet(
        source: str, path: Path, index: int, broken: list[str], warned: list[str],
        target: str) -> None:
    data = _json(path)
    document = data[index] if isinstance(data, list) else data
    outcome = _convert(source, target, document)
    assert not outcome.failed
    assert _reread(target, outcome.output) == broken
    invalid = {(path.name, target), (path.parent.name, target)} & SCHEMA_INVALID
    assert _warned(outcome) == sorted(warned + (["xsd.invalid"] if invalid else []))
    if source == "acomba":  # the seller comes from the seller file, whole
        assert "Ébénisterie Tremblay inc." in outcome.output.decode()
        assert not {"BR-06", "BR-08", "BR-09", "BR-CO-26"} & set(broken)


def test_the_seller_file_makes_the_acomba_seller_ubl_and_cii_valid() -> None:
    document = _json(GOLDEN / "acomba_seed003_created" / "input.json")
    without = _convert("acomba", "ubl", document, seller=False)
    rules = {i.code for i in without.issues}
    assert {"BR-06", "BR-08", "BR-CO-26"} <= rules  # no seller in an Acomba invoice
    [said] = [i.message for i in without.issues if i.code == "BR-08"]
    assert said == "not EN 16931-valid: BR-08 (BG-5): the seller has no postal address"
    for target in ("ubl", "cii"):
        outcome = _convert("acomba", target, document)
        [note] = [i for i in outcome.issues if i.code == "seller.configured"]
        assert note.message == f"the seller (BG-4) is taken from the seller file {SELLER}"
        back = structure(_convert(target, "passeur", outcome.output, False).output, Invoice)
        assert back.seller is not None and back.seller.address is not None
        assert (back.seller.name, back.seller.address.city, back.seller.address.country,
                back.seller.identifiers[0].value) == (
            "Ébénisterie Tremblay inc.", "Montréal", "CA", "CA123456789")


@pytest.mark.parametrize("target", ["ubl", "cii"])
def test_a_real_vosfactures_invoice_is_en16931_valid_with_its_own_seller(target: str) -> None:
    """invoice_get.json (recorded from the API) names its seller; its countries are typed
    as names ("Canada", "Czech Republic") and become ISO codes, its tax numbers get their
    country prefix (BR-CO-09), each said."""
    outcome = _convert("vosfactures", target, _json(VOSFACTURES / "invoice_get.json"),
                       seller=False)
    assert _warned(outcome) == []
    notes = {i.message for i in outcome.issues if i.code in ("en16931.country",
                                                            "en16931.vat_prefix")}
    assert notes == {
        "the seller's country 'Canada' is written as its ISO 3166 code CA",
        "the buyer's country 'Czech Republic' is written as its ISO 3166 code CZ",
        "the seller's VAT number '1411270150' is written 'CA1411270150' (country prefix, "
        "BR-CO-09)",
        "the buyer's VAT number '2970961586' is written 'CZ2970961586' (country prefix, "
        "BR-CO-09)"}
    assert _reread(target, outcome.output) == []
    if target == "cii":
        from passeur_einvoice.facturx import _schema

        assert _schema("en16931").validate(etree.fromstring(outcome.output))


def _sale(seller: Party | None, direction: Direction = Direction.SALE) -> Invoice:
    return Invoice(number="1", seller=seller, direction=direction)


def test_the_documents_own_seller_wins_field_by_field() -> None:
    config = load_seller(SELLER)
    own = Party(name="ÉBÉNISTERIE  Tremblay inc.", address=Address(city="", country=""))
    filled, [note] = fill_seller(_sale(own), config)
    assert filled.seller is not None
    assert filled.seller.name == "ÉBÉNISTERIE  Tremblay inc."  # its own, kept
    assert filled.seller.address == config.party.address  # an empty address is absent
    assert note.message == (f"the seller's identifiers, address, contact taken from the "
                            f"seller file {SELLER}")


def test_another_company_as_seller_takes_nothing_from_the_file() -> None:
    config = load_seller(SELLER)
    own = Party(name="Weaver-Wallace")
    filled, [warning] = fill_seller(_sale(own), config)
    assert filled.seller == own
    assert warning.level.name == "WARNING"
    assert warning.message == ("the document's seller 'Weaver-Wallace' is not the "
                               "configured seller 'Ébénisterie Tremblay inc.' "
                               f"({SELLER}): nothing is taken from the seller file")


def test_a_purchase_keeps_its_supplier() -> None:
    invoice = _sale(None, Direction.PURCHASE)
    assert fill_seller(invoice, load_seller(SELLER)) == (invoice, [])


@pytest.mark.parametrize(("text", "suffix", "message"), [
    ('name = "X"\n', ".toml",
     "the seller has no address.country (EN 16931 BT-27, BT-40)"),
    ('address = { country = "BE" }\n', ".toml",
     "the seller has no name (EN 16931 BT-27, BT-40)"),
    ('name = "X"\nvat = "BE0123"\n', ".toml", "not a seller party: unknown field(s): vat"),
    ('{"name": "X",', ".json", "1:14: not JSON: Expecting property name enclosed in "
     "double quotes"),
    ('name = \n', ".toml", "not TOML: Invalid value (at line 1, column 8)"),
])
def test_a_bad_seller_file_is_refused_naming_the_file(tmp_path: Path, text: str,
                                                      suffix: str, message: str) -> None:
    path = tmp_path / f"seller{suffix}"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_seller(path)
    assert str(caught.value).startswith(f"{path}")
    assert message in str(caught.value)


def test_convert_and_validate_take_the_seller_file(tmp_path: Path) -> None:
    source = GOLDEN / "acomba_seed003_created" / "input.json"
    out = tmp_path / "peppol.xml"
    result = CliRunner().invoke(cli, ["convert", str(source), "--from", "acomba", "--to", "ubl",
                                      "--seller", str(SELLER), "-o", str(out)])
    assert result.exit_code == 0, result.output
    root = etree.fromstring(out.read_bytes())
    ns = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
          "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
    assert root.xpath("cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/"
                      "cac:Country/cbc:IdentificationCode/text()", namespaces=ns) == ["CA"]
    report = CliRunner().invoke(cli, ["validate", str(source), "--from", "acomba",
                                      "--seller", str(SELLER), "--json"])
    rules = {f["rule"] for f in json.loads(report.stdout)["files"][0]["findings"]}
    assert not {"BR-06", "BR-08", "BR-09", "BR-CO-26"} & rules
    without = CliRunner().invoke(cli, ["validate", str(source), "--from", "acomba", "--json"])
    assert {"BR-06", "BR-08"} <= {f["rule"] for f in
                                  json.loads(without.stdout)["files"][0]["findings"]}


def test_seller_option_is_in_the_help() -> None:
    assert "--seller FILE" in CliRunner().invoke(cli, ["convert", "--help"]).output


@pytest.mark.parametrize(("target", "message"), [
    ("ubl", "the file written is not valid against the UBL 2.1 XSD: line 5: Element "
     "'{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}IssueDate': "
     "This element is not expected. Expected is one of ( "
     "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"),
    ("cii", "the file written is not valid against the CII XSD (Factur-X EXTENDED, D16B): "
     "line 9: Element '{urn:un:unece:uncefact:data:standard:"
     "ReusableAggregateBusinessInformationEntity:100}TypeCode': This element is not "
     "expected. Expected is ( {urn:un:unece:uncefact:data:standard:"
     "ReusableAggregateBusinessInformationEntity:100}ID )."),
])
def test_a_file_the_schema_refuses_is_said(target: str, message: str) -> None:
    """Seed 004's create payload has no invoice number (BT-1): the UBL and CII written lack
    the ID the schemas require, which the conversion says, with the schema's words."""
    outcome = _convert("acomba", target, _json(GOLDEN / "acomba_seed004" / "input.json"))
    [said] = [i.message for i in outcome.issues if i.code == "xsd.invalid"]
    assert said.startswith(message)

