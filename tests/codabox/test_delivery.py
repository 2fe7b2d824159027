"""The flow's decisions on the CodaBox sandbox's feeds: activated journals only, XML before
PDF, and acknowledgement never past an entry whose delivery is not recorded."""

from __future__ import annotations

import pytest

from passeur import UsageError
from passeur_codabox.delivery import acknowledgement, decide, journals, preferred_format
from passeur_codabox.sandbox import create_app
from passeur_codabox.sandbox_store import DEFAULT_ALLOWED_FORMATS


@pytest.fixture(scope="module")
def feed():
    return create_app(offices=1, clients=1, statements=2, invoices=2).state.offices[0].feeds[0]


def test_only_activated_journals_are_delivered_the_rest_skipped_with_the_reason(feed) -> None:
    first, second = (a.iban for a in feed.accounts)
    config = journals({first: {"journal": "BQ1", "activated": True},
                       second: {"journal": "BQ2", "activated": False}})
    decisions = [(e.wire()["metadata"].get("iban"), decide(e.wire(), config,
                                                           DEFAULT_ALLOWED_FORMATS))
                 for e in feed.entries]
    coda = [(iban, d.action, d.format, d.reason) for iban, d in decisions if iban]
    assert coda == [(first, "deliver", "cod", ""),
                    (second, "skip", None, f"journal BQ2 ({second}) is not activated")] * 2
    invoices = [(d.action, d.format, d.invoice_type) for iban, d in decisions if not iban]
    assert invoices == [("deliver", "xml", "PURCHASE"), ("deliver", "xml", "SALE")]
    unconfigured = decide(feed.entries[0].wire(), {}, DEFAULT_ALLOWED_FORMATS)
    assert unconfigured.action == "skip" and "no bank journal is configured" in \
        unconfigured.reason


def test_xml_is_preferred_over_pdf_when_allowed() -> None:
    assert preferred_format("purchase_invoice", {"purchase_invoice": ["pdf", "xml"]}) == "xml"
    assert preferred_format("sales_invoice", {"sales_invoice": ["pdf"]}) == "pdf"
    assert preferred_format("sales_invoice", {}) is None
    refused = decide({"document_model": "sales_invoice"}, {}, {"sales_invoice": []})
    assert refused.action == "skip" and "may not download sales_invoice" in refused.reason
    other = decide({"document_model": "soda"}, {}, DEFAULT_ALLOWED_FORMATS)
    assert other.action == "skip" and "'soda' is not delivered" in other.reason


def test_acknowledgement_stops_at_the_first_unrecorded_entry(feed) -> None:
    entries = [e.wire() for e in feed.entries]
    indexes = [e["feed_index"] for e in entries]
    assert acknowledgement(entries, set()) is None
    assert acknowledgement(entries, {indexes[1], indexes[2]}) is None
    assert acknowledgement(entries, {indexes[0], indexes[1], indexes[3]}) == indexes[1]
    assert acknowledgement(entries, set(indexes)) == indexes[-1]


@pytest.mark.parametrize(("table", "message"), [
    ({"BE00 1234": {"journal": "B", "activated": True}}, "'BE00 1234' is not a valid IBAN"),
    ({"BE71096123456769": "BQ1"}, 'expected { journal = "NAME", activated = true }'),
    ({"BE71096123456769": {"journal": "", "activated": True}}, ".journal: the journal's name"),
    ({"BE71096123456769": {"journal": "B", "activated": "yes"}}, "true or false, not 'yes'"),
    ({"BE71096123456769": {"journal": "B", "active": True}}, "unknown key 'active'"),
    ({"BE71096123456769": {"journal": "B"}, "BE71 0961 2345 6769": {"journal": "C"}},
     "configured twice"),
])
def test_journal_configuration_errors_name_the_key(table, message) -> None:
    with pytest.raises(UsageError, match=r"^journals\.BE") as raised:
        journals(table)
    assert message in str(raised.value)
