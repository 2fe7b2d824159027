"""`flow = "src-documents"` in a sync file: the src-documents flow (passeur_src.flow) as a
sync flow of the engine's extension point (passeur.engine.sync.flows).

[source] is where the PDFs are: a live system that serves them (VosFactures) or a
connection with a `[folder]` of `{number}.pdf`; [target] is the SRC site (sagesrc).
`[documents]` and `[exclude]` are the flow's own keys (passeur_src.flow_options).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

import attrs

from passeur import UsageError
from passeur.sync import FlowContext, FlowFile, StatusTable, SyncFlow

if TYPE_CHECKING:  # the flow's modules load when a sync file of it is read, not before
    from passeur.sync import Plan
    from passeur_src.flow import FlowReport
    from passeur_src.flow_options import DocumentOptions
    from passeur_src.sources import PdfSource

__all__ = ["SRC_DOCUMENTS"]

#: The engine's plan actions for the flow's own.
PLAN_ACTIONS = {"send": "create", "overwrite": "update", "exclude": "update",
                "include_again": "update", "not_in_source": "defer", "unchanged": "unchanged"}


#: The bindings' document type (passeur_src.flow.DOCTYPE, without importing it).
DOCTYPE = "invoice_document"


def _parse(file: FlowFile) -> DocumentOptions:
    from passeur_src.flow_options import parse_options

    source = file.side("source")
    target = file.side("target")
    if target.connection.system.name != "sagesrc":
        raise UsageError(f"{file.where('target')}: flow src-documents sends to SRC: [target] "
                         f"must be a sagesrc connection, not {target.connection.system.name}")
    return parse_options(file.data, file.path.parent, source.connection.system.name,
                         file.registry, lambda key, table=None: file.where(key, table),
                         file.table)


def _open(ctx: FlowContext) -> tuple[Any, PdfSource]:
    from passeur_src.sources import ClientPdfSource, FolderPdfSource

    spec = ctx.spec
    src = spec.target.connection.client()
    conn = spec.source.connection
    if conn.folder is not None:
        return src, FolderPdfSource(conn.folder.path, spec.source.name)
    return src, ClientPdfSource(conn.client(), spec.source.name)


async def _go(ctx: FlowContext, options: DocumentOptions, mode: str,
              run_id: str | None, on_event: Any = None) -> FlowReport:
    from passeur_src.flow import run_documents

    src, source = _open(ctx)
    try:
        return await run_documents(ctx.store, str(ctx.spec.path), src, source, options,
                                   mode=mode, run_id=run_id, source_name=ctx.spec.source.name,
                                   target_name=ctx.spec.target.name, on_event=on_event)
    finally:
        for client in (src, getattr(source, "client", None)):
            close = getattr(client, "close", None)
            if callable(close):
                close()


@attrs.frozen
class _Report:
    run: Any
    entries: tuple[Any, ...]

    @property
    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for entry in self.entries:
            counts[entry.outcome] = counts.get(entry.outcome, 0) + 1
        return counts

    @property
    def ok(self) -> bool:
        from passeur.sync import SUCCESSES

        return all(e.outcome in SUCCESSES for e in self.entries)


async def _run(ctx: FlowContext, options: DocumentOptions, *, mode: str = "sync",
               replay: bool = False, full: bool = False,
               since: datetime.date | None = None, on_event: Any = None) -> _Report:
    report = await _go(ctx, options, mode, None, on_event)
    run = ctx.store.run(report.run_id or "")
    return _Report(run, report.entries)


async def _plan(ctx: FlowContext, options: DocumentOptions, *, replay: bool = False,
                full: bool = False, since: datetime.date | None = None,
                on_event: Any = None) -> Plan:
    from passeur.sync import Plan, PlanItem

    report = await _go(ctx, options, "plan", None)
    items = tuple(PlanItem(
        seq=n, doctype=DOCTYPE, action=PLAN_ACTIONS.get(item.action, "fail")
        if item.entry.outcome not in ("failed", "uncertain") else "fail",
        source_id=item.entry.source_id, key=f"{ctx.spec.path}:{item.entry.target_id}",
        source_number=item.entry.source_number, target_id=item.entry.target_id,
        reason=item.action, message=item.entry.message, diff=tuple(item.entry.diff))
        for n, item in enumerate(report.items, 1))
    return Plan(str(ctx.spec.path), ctx.spec.name, ctx.spec.source.name,
                ctx.spec.target.name, options.rule_where,
                datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"), items)


def _status(ctx: FlowContext, options: DocumentOptions) -> list[StatusTable]:
    """The entries sent a document, and the uploads not yet confirmed."""
    target = ctx.spec.target.name
    sent = sum(1 for _ in ctx.store.bindings(DOCTYPE, target))
    prefix = f"{ctx.spec.path}:"
    open_intents = sum(1 for state in ("pending", "uncertain")
                       for i in ctx.store.intents(state)
                       if i.doctype == DOCTYPE and i.key.startswith(prefix))
    return [StatusTable(f"{ctx.spec.source.name} -> {target} (invoice PDFs)",
                        ("entries sent a document", "uploads to reconcile"),
                        ((sent, open_intents),))]


SRC_DOCUMENTS = SyncFlow(
    name="src-documents",
    title="invoice PDFs SRC lacks, fetched from the source and sent in bulk archives",
    keys=("documents", "exclude"),
    run=_run,
    parse=_parse,
    plan=_plan,
    status=_status,
)
