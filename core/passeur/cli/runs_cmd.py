"""`passeur runs` (the ledger, for accountants) and `passeur bindings` (which record is which
in every system)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from passeur.cli.app import cli, console, handle_errors, print_json, registry_of
from passeur.cli.sync_cmd import ledger_table, summary_line
from passeur.errors import UsageError

DEFAULT_STORE = "passeur-state.db"
CSV_COLUMNS = ("run", "seq", "at", "doctype", "source_system", "source_id", "source_number",
               "target_system", "target_id", "outcome", "reason", "message",
               "mapping_version")


def _store_path(ctx: click.Context, store: str | None, sync: str | None) -> Path | str:
    if store is not None and sync is not None:
        raise UsageError("give --store or --sync, not both")
    if sync is not None:
        from passeur.engine.sync.syncfile import sync_file_store

        return sync_file_store(sync, registry_of(ctx))
    from passeur.state.base import is_store_url

    if store is not None and is_store_url(store):
        return store
    path = Path(store or DEFAULT_STORE)
    if not path.exists():
        raise UsageError(f"no store at {path}; give --store FILE or --sync SYNCFILE")
    return path


def _where(func: Any) -> Any:
    func = click.option("--sync", "sync", type=click.Path(dir_okay=False, exists=True),
                        default=None, help="Use the store of this sync file.")(func)
    return click.option("--store", "store", type=click.Path(dir_okay=False), default=None,
                        help=f"The state file (default: ./{DEFAULT_STORE}), or a "
                        "postgresql:// URL.")(func)


def _open(ctx: click.Context, store: str | None, sync: str | None) -> Any:
    from passeur.state import open_store

    return open_store(_store_path(ctx, store, sync))


@cli.group("runs", invoke_without_command=True, short_help="List sync runs; export a ledger.",
           help="""List the runs kept in a store, latest first, with their summary; `runs show
RUN` gives the ledger of one run: every record with its source number, target id, outcome,
message and mapping version (--csv for a spreadsheet, --json for scripts).

\b
Examples:
  passeur runs --sync acomba-to-vf.toml
  passeur runs show 20240601T090000-a1b2c3 --store passeur-state.db --csv > ledger.csv
""")
@_where
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
@click.pass_context
@handle_errors
def runs_group(ctx: click.Context, store: str | None, sync: str | None, as_json: bool) -> None:
    ctx.ensure_object(dict)
    if ctx.invoked_subcommand is not None:
        return
    with _open(ctx, store, sync) as state:
        runs = state.runs()
    if as_json:
        print_json([{"run": r.run_id, "sync": r.sync, "mode": r.mode, "status": r.status,
                     "started_at": r.started_at, "finished_at": r.finished_at,
                     "summary": dict(r.summary)} for r in runs])
        return
    table = Table("run", "sync file", "mode", "status", "started", "summary")
    for r in runs:
        table.add_row(r.run_id, Path(r.sync).name, r.mode, r.status, r.started_at,
                      summary_line(dict(r.summary)))
    console.print(table)


@runs_group.command("show", help="The ledger of one run (RUN from `passeur runs`).")
@click.argument("run_id", metavar="RUN")
@_where
@click.option("--csv", "as_csv", is_flag=True, help="Write the ledger as CSV.")
@click.option("--json", "as_json", is_flag=True, help="Write the ledger as JSON.")
@click.pass_context
@handle_errors
def runs_show(ctx: click.Context, run_id: str, store: str | None, sync: str | None,
              as_csv: bool, as_json: bool) -> None:
    with _open(ctx, store, sync) as state:
        run = state.run(run_id)
        if run is None:
            known = ", ".join(r.run_id for r in state.runs()[:5]) or "none"
            raise UsageError(f"no run {run_id!r} in the store (latest: {known})")
        entries = state.ledger(run_id)
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(CSV_COLUMNS)
        for e in entries:
            data = e.as_json()
            writer.writerow(["" if data[c] is None else data[c] for c in CSV_COLUMNS])
        return
    if as_json:
        print_json({"run": run.run_id, "sync": run.sync, "status": run.status,
                    "summary": dict(run.summary), "records": [e.as_json() for e in entries]})
        return
    console.print(ledger_table(entries, f"run {run.run_id} ({run.status})", True))
    console.print(summary_line(dict(run.summary)), markup=False)


@cli.group("bindings", short_help="Which record is which in every system.",
           help="""Bindings join the copies of one business document across systems (its id,
version and content hash in each). `list` and `show` read them; `relink` points one system's
side at another record (after a manual fix); `forget` drops a binding so the next sync
treats the document as new (it then adopts or creates it).

\b
Examples:
  passeur bindings list --sync acomba-to-vf.toml --type invoice
  passeur bindings relink 12 vosfactures 10042 --sync acomba-to-vf.toml
  passeur bindings forget 12 --sync acomba-to-vf.toml
""")
def bindings_group() -> None:
    pass


def _members(binding: Any) -> str:
    return "; ".join(f"{m.system}: {m.record_id}" + (f" ({m.number})" if m.number and
                                                    m.number != m.record_id else "")
                     for m in binding.members)


def _binding_json(binding: Any) -> dict[str, Any]:
    return {"doc": binding.doc_id, "doctype": binding.doctype, "members": [
        {"system": m.system, "id": m.record_id, "number": m.number, "version": m.version,
         "hash": m.content_hash} for m in binding.members]}


@bindings_group.command("list", help="Every binding (of one type, or touching one system).")
@_where
@click.option("--type", "doctype", default=None, help="Only this document type.")
@click.option("--system", default=None, help="Only bindings with a record in this system.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@handle_errors
def bindings_list(ctx: click.Context, store: str | None, sync: str | None,
                  doctype: str | None, system: str | None, as_json: bool) -> None:
    with _open(ctx, store, sync) as state:
        found = list(state.bindings(doctype, system))
    if as_json:
        print_json([_binding_json(b) for b in found])
        return
    table = Table("doc", "type", "records")
    for b in found:
        table.add_row(str(b.doc_id), b.doctype, _members(b))
    console.print(table)
    console.print(f"{len(found)} binding(s)", markup=False)


@bindings_group.command("show", help="One binding with versions and hashes.")
@click.argument("doc_id", type=int)
@_where
@click.pass_context
@handle_errors
def bindings_show(ctx: click.Context, doc_id: int, store: str | None, sync: str | None) -> None:
    with _open(ctx, store, sync) as state:
        binding = state.get_binding(doc_id)
    if binding is None:
        raise UsageError(f"no binding {doc_id}")
    print_json(_binding_json(binding))


@bindings_group.command("relink", help="Point SYSTEM's side of binding DOC at RECORD_ID.")
@click.argument("doc_id", type=int)
@click.argument("system")
@click.argument("record_id")
@_where
@click.pass_context
@handle_errors
def bindings_relink(ctx: click.Context, doc_id: int, system: str, record_id: str,
                    store: str | None, sync: str | None) -> None:
    from passeur.state import Member

    with _open(ctx, store, sync) as state:
        binding = state.get_binding(doc_id)
        if binding is None:
            raise UsageError(f"no binding {doc_id}")
        if binding.member(system) is not None:
            if len(binding.members) == 1:
                raise UsageError(f"binding {doc_id} holds only that record; `passeur "
                                 f"bindings forget {doc_id}` instead")
            state.forget(doc_id, system)
        again = state.bind(binding.doctype, Member(system, record_id), doc_id=doc_id)
    console.print(f"binding {again.doc_id}: {_members(again)}", markup=False)


@bindings_group.command("forget", help="Drop binding DOC (or only SYSTEM's side of it).")
@click.argument("doc_id", type=int)
@click.option("--system", default=None, help="Forget only this system's record.")
@_where
@click.pass_context
@handle_errors
def bindings_forget(ctx: click.Context, doc_id: int, system: str | None, store: str | None,
                    sync: str | None) -> None:
    with _open(ctx, store, sync) as state:
        if not state.forget(doc_id, system):
            raise UsageError(f"no binding {doc_id}" + (f" with a record in {system}"
                                                       if system else ""))
    console.print(f"forgot binding {doc_id}" + (f" in {system}" if system else ""),
                  markup=False)
