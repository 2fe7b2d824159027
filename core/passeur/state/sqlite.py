"""The embedded store: one SQLite file per project, created on first use.

WAL journal (readers never block the writer), a busy timeout so that two processes on one
file wait for each other instead of failing, numbered migrations recorded in `meta`, and two
refusals before anything is written: a file that is not a passeur store, and a store made by
a newer passeur (its schema_version is above the migrations this one knows).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from passeur.state.base import (
    Binding,
    Cursor,
    Intent,
    LedgerEntry,
    Member,
    Run,
    Store,
    StoreError,
    WatchState,
    attempt_owner,
    gcra,
)
from passeur.state.common import (
    APPLICATION,
    LEDGER_COLUMNS,
    already_bound,
    clock,
    holder_alive,
    ledger_row,
    new_run_id,
    now_text,
    sync_locked,
)

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "SQLiteStore"]


#: Migration N (1-based) brings a store from schema_version N-1 to N. Append, never edit.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE documents (
        doc_id INTEGER PRIMARY KEY AUTOINCREMENT,
        doctype TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE members (
        doc_id INTEGER NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
        doctype TEXT NOT NULL,
        system TEXT NOT NULL,
        record_id TEXT NOT NULL,
        version TEXT,
        content_hash TEXT,
        number TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (doc_id, system),
        UNIQUE (doctype, system, record_id)
    );
    CREATE TABLE cursors (
        connection TEXT NOT NULL,
        stream TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        record_id TEXT NOT NULL,
        PRIMARY KEY (connection, stream)
    );
    CREATE TABLE intents (
        key TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        system TEXT NOT NULL,
        doctype TEXT NOT NULL,
        action TEXT NOT NULL,
        source TEXT NOT NULL,
        state TEXT NOT NULL,
        target_id TEXT,
        message TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        sync TEXT NOT NULL,
        mode TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        summary TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE ledger (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL REFERENCES runs(run_id),
        at TEXT NOT NULL,
        doctype TEXT NOT NULL,
        source_system TEXT NOT NULL,
        source_id TEXT NOT NULL,
        source_number TEXT,
        target_system TEXT,
        target_id TEXT,
        outcome TEXT NOT NULL,
        reason TEXT,
        message TEXT,
        mapping_version TEXT,
        diff TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX ledger_run ON ledger(run_id, seq);
    CREATE TABLE leases (
        resource TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        expires_at REAL NOT NULL
    );
    """,
    # 2: where `passeur watch` is with each sync file (hops, issue 15)
    """
    CREATE TABLE watch (
        sync TEXT PRIMARY KEY,
        next_due REAL NOT NULL,
        interval_s REAL NOT NULL,
        last_poll TEXT,
        last_status TEXT,
        last_error TEXT,
        watcher TEXT,
        updated_at TEXT NOT NULL
    );
    """,
    # 3: the rate budget of each target account, shared by all workers (issue 17)
    """
    CREATE TABLE budgets (
        bucket TEXT PRIMARY KEY,
        tat REAL NOT NULL
    );
    """,
    # 4: a record's outcome found without reading its run's whole ledger (issue 17)
    """
    CREATE INDEX ledger_record ON ledger(run_id, doctype, source_id, seq);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class SQLiteStore(Store):
    """A `Store` in one SQLite file (see the module docstring)."""

    def __init__(self, path: str | Path, *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._host = socket.gethostname()
        self._pid = os.getpid()
        self._closed = False
        new = not self.path.exists() or self.path.stat().st_size == 0
        if not new:
            self._check_header()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None,
                                       check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA foreign_keys = ON")
            self._open_wal(busy_timeout)
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._migrate(new)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot be used as a passeur store ({exc})") from None

    # -- opening -------------------------------------------------------------------------

    def _open_wal(self, wait: float) -> None:
        """Switch to WAL. The switch needs the file to itself and SQLite answers "database is
        locked" at once, without the busy timeout, while another process is creating or
        migrating the same new store: wait for it as the timeout would."""
        deadline = time.monotonic() + wait
        while True:
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)

    def _check_header(self) -> None:
        with open(self.path, "rb") as f:
            head = f.read(16)
        if head != b"SQLite format 3\x00":
            raise StoreError(f"{self.path} is not a passeur store (not an SQLite database); "
                             "give another --store path, or move this file away")

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so two processes queue."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _migrate(self, new: bool) -> None:
        with self._tx() as db:
            tables = {r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "meta" not in tables:
                if tables:
                    raise StoreError(f"{self.path} is an SQLite database but not a passeur "
                                     f"store (it has tables {', '.join(sorted(tables))}); "
                                     "give another --store path")
                db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                db.execute("INSERT INTO meta VALUES ('application', ?), ('schema_version', '0')",
                           (APPLICATION,))
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("application") != APPLICATION:
                raise StoreError(f"{self.path} is not a passeur store (application "
                                 f"{meta.get('application')!r})")
            version = int(meta.get("schema_version", "0"))
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} was written by a newer passeur (store schema {version}, this "
                    f"passeur knows up to {SCHEMA_VERSION}); upgrade passeur to use it")
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[number - 1].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                           (str(number),))

    @property
    def schema_version(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0])

    def connection_lost(self) -> bool:
        return self._closed  # a file has no server to lose: only close() ends it

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._db.close()

    # -- bindings ------------------------------------------------------------------------

    def _binding(self, db: sqlite3.Connection, doc_id: int) -> Binding | None:
        doc = db.execute("SELECT doctype FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if doc is None:
            return None
        rows = db.execute("SELECT system, record_id, version, content_hash, number FROM members "
                          "WHERE doc_id = ? ORDER BY system", (doc_id,)).fetchall()
        return Binding(doc_id, doc[0], tuple(Member(*r) for r in rows))

    def find_binding(self, doctype: str, system: str, record_id: str) -> Binding | None:
        with self._lock:
            row = self._db.execute(
                "SELECT doc_id FROM members WHERE doctype = ? AND system = ? AND record_id = ?",
                (doctype, system, str(record_id))).fetchone()
            return None if row is None else self._binding(self._db, row[0])

    def bind(self, doctype: str, *members: Member, doc_id: int | None = None) -> Binding:
        now = now_text()
        with self._tx() as db:
            for m in members:
                row = db.execute("SELECT doc_id FROM members WHERE doctype = ? AND system = ? "
                                 "AND record_id = ?", (doctype, m.system, m.record_id)).fetchone()
                if row is not None and row[0] != doc_id:
                    raise already_bound(doctype, m.system, m.record_id, row[0])
            if doc_id is None:
                doc_id = int(db.execute("INSERT INTO documents (doctype, created_at) "
                                        "VALUES (?, ?)", (doctype, now)).lastrowid or 0)
            elif db.execute("SELECT 1 FROM documents WHERE doc_id = ?",
                            (doc_id,)).fetchone() is None:
                raise StoreError(f"no document {doc_id} in the store")
            for m in members:
                db.execute("INSERT OR REPLACE INTO members VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (doc_id, doctype, m.system, str(m.record_id), m.version,
                            m.content_hash, m.number, now))
            binding = self._binding(db, doc_id)
        assert binding is not None
        return binding

    def update_member(self, doc_id: int, member: Member) -> None:
        with self._tx() as db:
            db.execute("UPDATE members SET record_id = ?, version = ?, content_hash = ?, "
                       "number = ?, updated_at = ? WHERE doc_id = ? AND system = ?",
                       (member.record_id, member.version, member.content_hash, member.number,
                        now_text(), doc_id, member.system))

    def get_binding(self, doc_id: int) -> Binding | None:
        with self._lock:
            return self._binding(self._db, doc_id)

    def bindings(self, doctype: str | None = None,
                 system: str | None = None) -> Iterator[Binding]:
        with self._lock:
            query = "SELECT DISTINCT d.doc_id FROM documents d JOIN members m USING (doc_id)"
            where, args = [], []
            if doctype is not None:
                where.append("d.doctype = ?")
                args.append(doctype)
            if system is not None:
                where.append("m.system = ?")
                args.append(system)
            if where:
                query += " WHERE " + " AND ".join(where)
            ids = [r[0] for r in self._db.execute(query + " ORDER BY d.doc_id", args)]
            found = [self._binding(self._db, i) for i in ids]
        yield from (b for b in found if b is not None)

    def forget(self, doc_id: int, system: str | None = None) -> bool:
        with self._tx() as db:
            if system is not None:
                gone = db.execute("DELETE FROM members WHERE doc_id = ? AND system = ?",
                                  (doc_id, system)).rowcount
                if db.execute("SELECT 1 FROM members WHERE doc_id = ?",
                              (doc_id,)).fetchone() is None:
                    db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
                return gone > 0
            return db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,)).rowcount > 0

    # -- cursors -------------------------------------------------------------------------

    def cursor(self, connection: str, stream: str) -> Cursor | None:
        with self._lock:
            row = self._db.execute("SELECT updated_at, record_id FROM cursors WHERE "
                                   "connection = ? AND stream = ?",
                                   (connection, stream)).fetchone()
        return None if row is None else Cursor(connection, stream, row[0], row[1])

    def save_cursor(self, cursor: Cursor) -> None:
        with self._tx() as db:
            row = db.execute("SELECT updated_at, record_id FROM cursors WHERE connection = ? "
                             "AND stream = ?", (cursor.connection, cursor.stream)).fetchone()
            if row is not None and (row[0], row[1]) >= (cursor.updated_at, cursor.record_id):
                return
            db.execute("INSERT OR REPLACE INTO cursors VALUES (?, ?, ?, ?)",
                       (cursor.connection, cursor.stream, cursor.updated_at, cursor.record_id))

    # -- intents -------------------------------------------------------------------------

    @staticmethod
    def _intent(row: sqlite3.Row) -> Intent:
        return Intent(key=row["key"], run_id=row["run_id"], system=row["system"],
                      doctype=row["doctype"], action=row["action"], source=row["source"],
                      state=row["state"], target_id=row["target_id"], message=row["message"])

    def open_intent(self, intent: Intent) -> Intent:
        now = now_text()
        with self._tx() as db:
            row = db.execute("SELECT * FROM intents WHERE key = ?", (intent.key,)).fetchone()
            if row is not None:
                return self._intent(row)
            db.execute("INSERT INTO intents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (intent.key, intent.run_id, intent.system, intent.doctype, intent.action,
                        intent.source, intent.state, intent.target_id, intent.message, now, now))
        return intent

    def close_intent(self, key: str, state: str, target_id: str | None = None,
                     message: str | None = None) -> None:
        with self._tx() as db:
            db.execute("UPDATE intents SET state = ?, target_id = COALESCE(?, target_id), "
                       "message = ?, updated_at = ? WHERE key = ?",
                       (state, target_id, message, now_text(), key))

    def intent(self, key: str) -> Intent | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM intents WHERE key = ?", (key,)).fetchone()
        return None if row is None else self._intent(row)

    def intents(self, state: str | None = None) -> Iterator[Intent]:
        with self._lock:
            rows = (self._db.execute("SELECT * FROM intents ORDER BY created_at").fetchall()
                    if state is None else
                    self._db.execute("SELECT * FROM intents WHERE state = ? ORDER BY created_at",
                                     (state,)).fetchall())
        yield from (self._intent(r) for r in rows)

    # -- runs and ledger -----------------------------------------------------------------

    def start_run(self, sync: str, mode: str = "sync", *, lock: bool = True,
                  ttl: float = 3600.0) -> Run:
        run_id = new_run_id()
        now = now_text()
        with self._tx() as db:
            if lock and not self._take(db, f"sync:{sync}", run_id, ttl):
                holder = db.execute("SELECT run_id, pid, host FROM leases WHERE resource = ?",
                                    (f"sync:{sync}",)).fetchone()
                raise sync_locked(sync, holder[0], holder[1], holder[2])
            db.execute("INSERT INTO runs (run_id, sync, mode, started_at, status) "
                       "VALUES (?, ?, ?, ?, 'running')", (run_id, sync, mode, now))
        return Run(run_id, sync, now, mode=mode)

    def finish_run(self, run_id: str, status: str, summary: Mapping[str, int]) -> None:
        with self._tx() as db:
            db.execute("UPDATE runs SET finished_at = ?, status = ?, summary = ? "
                       "WHERE run_id = ?", (now_text(), status, json.dumps(dict(summary)), run_id))
            db.execute("DELETE FROM leases WHERE run_id = ? OR substr(run_id, 1, ?) = ?",
                       (run_id, len(run_id) + 1, attempt_owner(run_id, "")))

    @staticmethod
    def _run(row: sqlite3.Row) -> Run:
        return Run(row["run_id"], row["sync"], row["started_at"], row["finished_at"],
                   row["status"], row["mode"], json.loads(row["summary"]))

    def run(self, run_id: str) -> Run | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return None if row is None else self._run(row)

    def runs(self, sync: str | None = None) -> list[Run]:
        with self._lock:
            rows = (self._db.execute("SELECT * FROM runs ORDER BY started_at DESC, rowid DESC")
                    if sync is None else
                    self._db.execute("SELECT * FROM runs WHERE sync = ? ORDER BY started_at "
                                     "DESC, rowid DESC", (sync,))).fetchall()
        return [self._run(r) for r in rows]

    def record(self, entry: LedgerEntry) -> LedgerEntry:
        at = entry.at or now_text()
        with self._tx() as db:
            row = ledger_row(entry, at)
            seq = db.execute(f"INSERT INTO ledger ({LEDGER_COLUMNS}) VALUES "
                             f"({', '.join('?' * len(row))})", row).lastrowid
        return LedgerEntry(**{**_fields(entry), "at": at, "seq": seq})

    def ledger(self, run_id: str) -> list[LedgerEntry]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM ledger WHERE run_id = ? ORDER BY seq",
                                    (run_id,)).fetchall()
        return [_entry(r) for r in rows]

    def count_ledger(self, run_id: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT count(*) FROM ledger WHERE run_id = ?",
                                   (run_id,)).fetchone()
        return int(row[0])

    def outcome(self, run_id: str, doctype: str, source_id: str) -> LedgerEntry | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM ledger WHERE run_id = ? AND doctype = ? "
                                   "AND source_id = ? ORDER BY seq LIMIT 1",
                                   (run_id, doctype, str(source_id))).fetchone()
        return None if row is None else _entry(row)

    # -- watch state ---------------------------------------------------------------------

    def watch_state(self, sync: str) -> WatchState | None:
        with self._lock:
            row = self._db.execute("SELECT sync, next_due, interval_s, last_poll, last_status, "
                                   "last_error, watcher FROM watch WHERE sync = ?",
                                   (sync,)).fetchone()
        return None if row is None else WatchState(*row)

    def save_watch_state(self, state: WatchState) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO watch VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (state.sync, state.next_due, state.interval, state.last_poll,
                        state.last_status, state.last_error, state.watcher, now_text()))

    def advance_watch_state(self, state: WatchState, expected: float | None) -> bool:
        row = (state.next_due, state.interval, state.last_poll, state.last_status,
               state.last_error, state.watcher, now_text())
        with self._tx() as db:
            if expected is None:
                done = db.execute("INSERT OR IGNORE INTO watch VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                  (state.sync, *row))
            else:
                done = db.execute("UPDATE watch SET next_due = ?, interval_s = ?, "
                                  "last_poll = ?, last_status = ?, last_error = ?, "
                                  "watcher = ?, updated_at = ? WHERE sync = ? AND next_due = ?",
                                  (*row, state.sync, expected))
            return done.rowcount == 1

    # -- shared rate budgets -------------------------------------------------------------

    def take_slot(self, bucket: str, rate: float, burst: int = 1, *,
                  pause: float = 0.0) -> float:
        with self._tx() as db:
            row = db.execute("SELECT tat FROM budgets WHERE bucket = ?", (bucket,)).fetchone()
            tat, wait = gcra(None if row is None else row[0], clock(), rate, burst, pause)
            db.execute("INSERT OR REPLACE INTO budgets VALUES (?, ?)", (bucket, tat))
        return wait

    # -- leases --------------------------------------------------------------------------

    def _take(self, db: sqlite3.Connection, resource: str, run_id: str, ttl: float) -> bool:
        row = db.execute("SELECT run_id, host, pid, expires_at FROM leases WHERE resource = ?",
                         (resource,)).fetchone()
        now = clock()
        if row is not None and row[0] != run_id:
            live = holder_alive(row[1], row[2], row[3], here=self._host, now=now)
            if live:
                return False
        db.execute("INSERT OR REPLACE INTO leases VALUES (?, ?, ?, ?, ?)",
                   (resource, run_id, self._host, self._pid, now + ttl))
        return True

    def lease(self, resource: str, run_id: str, ttl: float = 300.0) -> bool:
        with self._tx() as db:
            return self._take(db, resource, run_id, ttl)

    def lease_holder(self, resource: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT run_id, host, pid, expires_at FROM leases "
                                   "WHERE resource = ?", (resource,)).fetchone()
        if row is None or not holder_alive(row[1], row[2], row[3], here=self._host,
                                           now=clock()):
            return None
        return str(row[0])

    def release(self, resource: str, run_id: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM leases WHERE resource = ? AND run_id = ?", (resource, run_id))


def _entry(r: sqlite3.Row) -> LedgerEntry:
    return LedgerEntry(run_id=r["run_id"], doctype=r["doctype"],
                       source_system=r["source_system"], source_id=r["source_id"],
                       outcome=r["outcome"], source_number=r["source_number"],
                       target_system=r["target_system"], target_id=r["target_id"],
                       reason=r["reason"], message=r["message"],
                       mapping_version=r["mapping_version"], diff=json.loads(r["diff"]),
                       at=r["at"], seq=r["seq"])


def _fields(entry: LedgerEntry) -> dict[str, Any]:
    import attrs

    return attrs.asdict(entry, recurse=False)
