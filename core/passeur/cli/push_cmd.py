"""`passeur push`: create documents in a live system, with one outcome per document."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from passeur.cli.app import (
    EXIT_REMOTE,
    cli,
    console,
    err_console,
    exit_code_for_outcomes,
    handle_errors,
    print_json,
    registry_of,
    styled,
)
from passeur.cli.pull_cmd import check_operation
from passeur.cli.tracing import live_options
from passeur.engine.connection import load_connection
from passeur.engine.io import InputProblem, iter_documents
from passeur.errors import InputError
from passeur.http import CREATED, FAILED, UNCERTAIN, AuthError, Outcome
from passeur.issues import Issue, Level
from passeur.redaction import redact_text

HELP = """Create documents in a live system and report, for each one, whether it was
created, failed (with the reason) or is uncertain (it may have been created and
could not be looked up; push again with the same --store and it looks first).

\b
INPUT is a file or - (standard input) holding one JSON document, a JSON array
or NDJSON, in the target system's own form (what `passeur convert` writes;
converting is its job, not push's). Documents are sent --concurrency at a time,
paced by the connection's [http] rate_limit, each as one create of the sync
pipeline: a write intent with a deterministic key (the document's oid or
NoFacture, else one from its content, written to the target), a success only
when the answer shows what was stored, and a lookup by key before anything is
sent again. Exit code 1 if any document was not created, 4 if the system
refused or did not answer at all (nothing was created).

\b
Examples:
  passeur push acme.toml invoice invoices.ndjson
  passeur convert f.json --from acomba --to vosfactures | passeur push acme.toml invoice -
  passeur push acomba.toml invoice payloads.json --concurrency 8 --json > outcomes.json
"""


def read_input(path: str) -> list[dict[str, Any]]:
    """Every document of INPUT, or an InputError naming each unreadable one."""
    label = "<stdin>" if path == "-" else path
    stream = sys.stdin if path == "-" else open(path, "rb")  # noqa: SIM115 - BOM, bad bytes
    documents: list[dict[str, Any]] = []
    problems: list[str] = []
    try:
        for item in iter_documents(stream):
            if isinstance(item, InputProblem):
                problems.append(f"{label}: {item}")
            elif not isinstance(item.value, Mapping):
                problems.append(f"{label}: document {item.index}: line {item.line}: expected a "
                                f"JSON object, got {type(item.value).__name__}")
            else:
                documents.append(dict(item.value))
    finally:
        if stream is not sys.stdin:
            stream.close()
    if problems:
        raise InputError("nothing was pushed; fix the input first:\n  " + "\n  ".join(problems))
    return documents


def _vetoes(hook: Any, system: str, doctype: str,
            documents: list[dict[str, Any]]) -> dict[int, str]:
    """The before-write hooks run on each document as the user gave it: an ERROR issue
    keeps that document from being sent at all."""
    refused: dict[int, str] = {}
    for index, document in enumerate(documents):
        found: list[Issue] = []
        for answer in hook.passeur_before_write(system=system, doctype=doctype,
                                                record=document):
            found.extend(answer or ())
        errors = [issue for issue in found if issue.level is Level.ERROR]
        if errors:
            refused[index] = "refused before writing: " + "; ".join(map(str, errors))
    return refused


def _push_key(adapter: Any, doctype: str, document: Mapping[str, Any]) -> str:
    """The document's own guard (a VosFactures oid, an ERP NoFacture) or, when it has none,
    a key from its content: pushing the same file again finds the earlier copies."""
    from passeur.engine.sync.compare import content_hash

    return (adapter.key_of(doctype, document) or adapter.natural_key(doctype, document)
            or f"passeur:push:{content_hash(document)}")


async def _push(connection: Any, registry: Any, doctype: str,
                documents: list[dict[str, Any]], concurrency: int, store_path: str | None,
                progress: Progress | None) -> tuple[list[Outcome], BaseException | None]:
    """The documents as one sync run with a plan of creates: a write intent before each
    call, reconciliation by key before any resend, the ledger as it goes."""
    from passeur.engine.sync import Applier, Plan, PlanItem, SyncContext
    from passeur.engine.sync.syncfile import DEFAULT_MATCH, Side, SyncSpec
    from passeur.state import open_store

    system, hook = connection.system.name, registry.pm.hook
    client = connection.client()
    from passeur.engine.sync.context import adapter_for

    adapter = adapter_for(connection, client)
    refused = _vetoes(hook, system, doctype, documents)
    labels = [client.document_key(doctype, d) for d in documents]
    items = []
    for index, document in enumerate(documents):
        if index in refused:
            continue
        key = _push_key(adapter, doctype, document)
        items.append(PlanItem(seq=index + 1, doctype=doctype, action="create",
                              source_id=f"{index}:{key}", key=key,
                              source_number=labels[index],
                              body=adapter.stamp(doctype, document, key)))
    folder = tempfile.TemporaryDirectory(prefix="passeur-push-") if store_path is None \
        else None
    path = Path(folder.name) / "push.db" if folder is not None else Path(str(store_path))
    target = connection.variant or system
    spec = SyncSpec(path=Path(connection.name).resolve(), name="push", store=path,
                    doctypes=(doctype,), source=Side("push", connection),
                    target=Side(target, connection), mapping=None, match=DEFAULT_MATCH,
                    policy={"on_issue": "warn", "on_missing_reference": "fail",
                            "on_conflict": "report", "on_ambiguous": "fail"},
                    look_back=0.0, since=None, concurrency=concurrency, schedule=None)
    task = progress.add_task(f"pushing {doctype}", total=len(documents)) if progress else None
    stopped: BaseException | None = None
    with open_store(path) as store:
        ctx = SyncContext(spec, registry, store, adapter, adapter, {}, "none")
        run = store.start_run(f"push:{spec.path}", "push", lock=False)

        def event(stage: str, done: int, total: int | None) -> None:
            if progress is not None and task is not None:
                progress.update(task, completed=done + len(refused))

        applier = Applier(ctx, run.run_id, on_event=event, hooks=False)  # called here
        plan = Plan(str(spec.path), "push", "push", target, "none", run.started_at,
                    tuple(items))
        try:
            await applier.apply(plan)
        except AuthError as exc:
            stopped = exc
        finally:
            store.finish_run(run.run_id, "aborted" if stopped else "finished", {})
            await adapter.aclose()
            client.close()
    if folder is not None:
        folder.cleanup()
    by_index = {int(e.source_id.partition(":")[0]): e for e in applier.entries}
    outcomes = []
    for index in range(len(documents)):
        if index in refused:
            outcome = Outcome(index, labels[index], FAILED, reason=refused[index],
                              error="WriteVetoedError")
        else:
            entry = by_index[index]
            kind = {"unchanged": CREATED, "deferred": FAILED}.get(entry.outcome, entry.outcome)
            outcome = Outcome(index, labels[index], kind, id=entry.target_id,
                              reason=entry.message if kind != CREATED else None,
                              error=entry.reason if kind != CREATED else None)
        hook.passeur_after_write(system=system, doctype=doctype, record=documents[index],
                                 outcome=outcome)
        outcomes.append(outcome)
    return outcomes, stopped


def _report(outcomes: list[Outcome], doctype: str) -> None:
    bad = [o for o in outcomes if o.outcome != CREATED]
    if bad:
        table = Table("#", "document", "outcome", "reason", show_lines=False)
        for o in bad:
            style = "red" if o.outcome == FAILED else "yellow"
            table.add_row(str(o.index + 1), escape(redact_text(o.key)),
                          styled(f"[{style}]{escape(str(o.outcome))}[/]"),
                          escape(redact_text(o.reason or "")))
        console.print(table)
    counts = {k: sum(o.outcome == k for o in outcomes) for k in (CREATED, FAILED, UNCERTAIN)}
    console.print(f"{counts[CREATED]} created, {counts[FAILED]} failed, "
                  f"{counts[UNCERTAIN]} uncertain ({len(outcomes)} {doctype} document(s))",
                  markup=False)


@cli.command("push", help=HELP, short_help="Create documents in a live system.")
@click.argument("connection_path", metavar="CONNECTION", type=click.Path(dir_okay=False))
@click.argument("doctype", metavar="DOCTYPE")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Documents in flight at once (the rate budget still applies).")
@click.option("--store", "store_path", type=click.Path(dir_okay=False), default=None,
              help="Keep the write intents and the ledger in this state file (default: a "
              "temporary one); a re-run with the same store reconciles what was unsure.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the outcome of every document as JSON.")
@live_options
@click.pass_context
@handle_errors
def push(ctx: click.Context, connection_path: str, doctype: str, input_path: str,
         concurrency: int, store_path: str | None, as_json: bool) -> None:
    registry = registry_of(ctx)
    connection = load_connection(connection_path, registry)
    check_operation(connection, doctype, "create", registry)
    documents = read_input(input_path)
    if not as_json and err_console.is_terminal and documents:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err_console, transient=True) as bar:
            outcomes, stopped = asyncio.run(_push(connection, registry, doctype, documents,
                                                  concurrency, store_path, bar))
    else:
        outcomes, stopped = asyncio.run(_push(connection, registry, doctype, documents,
                                              concurrency, store_path, None))
    if as_json:
        counts = {k: sum(o.outcome == k for o in outcomes) for k in (CREATED, FAILED, UNCERTAIN)}
        print_json({"connection": connection_path, "system": connection.system.name,
                    "variant": connection.variant, "doctype": doctype, **counts,
                    "documents": [o.as_json() for o in outcomes]})
    else:
        _report(outcomes, doctype)
    if stopped is not None:
        err_console.print(f"error: {redact_text(str(stopped))}", markup=False, highlight=False)
        ctx.exit(EXIT_REMOTE)
    ctx.exit(exit_code_for_outcomes(outcomes))
