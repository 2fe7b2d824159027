"""passeur.sync: what a plugin implements to take part in a sync (public API).

`SystemSpec.sync_adapter(client, variant)` returns a `SyncAdapter`; `SystemSpec.demo()` a
`DemoScenario`; `passeur_register_sync_flows` registers a `SyncFlow` (a pipeline of its
own, `flow = "NAME"` in a sync file) whose `plan` returns a `Plan` of `PlanItem`s, and
which may keep bindings and write intents of its own in the `Store` (`Binding`, `Member`,
`Intent`, `LedgerEntry`; `write_once` sends an upload at most once per key). The engine
itself lives in `passeur.engine.sync`.

Names are imported on first use, so a plugin registering a flow while the registry loads
does not import the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from passeur.engine.folder import FolderClient, FolderSettings
    from passeur.engine.sync.adapter import (
        AdapterDefaults,
        Reference,
        Stored,
        SyncAdapter,
        Unconfirmed,
    )
    from passeur.engine.sync.demo import DemoScenario, DemoSide
    from passeur.engine.sync.flows import (
        FlowContext,
        FlowFile,
        FlowReport,
        StatusTable,
        SyncFlow,
        recorded_run,
    )
    from passeur.engine.sync.once import UNCERTAIN_POLICIES, WriteOutcome, write_once
    from passeur.engine.sync.plan import Plan, PlanItem
    from passeur.redaction import register_secrets
    from passeur.state import SUCCESSES, Binding, Intent, LedgerEntry, Member, Run, Store
    from passeur.suggest import did_you_mean

_WHERE = {
    "AdapterDefaults": "adapter", "DemoScenario": "demo", "DemoSide": "demo",
    "Reference": "adapter", "Stored": "adapter",
    "SyncAdapter": "adapter", "Unconfirmed": "adapter", "FlowContext": "flows",
    "FlowFile": "flows", "FlowReport": "flows", "StatusTable": "flows", "SyncFlow": "flows",
    "recorded_run": "flows", "Plan": "plan", "PlanItem": "plan",
    # one non-idempotent write per key, for targets that cannot be searched (uploads)
    "write_once": "once", "WriteOutcome": "once", "UNCERTAIN_POLICIES": "once",
    # the store's records, for a flow that keeps bindings and write intents of its own
    "Store": "passeur.state", "Binding": "passeur.state", "Member": "passeur.state",
    "Intent": "passeur.state", "LedgerEntry": "passeur.state", "SUCCESSES": "passeur.state",
    "Run": "passeur.state",
    # for a flow's own sync-file keys: a secret read from the environment is masked in every
    # trace and message; an unknown key gets "did you mean"
    "register_secrets": "passeur.redaction", "did_you_mean": "passeur.suggest",
    # files in a folder, written whole and never over another document (a flow's target)
    "FolderClient": "passeur.engine.folder", "FolderSettings": "passeur.engine.folder",
}

__all__ = [
    "SUCCESSES",
    "UNCERTAIN_POLICIES",
    "AdapterDefaults",
    "Binding",
    "DemoScenario",
    "DemoSide",
    "FlowContext",
    "FlowFile",
    "FlowReport",
    "FolderClient",
    "FolderSettings",
    "Intent",
    "LedgerEntry",
    "Member",
    "Plan",
    "PlanItem",
    "Reference",
    "Run",
    "StatusTable",
    "Store",
    "Stored",
    "SyncAdapter",
    "SyncFlow",
    "Unconfirmed",
    "WriteOutcome",
    "did_you_mean",
    "recorded_run",
    "register_secrets",
    "write_once",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'passeur.sync' has no attribute {name!r}")
    path = module if "." in module else f"passeur.engine.sync.{module}"
    value = getattr(importlib.import_module(path), name)
    globals()[name] = value
    return value
