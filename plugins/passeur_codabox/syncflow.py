"""`flow = "codabox-clearfacts"`: the flow's declaration for `passeur sync`, `passeur
status` and `passeur watch` (`passeur.engine.sync.flows.SyncFlow`).

[source] is CodaBox as the software vendor sees it (a codabox connection: base_url and
software_company; no login), [target] the ClearFacts account; each office's login and
journals are the flow's own keys (`flow_config`). This module is imported with every
registry, so the flow's modules are imported only when it runs.
"""

from __future__ import annotations

import datetime
from typing import Any

from passeur import UsageError
from passeur.sync import FlowContext, FlowFile, StatusTable, SyncFlow

__all__ = ["KEYS", "NAME", "SYNC_FLOW", "office_clients"]

NAME = "codabox-clearfacts"
#: The top-level keys this flow adds to a sync file.
KEYS = ("statements", "invoices", "delivery", "resolve", "offices")


def _parse(file: FlowFile) -> Any:
    from passeur_codabox.flow_config import parse_options

    for key, system in (("source", "codabox"), ("target", "clearfacts")):
        side = file.side(key)
        if side.connection.system.name != system:
            raise UsageError(f"{file.where(key)}: [{key}] of flow {NAME!r} is a {system} "
                             f"connection, not {side.connection.system.name}")
    return parse_options({k: file.data[k] for k in KEYS if k in file.data}, file.where,
                         file.path.parent, file.environ)


def office_clients(ctx: FlowContext, options: Any) -> dict[str, Any]:
    """One CodaBox client per office: the [source] connection with the office's login."""
    source = ctx.spec.source.connection
    factory = source.system.client_factory
    assert factory is not None  # the codabox system declares its client
    return {office.name: factory(office.settings(source.settings), settings=source.http)
            for office in options.offices}


async def _run(ctx: FlowContext, options: Any, *, mode: str = "sync", replay: bool = False,
               full: bool = False, since: datetime.date | None = None,
               on_event: Any = None) -> Any:
    from passeur_codabox.flow import run_flow

    if full or since is not None:
        raise UsageError(f"{ctx.spec.path}: --full and --since mean nothing to flow {NAME!r}"
                         " (each feed's offset says what is new); --replay delivers what "
                         "waits in the redownload feeds")
    return await run_flow(ctx.store, options, office_clients(ctx, options),
                          ctx.spec.target.connection.client(), sync=str(ctx.spec.path),
                          replay=replay, registry=ctx.registry, mode=mode,
                          on_event=on_event)


async def _plan(ctx: FlowContext, options: Any, *, replay: bool = False, full: bool = False,
                since: datetime.date | None = None, on_event: Any = None) -> Any:
    from passeur_codabox.flow_plan import plan_flow

    if full or since is not None:
        raise UsageError(f"{ctx.spec.path}: --full and --since mean nothing to flow {NAME!r}"
                         " (each feed's offset says what is new)")
    return await plan_flow(ctx.store, options, office_clients(ctx, options),
                           sync=str(ctx.spec.path), name=ctx.spec.name, replay=replay)


def _status(ctx: FlowContext, options: Any) -> list[StatusTable]:
    from passeur_codabox.flow_status import status_tables

    return [StatusTable(t["title"], tuple(t["columns"]),
                        tuple(tuple(_cell(row[c]) for c in t["columns"]) for row in t["rows"]))
            for t in status_tables(ctx.store, options, str(ctx.spec.path))]


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return value


async def _poll_interval(ctx: FlowContext, options: Any) -> float | None:
    """The longest `fetch_delay` of the offices' logins: CodaBox's wish for how often
    each is polled (an office that cannot be asked says nothing)."""
    import asyncio  # here, not at plugin load: a start that syncs nothing never needs it

    from passeur import PasseurError

    delays = []
    for client in office_clients(ctx, options).values():
        try:
            pod = await asyncio.to_thread(client.pod_client)
        except PasseurError:
            continue
        delay = pod.get("fetch_delay")
        if isinstance(delay, int | float) and not isinstance(delay, bool) and delay >= 0:
            delays.append(float(delay))
    return max(delays) if delays else None


SYNC_FLOW = SyncFlow(
    name=NAME,
    title="CodaBox feeds (CODA statements of activated journals, e-invoices) to ClearFacts",
    keys=KEYS,
    parse=_parse,
    run=_run,
    plan=_plan,
    replay="read each feed's redownload feed first and deliver the statements of journals "
           "activated since they were skipped",
    status=_status,
    poll_interval=_poll_interval,
)
