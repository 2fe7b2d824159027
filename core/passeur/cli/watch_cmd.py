"""`passeur watch`: keep a sync file polled (passeur.ops.watch)."""

from __future__ import annotations

import asyncio
from typing import Any

import click

from passeur.cli.app import EXIT_FAILURE, cli, console, err_console, handle_errors, registry_of
from passeur.errors import PasseurError


@cli.command("watch", short_help="Run a sync file again and again (every hour by default).",
             help="""Run the sync file now if it is due, then every interval, until stopped:
--every, else the sync file's [schedule] every, else one hour; never more often than the
flow's server allows (CodaBox's fetch_delay: a shorter --every is raised to it, and said).
Up to --jitter is added to each interval at random (default a tenth of it, at most 5m).

The schedule lives in the store: a restarted watcher waits for the run it had planned
instead of running early, and a run started meanwhile by cron (`passeur sync`) counts.
One watcher per sync file: a second one says which process watches and exits with code 1;
a watcher whose lease lapsed (suspended for a minute) and was taken over stops after
its current run, says so, and exits with code 1.
A run is never started while another run of the sync file holds its lock (it is tried
again at the next interval).

SIGTERM or Ctrl-C stops it: at once between runs; during a run, the run is aborted at its
next step (what it recorded stays in the ledger, its lock is released, and the next run
reconciles what was in flight). The sync file is read again before each run: an edit
counts from the next run, and a file made invalid meanwhile is a failed run that says why
(the watcher goes on); after each run it is read again for the schedule ([schedule] every,
the flow's poll interval): a changed interval is said and followed from then on, and a file
that cannot be read is said and the schedule so far kept; a store deleted or replaced
under it stops it (exit 1). Each run prints one line; `passeur status` shows the rest.
--once runs at most once: if due, one run (its exit code), else the next due time. A run
is ok (exit 0) when every entry succeeded or was skipped on purpose with its reason (a
journal not activated); a failed, uncertain or deferred entry makes it exit 1.

--distributed: each due run is enqueued for `passeur worker` processes, as `passeur sync
--distributed` does, instead of run here (needs a postgresql:// store; docs/scale.md); the
line says the run id, and `passeur runs` shows how it ends. A run is not enqueued while the
last one still holds the sync file's lock (waiting for a worker, or running).

\b
Examples:
  passeur watch codabox-to-clearfacts.toml
  passeur watch acomba-to-vf.toml --every 15m --jitter 1m
  */5 * * * * passeur watch acomba-to-vf.toml --once     # from cron, same schedule
  passeur watch acomba-to-vf.toml --distributed          # runs on the workers' queue
""")
@click.argument("sync_path", metavar="SYNCFILE", type=click.Path(dir_okay=False))
@click.option("--store", "store_path", type=click.Path(dir_okay=False), default=None,
              help="The state file (default: the sync file's `store`).")
@click.option("--every", default=None, metavar="DURATION",
              help='Interval between runs: 90, "90s", "15m", "2h", "1d".')
@click.option("--jitter", default=None, metavar="DURATION",
              help="Up to this much added to each interval at random.")
@click.option("--once", is_flag=True, help="Run once if due, else say when, and exit.")
@click.option("--distributed", is_flag=True,
              help="Enqueue each due run for `passeur worker` processes instead of running "
              "it here (needs a postgresql:// store; docs/scale.md).")
@click.pass_context
@handle_errors
def watch_command(ctx: click.Context, sync_path: str, store_path: str | None,
                  every: str | None, jitter: str | None, once: bool,
                  distributed: bool) -> None:
    from passeur.cli.sync_cmd import _flow_of
    from passeur.engine.sync.flows import FlowContext
    from passeur.ops.watch import StoreGone, WatcherBusy, minimum_interval, schedule_for, watch
    from passeur.state import open_store

    registry = registry_of(ctx)
    spec, flow = _flow_of(registry, sync_path, False)
    if distributed:
        from passeur.engine.distributed import distributed_store

        store_path = distributed_store(registry, sync_path, store_path)
    store = open_store(store_path or spec.store)
    flow_ctx = FlowContext(spec, registry, store)

    def say(line: str) -> None:
        console.print(line, markup=False, highlight=False, soft_wrap=True)

    async def run_once() -> Any:
        # The sync file is read again for each run: an edit (a journal activated) counts
        # from the next run, and a file made invalid is a failed run that says why.
        if distributed:
            from passeur.engine.distributed import enqueue_sync_async

            return await enqueue_sync_async(registry, sync_path, store_url=store_path)
        fresh, fresh_flow = _flow_of(registry, sync_path, False)
        return await fresh_flow.run(FlowContext(fresh, registry, store), fresh.options,
                                    mode="watch", replay=False, full=False, since=None,
                                    on_event=None)

    def note(line: str) -> None:
        err_console.print(line, markup=False, highlight=False, soft_wrap=True)

    current: dict[str, Any] = {}

    async def reschedule() -> Any:
        """The sync file read again, with the flow's poll interval (kept from the last
        reading when the server cannot say it now)."""
        fresh, fresh_flow = _flow_of(registry, sync_path, False)
        try:
            minimum = await minimum_interval(fresh_flow, FlowContext(fresh, registry, store))
        except PasseurError:
            minimum = current["schedule"].minimum
        found = schedule_for(fresh, every, jitter, minimum)
        current["schedule"] = found[0]
        return found

    async def go() -> int:
        try:
            minimum = await minimum_interval(flow, flow_ctx)
        except PasseurError as exc:  # its server down: keep to the floor it gave last time
            known = store.watch_state(str(spec.path))
            minimum = known.interval if known is not None else None
            note(f"note: flow {flow.name!r} could not say how often it may poll ({exc}); "
                 f"keeping at least "
                 f"{'the last interval' if known else 'the interval asked'}")
        schedule, notes = schedule_for(spec, every, jitter, minimum)
        current["schedule"] = schedule
        for line in notes:
            note(f"note: {line}")
        return await watch(flow_ctx, flow, schedule, run_once=run_once, say=say, once=once,
                           reschedule=reschedule, note=note)

    try:
        code = asyncio.run(go())
    except (WatcherBusy, StoreGone) as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False)
        code = EXIT_FAILURE
    finally:
        store.close()
    ctx.exit(code)
