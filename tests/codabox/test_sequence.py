"""Statement sequences per account from the CodaBox sandbox's feed: gaps and late arrivals."""

from __future__ import annotations

import datetime

from passeur_codabox.sandbox import create_app
from passeur_codabox.sequence import AccountSequence, statement_sequences


def _entries(feed):
    return [e.wire() for e in feed.entries]


def test_a_clean_feed_has_no_gap() -> None:
    app = create_app(offices=1, clients=1, statements=3, invoices=2)
    feed = app.state.offices[0].feeds[0]
    found = statement_sequences(_entries(feed))
    assert sorted(found) == sorted(a.iban for a in feed.accounts)
    for account in feed.accounts:
        sequence = found[account.iban]
        assert (sequence.last_number, sequence.received, sequence.missing,
                sequence.out_of_order) == (3, 3, (), ())
        assert sequence.last_date == account.date


def test_a_skipped_statement_is_missing_until_it_arrives_late() -> None:
    app = create_app(offices=1, clients=1, statements=2, invoices=0)
    state = app.state
    feed = state.offices[0].feeds[0]
    account = feed.accounts[0]
    state.add_statements(feed, account, count=2, skip=2)  # 3 and 4 are skipped: 5, 6
    found = statement_sequences(_entries(feed))[account.iban]
    assert (found.last_number, found.missing, found.out_of_order) == (6, (3, 4), ())
    late = {"document_model": "coda", "metadata": {
        "iban": account.iban, "first_statement_number": 4, "last_statement_number": 4,
        "new_balance_date": "2025-01-07"}}
    after = statement_sequences([late], known={account.iban: found})[account.iban]
    assert (after.last_number, after.missing, after.out_of_order) == (6, (3,), (4,))
    assert after.last_date == found.last_date and after.received == found.received + 1


def test_numbering_starts_again_each_year() -> None:
    start = AccountSequence("BE1", last_number=250, last_date=datetime.date(2024, 12, 31))
    after = start.after(1, 1, datetime.date(2025, 1, 2))
    assert (after.last_number, after.missing, after.out_of_order) == (1, (), ())
    same_year = start.after(1, 1, datetime.date(2024, 12, 31))
    assert same_year.out_of_order == (1,)


def test_other_models_and_broken_metadata_are_ignored() -> None:
    entries = [{"document_model": "purchase_invoice", "metadata": {"iban": "BE1"}},
               {"document_model": "coda", "metadata": {"iban": "BE1",
                                                       "first_statement_number": "x"}},
               {"document_model": "coda", "metadata": None}]
    assert statement_sequences(entries) == {}
