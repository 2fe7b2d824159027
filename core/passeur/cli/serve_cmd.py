"""`passeur serve`: the monitoring page of a sync file on a local port (passeur.web)."""

from __future__ import annotations

import socket
from collections.abc import Collection
from typing import Any

import click

from passeur.cli.app import cli, console, err_console, handle_errors, registry_of
from passeur.errors import UsageError


def build_app(registry: Any, sync_path: str, store_path: str | None,
              refresh: float = 5.0, hosts: Collection[str] | None = None,
              remote: bool = False) -> tuple[Any, Any, Any]:
    """The ASGI app of a sync file, with its checked sync file and the open store (the
    caller closes it); with `hosts`, only requests naming one of them in Host (refused
    with 421 when `remote`, else 400)."""
    from passeur.cli.sync_cmd import _flow_of
    from passeur.engine.sync.flows import FlowContext
    from passeur.ops.status import ledger_document, status_document
    from passeur.state import open_store
    from passeur.web.app import create_app

    spec, flow = _flow_of(registry, sync_path, False)
    store = open_store(store_path or spec.store)
    flow_ctx = FlowContext(spec, registry, store)
    sync = str(spec.path)

    async def status() -> dict[str, Any]:
        return await status_document(flow_ctx, flow)

    def runs(run_id: str | None) -> dict[str, Any]:
        return ledger_document(store, sync, run_id)

    return create_app(spec.name, status, runs, refresh=refresh, hosts=hosts,
                      remote=remote), spec, store


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARDS = frozenset({"0.0.0.0", "::", ""})


def served_names(host: str, names: Collection[str] = ()) -> set[str]:
    """The names a request may give in Host: `host` itself and `names` (--name); on a
    wildcard address also the loopback names, this machine's host name (short and
    fully qualified) and the addresses it resolves to; on loopback the loopback names."""
    from passeur.sandbox.server import is_loopback

    found = {host.lower().strip("[]"), *(n.lower().strip("[]") for n in names)}
    if host in WILDCARDS or is_loopback(host):
        found |= LOOPBACK_NAMES
    if host in WILDCARDS:
        own = {socket.gethostname(), socket.getfqdn()}
        found |= {n.lower() for n in own if n}
        for name in own:
            try:
                found |= {str(a[4][0]).lower() for a in socket.getaddrinfo(name, None)}
            except OSError:
                continue
    return found - {""}


@cli.command("serve", short_help="The status of a sync file as a local web page.",
             help="""Serve the monitoring page of a sync file: one table per table of
`passeur status` (per office, for CodaBox), sortable by clicking a header, and the runs
with the latest run's ledger beside them, refreshed every few seconds without reloading
the page. The page reads the same store as `passeur status` (its data at /api/status, the
same JSON as `passeur status --json`, and /api/runs; ?run=RUN for another run's ledger) and
writes nothing. No external asset is loaded.

It listens on 127.0.0.1 only by default: there is no login, so another address needs
--allow-remote and is served with a warning. A request whose Host header is not a name
the page is served under is refused, so no web page can rebind its own name to read it:
on loopback, a name other than a loopback one (400); with --allow-remote, one other than
--host, the --name values (the names a proxy or the users reach it by) and, on 0.0.0.0 or
::, the loopback names, the machine's name and its addresses (421). --port 0 (the
default) picks a free port; the address is printed. Ctrl-C or SIGTERM stops it.

\b
Examples:
  passeur serve codabox-to-clearfacts.toml
  passeur serve acomba-to-vf.toml --port 8765 --refresh 10
""")
@click.argument("sync_path", metavar="SYNCFILE", type=click.Path(dir_okay=False))
@click.option("--store", "store_path", type=click.Path(dir_okay=False), default=None,
              help="The state file (default: the sync file's `store`).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=0, type=click.IntRange(0, 65535), show_default=True,
              help="Port to listen on (0: a free one).")
@click.option("--allow-remote", is_flag=True,
              help="Allow a non-loopback --host (the page has no authentication).")
@click.option("--name", "names", multiple=True, metavar="NAME",
              help="Another name the page is reached by (a Host header to accept; "
                   "repeatable).")
@click.option("--refresh", default=5.0, type=click.FloatRange(0.5, 3600), show_default=True,
              help="Seconds between the page's refreshes.")
@click.pass_context
@handle_errors
def serve_command(ctx: click.Context, sync_path: str, store_path: str | None, host: str,
                  port: int, allow_remote: bool, names: tuple[str, ...],
                  refresh: float) -> None:
    import uvicorn

    from passeur.sandbox.server import is_loopback

    if not is_loopback(host):
        if not allow_remote:
            raise UsageError(f"--host {host} is not a loopback address and the page has no "
                             "authentication; add --allow-remote to serve it anyway (behind "
                             "a proxy that authenticates, say)")
        err_console.print(f"warning: serving on {host}: anyone who can reach it sees this "
                          "sync's status and ledger (there is no authentication)",
                          markup=False, highlight=False)
    # Only the served names in Host (a rebinding page names its own).
    app, spec, store = build_app(registry_of(ctx), sync_path, store_path, refresh,
                                 served_names(host, names), remote=not is_loopback(host))
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        store.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)  # connections queue from now on: the printed address answers
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    console.print(f"serving {spec.name} at http://{shown}:{bound}/ (Ctrl-C stops)",
                  markup=False, highlight=False)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        store.close()
