"""`passeur status`: how one sync file is doing, from its store and its flow."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from passeur.cli.app import cli, console, handle_errors, print_json, registry_of
from passeur.cli.sync_cmd import summary_line

__all__ = ["load_status", "status_tables"]


def load_status(registry: Any, sync_path: str, store_path: str | None) -> dict[str, Any]:
    """The status document of a sync file (what --json prints)."""
    from passeur.cli.sync_cmd import _flow_of
    from passeur.engine.sync.flows import FlowContext
    from passeur.ops.status import status_document
    from passeur.state import is_store_url, open_store

    spec, flow = _flow_of(registry, sync_path, False)
    where = store_path or spec.store
    if not (isinstance(where, str) and is_store_url(where)) and not Path(where).exists():
        # status reads only: a store not made yet (or a mistyped --store) is read as an
        # empty one, not created with its folders where the next sync would find it
        with tempfile.TemporaryDirectory() as folder, \
                open_store(Path(folder) / "empty.db") as store:
            return asyncio.run(status_document(FlowContext(spec, registry, store), flow))
    with open_store(where) as store:
        return asyncio.run(status_document(FlowContext(spec, registry, store), flow))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def status_tables(document: dict[str, Any]) -> list[Table]:
    tables = []
    for found in document["tables"]:
        table = Table(title=found["title"], title_justify="left")
        for column in found["columns"]:
            table.add_column(column, overflow="fold")
        for row in found["rows"]:
            table.add_row(*(_cell(v) for v in row))
        tables.append(table)
    return tables


def _run_line(run: dict[str, Any] | None) -> str:
    if run is None:
        return "none"
    return (f"{run['run']} ({run['mode']}, {run['status']}) at {run['started_at']}: "
            f"{summary_line(run['summary'])}")


@cli.command("status", short_help="How a sync file is doing: runs, errors, the flow's view.",
             help="""Show, from the sync file's store: how many runs it had, the last one,
the last that succeeded entirely, the last error (the first record that did not succeed),
the outcomes over all runs, where `passeur watch` is (next run, last poll), and the tables
the sync file's flow gives (the CodaBox flow: one row per financial journal of every office;
the documents flow: the cursor and bindings per document type). Reads only.

\b
--json prints one document (docs/sync.md, "Status"):
  {"passeur_status": 1, "sync", "file", "flow", "generated_at",
   "runs": {"count", "last", "last_success", "last_error", "outcomes"},
   "watch": {"next_due", "interval", "last_poll", ...} or null,
   "tables": [{"title", "columns", "rows"}]}

\b
Examples:
  passeur status codabox-to-clearfacts.toml
  passeur status acomba-to-vf.toml --json | jq '.runs.last_error'
""")
@click.argument("sync_path", metavar="SYNCFILE", type=click.Path(dir_okay=False))
@click.option("--store", "store_path", type=click.Path(dir_okay=False), default=None,
              help="The state file (default: the sync file's `store`).")
@click.option("--json", "as_json", is_flag=True, help="Print the status document as JSON.")
@click.pass_context
@handle_errors
def status_command(ctx: click.Context, sync_path: str, store_path: str | None,
                   as_json: bool) -> None:
    document = load_status(registry_of(ctx), sync_path, store_path)
    if as_json:
        print_json(document)
        return
    runs = document["runs"]
    lines = [f"sync {document['sync']} (flow {document['flow']}): {document['file']}",
             f"runs: {runs['count']}", f"last run: {_run_line(runs['last'])}",
             f"last success: {_run_line(runs['last_success'])}"]
    error = runs["last_error"]
    lines.append("last error: " + (f"{error['run']} at {error['at']}: {error['message']}"
                                   if error else "none"))
    lines.append(f"outcomes over all runs: {summary_line(runs['outcomes'])}")
    watch = document["watch"]
    if watch is None:
        lines.append("watch: not watched (`passeur watch` keeps it polled)")
    else:
        who = watch["watcher"] or "no watcher running"
        failed = f": {watch['last_error']}" if watch["last_error"] else ""
        lines.append(f"watch: next run at {watch['next_due']}, last poll "
                     f"{watch['last_poll'] or 'never'} ({watch['last_status'] or '-'}"
                     f"{failed}); {who}")
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    for table in status_tables(document):
        console.print(table)
