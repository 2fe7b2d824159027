"""The `Store` contract, written once for every implementation.

The `make_store` fixture is parametrised over the implementations: the embedded SQLite file
and the PostgreSQL server store, each on a fresh file or schema per test (the PostgreSQL cases
need the server `tests/support/postgres.py` describes). Behaviour of one implementation only
(the SQLite file itself, the server's schemas) is tested at the end and in
test_postgres_store.py.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pytest

from passeur.state import (
    SCHEMA_VERSION,
    Cursor,
    Intent,
    LedgerEntry,
    Member,
    SQLiteStore,
    Store,
    StoreError,
    StoreLocked,
    WatchState,
    attempt_owner,
    open_store,
    owner_run,
)
from support.crashing_run import take_lock_and_die

IMPLEMENTATIONS = ("postgres", "sqlite")


def _opener(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Store]:
    """How to open one more store on the same place (a file, a schema) for this test."""
    if kind == "sqlite":
        return lambda: SQLiteStore(tmp_path / "state.db")
    from passeur.state.postgres import PostgresStore

    url, schema = request.getfixturevalue("postgres_url"), request.getfixturevalue("pg_schema")
    return lambda: PostgresStore(url, schema=schema)


@pytest.fixture(params=IMPLEMENTATIONS)
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Store]]:
    opener = _opener(request.param, request, tmp_path)
    opened: list[Store] = []

    def make() -> Store:
        store = opener()
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store: Callable[[], Store]) -> Store:
    return make_store()


# -- bindings -------------------------------------------------------------------------------

def test_a_binding_joins_n_systems_and_is_found_from_each(store: Store) -> None:
    binding = store.bind("invoice", Member("acomba", "10044", None, "h1", "10044"),
                         Member("vosfactures", "7", "2024-05-01", "h2", "FV 2024/05/001"))
    third = store.bind("invoice", Member("ubl", "file.xml"), doc_id=binding.doc_id)
    assert {m.system for m in third.members} == {"acomba", "ubl", "vosfactures"}
    for system, record_id in (("acomba", "10044"), ("vosfactures", "7"), ("ubl", "file.xml")):
        found = store.find_binding("invoice", system, record_id)
        assert found is not None and found.doc_id == binding.doc_id
    assert found.member("vosfactures") == Member("vosfactures", "7", "2024-05-01", "h2",
                                                 "FV 2024/05/001")
    assert store.find_binding("client", "acomba", "10044") is None


def test_one_record_cannot_be_bound_to_two_documents(store: Store) -> None:
    first = store.bind("invoice", Member("acomba", "1"))
    with pytest.raises(StoreError, match=r"invoice 1 in acomba is already bound to document "
                       rf"{first.doc_id}; `passeur bindings forget {first.doc_id}` first"):
        store.bind("invoice", Member("acomba", "1"), Member("vosfactures", "9"))
    assert store.find_binding("invoice", "vosfactures", "9") is None  # nothing half-written


def test_update_member_and_forget(store: Store) -> None:
    binding = store.bind("invoice", Member("a", "1", "v1", "h1"), Member("b", "2"))
    store.update_member(binding.doc_id, Member("b", "2", "v2", "h2", "N-2"))
    again = store.get_binding(binding.doc_id)
    assert again is not None and again.member("b") == Member("b", "2", "v2", "h2", "N-2")
    assert store.forget(binding.doc_id, "b")
    assert store.find_binding("invoice", "b", "2") is None
    assert store.find_binding("invoice", "a", "1") is not None
    assert store.forget(binding.doc_id)
    assert store.get_binding(binding.doc_id) is None
    assert not store.forget(binding.doc_id)


def test_bindings_lists_by_type_and_system(store: Store) -> None:
    store.bind("invoice", Member("a", "1"), Member("b", "1"))
    store.bind("client", Member("a", "C1"))
    assert [b.doctype for b in store.bindings()] == ["invoice", "client"]
    assert [b.doctype for b in store.bindings("client")] == ["client"]
    assert [b.doctype for b in store.bindings(system="b")] == ["invoice"]


# -- cursors --------------------------------------------------------------------------------

def test_a_cursor_is_compound_and_never_moves_back(store: Store) -> None:
    assert store.cursor("acomba", "invoice") is None
    store.save_cursor(Cursor("acomba", "invoice", "2024-05-01T10:00:00", "10050"))
    store.save_cursor(Cursor("acomba", "invoice", "2024-05-01T10:00:00", "10049"))  # behind
    assert store.cursor("acomba", "invoice") == Cursor("acomba", "invoice",
                                                       "2024-05-01T10:00:00", "10050")
    store.save_cursor(Cursor("acomba", "invoice", "2024-05-01T10:00:00", "10051"))
    assert store.cursor("acomba", "invoice").record_id == "10051"  # type: ignore[union-attr]
    assert store.cursor("acomba", "client") is None


def test_cursor_ids_compare_in_byte_order(store: Store) -> None:
    """"B2" sorts before "a1" byte by byte, as SQLite compares; a French collation says the
    opposite (CI's PostgreSQL database has one, as a French office's server would) and would
    move the cursor backwards."""
    store.save_cursor(Cursor("acomba", "invoice", "2024-05-01T10:00:00", "a1"))
    store.save_cursor(Cursor("acomba", "invoice", "2024-05-01T10:00:00", "B2"))
    assert store.cursor("acomba", "invoice").record_id == "a1"  # type: ignore[union-attr]


# -- intents --------------------------------------------------------------------------------

def test_an_intent_is_recorded_once_and_closed(store: Store) -> None:
    intent = Intent("k1", "run1", "vosfactures", "invoice", "create", "acomba:10044")
    assert store.open_intent(intent) == intent
    again = store.open_intent(Intent("k1", "run2", "vosfactures", "invoice", "create", "x"))
    assert again == intent  # the earlier attempt, to reconcile
    store.close_intent("k1", "uncertain", message="no answer")
    assert [i.key for i in store.intents("uncertain")] == ["k1"]
    store.close_intent("k1", "confirmed", target_id="77")
    closed = store.intent("k1")
    assert closed is not None and (closed.state, closed.target_id) == ("confirmed", "77")
    assert list(store.intents("uncertain")) == []


# -- runs, ledger, locks --------------------------------------------------------------------

def test_the_ledger_is_written_as_the_run_goes(store: Store) -> None:
    run = store.start_run("demo.toml")
    store.record(LedgerEntry(run.run_id, "invoice", "acomba", "10044", "created",
                             source_number="10044", target_system="vosfactures",
                             target_id="1", mapping_version="m1"))
    store.record(LedgerEntry(run.run_id, "invoice", "acomba", "10045", "conflict",
                             diff=[{"path": "total", "before": "1", "after": "2"}]))
    entries = store.ledger(run.run_id)  # before the run finished
    assert [(e.source_id, e.outcome) for e in entries] == [("10044", "created"),
                                                           ("10045", "conflict")]
    assert entries[1].diff == [{"path": "total", "before": "1", "after": "2"}]
    assert entries[0].seq is not None and entries[0].at
    store.finish_run(run.run_id, "finished", {"created": 1, "conflict": 1})
    done = store.run(run.run_id)
    assert done is not None and done.status == "finished"
    assert done.summary == {"created": 1, "conflict": 1}
    assert [r.run_id for r in store.runs("demo.toml")] == [run.run_id]


def test_a_second_run_of_one_sync_file_is_refused_while_the_first_lives(
        make_store: Callable[[], Store]) -> None:
    one, two = make_store(), make_store()
    first = one.start_run("a.toml")
    with pytest.raises(StoreLocked, match=rf"a.toml is being synced by run {first.run_id}"):
        two.start_run("a.toml")
    two.start_run("b.toml")  # another sync file is free
    one.finish_run(first.run_id, "finished", {})
    two.start_run("a.toml")


def test_an_expired_lock_is_taken_over(store: Store) -> None:
    store.start_run("a.toml", ttl=-1)  # already expired: its holder is presumed dead
    store.start_run("a.toml")


@pytest.mark.parametrize("kind", IMPLEMENTATIONS)
def test_a_crashed_runs_lock_does_not_hold_forever(kind: str, request: pytest.FixtureRequest,
                                                   tmp_path: Path) -> None:
    if kind == "sqlite":
        place, schema = str(tmp_path / "state.db"), None
    else:
        place, schema = request.getfixturevalue("postgres_url"), \
            request.getfixturevalue("pg_schema")
    process = multiprocessing.get_context("spawn").Process(target=take_lock_and_die,
                                                           args=(kind, place, schema))
    process.start()
    process.join(30)
    assert process.exitcode == 0
    with _opener(kind, request, tmp_path)() as store:
        holder = store.runs("a.toml")
        assert [r.status for r in holder] == ["running"]  # the crashed run, never finished
        run = store.start_run("a.toml")  # the holder's process is gone
        assert store.run(run.run_id) is not None


def test_document_leases(make_store: Callable[[], Store]) -> None:
    one, two = make_store(), make_store()
    assert one.lease("invoice:acomba:1", "r1")
    assert one.lease("invoice:acomba:1", "r1")  # its own again
    assert not two.lease("invoice:acomba:1", "r2")
    one.release("invoice:acomba:1", "r1")
    assert two.lease("invoice:acomba:1", "r2")
    assert two.lease("invoice:acomba:2", "r2", ttl=-1)
    assert one.lease("invoice:acomba:2", "r1")  # expired


def test_two_attempts_of_one_run_are_two_owners(make_store: Callable[[], Store]) -> None:
    """A queue's job taken up again while its first attempt still runs: each attempt
    leases under its own owner, and the holder tells an attempt of the same run from
    another run; finishing the run releases its attempts' leases too."""
    one, two = make_store(), make_store()
    run = one.start_run("a.toml")
    first, second = attempt_owner(run.run_id, "j1.0"), attempt_owner(run.run_id, "j1.1")
    assert one.lease_holder("vf:invoice:1") is None
    assert one.lease("vf:invoice:1", first)
    assert not two.lease("vf:invoice:1", second)
    assert two.lease_holder("vf:invoice:1") == first
    assert owner_run(first) == run.run_id and owner_run(run.run_id) == run.run_id
    assert two.lease("vf:invoice:2", second, ttl=-1)
    assert one.lease_holder("vf:invoice:2") is None  # expired: no holder
    other = two.start_run("b.toml")
    assert two.lease("vf:invoice:3", attempt_owner(other.run_id, "j9.0"))
    one.finish_run(run.run_id, "finished", {})
    assert two.lease("vf:invoice:1", "r2")  # released with its run
    assert two.lease_holder("vf:invoice:3") == attempt_owner(other.run_id, "j9.0")


def test_a_records_first_outcome_is_found_by_run_doctype_and_id(store: Store) -> None:
    run = store.start_run("a.toml")
    assert store.outcome(run.run_id, "invoice", "1") is None
    store.record(LedgerEntry(run.run_id, "invoice", "acomba", "1", "created", target_id="7"))
    store.record(LedgerEntry(run.run_id, "client", "acomba", "1", "created"))
    store.record(LedgerEntry(run.run_id, "invoice", "acomba", "1", "failed"))
    first = store.ledger(run.run_id)[0]
    assert (first.outcome, first.target_id) == ("created", "7")
    assert store.outcome(run.run_id, "invoice", "1") == first
    assert store.outcome(run.run_id, "invoice", "2") is None
    assert store.outcome("another", "invoice", "1") is None


def test_a_runs_ledger_is_counted_without_reading_it(store: Store) -> None:
    run, other = store.start_run("a.toml"), store.start_run("b.toml")
    assert store.count_ledger(run.run_id) == 0
    for n, outcome in enumerate(("created", "failed", "created")):
        store.record(LedgerEntry(run.run_id, "invoice", "acomba", str(n), outcome))
    store.record(LedgerEntry(other.run_id, "invoice", "acomba", "0", "created"))
    assert store.count_ledger(run.run_id) == 3 == len(store.ledger(run.run_id))
    assert store.count_ledger(other.run_id) == 1
    assert store.count_ledger("another") == 0


def at_once(stores: list[Store], work: Callable[[int, Store], None]) -> None:
    """`work(n, store)` for each store in its own thread, all released together by a barrier
    (each store is its own connection: the races the leases and claims must win once)."""
    import threading

    start = threading.Barrier(len(stores))

    def run(n: int, store: Store) -> None:
        start.wait()
        work(n, store)

    threads = [threading.Thread(target=run, args=(n, s)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)


def test_one_lease_among_racing_stores(make_store: Callable[[], Store]) -> None:
    """Eight workers, each with its own connection, ask for one document at once: one wins."""
    won: list[str] = []

    def ask(n: int, store: Store) -> None:
        if store.lease("invoice:acomba:1", f"r{n}"):
            won.append(f"r{n}")

    at_once([make_store() for _ in range(8)], ask)
    assert len(won) == 1


# -- shared rate budgets --------------------------------------------------------------------

def test_gcra_gives_slots_one_interval_apart_after_the_burst() -> None:
    from passeur.state import gcra

    tat, waits = None, []
    for _ in range(5):
        tat, wait = gcra(tat, 100.0, rate=10.0, burst=3)
        waits.append(round(wait, 9))
    assert waits == [0.0, 0.0, 0.0, 0.1, 0.2]
    assert gcra(tat, 100.0, rate=10.0, burst=3, pause=5.0) == (105.2, 0.0)  # burst kept back
    assert gcra(None, 100.0, rate=2.0, burst=1, pause=5.0) == (105.0, 0.0)
    with pytest.raises(ValueError, match="rate > 0"):
        gcra(None, 0.0, rate=0.0, burst=1)


def test_a_rate_budget_is_shared_by_every_connection(make_store: Callable[[], Store]) -> None:
    """One request per 100 s: whichever connection asks, each slot is the next one."""
    one, two = make_store(), make_store()
    waits = [s.take_slot("vosfactures:acme", 0.01) for s in (one, two, one, two)]
    assert [round(w / 100) for w in waits] == [0, 1, 2, 3]
    assert 99 < waits[1] <= 100  # less the instant that passed between the calls
    assert two.take_slot("vosfactures:other", 0.01) == 0  # accounts do not share
    assert one.take_slot("acomba:x", 0.01, pause=50) == 0  # a 429's Retry-After: hold
    assert 49 < two.take_slot("acomba:x", 0.01) <= 50


def test_racing_workers_never_share_a_slot(make_store: Callable[[], Store]) -> None:
    waits: list[float] = []

    def take(_n: int, store: Store) -> None:
        for _ in range(5):
            waits.append(store.take_slot("vosfactures:acme", 0.01, 2))

    at_once([make_store() for _ in range(6)], take)
    # burst 2: two slots at once, then one every 100 s; 30 slots, none given twice
    assert sorted(round(w / 100) for w in waits) == [0, 0, *range(1, 29)]


# -- watch state ----------------------------------------------------------------------------

def test_the_watch_state_is_kept_per_sync_file_and_replaced(store: Store) -> None:
    assert store.watch_state("/a.toml") is None
    first = WatchState("/a.toml", 1733130000.5, 3600.0, "2024-12-02T09:00:00.000+00:00", "ok",
                       None, "process 1 on h since 2024-12-02T09:00:00+00:00")
    store.save_watch_state(first)
    store.save_watch_state(WatchState("/b.toml", 7.0, 60.0))
    assert store.watch_state("/a.toml") == first
    later = WatchState("/a.toml", 1733133600.25, 7200.0, "2024-12-02T10:00:00.000+00:00",
                       "error", "TransportError: down", None)
    store.save_watch_state(later)
    assert store.watch_state("/a.toml") == later
    assert store.watch_state("/b.toml") == WatchState("/b.toml", 7.0, 60.0)


# -- the connection -------------------------------------------------------------------------

def test_a_store_is_lost_once_closed_and_not_before(make_store: Callable[[], Store]) -> None:
    store, other = make_store(), make_store()
    assert not store.connection_lost()
    store.start_run("/a.toml")
    assert not store.connection_lost()
    store.close()
    assert store.connection_lost()
    assert not other.connection_lost()  # another connection to the same place lives on
    assert [r.sync for r in other.runs()] == ["/a.toml"]


def test_the_watch_state_advances_only_from_the_due_time_read(store: Store) -> None:
    first = WatchState("/a.toml", 1733130000.1, 3600.0, None, "running", None, "w1")
    assert store.advance_watch_state(first, None)  # nothing recorded yet: it is created
    assert not store.advance_watch_state(WatchState("/a.toml", 5.0, 60.0), None)
    assert store.watch_state("/a.toml") == first  # the second first claim changed nothing
    later = attrs.evolve(first, next_due=1733133600.7, last_status="ok", watcher="w2")
    assert not store.advance_watch_state(later, 1733130000.0)  # not what is recorded
    assert store.watch_state("/a.toml") == first
    assert store.advance_watch_state(later, 1733130000.1)
    assert store.watch_state("/a.toml") == later
    assert not store.advance_watch_state(attrs.evolve(later, next_due=9.0), 1733130000.1)
    assert store.watch_state("/a.toml") == later
    assert store.watch_state("/b.toml") is None


def test_one_watcher_among_racing_stores_claims_a_due_time(
        make_store: Callable[[], Store]) -> None:
    """Eight watchers, each with its own connection, claim the run due at one time: one
    wins, and the recorded state is the winner's."""
    make_store().save_watch_state(WatchState("/a.toml", 1000.5, 60.0))
    won: list[str] = []

    def claim(n: int, store: Store) -> None:
        due = WatchState("/a.toml", 1060.5, 60.0, watcher=f"w{n}")
        if store.advance_watch_state(due, 1000.5):
            won.append(f"w{n}")

    at_once([make_store() for _ in range(8)], claim)
    assert len(won) == 1
    state = make_store().watch_state("/a.toml")
    assert state is not None and (state.next_due, state.watcher) == (1060.5, won[0])


# -- the SQLite file ------------------------------------------------------------------------

def test_created_on_first_use_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "project" / "passeur.db"
    with open_store(path):
        pass
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] \
        == str(SCHEMA_VERSION)


def test_a_newer_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    SQLiteStore(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match=rf"was written by a newer passeur \(store schema 99, "
                       rf"this passeur knows up to {SCHEMA_VERSION}\); upgrade passeur"):
        SQLiteStore(path)


def test_a_file_that_is_not_a_store_is_refused_and_left_alone(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(StoreError, match="is not a passeur store \\(not an SQLite database\\)"):
        SQLiteStore(text)
    assert text.read_text(encoding="utf-8") == "hello"
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE customers (id INTEGER)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="an SQLite database but not a passeur store \\(it "
                       "has tables customers\\)"):
        SQLiteStore(other)
    tables = sqlite3.connect(other).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("customers",)]
