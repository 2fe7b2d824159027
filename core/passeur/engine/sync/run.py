"""One run: take the sync file's lock, plan (or load a plan), apply, move the cursors, close
the run with its summary. The lock and the ledger live in the store, so an aborted run is
visible (`passeur runs`) and its lock is taken over once its process is gone."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable

import attrs

from passeur.engine.sync.apply import Applier
from passeur.engine.sync.context import Event, SyncContext
from passeur.engine.sync.plan import Plan, make_plan
from passeur.engine.sync.refusal import credentials_refused, named
from passeur.http import AuthError
from passeur.state import OUTCOMES, SUCCESSES, Cursor, LedgerEntry, Run

__all__ = ["RunReport", "move_cursors", "run_plan", "summarise"]


@attrs.frozen
class RunReport:
    run: Run
    plan: Plan
    entries: tuple[LedgerEntry, ...]

    @property
    def summary(self) -> dict[str, int]:
        return summarise(self.entries)

    @property
    def ok(self) -> bool:
        return all(e.outcome in SUCCESSES for e in self.entries)


def summarise(entries: Iterable[LedgerEntry]) -> dict[str, int]:
    counts = dict.fromkeys(o for o in OUTCOMES if o != "adopted")
    result = {k: 0 for k in counts}
    for entry in entries:
        result[entry.outcome] = result.get(entry.outcome, 0) + 1
    return result


def move_cursors(ctx: SyncContext, plan: Plan, entries: Iterable[LedgerEntry]) -> None:
    """Each document type's cursor goes to the last record of the longest run of finished
    records in (changed_at, id) order: what failed is read again next time."""
    finished = {(e.doctype, e.source_id) for e in entries
                if e.outcome in SUCCESSES or e.outcome in ("conflict", "skipped")}
    for doctype in ctx.spec.doctypes:
        items = sorted((i for i in plan.items if i.doctype == doctype and not i.reference
                        and i.changed_at is not None),
                       key=lambda i: (i.changed_at or "", i.source_id))
        last = None
        for item in items:
            if (doctype, item.source_id) not in finished:
                break
            last = item
        if last is not None and last.changed_at is not None:
            ctx.store.save_cursor(Cursor(ctx.spec.source.name, doctype, last.changed_at,
                                         last.source_id))


async def run_plan(ctx: SyncContext, *, mode: str = "sync", plan: Plan | None = None,
                   full: bool = False, since: datetime.date | None = None,
                   on_event: Event | None = None) -> RunReport:
    """Plan (unless given one) and apply it as one run of the sync file."""
    store = ctx.store
    run = store.start_run(str(ctx.spec.path), mode)
    status = "aborted"
    entries: list[LedgerEntry] = []
    applier = Applier(ctx, run.run_id, on_event=on_event, from_file=plan is not None)
    try:
        if plan is None:  # plan and apply side by side: each item goes out once decided
            try:
                plan = await make_plan(ctx, full=full, since=since, on_event=on_event,
                                       sink=applier.submit, pace=applier.room)
            except AuthError as exc:  # the target's listing (the source's is named)
                with contextlib.suppress(Exception):
                    await applier.drain()
                if named(exc):
                    raise
                raise credentials_refused(ctx.spec.target.connection, exc) from exc
            except Exception:
                # what was already planned is finished and recorded, then the error stands
                with contextlib.suppress(Exception):
                    await applier.drain()
                raise
            entries = await applier.drain()
        else:
            entries = await applier.apply(plan)
        if since is None:
            move_cursors(ctx, plan, entries)
        status = "finished"
    finally:
        store.finish_run(run.run_id, status, summarise(applier.entries))
    done = store.run(run.run_id) or run
    return RunReport(done, plan, tuple(entries))
