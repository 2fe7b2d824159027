"""`passeur watch --distributed` (issue 17): each due run is enqueued on the workers' queue,
as `passeur sync --distributed` does, instead of run in the watcher. Real watcher and worker
processes on the test PostgreSQL; after each scenario every source invoice is in the target
exactly once and every record of every run has one outcome."""

from __future__ import annotations

import re
from typing import Any

from sync.sync_helpers import held_once
from sync.test_distributed import HTTP, one_outcome_each, stop, wait_closed, workers

RUN_LINE = re.compile(r"^\S+ run (\S+) enqueued; the workers run it \(passeur runs show \1\)$")


def test_watch_distributed_once_enqueues_the_run_and_the_workers_run_it(
        server_world: Any) -> None:
    world = server_world(seed=20, vf={"latency_ms": 5}, http=HTTP)
    procs = workers(world, 2)
    try:
        result = world.cli("watch", "sync.toml", "--distributed", "--once")
        assert result.returncode == 0, result.stderr
        found = RUN_LINE.match(result.stdout.strip())
        assert found is not None, result.stdout
        run_id = found.group(1)
        (run,) = wait_closed(world, [run_id])
    finally:
        codes = stop(procs)
    assert codes == [0, 0]
    assert (run.mode, run.status) == ("distributed", "finished")
    entries = one_outcome_each(world, run_id)
    assert sorted(e.source_id for e in entries if e.doctype == "invoice") == sorted(
        world.erp.app.state.invoices)
    held_once(world)
    with world.store() as store:
        state = store.watch_state(str(world.sync_file.resolve()))
    assert state is not None and state.last_status == "enqueued"
    again = world.cli("watch", "sync.toml", "--distributed", "--once")  # not due yet
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("next run at "), again.stdout


def test_watch_distributed_needs_a_server_store(world_factory: Any) -> None:
    world = world_factory(seed=1)
    result = world.cli("watch", "sync.toml", "--distributed", "--once")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "a distributed run needs a postgresql:// store" in result.stderr
    assert result.stdout == ""
