"""`passeur watch --distributed` (issue 17): each due run is enqueued on the workers' queue,
as `passeur sync --distributed` does, instead of run in the watcher. Real watcher and worker
processes on the test PostgreSQL; after each scenario every source invoice is in the target
exactly once and every record of every run has one outcome."""

from __future__ import annotations

import datetime
import itertools
import os
import queue
import re
import time
from typing import Any

from ops.ops_helpers import Watcher, passeur
from sync.sync_helpers import held_once
from sync.test_distributed import HTTP, enqueue, one_outcome_each, stop, wait_closed, workers

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


def _add_invoice(world: Any, number: str) -> None:
    """A new invoice in the ERP sandbox, through its API (the server's own thread changes
    its state, never the test's while a run reads it)."""
    import httpx

    first = world.erp.app.state.invoices[sorted(world.erp.app.state.invoices)[0]]
    facture = {"NoFacture": number, "TypeDoc": "FACTURES", "DateFacture": first["DateFacture"],
               "InfoClientFacturerA": {"NoClient": first["InfoClientFacturerA"]["NoClient"]},
               "LigneFacture": [{"strNoProduit": line["strNoProduit"], "QteFacture": 1}
                                for line in first["LigneFacture"]]}
    answer = httpx.post(f"{world.erp.server.base_url}/api/Entity/CustomerInvoice",
                        json={"Facture": facture}, auth=("lic", "sec"),
                        headers={"companyid": "1", "If-None-Match": "*"}, timeout=10)
    assert answer.status_code == 201, answer.text


def _lapse_lease(sync: str) -> None:
    """The watcher's lease as another machine's whose time ran out (that watcher was
    suspended): the next watcher takes it over while the first one still lives."""
    import psycopg

    with psycopg.connect(os.environ["PASSEUR_STORE"], autocommit=True) as db:
        done = db.execute("UPDATE leases SET host = 'elsewhere', expires_at = 0 "
                          "WHERE resource = %s", (f"watch:{sync}",))
        assert done.rowcount == 1


def _next_run(watchers: list[Watcher], timeout: float = 90) -> str:
    """The run id of the next `enqueued` line of any watcher (the others' lines kept)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for watcher in watchers:
            try:
                line = watcher._queue.get(timeout=0.05)
            except queue.Empty:
                continue
            watcher.lines.append(line)
            found = RUN_LINE.match(line.strip())
            if found is not None:
                return found.group(1)
    raise AssertionError(f"no run enqueued; so far {[w.lines for w in watchers]}")


TICKS = 4
EVERY = 3.0


def test_two_watchers_started_by_mistake_enqueue_each_due_run_once(server_world: Any) -> None:
    """Two live watchers of one sync file (the first one's lease lapsed): each due run is
    claimed in the store by one of them, which enqueues it; the other says it was taken.
    N ticks, N runs, each document once in the target."""
    world = server_world(seed=6, vf={"latency_ms": 5}, http=HTTP)
    sync = str(world.sync_file.resolve())
    args = ("--distributed", "--every", f"{EVERY:g}s", "--jitter", "0")
    procs = workers(world, 2)
    first = Watcher(world.sync_file, *args)
    watchers = [first]
    runs: list[str] = []
    try:
        runs.append(_next_run(watchers))  # due at once: the first run
        for _attempt in range(3):  # the first one renews its lease every 20 s: it may
            _lapse_lease(sync)  # take it back before the second one starts
            second = Watcher(world.sync_file, *args)
            if second.line().startswith("next run at "):
                break
            assert second.process.wait(30) == 1
        watchers.append(second)
        refused = passeur("watch", sync, *args)  # a third, while both live: refused
        assert refused.returncode == 1
        assert re.match(rf"error: {re.escape(sync)} is already watched by process "
                        rf"({first.process.pid}|{second.process.pid}) on ",
                        refused.stderr), refused.stderr
        for n in range(TICKS - 1):
            wait_closed(world, [runs[-1]])
            _add_invoice(world, f"9000{n}")  # something new for the next run
            runs.append(_next_run(watchers))
        wait_closed(world, [runs[-1]])
        ended = [w.stop() for w in watchers]
        last = enqueue(world)  # what the last run may have missed (added as it planned)
        wait_closed(world, [last])
    finally:
        for watcher in watchers:
            if watcher.process.poll() is None:
                watcher.process.kill()
        codes = stop(procs)
    # SIGTERM: each exits with its last tick's code (1 when that tick found a run going)
    assert {code for code, _ in ended} <= {0, 1}, ended
    said = [[line.strip() for line in w.lines + rest.splitlines() if line.strip()]
            for w, (_, rest) in zip(watchers, ended, strict=True)]
    enqueued = [m.group(1) for lines in said for m in map(RUN_LINE.match, lines) if m]
    busy = rf"\S+ not run: {re.escape(sync)} is being synced by run ({'|'.join(enqueued)}) "
    for lines, other in zip(said, reversed(watchers), strict=True):
        for line in lines:  # each tick: enqueued, taken by the other watcher, or not run
            assert (RUN_LINE.match(line) or line.startswith("next run at ")  # while the
                    or re.match(busy, line)  # last run still runs (one at a time)
                    or re.match(rf"\S+ not run: the run due at \S+ was taken by process "
                                rf"{other.process.pid} on ", line)), (line, said)
    taken = [line for lines in said for line in lines if " was taken by " in line]
    assert taken, said  # both watchers reached the same due times: each went to one
    with world.store() as store:
        distributed = [r for r in store.runs(sync)
                       if r.mode == "distributed" and r.run_id != last]
    assert sorted(r.run_id for r in distributed) == sorted(enqueued)  # one run per claim
    assert len(enqueued) == len(set(enqueued))
    starts = sorted(datetime.datetime.fromisoformat(r.started_at).timestamp()
                    for r in distributed)
    assert all(b - a >= EVERY / 2 for a, b in itertools.pairwise(starts)), starts
    assert codes == [0, 0]
    for run in [*enqueued, last]:
        one_outcome_each(world, run)
    held_once(world)
    assert len(world.erp.app.state.invoices) == 6 + TICKS - 1
