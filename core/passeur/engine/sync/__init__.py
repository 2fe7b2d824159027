"""passeur.engine.sync: keep two live systems in step, safely, again and again.

read (incremental) -> map -> check -> resolve references -> plan -> apply -> record, one
module per stage: `syncfile` (the TOML sync file), `context` (what a run opens), `plan`
(reads only), `match` (the reference cascade), `apply` (write intents, reconciliation),
`run` (lock, cursors, summary), `compare` (hashes, diffs), `adapter` (what a plugin
provides), `demo` (the scenario `passeur demo` runs), `flows` (the pipelines a sync file
can choose, the engine being the `documents` one).

The names below are imported on first use: `flows` is a core plugin loaded with every
registry, and loading it must not import the whole engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from passeur.engine.sync.adapter import Reference, Stored, SyncAdapter, Unconfirmed
    from passeur.engine.sync.apply import Applier
    from passeur.engine.sync.context import SyncContext, open_context
    from passeur.engine.sync.plan import Plan, PlanItem, idempotency_key, make_plan
    from passeur.engine.sync.run import RunReport, run_plan, summarise
    from passeur.engine.sync.syncfile import SyncSpec, load_sync_file

#: public name -> the module of this package that defines it
_WHERE = {
    "Applier": "apply",
    "Plan": "plan",
    "PlanItem": "plan",
    "Reference": "adapter",
    "RunReport": "run",
    "Stored": "adapter",
    "SyncAdapter": "adapter",
    "SyncContext": "context",
    "SyncSpec": "syncfile",
    "Unconfirmed": "adapter",
    "idempotency_key": "plan",
    "load_sync_file": "syncfile",
    "make_plan": "plan",
    "open_context": "context",
    "run_plan": "run",
    "summarise": "run",
}

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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'passeur.engine.sync' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"passeur.engine.sync.{module}"), name)
    globals()[name] = value
    return value
