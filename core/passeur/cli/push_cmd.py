"""`passeur push`: create documents in a live system, with one outcome per document."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Mapping
from typing import Any

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from passeur.cli.app import (
    EXIT_FAILURE,
    EXIT_OK,
    cli,
    console,
    err_console,
    handle_errors,
    print_json,
    registry_of,
    styled,
)
from passeur.cli.pull_cmd import check_operation
from passeur.engine.connection import load_connection
from passeur.engine.io import InputProblem, iter_documents
from passeur.engine.lifecycle import after_write_notifier, vetted_create
from passeur.errors import InputError
from passeur.http import CREATED, FAILED, UNCERTAIN, Outcome, create_all

HELP = """Create documents in a live system and report, for each one, whether it was
created, failed (with the reason) or is uncertain (it may have been created:
the answer was lost; look it up before pushing it again).

\b
INPUT is a file or - (standard input) holding one JSON document, a JSON array
or NDJSON, in the target system's own form (what `passeur convert` writes;
converting is its job, not push's). Documents are sent --concurrency at a time,
paced by the connection's [http] rate_limit. A VosFactures invoice with an oid
is sent with oid_unique=yes and an ERP Connector invoice with If-None-Match: *,
so a resend can never create a duplicate. Exit code 1 if any document was not
created.

\b
Examples:
  passeur push acme.toml invoice invoices.ndjson
  passeur convert f.json --from acomba --to vosfactures | passeur push acme.toml invoice -
  passeur push acomba.toml invoice payloads.json --concurrency 8 --json > outcomes.json
"""


def read_input(path: str) -> list[dict[str, Any]]:
    """Every document of INPUT, or an InputError naming each unreadable one."""
    label = "<stdin>" if path == "-" else path
    stream = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
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


async def _push(client: Any, system: str, hook: Any, doctype: str,
                documents: list[dict[str, Any]], concurrency: int,
                progress: Progress | None) -> list[Outcome]:
    task = progress.add_task(f"pushing {doctype}", total=len(documents)) if progress else None

    def advance(outcome: Outcome) -> None:
        if progress is not None and task is not None:
            progress.advance(task)

    create = vetted_create(hook, system, doctype,
                           lambda d: client.acreate_document(doctype, d))
    try:
        return await create_all(create, documents, concurrency=concurrency,
                                key=lambda d: client.document_key(doctype, d),
                                on_done=after_write_notifier(hook, system, doctype, documents,
                                                             then=advance))
    finally:
        await client.aclose()


def _report(outcomes: list[Outcome], doctype: str) -> None:
    bad = [o for o in outcomes if o.outcome != CREATED]
    if bad:
        table = Table("#", "document", "outcome", "reason", show_lines=False)
        for o in bad:
            style = "red" if o.outcome == FAILED else "yellow"
            table.add_row(str(o.index + 1), o.key,
                          styled(f"[{style}]{escape(str(o.outcome))}[/]"), o.reason or "")
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
@click.option("--json", "as_json", is_flag=True,
              help="Print the outcome of every document as JSON.")
@click.pass_context
@handle_errors
def push(ctx: click.Context, connection_path: str, doctype: str, input_path: str,
         concurrency: int, as_json: bool) -> None:
    registry = registry_of(ctx)
    connection = load_connection(connection_path, registry)
    check_operation(connection, doctype, "create", registry)
    documents = read_input(input_path)
    system, hook = connection.system.name, registry.pm.hook
    client = connection.client()
    try:
        if not as_json and err_console.is_terminal and documents:
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=err_console, transient=True) as bar:
                outcomes = asyncio.run(_push(client, system, hook, doctype, documents,
                                             concurrency, bar))
        else:
            outcomes = asyncio.run(_push(client, system, hook, doctype, documents,
                                         concurrency, None))
    finally:
        client.close()
    if as_json:
        counts = {k: sum(o.outcome == k for o in outcomes) for k in (CREATED, FAILED, UNCERTAIN)}
        print_json({"connection": connection_path, "system": connection.system.name,
                    "variant": connection.variant, "doctype": doctype, **counts,
                    "documents": [o.as_json() for o in outcomes]})
    else:
        _report(outcomes, doctype)
    ok = all(o.outcome == CREATED for o in outcomes)
    ctx.exit(EXIT_OK if ok else EXIT_FAILURE)
