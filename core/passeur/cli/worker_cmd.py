"""`passeur worker`: run distributed syncs from the queue (engine/distributed.py)."""

from __future__ import annotations

import click

from passeur.cli.app import cli, handle_errors, registry_of


@cli.command("worker", short_help="Run the distributed syncs enqueued by `sync --distributed`.",
             help="""Take tasks from the queue in the store's PostgreSQL database and run
them: the plan of a sync file, the apply of one document, the close of a run. Start as many
workers as you like, on one machine or several: each document is written once, whichever
worker takes it, and every worker takes its requests to an account from one rate budget
kept in the store. SIGTERM (or Ctrl-C) stops a worker once the tasks in hand are done; a
worker killed outright leaves its tasks to the others. A worker that loses its
PostgreSQL (restarted, unreachable) says so and exits with status 4: run workers under a
supervisor that starts them again (docs/scale.md, "what happens on a broker outage").

\b
Examples:
  PASSEUR_STORE=postgresql://passeur@db/passeur passeur worker
  passeur worker --store postgresql://passeur@db/passeur --concurrency 8
""")
@click.option("--store", "store_url", default=None, metavar="URL",
              help="The postgresql:// store whose database holds the queue (else "
              "PASSEUR_STORE).")
@click.option("--concurrency", type=click.IntRange(1, 256), default=4, show_default=True,
              help="Tasks this worker runs at once (they wait on the network, not the CPU).")
@click.option("--name", default=None, help="The worker's name in logs (else HOST:PID).")
@click.pass_context
@handle_errors
def worker_command(ctx: click.Context, store_url: str | None, concurrency: int,
                   name: str | None) -> None:
    from passeur.engine.distributed import run_worker

    run_worker(registry_of(ctx), store_url, concurrency=concurrency, name=name)
