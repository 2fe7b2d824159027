"""What the codabox-clearfacts flow refuses or reports: a statement that does not balance,
statements out of order, credentials refused by ClearFacts or by CodaBox."""

from __future__ import annotations

from collections import Counter

from codabox.flow_support import World, world

from passeur.state import open_store
from passeur_codabox.flow_status import journal_status


def _unbalance(cod: bytes) -> bytes:
    """The statement with one cent more in its new balance (record 8)."""
    lines = cod.decode("iso-8859-1").split("\n")
    for n, line in enumerate(lines):
        if line.startswith("8"):
            cents = int(line[42:57]) + 10  # 3 decimals: 10 is one cent
            lines[n] = line[:42] + f"{cents:015d}" + line[57:]
    return "\n".join(lines).encode("iso-8859-1")


def _status(w: World):
    with open_store(w.tmp / "state.db") as store:
        return {r.iban: r for r in journal_status(store, w.options(),
                                                   str(w.sync_file.resolve()))}


def test_a_statement_that_does_not_balance_is_refused_and_held(serve, tmp_path) -> None:
    w = world(serve, tmp_path, offices=1)
    feed = w.codabox.state.offices[0].feeds[1]
    broken = feed.entries[2]  # statement 2 of the second client's account
    assert broken.document_model == "coda"
    broken.files["cod"] = _unbalance(broken.files["cod"])
    report = w.run()
    line = next(e for e in report.entries if e.source_id == broken.feed_index)
    assert (line.outcome, line.reason) == ("failed", "refused")
    assert "the statement does not balance" in line.message
    assert w.expected(broken, feed) not in w.inbox()
    assert feed.offset == 2 and not report.delivered
    row = _status(w)[broken.metadata["iban"]]
    assert row.waiting == 1 and "does not balance" in row.last_error
    again = w.run()  # read again, refused again, never delivered
    assert (again.entries[0].source_id, again.entries[0].outcome) == (broken.feed_index,
                                                                      "failed")
    assert w.expected(broken, feed) not in w.inbox()


def test_statements_out_of_order_are_delivered_and_reported(serve, tmp_path) -> None:
    w = world(serve, tmp_path, offices=1)
    w.run()
    feed = w.codabox.state.offices[0].feeds[1]
    account = feed.accounts[0]
    four, five = w.codabox.state.add_statements(feed, account, 2)
    feed.entries[-2:] = [five, four]  # the bank sent 5 before 4
    report = w.run()
    assert [(e.source_id, e.outcome) for e in report.entries] == [
        (five.feed_index, "created"), (four.feed_index, "created")]
    assert report.entries[0].message == (f"statement 5 of {account.iban} follows 3: "
                                         "number 4 missing")
    assert report.entries[1].message == (f"statement 4 of {account.iban} arrived after 5 "
                                         "(out of order)")
    assert len(report.issues) == 2
    row = _status(w)[account.iban]
    assert (row.last_statement, row.gaps, row.out_of_order) == (5, (), (4,))


def test_clearfacts_refusing_the_token_stops_the_uploads(serve, tmp_path) -> None:
    w = world(serve, tmp_path, offices=1)
    w.overrides = {"CLEARFACTS_TOKEN": "W" * 80}  # 80 characters, not the account's
    report = w.run()
    counts = Counter((e.outcome, e.reason) for e in report.entries)
    assert counts == {("failed", "AuthError"): 10, ("skipped", "journal not activated"): 3}
    first = next(e for e in report.entries if e.outcome == "failed")
    assert "HTTP 401" in first.message
    later = [e for e in report.entries if e.outcome == "failed"][1:]
    assert all(e.message.startswith("not attempted: the target refused the credentials")
               for e in later)
    assert w.inbox() == [] and w.clearfacts.state.uploads == 0
    assert all(f.offset == 0 for f in w.feeds())
    w.overrides = {}
    assert w.run().delivered and len(w.inbox()) == 10


def test_one_office_refused_by_codabox_does_not_stop_the_others(serve, tmp_path) -> None:
    w = world(serve, tmp_path, offices=2)
    office = w.codabox.state.offices[0].username
    w.overrides = {f"CODABOX_PASSWORD_{office.upper()}": "not-the-password"}
    report = w.run()
    feed_lines = [e for e in report.entries if e.doctype == "feed"]
    assert [(e.source_id, e.outcome, e.reason) for e in feed_lines] == [
        (f"office {office}", "failed", "AuthError")]
    assert "the pod client could not be read" in feed_lines[0].message
    assert Counter(e.outcome for e in report.entries) == {"failed": 1, "created": 10,
                                                          "skipped": 3}
    rows = _status(w)
    for account in (a for f in w.codabox.state.offices[0].feeds for a in f.accounts):
        assert "Invalid username/password" in rows[account.iban].last_error


def test_a_statement_received_twice_is_reported_as_a_second_copy(serve, tmp_path) -> None:
    w = world(serve, tmp_path, offices=1)
    w.run()
    feed = w.codabox.state.offices[0].feeds[1]
    account = feed.accounts[0]
    (copy,) = w.codabox.state.add_statements(feed, account, 1, skip=-1)  # number 3 again
    assert copy.metadata["first_statement_number"] == 3
    report = w.run()
    assert [(e.source_id, e.outcome) for e in report.entries] == [(copy.feed_index,
                                                                   "created")]
    assert report.entries[0].message == (
        f"statement 3 of {account.iban} was received before (the last received is 3): a "
        "second copy, delivered again; check it")


def test_codabox_refusing_a_download_fails_that_office_not_clearfacts(serve, tmp_path,
                                                                      monkeypatch) -> None:
    """The office's password changes in CodaBox mid-run (a new get-credentials): its
    downloads are refused (a real 401), the other office is still delivered."""
    from passeur_codabox.client import CodaBoxClient

    w = world(serve, tmp_path, offices=2)
    first = w.codabox.state.offices[0]
    original = CodaBoxClient.download

    def download(self, feed_index, fmt, *, redownload=False):
        if self.username == first.username:
            first.password = "changed-by-get-credentials"
        return original(self, feed_index, fmt, redownload=redownload)

    monkeypatch.setattr(CodaBoxClient, "download", download)
    report = w.run()
    feed = first.feeds[0]
    mine = [e for e in report.entries if e.source_id in {x.feed_index for x in feed.entries}]
    assert Counter((e.outcome, e.reason) for e in mine) == {
        ("failed", "AuthError"): 5, ("skipped", "journal not activated"): 3}
    assert "Invalid username/password" in next(e for e in mine if e.outcome == "failed").message
    # its next feed cannot even be listed now; the other office is delivered in full
    feed_lines = [(e.doctype, e.source_id, e.outcome, e.reason) for e in report.entries
                  if e.doctype == "feed"]
    assert feed_lines == [("feed", str(first.feeds[1].id), "failed", "AuthError")]
    others = [e for e in report.entries if e not in mine and e.doctype != "feed"]
    assert Counter(e.outcome for e in others) == {"created": 10, "skipped": 3}
    assert [f.offset for f in first.feeds] == [0, 0]
    assert {d.company_number for d in w.clearfacts.state.documents} == {
        f.client["client_vat"][2:] for f in w.codabox.state.offices[1].feeds}
