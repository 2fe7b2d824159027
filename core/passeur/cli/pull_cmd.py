"""`passeur pull`: every document of one type from a live system, as NDJSON."""

from __future__ import annotations

import datetime
import sys
from typing import Any, TextIO

import click
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from passeur.cli.app import cli, err_console, handle_errors, print_json, registry_of
from passeur.cli.tracing import live_options
from passeur.engine.connection import Connection, load_connection
from passeur.errors import TransportError, UsageError
from passeur.http import dumps_json
from passeur.outputs import atomic_text_output

HELP = """Read every document of one type from a live system and write it as NDJSON
(one JSON document per line, in the system's own form, numbers exact).

\b
CONNECTION is a TOML connection file (see docs/connections.md); its secrets
come from environment variables. Every page is read to the end (VosFactures
with period=all, ERP Connector with $skip/$top). --since keeps documents
issued (VosFactures invoices, ERP Connector) or changed (other VosFactures
collections) on or after DATE.

\b
Examples:
  export ACME_VOSFACTURES_TOKEN=...
  passeur pull acme.toml invoice -o invoices.ndjson
  passeur pull acme.toml client --since 2025-01-01 > clients.ndjson
  passeur pull acomba.toml invoice --since 2024-01-01 -o f.ndjson --json
"""


def check_operation(connection: Connection, doctype: str, operation: str,
                    registry: Any) -> None:
    """Refuse, before any call, an operation the system (or its variant) does not grant."""
    spec = registry.document_type(connection.system.name, doctype)
    caps = spec.capabilities_for(connection.variant)
    if not getattr(caps, operation):
        who = connection.variant or connection.system.name
        raise UsageError(f"{who} cannot {operation} {doctype} documents (it allows: "
                         f"{', '.join(caps.granted()) or 'nothing'})")


def _write_all(client: Any, doctype: str, since: datetime.date | None, out: TextIO,
               progress: Progress | None, to_file: bool) -> int:
    count = 0
    task = progress.add_task(f"pulling {doctype}", total=None) if progress else None
    try:
        for document in client.iter_documents(doctype, since=since):
            out.write(dumps_json(document).decode("utf-8") + "\n")
            count += 1
            if progress is not None and task is not None:
                progress.update(task, completed=count, description=f"pulled {count} {doctype}")
    except TransportError:
        if to_file:
            err_console.print(f"note: {count} document(s) were read before the error; the "
                              "output file was not written (it is replaced only by a complete "
                              "pull)", markup=False)
        else:
            out.flush()
            err_console.print(f"note: {count} document(s) were written before the error",
                              markup=False)
        raise
    return count


@cli.command("pull", help=HELP, short_help="Read documents from a live system as NDJSON.")
@click.argument("connection_path", metavar="CONNECTION",
                type=click.Path(dir_okay=False))
@click.argument("doctype", metavar="DOCTYPE")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              metavar="DATE", help="Only documents issued/changed on or after DATE (YYYY-MM-DD).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-",
              show_default=True, help="NDJSON file to write (- for standard output).")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON summary (on standard error when the documents go to "
              "standard output).")
@live_options
@click.pass_context
@handle_errors
def pull(ctx: click.Context, connection_path: str, doctype: str,
         since: datetime.datetime | None, output: str, as_json: bool) -> None:
    registry = registry_of(ctx)
    connection = load_connection(connection_path, registry)
    check_operation(connection, doctype, "list", registry)
    day = since.date() if since is not None else None
    client = connection.client()
    to_stdout = output == "-"
    show = not as_json and err_console.is_terminal
    try:
        with (atomic_text_output(output, inputs=[connection_path]) if not to_stdout
              else _Keep(sys.stdout)) as out:
            if show:
                with Progress(SpinnerColumn(), TextColumn("{task.description}"),
                              TimeElapsedColumn(), console=err_console, transient=True) as bar:
                    count = _write_all(client, doctype, day, out, bar, not to_stdout)
            else:
                count = _write_all(client, doctype, day, out, None, not to_stdout)
    finally:
        client.close()
    summary = {"connection": connection_path, "system": connection.system.name,
               "variant": connection.variant, "doctype": doctype,
               "since": day.isoformat() if day else None, "count": count,
               "output": None if to_stdout else output}
    if as_json and not to_stdout:
        print_json(summary)
    elif as_json:
        err_console.print_json(data=summary)
    else:
        where = "standard output" if to_stdout else output
        err_console.print(f"pulled {count} {doctype} document(s) to {where}", markup=False)


class _Keep:
    """Standard output as a context manager that is not closed at the end."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __enter__(self) -> TextIO:
        return self.stream

    def __exit__(self, *exc: object) -> None:
        self.stream.flush()
