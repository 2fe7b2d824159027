"""What every store implementation says and computes the same way, whatever its database:
the clock, run ids, when a lease's holder is still alive, and the refusals' wording (the one
store test suite checks the texts on every implementation)."""

from __future__ import annotations

import datetime
import json
import os
import uuid
from typing import Any

from passeur.state.base import LedgerEntry, StoreError, StoreLocked

__all__ = ["APPLICATION", "LEDGER_COLUMNS", "already_bound", "clock", "holder_alive",
           "ledger_row", "new_run_id", "now_text", "sync_locked"]

#: What a store's `meta` table says it belongs to.
APPLICATION = "passeur"


def now_text() -> str:
    """Now, as the ISO text every timestamp of a store is kept in (it sorts)."""
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")


def clock() -> float:
    """Now, in seconds since the epoch (lease expiries)."""
    return datetime.datetime.now(datetime.UTC).timestamp()


def new_run_id() -> str:
    """A run id that sorts by its start and says when it was: 20240601T090000-a1b2c3."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]


#: The columns a ledger entry is written to, in the order of `ledger_row`.
LEDGER_COLUMNS = ("run_id, at, doctype, source_system, source_id, source_number, "
                  "target_system, target_id, outcome, reason, message, mapping_version, diff")


def ledger_row(entry: LedgerEntry, at: str) -> tuple[Any, ...]:
    """The values of LEDGER_COLUMNS for `entry` recorded `at` (its diff as JSON text)."""
    return (entry.run_id, at, entry.doctype, entry.source_system, entry.source_id,
            entry.source_number, entry.target_system, entry.target_id, entry.outcome,
            entry.reason, entry.message, entry.mapping_version,
            json.dumps(list(entry.diff), default=str))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder_alive(host: str, pid: int, expires_at: float, *, here: str, now: float) -> bool:
    """Whether a lease's holder may still be working: its time has not run out and, on this
    host, its process still exists (another host's process cannot be asked: its time says)."""
    return expires_at > now and (host != here or _pid_alive(pid))


def already_bound(doctype: str, system: str, record_id: str, doc_id: int) -> StoreError:
    return StoreError(f"{doctype} {record_id} in {system} is already bound to document "
                      f"{doc_id}; `passeur bindings forget {doc_id}` first")


def sync_locked(sync: str, run_id: str, pid: int, host: str) -> StoreLocked:
    return StoreLocked(f"{sync} is being synced by run {run_id} (process {pid} on {host}); "
                       "wait for it to finish. A crashed run's lock is taken over once its "
                       "process is gone")
