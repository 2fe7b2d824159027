"""The write lifecycle hooks around every create a command sends to a live system.

`passeur_before_write` lets a plugin inspect a record and veto it with an ERROR issue (the
record is then reported as failed, never sent); `passeur_after_write` lets it observe each
outcome (audit trails, notifications). Commands wrap their create calls here so no command
forgets them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from passeur.errors import WriteVetoedError
from passeur.issues import Issue, Level

__all__ = ["after_write_notifier", "vetted_create"]

Create = Callable[[Mapping[str, Any]], Awaitable[Any]]


def vetted_create(hook: Any, system: str, doctype: str, create: Create) -> Create:
    """`create`, preceded by the before-write hooks; an ERROR issue stops that record."""

    async def create_vetted(record: Mapping[str, Any]) -> Any:
        found: list[Issue] = []
        for answer in hook.passeur_before_write(system=system, doctype=doctype, record=record):
            found.extend(answer or ())
        errors = [issue for issue in found if issue.level is Level.ERROR]
        if errors:
            raise WriteVetoedError("refused before writing: " + "; ".join(map(str, errors)))
        return await create(record)

    return create_vetted


def after_write_notifier(
    hook: Any, system: str, doctype: str, records: Sequence[Mapping[str, Any]],
    then: Callable[[Any], None] | None = None,
) -> Callable[[Any], None]:
    """An `on_done(outcome)` callback that tells the after-write hooks, then calls `then`."""

    def done(outcome: Any) -> None:
        hook.passeur_after_write(system=system, doctype=doctype,
                                 record=records[outcome.index], outcome=outcome)
        if then is not None:
            then(outcome)

    return done
