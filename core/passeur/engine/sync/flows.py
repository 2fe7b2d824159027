"""Sync flows: the pipelines a sync file can run, one of them chosen by `flow = "NAME"`.

The built-in flow `documents` is the sync engine (read -> map -> plan -> apply -> ledger).
A plugin adds others (CodaBox entries delivered to ClearFacts, PDFs packed for SRC) with
`passeur_register_sync_flows(register)`: it declares the extra keys its sync files may hold,
parses them into its options, runs, and may describe its state for `passeur status` and the
polling interval the server wants for `passeur watch`. Every flow reports the same way: a run
in the store, one ledger outcome per record, exit 0 only if all succeeded (docs/sync.md,
"Flows").

This module is a core plugin loaded with every registry, so it imports nothing heavy: the
engine is imported when the documents flow runs.
"""

from __future__ import annotations

import contextlib
import datetime
import inspect
import os
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from passeur.errors import UsageError
from passeur.hookspecs import hookimpl

if TYPE_CHECKING:
    from passeur.engine.sync.plan import Plan
    from passeur.engine.sync.syncfile import Side, SyncSpec
    from passeur.plugins import Registry
    from passeur.state import LedgerEntry, Run, Store

__all__ = [
    "COMMON_KEYS",
    "DOCUMENTS",
    "FlowContext",
    "FlowFile",
    "FlowReport",
    "RecordedRun",
    "Report",
    "StatusTable",
    "SyncFlow",
    "flow_status",
    "poll_interval",
    "recorded_run",
]

#: The top-level keys every sync file may hold, whatever its flow.
COMMON_KEYS = ("name", "store", "flow", "source", "target", "schedule")

#: A progress callback: (stage, done, total or None), as the documents flow's.
Event = Callable[[str, int, int | None], None]


class Report(Protocol):
    """What `passeur sync` prints of a run (the documents flow's RunReport is one)."""

    @property
    def run(self) -> Run: ...

    @property
    def entries(self) -> Sequence[LedgerEntry]: ...

    @property
    def summary(self) -> dict[str, int]: ...

    @property
    def ok(self) -> bool: ...


@attrs.frozen
class StatusTable:
    """One table of `passeur status` and `passeur serve` (a flow's per-journal rows, say).
    Cells are text, numbers, booleans or None (shown empty), so the JSON is the table."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...] = ()

    def __attrs_post_init__(self) -> None:
        for n, row in enumerate(self.rows, 1):
            if len(row) != len(self.columns):
                raise ValueError(f"status table {self.title!r}: row {n} has {len(row)} "
                                 f"cells for {len(self.columns)} columns")

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "columns": list(self.columns),
                "rows": [list(row) for row in self.rows]}


@attrs.frozen
class FlowFile:
    """The sync file as a flow's `parse` sees it: the whole table, and the helpers that
    keep its refusals in the form of the others (FILE:LINE, unknown keys with did you
    mean, connections read like [source])."""

    path: Path
    data: Mapping[str, Any]
    registry: Registry
    environ: Mapping[str, str] | None
    reader: Any  # syncfile's line finder

    def where(self, key: str, table: str | None = None) -> str:
        """FILE:LINE of `key` (in [table] when given), for an error message."""
        text: str = self.reader.where(key, table)
        return text

    def table(self, key: str, known: tuple[str, ...], what: str) -> dict[str, Any]:
        """The table [key] (empty when absent); an unknown key in it is refused at its
        line with a suggestion; `what` says what the table holds ("[files] has")."""
        found: dict[str, Any] = self.reader.table(self.data, key, known, what)
        return found

    def side(self, key: str) -> Side:
        """A connection table such as [source]: `connection = "FILE.toml"` or an inline
        `system = ...` with [KEY.settings], checked like the sync engine's."""
        from passeur.engine.sync.syncfile import _side

        return _side(self.reader, self.data, key, self.registry, self.environ)


@attrs.define
class FlowContext:
    """What a flow's run, status and poll interval get: the checked sync file (its
    `options` are what the flow's parse returned), the plugins, and the open store."""

    spec: SyncSpec
    registry: Registry
    store: Store

    @property
    def options(self) -> Any:
        return self.spec.options


@attrs.frozen
class FlowReport:
    """A finished run of a flow: the run as the store closed it and its ledger entries."""

    run: Run
    entries: tuple[LedgerEntry, ...]

    @property
    def summary(self) -> dict[str, int]:
        return _summarise(self.entries)

    @property
    def ok(self) -> bool:
        from passeur.state import SUCCESSES

        return all(e.outcome in SUCCESSES for e in self.entries)


def _summarise(entries: Sequence[LedgerEntry]) -> dict[str, int]:
    from passeur.state import OUTCOMES

    counts = {o: 0 for o in OUTCOMES if o != "adopted"}
    for entry in entries:
        counts[entry.outcome] = counts.get(entry.outcome, 0) + 1
    return counts


class RecordedRun:
    """A run being recorded: `record(...)` appends one outcome to the ledger at once (a
    killed run leaves what it did), `report()` gives the FlowReport once it is closed."""

    def __init__(self, ctx: FlowContext, run: Run) -> None:
        self.ctx = ctx
        self.run = run
        self.entries: list[LedgerEntry] = []

    def record(self, *, doctype: str, source_id: str, outcome: str,
               **fields: Any) -> LedgerEntry:
        from passeur.state import OUTCOMES, LedgerEntry

        if outcome not in OUTCOMES:
            raise ValueError(f"outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
        fields.setdefault("source_system", self.ctx.spec.source.name)
        fields.setdefault("target_system", self.ctx.spec.target.name)
        entry = self.ctx.store.record(LedgerEntry(
            run_id=self.run.run_id, doctype=doctype, source_id=str(source_id),
            outcome=outcome, **fields))
        self.entries.append(entry)
        return entry

    def report(self) -> FlowReport:
        return FlowReport(self.ctx.store.run(self.run.run_id) or self.run,
                          tuple(self.entries))


@contextlib.contextmanager
def recorded_run(ctx: FlowContext, mode: str = "sync") -> Iterator[RecordedRun]:
    """Take the sync file's run lock (StoreLocked when a live run holds it), yield the
    run, and close it `finished`, or `aborted` when the body raised (the exception then
    goes on), with the summary of what was recorded."""
    run = ctx.store.start_run(str(ctx.spec.path), mode)
    recorded = RecordedRun(ctx, run)
    status = "aborted"
    try:
        yield recorded
        status = "finished"
    finally:
        ctx.store.finish_run(run.run_id, status, _summarise(recorded.entries))


RunFunction = Callable[..., Awaitable[Report]]
PlanFunction = Callable[..., Awaitable["Plan"]]
StatusFunction = Callable[[FlowContext, Any], Any]
IntervalFunction = Callable[[FlowContext, Any], Any]


@attrs.frozen
class SyncFlow:
    """One pipeline a sync file can run (`flow = "NAME"`).

    - `keys`: the top-level keys and tables a sync file of this flow may hold beyond
      COMMON_KEYS; any other key is refused at its line with "did you mean".
    - `parse(file: FlowFile) -> options`: check those keys (refusals name file:line,
      `file.where(...)`) and return the flow's options, kept as `SyncSpec.options`;
      without one, the options are a dict of those keys as the file gives them.
    - `run(ctx, options, *, mode, replay, full, since, on_event) -> Report`: one run,
      recorded in the store (`recorded_run` does the lock, the ledger and the summary).
    - `plan(ctx, options, *, replay, full, since, on_event) -> Plan`: what a run would
      do, with no write call; without one, `passeur plan` says the flow has none.
    - `replay`: what `passeur sync --replay` means for this flow (a sentence for
      `--help` and messages); None refuses --replay.
    - `status(ctx, options) -> list[StatusTable]`: the monitoring rows (may be async).
    - `poll_interval(ctx, options) -> float | None`: the server's minimum interval
      between runs in seconds (may be async); `passeur watch` never runs more often.
    """

    name: str
    run: RunFunction
    keys: tuple[str, ...] = ()
    parse: Callable[[FlowFile], Any] | None = None
    plan: PlanFunction | None = None
    replay: str | None = None
    status: StatusFunction | None = None
    poll_interval: IntervalFunction | None = None
    title: str = ""

    def __attrs_post_init__(self) -> None:
        clash = sorted(set(self.keys) & set(COMMON_KEYS))
        if clash:
            raise ValueError(f"sync flow {self.name!r} declares keys every sync file has: "
                             f"{', '.join(clash)}")


async def _maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


async def flow_status(flow: SyncFlow, ctx: FlowContext) -> list[StatusTable]:
    """The flow's status tables (none when it declares no `status`)."""
    if flow.status is None:
        return []
    return list(await _maybe(flow.status(ctx, ctx.options)))


async def poll_interval(flow: SyncFlow, ctx: FlowContext) -> float | None:
    """The server's minimum interval between runs, in seconds, or None."""
    if flow.poll_interval is None:
        return None
    found = await _maybe(flow.poll_interval(ctx, ctx.options))
    return None if found is None else float(found)


# -- the built-in flow: the sync engine -------------------------------------------------


async def _documents_run(ctx: FlowContext, options: Any, *, mode: str = "sync",
                         replay: bool = False, full: bool = False,
                         since: datetime.date | None = None,
                         on_event: Event | None = None) -> Report:
    from passeur.engine.sync.context import open_context
    from passeur.engine.sync.run import run_plan

    sync_ctx = open_context(ctx.spec, ctx.registry, ctx.store)
    try:
        return await run_plan(sync_ctx, mode=mode, full=full, since=since, on_event=on_event)
    finally:
        await sync_ctx.aclose()


async def _documents_plan(ctx: FlowContext, options: Any, *, replay: bool = False,
                          full: bool = False, since: datetime.date | None = None,
                          on_event: Event | None = None) -> Plan:
    from passeur.engine.sync.context import open_context
    from passeur.engine.sync.plan import make_plan

    sync_ctx = open_context(ctx.spec, ctx.registry, ctx.store)
    try:
        return await make_plan(sync_ctx, full=full, since=since, on_event=on_event)
    finally:
        await sync_ctx.aclose()


def _documents_status(ctx: FlowContext, options: Any) -> list[StatusTable]:
    """Per document type: where the source's cursor is and how many documents are bound."""
    spec = ctx.spec
    rows = []
    for doctype in spec.doctypes:
        cursor = ctx.store.cursor(spec.source.name, doctype)
        bound = sum(1 for _ in ctx.store.bindings(doctype))
        rows.append((doctype, cursor.updated_at if cursor else None,
                     cursor.record_id if cursor else None, bound))
    return [StatusTable(f"{spec.source.name} -> {spec.target.name}",
                        ("document type", "cursor at", "last record", "bindings"),
                        tuple(rows))]


#: The sync engine as a flow (the default of every sync file).
DOCUMENTS = SyncFlow(
    name="documents",
    title="documents read from the source, mapped, planned and written to the target",
    keys=("doctypes", "mapping", "match", "policy", "read"),
    run=_documents_run,
    plan=_documents_plan,
    status=_documents_status,
)


@hookimpl
def passeur_register_sync_flows(register: Any) -> None:
    register(DOCUMENTS)


def load_flow_spec(reader: Any, data: Mapping[str, Any], registry: Registry,
                   environ: Mapping[str, str] | None, flow: SyncFlow) -> SyncSpec:
    """A sync file of a flow other than documents: the common keys, both sides, the
    flow's own keys through its parse."""
    from passeur.engine.sync.syncfile import (
        _POLICY,
        _SCHEDULE,
        DEFAULT_MATCH,
        SyncSpec,
        _side,
        _store_target,
    )
    from passeur.suggest import did_you_mean

    file: Path = reader.path
    known = COMMON_KEYS + flow.keys
    if "distributed" in data and "distributed" not in known:
        raise UsageError(f"{reader.where('distributed')}: flow {flow.name!r} runs inline "
                         "only (distributed runs are of the documents flow, docs/scale.md); "
                         "remove `distributed`")
    for key in data:
        if key not in known:
            raise UsageError(f"{reader.where(key)}: unknown key {key!r}"
                             f"{did_you_mean(key, known)} (a sync file of flow "
                             f"{flow.name!r} has: {', '.join(known)})")
    source = _side(reader, data, "source", registry, environ)
    target = _side(reader, data, "target", registry, environ)
    if source.name == target.name:
        raise UsageError(f"{file}: source and target are both named {source.name!r}; give "
                         'one of them name = "..." (bindings are kept per name)')
    schedule_table = reader.table(data, "schedule", _SCHEDULE, "[schedule] has")
    schedule = schedule_table.get("every") or schedule_table.get("cron")
    flow_file = FlowFile(file, data, registry, environ, reader)
    options = (flow.parse(flow_file) if flow.parse is not None
               else {k: data[k] for k in flow.keys if k in data})
    return SyncSpec(path=file.resolve(), name=str(data.get("name") or file.stem),
                    store=_store_target(reader, file, data,
                                        os.environ if environ is None else environ),
                    doctypes=(), source=source, target=target, mapping=None,
                    match=dict(DEFAULT_MATCH),
                    policy={k: v[0] if k != "on_issue" else "warn" for k, v in _POLICY.items()},
                    look_back=3600.0, since=None, concurrency=8,
                    schedule=None if schedule is None else str(schedule), flow=flow.name,
                    options=options)


def unknown_flow(name: str, known: Sequence[str], where: str) -> UsageError:
    from passeur.suggest import did_you_mean

    return UsageError(f"{where}: unknown flow {name!r}{did_you_mean(name, known)} "
                      f"(installed flows: {', '.join(sorted(known))})")
