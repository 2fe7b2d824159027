"""The outcome of one pushed document, as `passeur push --json` reports it.

`created` (with the id the system gave it), `failed` (with the reason; the document was
certainly not created) or `uncertain` (it may have been created: look it up before trying
again). The writes themselves go through the sync engine (`passeur.engine.sync`), which
keeps the finer ledger outcomes; push maps them onto these three.
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["CREATED", "FAILED", "UNCERTAIN", "Outcome"]

CREATED, FAILED, UNCERTAIN = "created", "failed", "uncertain"



@attrs.frozen
class Outcome:
    """What happened to the document at `index` (0-based, input order)."""

    index: int
    key: str
    outcome: str
    id: Any = None
    reason: str | None = None
    error: str | None = None  # the exception class, for scripts

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "key": self.key, "outcome": self.outcome, "id": self.id,
                "reason": self.reason, "error": self.error}
