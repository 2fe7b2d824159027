"""The state a sync keeps between runs, as an interface any database can implement.

The sync pipeline only ever talks to a `Store`: it never writes SQL. Every method is one
atomic step (a server database implements each as one transaction), takes and returns the
plain frozen records below, and is safe to call from several processes at once. That is
what lets a PostgreSQL store replace the embedded SQLite one without touching the pipeline
(docs/sync.md, "Another database").
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

from passeur.errors import PasseurError

__all__ = [
    "OUTCOMES",
    "SUCCESSES",
    "Binding",
    "Cursor",
    "Intent",
    "LedgerEntry",
    "Member",
    "Run",
    "Store",
    "StoreError",
    "StoreLocked",
    "StoreLost",
    "WatchState",
    "attempt_owner",
    "gcra",
    "is_store_url",
    "owner_run",
]

#: Every record of a run ends in exactly one of these.
OUTCOMES = ("created", "updated", "unchanged", "adopted", "skipped", "deferred", "failed",
            "uncertain", "conflict")
#: The outcomes after which nothing is left to do.
SUCCESSES = frozenset({"created", "updated", "unchanged", "adopted"})

INTENT_STATES = ("pending", "confirmed", "uncertain", "failed")


def is_store_url(target: object) -> bool:
    """True for a server database URL (`postgresql://...`), given where a store file path
    would otherwise be."""
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def attempt_owner(run_id: str, attempt: str) -> str:
    """The lease owner of one attempt of a run's work (a queue's job taken up twice is two
    attempts of one run, and must not hold one document at once): `run_id/attempt`."""
    return f"{run_id}/{attempt}"


def owner_run(owner: str) -> str:
    """The run a lease owner works for (the owner itself for a whole run)."""
    return owner.partition("/")[0]


def gcra(tat: float | None, now: float, rate: float, burst: int,
         pause: float = 0.0) -> tuple[float, float]:
    """One step of a rate budget kept as a "theoretical arrival time" (GCRA, the form of a
    token bucket that needs one number per account): the new time and the seconds the caller
    waits before sending. With `pause` no slot is taken: none is given before `pause` seconds
    from now, and no burst after it (the server answered 429 Retry-After)."""
    if rate <= 0 or burst < 1:
        raise ValueError(f"a rate budget needs rate > 0 and burst >= 1, got {rate}, {burst}")
    interval = 1.0 / rate
    tolerance = (burst - 1) * interval
    tat = now if tat is None else max(tat, now)
    if pause > 0:
        return max(tat, now + pause + tolerance), 0.0
    return tat + interval, max(0.0, tat - tolerance - now)


class StoreError(PasseurError):
    """The store cannot be used: not a passeur store, a newer schema, a broken file."""


class StoreLost(StoreError):
    """The store's server ended the connection (restarted, unreachable): nothing more can be
    read or written through this store; a new one must be opened."""


class StoreLocked(StoreError):
    """Another live run holds the lock (a run of the same sync file, or a document)."""


@attrs.frozen
class Member:
    """One system's copy of a business document: its id there, version and content hash."""

    system: str
    record_id: str
    version: str | None = None
    content_hash: str | None = None
    number: str | None = None  # what a person calls it there (an invoice number)


@attrs.frozen
class Binding:
    """One business document across N systems (`doc_id` is passeur's own identity)."""

    doc_id: int
    doctype: str
    members: tuple[Member, ...]

    def member(self, system: str) -> Member | None:
        return next((m for m in self.members if m.system == system), None)


@attrs.frozen
class Cursor:
    """Where an incremental read stopped: the compound (updated_at, id) of the last record."""

    connection: str
    stream: str
    updated_at: str
    record_id: str


@attrs.frozen
class Intent:
    """A write recorded before it is sent: `key` is deterministic (the same document, the same
    target, the same action always gives the same key), so a re-run finds the earlier attempt
    and reconciles it instead of sending blind."""

    key: str
    run_id: str
    system: str
    doctype: str
    action: str  # create / update
    source: str  # the source system and id, e.g. "acomba:10044"
    state: str = "pending"
    target_id: str | None = None
    message: str | None = None


@attrs.frozen
class Run:
    run_id: str
    sync: str  # the sync file's name (the run lock is per sync file)
    started_at: str
    finished_at: str | None = None
    status: str = "running"  # running / finished / aborted
    mode: str = "sync"  # sync / apply / push
    summary: Mapping[str, int] = attrs.field(factory=dict)


@attrs.frozen
class LedgerEntry:
    """What happened to one record in one run (what accountants export)."""

    run_id: str
    doctype: str
    source_system: str
    source_id: str
    outcome: str
    source_number: str | None = None
    target_system: str | None = None
    target_id: str | None = None
    reason: str | None = None  # skipped / deferred reason, failed class
    message: str | None = None
    mapping_version: str | None = None
    diff: Sequence[Mapping[str, Any]] = ()
    at: str | None = None
    seq: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"run": self.run_id, "seq": self.seq, "at": self.at, "doctype": self.doctype,
                "source_system": self.source_system, "source_id": self.source_id,
                "source_number": self.source_number, "target_system": self.target_system,
                "target_id": self.target_id, "outcome": self.outcome, "reason": self.reason,
                "message": self.message, "mapping_version": self.mapping_version,
                "diff": list(self.diff)}


@attrs.frozen
class WatchState:
    """Where `passeur watch` is with one sync file, kept in the store so that a restarted
    watcher neither runs early nor forgets a run it owes: the next due time (seconds since
    the epoch, jitter included), the last poll and its outcome, and who watches."""

    sync: str
    next_due: float
    interval: float  # seconds between runs, as last decided (poll interval included)
    last_poll: str | None = None  # when the last run started
    last_status: str | None = None  # ok / failed / aborted / error / locked / enqueued
    last_error: str | None = None
    watcher: str | None = None  # "process P on HOST since T"


class Store(abc.ABC):
    """What the sync pipeline keeps between runs. Each method is atomic on its own."""

    # -- bindings ------------------------------------------------------------------------

    @abc.abstractmethod
    def find_binding(self, doctype: str, system: str, record_id: str) -> Binding | None:
        """The document whose copy in `system` has `record_id`, if any."""

    @abc.abstractmethod
    def bind(self, doctype: str, *members: Member, doc_id: int | None = None) -> Binding:
        """Record that `members` are copies of one document (a new one when `doc_id` is
        None); a member already bound to another document is refused with StoreError."""

    @abc.abstractmethod
    def update_member(self, doc_id: int, member: Member) -> None:
        """Replace the version, hash and number of a member after a write or a read."""

    @abc.abstractmethod
    def get_binding(self, doc_id: int) -> Binding | None: ...

    @abc.abstractmethod
    def bindings(self, doctype: str | None = None,
                 system: str | None = None) -> Iterator[Binding]:
        """Every binding (of a type, or with a member in a system), by doc_id."""

    @abc.abstractmethod
    def forget(self, doc_id: int, system: str | None = None) -> bool:
        """Drop a binding (or one system's member of it); True when something was dropped."""

    # -- cursors -------------------------------------------------------------------------

    @abc.abstractmethod
    def cursor(self, connection: str, stream: str) -> Cursor | None: ...

    @abc.abstractmethod
    def save_cursor(self, cursor: Cursor) -> None:
        """Move the cursor; never backwards (a slower concurrent run cannot rewind it)."""

    # -- write intents -------------------------------------------------------------------

    @abc.abstractmethod
    def open_intent(self, intent: Intent) -> Intent:
        """Record an intent before its call; an intent with the same key already recorded
        is returned as it is (the caller then reconciles it instead of writing again)."""

    @abc.abstractmethod
    def close_intent(self, key: str, state: str, target_id: str | None = None,
                     message: str | None = None) -> None:
        """Confirm (state "confirmed"), fail or mark uncertain an intent after its call."""

    @abc.abstractmethod
    def intent(self, key: str) -> Intent | None: ...

    @abc.abstractmethod
    def intents(self, state: str | None = None) -> Iterator[Intent]: ...

    # -- runs and the ledger -------------------------------------------------------------

    @abc.abstractmethod
    def start_run(self, sync: str, mode: str = "sync", *, lock: bool = True,
                  ttl: float = 3600.0) -> Run:
        """A new run; with `lock`, only if no live run of the same sync holds its lock
        (StoreLocked otherwise). A lock whose process died or whose time ran out is taken
        over, so a crashed run never blocks the next one."""

    @abc.abstractmethod
    def finish_run(self, run_id: str, status: str, summary: Mapping[str, int]) -> None:
        """Close a run and release its locks (those of its attempts' owners too)."""

    @abc.abstractmethod
    def run(self, run_id: str) -> Run | None: ...

    @abc.abstractmethod
    def runs(self, sync: str | None = None) -> list[Run]:
        """Runs, latest first."""

    @abc.abstractmethod
    def record(self, entry: LedgerEntry) -> LedgerEntry:
        """Append an outcome to the ledger at once (a killed run leaves what it did)."""

    @abc.abstractmethod
    def ledger(self, run_id: str) -> list[LedgerEntry]: ...

    @abc.abstractmethod
    def count_ledger(self, run_id: str) -> int:
        """How many entries a run's ledger holds, without reading them: a distributed
        run's close task asks every few tenths of a second until all its records are in."""

    @abc.abstractmethod
    def outcome(self, run_id: str, doctype: str, source_id: str) -> LedgerEntry | None:
        """The first entry recorded for one record in a run, if any: a distributed apply
        asks under the document's lease, so a job run twice records its record once."""

    # -- leases --------------------------------------------------------------------------

    @abc.abstractmethod
    def lease(self, resource: str, run_id: str, ttl: float = 300.0) -> bool:
        """Take the lease on one resource (a document) for an owner; False when another
        live owner holds it. An owner may take its own lease again. The owner is a run id,
        or `attempt_owner(run_id, ...)` for one attempt of a run's work: two attempts of
        one run are two owners, and `finish_run` releases the leases of both."""

    @abc.abstractmethod
    def lease_holder(self, resource: str) -> str | None:
        """The owner holding the lease on `resource` while it lives (None: free, expired,
        or its process gone): tells another attempt of the same run from another run."""

    @abc.abstractmethod
    def release(self, resource: str, run_id: str) -> None: ...

    # -- shared rate budgets -------------------------------------------------------------

    @abc.abstractmethod
    def take_slot(self, bucket: str, rate: float, burst: int = 1, *,
                  pause: float = 0.0) -> float:
        """Reserve the next request slot of the rate budget `bucket` (a target account),
        shared by every process using this store: the seconds to wait before sending (see
        `gcra`; `pause` holds the budget instead of taking a slot)."""

    # -- watch state ---------------------------------------------------------------------

    @abc.abstractmethod
    def watch_state(self, sync: str) -> WatchState | None:
        """What `passeur watch` last recorded for a sync file, if anything."""

    @abc.abstractmethod
    def save_watch_state(self, state: WatchState) -> None:
        """Replace the watch state of `state.sync`."""

    @abc.abstractmethod
    def connection_lost(self) -> bool:
        """Whether this store can no longer be used: closed, or its connection found broken
        by an operation (a PostgreSQL server restarted or unreachable). A store does not
        reconnect, so a long-lived process (`passeur worker`) ends on it rather than fail
        every job. It does not probe the server: an idle connection is lost once used."""

    @abc.abstractmethod
    def advance_watch_state(self, state: WatchState, expected: float | None) -> bool:
        """Replace the watch state of `state.sync` only if its next due time is still
        `expected` (None: no state recorded yet), in one transaction; whether it did. Of
        two watchers that read the same due time, one claims the run (the other is told
        False), so a run due once is started once."""

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
