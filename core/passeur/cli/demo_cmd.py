"""`passeur demo`: the main job, a real sync between two live systems, with nothing to set up.

Which systems take part is not core's business: a plugin declares a `DemoScenario`
(`SystemSpec.demo`), and this command starts both sandboxes on free loopback ports, writes
the connection and sync files a user would write, syncs, lets the scenario edit the source,
and syncs again.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import click
from rich.panel import Panel

from passeur.cli.app import EXIT_FAILURE, cli, console, handle_errors, print_json, registry_of
from passeur.cli.tracing import live_options
from passeur.errors import UsageError
from passeur.plugins import Registry

__all__ = ["scenarios"]


def scenarios(registry: Registry) -> dict[str, Any]:
    """The demo scenarios the installed plugins declare, by name."""
    found: dict[str, Any] = {}
    for spec in registry.systems.values():
        if spec.demo is not None:
            scenario = spec.demo()
            found[scenario.name] = scenario
    return found


def _toml(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _connection(path: Path, system: str, settings: Mapping[str, Any]) -> None:
    lines = [f"# {path.name}: written by passeur demo", f"system = {_toml(system)}", "",
             "[settings]"]
    lines += [f"{k} = {_toml(v)}" for k, v in settings.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@contextlib.contextmanager
def _sandbox(registry: Registry, side: Any) -> Iterator[tuple[Any, str]]:
    from passeur.sandbox import serve_in_thread

    spec, _ = registry.resolve(side.system)
    if spec.sandbox_factory is None:
        raise UsageError(f"the demo needs a sandbox of {side.system}, which has none")
    app = spec.sandbox_factory(**side.options)
    server = serve_in_thread(app)
    try:
        yield app, server.base_url
    finally:
        server.stop()


@contextlib.contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _folder(where: str | None) -> contextlib.AbstractContextManager[str]:
    if where is not None:
        Path(where).mkdir(parents=True, exist_ok=True)
        return contextlib.nullcontext(where)
    return tempfile.TemporaryDirectory(prefix="passeur-demo-")


def census(registry: Registry, sync: str) -> dict[str, Any]:
    """How many documents the target holds, and which idempotency keys it holds twice."""
    import asyncio

    from passeur.engine.sync import load_sync_file, open_context
    from passeur.state import open_store

    spec = load_sync_file(sync, registry)
    with open_store(spec.store) as store:
        ctx = open_context(spec, registry, store)

        async def count() -> dict[str, Any]:
            keys: list[str] = []
            try:
                for doctype in spec.doctypes:
                    async for record in ctx.target.alist(doctype):
                        keys.append(ctx.target.key_of(doctype, record) or "?")
            finally:
                await ctx.aclose()
            return {"documents": len(keys),
                    "duplicates": sorted({k for k in keys if keys.count(k) > 1})}

        return asyncio.run(count())


def _run_json(report: Any) -> dict[str, Any]:
    return {"run": report.run.run_id, "summary": report.summary, "ok": report.ok,
            "records": [e.as_json() for e in report.entries]}


@cli.command("demo", short_help="A real sync between two sandboxes, nothing to set up.")
@click.option("--dir", "where", type=click.Path(file_okay=False), default=None,
              help="Keep the connection files, sync file and state store here (default: a "
              "temporary folder, removed at the end).")
@click.option("--scenario", "name", default=None,
              help="Which scenario to run, when plugins declare several.")
@click.option("--json", "as_json", is_flag=True,
              help="Print both runs and every record as one JSON object.")
@live_options
@click.pass_context
@handle_errors
def demo_command(ctx: click.Context, where: str | None, name: str | None,
                 as_json: bool) -> None:
    """Start two live-system sandboxes on free loopback ports (Acomba through ERP Connector,
    and VosFactures, as the built-in plugins declare), fill the source with realistic
    invoices, and sync them into the target: clients and products are created there, every
    invoice once. Then edit two source invoices and add one, and sync again: one created,
    the edits as updates (or conflicts, where the target allows no update), the rest
    unchanged, nothing duplicated. State lives in an embedded SQLite file.

    \b
    Next steps:
      passeur demo --dir demo/          # keep the files, then read demo/sync.toml
      passeur runs --sync demo/sync.toml   # the two runs; `runs show RUN` a ledger
      passeur bindings list --sync demo/sync.toml   # which record is which

    The sandboxes stop with the demo, so `plan` and `sync` on demo/sync.toml need live
    systems (or `passeur sandbox` ones) at the URLs of demo/source.toml and target.toml,
    with the secrets those files name in the environment.
    """
    from passeur.cli.sync_cmd import ledger_table, run_sync_file, summary_line

    registry = registry_of(ctx)
    found = scenarios(registry)
    if not found:
        raise UsageError("no installed plugin declares a demo scenario")
    if name is not None and name not in found:
        raise UsageError(f"no demo scenario {name!r} (there is: {', '.join(sorted(found))})")
    scenario = found[name] if name is not None else found[sorted(found)[0]]
    say = (lambda *a, **k: None) if as_json else console.print
    with _folder(where) as folder, _environment(scenario.environment), \
            _sandbox(registry, scenario.source) as (source_app, source_url), \
            _sandbox(registry, scenario.target) as (_, target_url):
        base = Path(folder)
        count = scenario.seed(source_app)
        _connection(base / "source.toml", scenario.source.system,
                    scenario.source.settings(source_url))
        _connection(base / "target.toml", scenario.target.system,
                    scenario.target.settings(target_url))
        doctypes = ", ".join(f'"{d}"' for d in scenario.doctypes)
        (base / "sync.toml").write_text(
            f"# {scenario.title}, written by passeur demo (docs/sync.md)\n"
            f'store = "state.db"\ndoctypes = [{doctypes}]\n\n[source]\n'
            f'connection = "source.toml"\n\n[target]\nconnection = "target.toml"\n\n'
            '[policy]\non_missing_reference = "create"\n', encoding="utf-8")
        sync = str(base / "sync.toml")
        say(Panel.fit(f"{scenario.title}: {count} documents seeded in the "
                      f"{scenario.source.system} sandbox ({source_url}); syncing into "
                      f"{scenario.target.system} ({target_url})", title="passeur demo"))
        first = run_sync_file(registry, sync, progress=not as_json)
        say(ledger_table(first.entries, "first run", True))
        say(summary_line(first.summary), markup=False)
        changes = scenario.change(source_app)
        say("[bold]meanwhile in the source:[/]", markup=True)
        for line in changes:
            say(f"  {line}", markup=False)
        second = run_sync_file(registry, sync, progress=not as_json)
        say(ledger_table(second.entries, "second run", True))
        say(summary_line(second.summary), markup=False)
        held = census(registry, sync)
    created = second.summary.get("created", 0)
    invoices = sum(1 for e in second.entries if e.doctype in scenario.doctypes)
    ok = (first.ok and second.ok and created == scenario.expect_created
          and not held["duplicates"] and held["documents"] == invoices)
    if as_json:
        print_json({"scenario": scenario.name, "seeded": count, "changes": changes,
                    "first": _run_json(first), "second": _run_json(second), "target": held,
                    "ok": ok})
    elif ok:
        console.print(f"[green]ok[/]: the second run created {created} document(s); the "
                      f"target holds {held['documents']}, each once"
                      + (f"; files kept in {where}" if where else ""), markup=True)
    else:
        console.print(f"[red]not as expected[/]: the second run created {created} "
                      f"document(s) ({scenario.expect_created} expected); the target holds "
                      f"{held['documents']} for {invoices} source documents, duplicated: "
                      f"{', '.join(held['duplicates']) or 'none'}", markup=True)
    if not ok:
        ctx.exit(EXIT_FAILURE)
