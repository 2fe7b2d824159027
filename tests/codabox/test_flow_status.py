"""The flow's monitoring view, per journal, read from the store after real runs over both
sandboxes: activated journals up to date, the others with their waiting statements, a gap,
an uncertain upload as the last error."""

from __future__ import annotations

import asyncio

from codabox.flow_support import world

from passeur import load_registry
from passeur.engine.sync import load_sync_file
from passeur.engine.sync.flows import FlowContext, flow_status, poll_interval
from passeur.state import open_store
from passeur_codabox.flow_status import COLUMNS, journal_status, status_tables


def _status(w):
    with open_store(w.tmp / "state.db") as store:
        return journal_status(store, w.options(), str(w.sync_file.resolve()))


def test_every_journal_of_every_office(serve, tmp_path) -> None:
    w = world(serve, tmp_path, clearfacts_options={"lose_uploads": "5"})
    gap_feed = w.codabox.state.offices[2].feeds[1]
    report = w.run()
    rows = _status(w)
    assert len(rows) == 9  # 3 offices x 3 accounts, in the sync file's order
    by_iban = {r.iban: r for r in rows}
    lost_feed = w.codabox.state.offices[0].feeds[0]
    lost = lost_feed.entries[6]  # upload 5: statement 3 of the first account
    assert lost.document_model == "coda"
    for office in w.codabox.state.offices:
        for feed in office.feeds:
            for n, account in enumerate(feed.accounts):
                row = by_iban[account.iban]
                statements = [e for e in feed.entries
                              if e.metadata.get("iban") == account.iban]
                assert (row.office, row.journal, row.activated) == (
                    office.username, f"{feed.client['client_code']}-BQ{n + 1}",
                    account.iban not in w.inactive)
                assert row.client == f"{feed.client['client_code']} {feed.client['client_name']}"
                assert (row.last_statement, row.last_statement_date) == (
                    3, statements[-1].metadata["new_balance_date"])
                assert row.last_poll == report.run.started_at
                assert row.gaps == () and row.out_of_order == ()
                if account.iban in w.inactive:
                    assert (row.waiting, row.last_delivery, row.last_error) == (3, None, None)
                elif lost.metadata["iban"] == account.iban:
                    assert row.waiting == 1
                    assert "it may have been applied" in row.last_error
                else:
                    assert (row.waiting, row.last_error) == (0, None)
                    assert row.last_delivery is not None
    # a statement arrives after a gap: the journal shows the missing number
    w.codabox.state.add_statements(gap_feed, gap_feed.accounts[0], 1, skip=1)
    w.run()
    row = {r.iban: r for r in _status(w)}[gap_feed.accounts[0].iban]
    assert (row.last_statement, row.gaps, row.waiting) == (5, (4,), 0)

    with open_store(w.tmp / "state.db") as store:
        tables = status_tables(store, w.options(), str(w.sync_file.resolve()))
    assert [t["title"] for t in tables] == [o.username for o in w.codabox.state.offices]
    assert all(t["columns"] == list(COLUMNS) and len(t["rows"]) == 3 for t in tables)
    assert tables[2]["rows"][2]["gaps"] == [4]


def test_an_iban_not_configured_is_listed_with_its_waiting_statements(serve, tmp_path) -> None:
    w = world(serve, tmp_path, offices=1)
    extra = w.codabox.state.add_account(w.codabox.state.offices[0].feeds[1], bank=2)
    w.codabox.state.add_statements(w.codabox.state.offices[0].feeds[1], extra, 2)
    report = w.run()
    skipped = [e for e in report.entries if e.reason == "journal not configured"]
    assert len(skipped) == 2
    row = _status(w)[-1]
    assert (row.journal, row.iban, row.activated, row.waiting, row.last_statement) == (
        "(not configured)", extra.iban, False, 2, 2)


def test_status_tables_and_poll_interval_through_the_flow(serve, tmp_path) -> None:
    """What `passeur status` and `passeur watch` get from the flow's declaration."""
    w = world(serve, tmp_path, offices=2, codabox_options={"fetch_delay": 7200})
    w.run()
    registry = load_registry()
    spec = load_sync_file(w.sync_file, registry, environ=w.env)
    flow = registry.sync_flows["codabox-clearfacts"]
    with open_store(tmp_path / "state.db") as store:
        ctx = FlowContext(spec, registry, store)
        tables = asyncio.run(flow_status(flow, ctx))
        assert asyncio.run(poll_interval(flow, ctx)) == 7200.0
    assert [t.title for t in tables] == ["pod66", "pod67"]
    assert tables[0].columns == COLUMNS
    feed = w.codabox.state.offices[0].feeds[0]
    first = tables[0].rows[0]
    assert first[:4] == ("C0101-BQ1", feed.accounts[0].iban, True,
                         f"C0101 {feed.client['client_name']}")
    assert first[4:6] == (3, feed.entries[-1].metadata["new_balance_date"])
    assert first[8:] == ("", "", 0, None)  # no gaps, none out of order, none waiting
    assert tables[0].rows[1][2] is False and tables[0].rows[1][10] == 3


def test_a_watched_run_is_recorded_as_such_and_reports_progress(serve, tmp_path) -> None:
    w = world(serve, tmp_path, offices=1)
    registry = load_registry()
    spec = load_sync_file(w.sync_file, registry, environ=w.env)
    flow = registry.sync_flows["codabox-clearfacts"]
    events: list[tuple[str, int, int | None]] = []
    with open_store(tmp_path / "state.db") as store:
        report = asyncio.run(flow.run(FlowContext(spec, registry, store), spec.options,
                                      mode="watch", on_event=lambda *e: events.append(e)))
        assert store.runs()[0].mode == "watch"
    assert events == [("entries", n, None) for n in range(1, len(report.entries) + 1)]
    assert len(events) == 13
