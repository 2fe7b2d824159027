"""`passeur sync`, `passeur plan`, `passeur apply`: keep two live systems in step."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from passeur.cli.app import (
    EXIT_FAILURE,
    EXIT_OK,
    cli,
    console,
    err_console,
    handle_errors,
    print_json,
    registry_of,
)
from passeur.cli.tracing import live_options
from passeur.errors import InputError, UsageError
from passeur.outputs import refuse_same_file
from passeur.plugins import Registry

__all__ = ["ledger_table", "run_sync_file", "summary_line"]

STYLES = {"created": "green", "updated": "green", "unchanged": "dim", "skipped": "yellow",
          "deferred": "yellow", "failed": "red", "uncertain": "yellow", "conflict": "magenta",
          "create": "green", "update": "green", "skip": "yellow", "defer": "yellow",
          "fail": "red", "reissue": "green"}

COMMON_HELP = """
\b
SYNCFILE is a TOML sync file (docs/sync.md): the source and target
connections, document types, mapping, matching cascade for clients and
products, policies and look-back. Secrets come from the environment.
State (bindings, cursors, write intents, runs, the ledger) is kept in an
SQLite file next to it (`store = ...`, or --store).
"""


def _store_option(func: Any) -> Any:
    return click.option("--store", "store_path", type=click.Path(dir_okay=False),
                        default=None, help="The state file (default: the sync file's "
                        "`store`, else passeur-state.db beside it).")(func)


def _read_options(func: Any) -> Any:
    func = click.option("--full", is_flag=True,
                        help="Read everything, ignoring the cursor (and compare every "
                        "document with the target).")(func)
    return click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                        metavar="DATE", help="Read what changed on or after DATE instead "
                        "of from the cursor (the cursor is then left where it is).")(func)


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    """A progress callback drawing rich bars on a terminal, or nothing."""
    if not enabled or not err_console.is_terminal:
        yield None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def event(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                label = {"read": "reading", "apply": "applying"}.get(stage, stage)
                tasks[stage] = bar.add_task(label, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield event


def _open(registry: Registry, sync_path: str, store_path: str | None) -> tuple[Any, Any]:
    from passeur.engine.sync import load_sync_file, open_context
    from passeur.state import open_store

    spec = load_sync_file(sync_path, registry)
    store = open_store(store_path or spec.store)
    try:
        ctx = open_context(spec, registry, store)
    except BaseException:
        store.close()
        raise
    return spec, ctx


def summary_line(summary: dict[str, int]) -> str:
    shown = [f"{n} {k}" for k, n in summary.items() if n]
    return ", ".join(shown) or "nothing to do"


def ledger_table(entries: Sequence[Any], title: str, show_unchanged: bool) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("#", "type", "source", "outcome", "target id", "message"):
        table.add_column(column, overflow="fold")
    for n, entry in enumerate(entries, 1):
        if entry.outcome == "unchanged" and not show_unchanged:
            continue
        label = entry.source_number or entry.source_id
        message = entry.message or ""
        if entry.outcome in ("created", "updated", "unchanged") and "warning" in message:
            count = message.count("warning")
            message = f"{count} warning(s), in the ledger"
        if entry.diff:
            changes = ", ".join(f"{d['path']}: {d['target']} -> {d['source']}"
                                for d in entry.diff[:4])
            more = f" (+{len(entry.diff) - 4})" if len(entry.diff) > 4 else ""
            message = f"{changes}{more}" + (f"; {message}" if message else "")
        reason = f"({entry.reason}) " if entry.reason and entry.outcome not in (
            "created", "updated", "unchanged") else ""
        table.add_row(str(n), entry.doctype, label,
                      Text(entry.outcome, style=STYLES.get(entry.outcome, "")),
                      entry.target_id or "", (reason + message)[:300])
    return table


def _replay_option(func: Any) -> Any:
    return click.option("--replay", is_flag=True,
                        help="Deliver again what earlier runs left waiting, for the flows "
                        "that keep such records (the sync file's flow says what it "
                        "means; the documents flow has none).")(func)


def _flow_of(registry: Registry, sync_path: str, replay: bool) -> tuple[Any, Any]:
    """The checked sync file and its flow; --replay refused when the flow has none."""
    from passeur.engine.sync import load_sync_file

    spec = load_sync_file(sync_path, registry)
    flow = registry.sync_flows[spec.flow]
    if replay and flow.replay is None:
        hint = (" (it reads what changed since its cursor on every run: --full reads "
                "everything again, --since DATE from a date)" if flow.name == "documents"
                else "")
        raise UsageError(f"{spec.path}: --replay means nothing to flow {flow.name!r}{hint}")
    return spec, flow


def run_sync_file(registry: Registry, sync_path: str, *, store_path: str | None = None,
                  full: bool = False, since: datetime.date | None = None,
                  plan: Any = None, mode: str = "sync", progress: bool = True,
                  replay: bool = False) -> Any:
    """One run of a sync file through its flow (what `passeur sync`, `passeur watch` and
    `passeur demo` do), or of a saved plan (`passeur apply`); its report."""
    if plan is None:
        from passeur.engine.sync.flows import FlowContext
        from passeur.state import open_store

        spec, flow = _flow_of(registry, sync_path, replay)
        store = open_store(store_path or spec.store)

        async def run_flow() -> Any:
            with _progress(progress) as event:
                return await flow.run(FlowContext(spec, registry, store), spec.options,
                                      mode=mode, replay=replay, full=full, since=since,
                                      on_event=event)

        try:
            return asyncio.run(run_flow())
        finally:
            store.close()

    from passeur.engine.sync import run_plan

    _, ctx = _open(registry, sync_path, store_path)

    async def go() -> Any:
        try:
            with _progress(progress) as event:
                return await run_plan(ctx, mode=mode, plan=plan, full=full, since=since,
                                      on_event=event)
        finally:
            await ctx.aclose()

    try:
        return asyncio.run(go())
    finally:
        ctx.store.close()


def _report(report: Any, as_json: bool, show_all: bool) -> None:
    if as_json:
        print_json({"run": report.run.run_id, "status": report.run.status,
                    "summary": report.summary, "ok": report.ok,
                    "records": [e.as_json() for e in report.entries]})
        return
    few = len(report.entries) <= 60
    console.print(ledger_table(report.entries, f"run {report.run.run_id}", show_all or few))
    console.print(f"{summary_line(report.summary)} ({len(report.entries)} record(s); "
                  f"ledger: passeur runs show {report.run.run_id})", markup=False)


@cli.command("sync", short_help="Bring a target up to date with a source (plan, then apply).",
             help="""Read what changed in the source, map it, resolve clients and products,
compare with the target and write what differs, each record ending in exactly one outcome:
created, updated, unchanged, skipped, deferred, failed, uncertain or conflict (written to the
ledger as the run goes). A re-run never duplicates: every write carries a key derived from
the source document and is recorded before it is sent; an unconfirmed write is looked up
before anything is sent again. Exit code 0 only if every record succeeded.
""" + COMMON_HELP + """
\b
Examples:
  passeur sync acomba-to-vf.toml
  passeur sync acomba-to-vf.toml --full --json > run.json
  passeur sync acomba-to-vf.toml --since 2024-01-01
  passeur sync acomba-to-vf.toml --distributed   # on the workers' queue
  passeur sync acomba-to-vf.toml --inline        # here, whatever the file's
                                                 # `distributed = true` says
""")
@click.argument("sync_path", metavar="SYNCFILE", type=click.Path(dir_okay=False))
@_store_option
@_read_options
@_replay_option
@click.option("--distributed/--inline", default=None,
              help="--distributed enqueues the run for `passeur worker` processes instead "
              "of running it here, and prints its run id (needs a postgresql:// store; "
              "docs/scale.md); --inline runs it here. Without either, the sync file's "
              "`distributed = true|false` decides (default: inline).")
@click.option("--all", "show_all", is_flag=True, help="List unchanged records too.")
@click.option("--json", "as_json", is_flag=True, help="Print the run and every record as JSON.")
@live_options
@click.pass_context
@handle_errors
def sync_command(ctx: click.Context, sync_path: str, store_path: str | None, full: bool,
                 since: datetime.datetime | None, replay: bool, distributed: bool | None,
                 show_all: bool, as_json: bool) -> None:
    from passeur.engine.sync.syncfile import runs_distributed

    if distributed and replay:
        raise UsageError("--replay runs inline only; leave out --distributed")
    spec, _ = _flow_of(registry_of(ctx), sync_path, replay)
    if runs_distributed(spec, distributed):
        from passeur.engine.distributed import enqueue_sync

        run = enqueue_sync(registry_of(ctx), sync_path, store_url=store_path, full=full,
                           since=since.date() if since else None, spec=spec)
        if as_json:
            print_json({"run": run.run_id, "status": run.status, "distributed": True})
        else:
            console.print(f"run {run.run_id} enqueued; the workers run it (passeur runs show "
                          f"{run.run_id})", markup=False)
        return
    report = run_sync_file(registry_of(ctx), sync_path, store_path=store_path, full=full,
                           since=since.date() if since else None, progress=not as_json,
                           replay=replay)
    _report(report, as_json, show_all)
    ctx.exit(EXIT_OK if report.ok else EXIT_FAILURE)


def plan_table(plan: Any, show_unchanged: bool) -> Table:
    table = Table(title=f"plan of {plan.name}: {plan.source} -> {plan.target}",
                  title_justify="left")
    for column in ("#", "type", "source", "action", "target id", "changes / reason"):
        table.add_column(column, overflow="fold")
    for item in plan.items:
        if item.action == "unchanged" and not show_unchanged:
            continue
        detail = ", ".join(f"{d['path']}: {d['target']} -> {d['source']}" for d in item.diff[:4])
        if item.action in ("skip", "defer", "fail", "conflict", "reissue") and item.message:
            detail = f"{detail}; {item.message}" if detail else item.message
        table.add_row(str(item.seq), item.doctype, item.source_number or item.source_id,
                      Text(item.action, style=STYLES.get(item.action, "")),
                      item.target_id or "", detail[:300])
    return table


@cli.command("plan", short_help="Show what a sync would do, writing nothing.",
             help="""Read both sides and say, per record, what `passeur sync` would do: create,
update (with the field diff), unchanged, skip, defer, fail, conflict, or reissue (a changed
document the target cannot update, with on_conflict = "credit_and_reissue": a credit note
of the target's copy, then the document issued again). No system receives a write call,
and the store is not changed. --out saves the plan for `passeur apply`.
""" + COMMON_HELP + """
\b
Examples:
  passeur plan acomba-to-vf.toml
  passeur plan acomba-to-vf.toml --out plan.json && passeur apply plan.json
""")
@click.argument("sync_path", metavar="SYNCFILE", type=click.Path(dir_okay=False))
@_store_option
@_read_options
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None,
              help="Save the plan as JSON for `passeur apply`.")
@_replay_option
@click.option("--all", "show_all", is_flag=True, help="List unchanged records too.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@live_options
@click.pass_context
@handle_errors
def plan_command(ctx: click.Context, sync_path: str, store_path: str | None, full: bool,
                 since: datetime.datetime | None, out: str | None, replay: bool,
                 show_all: bool, as_json: bool) -> None:
    from passeur.engine.sync.flows import FlowContext
    from passeur.state import open_store

    if out is not None:
        refuse_same_file(out, [p for p in (sync_path, store_path) if p])
    registry = registry_of(ctx)
    spec, flow = _flow_of(registry, sync_path, replay)
    if flow.plan is None:
        raise UsageError(f"{spec.path}: flow {flow.name!r} cannot say what it would do "
                         "without doing it (it has no plan); `passeur sync` runs it")
    if out is not None and flow.name != "documents":
        raise UsageError(f"--out: a saved plan is applied by the documents flow only; flow "
                         f"{flow.name!r} plans again on each `passeur sync`")
    store = open_store(store_path or spec.store)

    async def go() -> Any:
        with _progress(not as_json) as event:
            return await flow.plan(FlowContext(spec, registry, store), spec.options,
                                   replay=replay, full=full,
                                   since=since.date() if since else None, on_event=event)

    try:
        plan = asyncio.run(go())
    finally:
        store.close()
    data = plan.as_json()
    if out is not None:
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
        tmp = Path(out).with_name(Path(out).name + ".tmp")
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(out)
    if as_json:
        print_json(data)
        return
    console.print(plan_table(plan, show_all or len(plan.items) <= 60))
    counts = ", ".join(f"{n} {k}" for k, n in plan.counts().items() if n) or "nothing"
    where = f"; saved to {out}" if out else ""
    console.print(f"plan: {counts} ({len(plan.items)} record(s)){where}", markup=False)


@cli.command("apply", short_help="Execute a saved plan exactly.",
             help="""Execute exactly the plan `passeur plan --out` saved: nothing is read from the
source again. A record whose target changed since the plan (its version or content) is
refused as a conflict; plan again to take the change into account.

\b
Examples:
  passeur plan acomba-to-vf.toml --out plan.json
  passeur apply plan.json
""")
@click.argument("plan_path", metavar="PLAN", type=click.Path(dir_okay=False, exists=True))
@_store_option
@click.option("--json", "as_json", is_flag=True, help="Print the run and every record as JSON.")
@live_options
@click.pass_context
@handle_errors
def apply_command(ctx: click.Context, plan_path: str, store_path: str | None,
                  as_json: bool) -> None:
    from passeur.engine.sync import Plan

    try:
        data = json.loads(Path(plan_path).read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(f"{plan_path}: not JSON ({exc})") from None
    plan = Plan.from_json(data, plan_path)
    if not Path(plan.sync).exists():
        raise UsageError(f"{plan_path}: its sync file {plan.sync} is gone")
    report = run_sync_file(registry_of(ctx), plan.sync, store_path=store_path, plan=plan,
                           mode="apply", progress=not as_json)
    _report(report, as_json, False)
    ctx.exit(EXIT_OK if report.ok else EXIT_FAILURE)
