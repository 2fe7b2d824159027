"""Creating many documents concurrently, each ending in exactly one outcome.

`created` (with the id the system gave it), `failed` (with the reason; the document was
certainly not created) or `uncertain` (it may have been created: look it up before trying
again). Concurrency is bounded by a semaphore; the pace is set by the account's rate budget
inside the client, so more workers never means more than the budget allows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import attrs

from passeur.errors import PasseurError
from passeur.http.errors import AuthError, Uncertain

__all__ = ["CREATED", "FAILED", "UNCERTAIN", "Outcome", "create_all", "created_id_from"]

CREATED, FAILED, UNCERTAIN = "created", "failed", "uncertain"

Create = Callable[[Mapping[str, Any]], Awaitable[Mapping[str, Any]]]


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


def created_id_from(fields: Sequence[str]) -> Callable[[Any], Any]:
    """The id in a create answer: the first of `fields` present (a system declares them on
    its document type, `DocumentType.created_id_fields`)."""
    def created_id(result: Any) -> Any:
        for key in fields:
            if isinstance(result, Mapping) and result.get(key) not in (None, ""):
                return result[key]
        return None
    return created_id


async def create_all(create: Create, documents: Sequence[Mapping[str, Any]], *,
                     concurrency: int = 4, key: Callable[[Mapping[str, Any]], str] = str,
                     on_done: Callable[[Outcome], None] | None = None,
                     created_id: Callable[[Any], Any] | None = None) -> list[Outcome]:
    """Create every document with at most `concurrency` calls in flight; outcomes in input
    order. An `AuthError` stops the run (every later call would fail the same way).
    `created_id` finds the new id in a create answer (`created_id_from(("id",))` if None)."""
    id_of = created_id or created_id_from(("id",))
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    gate = asyncio.Semaphore(concurrency)
    outcomes: list[Outcome | None] = [None] * len(documents)

    async def one(index: int, document: Mapping[str, Any]) -> None:
        label = key(document)
        async with gate:
            try:
                result = await create(document)
            except AuthError:
                raise
            except Uncertain as exc:
                outcome = Outcome(index, label, UNCERTAIN, reason=str(exc),
                                  error=type(exc).__name__)
            except PasseurError as exc:
                outcome = Outcome(index, label, FAILED, reason=str(exc),
                                  error=type(exc).__name__)
            else:
                outcome = Outcome(index, label, CREATED, id=id_of(result))
        outcomes[index] = outcome
        if on_done is not None:
            on_done(outcome)

    tasks = [asyncio.ensure_future(one(i, d)) for i, d in enumerate(documents)]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return [o for o in outcomes if o is not None]
