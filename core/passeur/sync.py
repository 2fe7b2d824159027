"""passeur.sync: what a plugin implements to take part in a sync (public API).

`SystemSpec.sync_adapter(client, variant)` returns a `SyncAdapter`; `SystemSpec.demo()` a
`DemoScenario`. The engine itself lives in `passeur.engine.sync`.
"""

from __future__ import annotations

from passeur.engine.sync.adapter import Reference, Stored, SyncAdapter, Unconfirmed
from passeur.engine.sync.demo import DemoScenario, DemoSide

__all__ = ["DemoScenario", "DemoSide", "Reference", "Stored", "SyncAdapter", "Unconfirmed"]
