"""passeur.engine.sync: keep two live systems in step, safely, again and again.

read (incremental) -> map -> check -> resolve references -> plan -> apply -> record, one
module per stage: `syncfile` (the TOML sync file), `context` (what a run opens), `plan`
(reads only), `match` (the reference cascade), `apply` (write intents, reconciliation),
`run` (lock, cursors, summary), `compare` (hashes, diffs), `adapter` (what a plugin
provides), `demo` (the scenario `passeur demo` runs).
"""

from __future__ import annotations

from passeur.engine.sync.adapter import Reference, Stored, SyncAdapter, Unconfirmed
from passeur.engine.sync.apply import Applier
from passeur.engine.sync.context import SyncContext, open_context
from passeur.engine.sync.plan import Plan, PlanItem, idempotency_key, make_plan
from passeur.engine.sync.run import RunReport, run_plan, summarise
from passeur.engine.sync.syncfile import SyncSpec, load_sync_file

__all__ = [
    "Applier",
    "Plan",
    "PlanItem",
    "Reference",
    "RunReport",
    "Stored",
    "SyncAdapter",
    "SyncContext",
    "SyncSpec",
    "Unconfirmed",
    "idempotency_key",
    "load_sync_file",
    "make_plan",
    "open_context",
    "run_plan",
    "summarise",
]
