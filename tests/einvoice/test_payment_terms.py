"""Payment terms declared for a system whose invoices carry none (Acomba): from a terms
file given to convert, a connection file or a sync file's side (which wins); the due date
is the issue date plus the days, BT-20 the description, each use reported, never over the
document's own terms."""

from __future__ import annotations

import datetime
import functools
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

import passeur.cli.sync_cmd  # noqa: F401 - registers the command
from passeur import load_registry
from passeur.cli.app import cli
from passeur.engine.connection import load_connection
from passeur.engine.convert import Converter, parse_endpoint
from passeur.engine.seller import load_seller
from passeur.engine.sync.syncfile import load_sync_file
from passeur.engine.terms import TermsConfig, fill_terms, load_terms
from passeur.errors import InputError
from passeur.model import DocumentKind, Invoice, PaymentTerms, validate_en16931
from passeur.model.invoice import Direction
from passeur.sandbox import dumps
from passeur.serialize import structure
from support.acomba_sandbox import acomba_invoices
from support.einvoice_corpus import registry

SELLER = Path(__file__).parent / "seller.toml"
TERMS = TermsConfig(30, "30 days net", "terms.toml")
UBL = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
       "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"}


@functools.cache
def _converter(source: str, target: str, terms: bool) -> Converter:
    reg = registry()
    return Converter(reg, parse_endpoint(reg, source), parse_endpoint(reg, target),
                     seller=load_seller(SELLER) if source == "acomba" else None,
                     terms=TERMS if terms else None)


@pytest.mark.parametrize("target", ["ubl", "cii"])
@pytest.mark.parametrize("tax_group", ["TPS7_TVQ75", "TPS5_TVQ9975"])
def test_every_acomba_invoice_with_declared_terms_is_en16931_valid(
        tax_group: str, target: str) -> None:
    """With the office's terms declared, BR-CO-25 (the one rule an Acomba invoice broke,
    tests/einvoice/test_erp_invoices_written.py) is met: nothing is left broken."""
    for source in acomba_invoices(tax_group):
        outcome = _converter("acomba", target, True).convert(source)
        assert not outcome.failed, outcome.issues
        issue_date = datetime.date.fromisoformat(source["DateFacture"][:10])
        due = issue_date + datetime.timedelta(days=30)
        assert [i.message for i in outcome.issues if i.code == "payment_terms.configured"] \
            == [f"the due date (BT-9) {due.isoformat()} = issue date + 30 days and the "
                "payment terms (BT-20) '30 days net' taken from the payment terms of "
                "terms.toml"]
        back = _converter(target, "passeur", False).convert(outcome.output)
        invoice = structure(back.output, Invoice)
        assert invoice.due_date == due
        assert invoice.payment_terms is not None
        assert invoice.payment_terms.description == "30 days net"
        assert [f.rule for f in validate_en16931(invoice)] == [], source["NoFacture"]
        plain = _converter(target, "passeur", False).convert(
            _converter("acomba", target, False).convert(source).output)
        assert sorted({f.rule for f in validate_en16931(structure(plain.output, Invoice))}) \
            == ["BR-CO-25"]


def test_seed_004_is_due_thirty_calendar_days_after_its_date_in_ubl() -> None:
    """Seed 004 is dated 2024-04-24: due 2024-05-24 (30 calendar days)."""
    [seed] = [i for i in acomba_invoices("TPS7_TVQ75")
              if i["SousTotalFacture"] == Decimal("1039.06")]
    root = etree.fromstring(_converter("acomba", "ubl", True).convert(seed).output)
    assert root.findtext("cbc:IssueDate", namespaces=UBL) == "2024-04-24"
    assert root.findtext("cbc:DueDate", namespaces=UBL) == "2024-05-24"
    assert root.findtext("cac:PaymentTerms/cbc:Note", namespaces=UBL) == "30 days net"


SALE = Invoice(number="F1", issue_date=datetime.date(2026, 1, 31), direction=Direction.SALE)


@pytest.mark.parametrize("own", [
    {"due_date": datetime.date(2026, 2, 15)},
    {"payment_terms": PaymentTerms(description="Comptant")},
    {"payment_terms": PaymentTerms(days=10)},
    {"payment_terms": PaymentTerms(due_date=datetime.date(2026, 2, 15))},
    {"kind": DocumentKind.CREDIT_NOTE},
    {"direction": Direction.PURCHASE},
])
def test_an_invoice_with_its_own_terms_a_credit_note_or_a_purchase_is_left_alone(
        own: dict[str, object]) -> None:
    import attrs

    invoice = attrs.evolve(SALE, **own)
    assert fill_terms(invoice, TERMS) == (invoice, [])


def test_days_count_calendar_days_and_a_missing_issue_date_is_said() -> None:
    import attrs

    filled, issues = fill_terms(SALE, TermsConfig(30, None, "acomba.toml"))
    assert (filled.due_date, filled.payment_terms) == (datetime.date(2026, 3, 2),
                                                       PaymentTerms(days=30))
    assert [(i.level.name.lower(), i.message) for i in issues] == [(
        "info", "the due date (BT-9) 2026-03-02 = issue date + 30 days taken from the "
        "payment terms of acomba.toml")]
    filled, issues = fill_terms(attrs.evolve(SALE, issue_date=None), TERMS)
    assert filled.due_date is None
    assert filled.payment_terms == PaymentTerms(description="30 days net")
    assert [(i.level.name.lower(), i.code) for i in issues] == [
        ("warning", "payment_terms.no_issue_date"), ("info", "payment_terms.configured")]


@pytest.mark.parametrize(("text", "message"), [
    ('system = "acomba"\n\npayment_terms = "nowhere.toml"\n',
     ":3: payment terms file nowhere.toml not found (looked for "),
    ('system = "acomba"\n\n[payment_terms]\nnet = 30\n',
     ":3: unknown payment terms field(s): net (payment terms have: days (or due_days), "
     "description)"),
    ('system = "acomba"\npayment_terms = { days = "30" }\n',
     ":2: payment terms days is a whole number of calendar days from the issue date "
     "(0 to 3660), not '30'"),
    ('system = "acomba"\npayment_terms = { days = 30, due_days = 30 }\n',
     ":2: payment terms give both days and due_days: one of them"),
    ('system = "acomba"\npayment_terms = {}\n',
     ":2: payment terms need days (the due date, BT-9) or a description (BT-20)"),
    ('system = "acomba"\npayment_terms = 30\n',
     ':2: payment_terms is a payment terms file (payment_terms = "terms.toml") or a '
     "[payment_terms] table of days and description, not int"),
])
def test_bad_terms_in_a_connection_are_refused_at_their_line(tmp_path: Path, text: str,
                                                             message: str) -> None:
    path = tmp_path / "acomba.toml"
    path.write_text(text.replace('system = "acomba"\n', 'system = "acomba"\nfolder = '
                                 '{ path = "in" }\n', 1), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_connection(path, load_registry())
    line, _, rest = message[1:].partition(":")
    assert str(caught.value).startswith(f"{path}:{int(line) + 1}:{rest}")


def test_a_connection_declares_terms_and_a_sync_side_wins(tmp_path: Path) -> None:
    (tmp_path / "acomba.toml").write_text(
        'system = "acomba"\nfolder = { path = "in" }\n'
        'payment_terms = { due_days = 30, description = "30 jours net" }\n', encoding="utf-8")
    (tmp_path / "ubl.toml").write_text('system = "ubl"\n[folder]\npath = "out"\n',
                                       encoding="utf-8")
    connection = load_connection(tmp_path / "acomba.toml", load_registry())
    assert connection.payment_terms == TermsConfig(30, "30 jours net",
                                                   str(tmp_path / "acomba.toml"))
    (tmp_path / "terms.toml").write_text('days = 45\n', encoding="utf-8")
    sync = tmp_path / "sync.toml"
    sync.write_text('store = "state.db"\n\n[source]\nconnection = "acomba.toml"\n'
                    'payment_terms = "terms.toml"\n\n[target]\nconnection = "ubl.toml"\n',
                    encoding="utf-8")
    spec = load_sync_file(sync, registry())
    assert spec.source.connection.payment_terms == TermsConfig(
        45, None, str(tmp_path / "terms.toml"))
    sync.write_text('store = "state.db"\n\n[source]\nconnection = "acomba.toml"\n\n'
                    '[source.payment_terms]\ndays = -1\n\n[target]\nconnection = "ubl.toml"\n',
                    encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_sync_file(sync, registry())
    assert str(caught.value) == (f"{sync}:6: payment terms days is a whole number of "
                                 "calendar days from the issue date (0 to 3660), not -1")


def test_convert_takes_a_terms_file(tmp_path: Path) -> None:
    [seed] = [i for i in acomba_invoices("TPS7_TVQ75")
              if i["SousTotalFacture"] == Decimal("1039.06")]
    source = tmp_path / "facture.json"
    source.write_text(dumps(seed), encoding="utf-8")
    terms = tmp_path / "terms.json"
    terms.write_text('{"days": 15, "description": "15 jours net"}', encoding="utf-8")
    assert load_terms(terms) == TermsConfig(15, "15 jours net", str(terms))
    out = tmp_path / "peppol.xml"
    result = CliRunner().invoke(cli, [
        "convert", str(source), "--from", "acomba", "--to", "ubl", "--seller", str(SELLER),
        "--payment-terms", str(terms), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    messages = [i["message"] for d in json.loads(result.stdout)["problems"]
                for i in d["issues"] if i["code"] == "payment_terms.configured"]
    assert messages == ["the due date (BT-9) 2024-05-09 = issue date + 15 days and the "
                        f"payment terms (BT-20) '15 jours net' taken from the payment terms "
                        f"of {terms}"]
    root = etree.parse(str(out)).getroot()
    assert root.findtext("cbc:DueDate", namespaces=UBL) == "2024-05-09"


def test_a_sync_from_acomba_to_ubl_files_takes_the_terms_of_the_connection(
        tmp_path: Path) -> None:
    """Seed 003's created invoice (dated 2024-04-24 in the golden answer) from a folder
    connection that declares 30 days: the UBL file written is due 2024-05-24."""
    from conftest import REPO

    created = REPO / "tests/fixtures/golden/acomba_seed003_created/input.json"
    answer = json.loads(created.read_text(encoding="utf-8"))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "10044.json").write_text(json.dumps(
        answer["ResultPayload"]["FullTransaction"]), encoding="utf-8")
    (tmp_path / "acomba.toml").write_text(
        f'system = "acomba"\nseller = "{SELLER}"\npayment_terms = {{ days = 30 }}\n'
        '[folder]\npath = "in"\npattern = "{NoFacture}.json"\n', encoding="utf-8")
    (tmp_path / "ubl.toml").write_text('system = "ubl"\n[folder]\npath = "out"\n'
                                       'pattern = "{ID}.xml"\n', encoding="utf-8")
    (tmp_path / "sync.toml").write_text('store = "state.db"\n[source]\nconnection = '
                                        '"acomba.toml"\n[target]\nconnection = "ubl.toml"\n',
                                        encoding="utf-8")
    result = CliRunner().invoke(cli, ["sync", str(tmp_path / "sync.toml"), "--json"])
    assert result.exit_code == 0, result.output
    root = etree.parse(str(tmp_path / "out" / "10044.xml")).getroot()
    assert root.findtext("cbc:IssueDate", namespaces=UBL) == "2024-04-24"
    assert root.findtext("cbc:DueDate", namespaces=UBL) == "2024-05-24"


def test_validate_takes_a_terms_file(tmp_path: Path) -> None:
    """passeur validate checks the Acomba document as read (before the completion writing
    does, so other rules break too): BR-CO-25 is among them without the terms, not with."""
    [seed] = [i for i in acomba_invoices("TPS7_TVQ75")
              if i["SousTotalFacture"] == Decimal("1039.06")]
    source = tmp_path / "facture.json"
    source.write_text(dumps(seed), encoding="utf-8")
    terms = tmp_path / "terms.toml"
    terms.write_text("days = 30\n", encoding="utf-8")
    rules = []
    for extra in ([], ["--payment-terms", str(terms)]):
        result = CliRunner().invoke(cli, ["validate", str(source), "--from", "acomba",
                                          "--seller", str(SELLER), "--json", *extra])
        assert result.exit_code == 1, result.output
        [found] = json.loads(result.stdout)["files"]
        rules.append({f["rule"] for f in found["findings"]})
    assert "BR-CO-25" in rules[0]
    assert rules[1] == rules[0] - {"BR-CO-25"}
