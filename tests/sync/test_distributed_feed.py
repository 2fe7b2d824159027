"""A distributed run's plan task enqueues each document as soon as the references it waits
for are written, while it still reads the source (issue 17: the accounts' budgets sat idle
while the whole plan was made), and the close task once the plan is complete, counting the
references and the documents. A plan that fails halfway leaves the documents it enqueued
(and those it planned) one outcome each, and the run aborted once they are on the ledger.
The plan task runs here in this process on a paused source; real `passeur worker`
processes apply the documents, against the real queue and store in PostgreSQL."""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sync import test_distributed_attempts as attempts
from sync.sync_helpers import ENV, numbers, write_files
from sync.test_distributed import (
    HTTP,
    closed_by,
    fetch_order,
    one_outcome_each,
    queue_url,
    stop,
    wait_closed,
    workers,
)
from sync.test_distributed_attempts import attempt, jobs_of

from passeur.engine import distributed
from passeur.engine.sync.plan import PlanItem
from passeur.errors import TransportError
from passeur.state import LedgerEntry

in_process = attempts.in_process  # the fixture: the plan task in this process

WAIT = 45.0  # seconds a paused source waits for what it waits for (a worker to start)


def pause_source(monkeypatch: pytest.MonkeyPatch, ctx: Any,
                 then: Callable[[int, Any], Awaitable[None]]) -> None:
    """The context's source, with `then(n, record)` awaited once the planner asks for the
    invoice after the n-th: the n-th is planned by then, the (n+1)-th not read yet."""
    real = ctx.source.alist

    def alist(doctype: str, *, since: str | None = None) -> Any:
        async def records() -> Any:
            n = 0
            async for record in real(doctype, since=since):
                yield record
                n += 1
                if doctype == "invoice":
                    await then(n, record)
        return records()

    monkeypatch.setattr(ctx.source, "alist", alist)


async def until(what: Callable[[], Any]) -> Any:
    """`what()` once it is true, or the last (false) answer after WAIT seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while not (answer := what()) and loop.time() < deadline:
        await asyncio.sleep(0.05)
    return answer


async def closes_of(app: Any, run_id: str) -> list[dict[str, Any]]:
    rows = await app.connector.execute_query_all_async(
        "SELECT args FROM procrastinate_jobs WHERE task_name = 'passeur.close' AND "
        "args->>'run_id' = %(run)s", run=run_id)
    return [dict(r["args"]) for r in rows]


def test_the_first_document_is_applied_while_the_plan_still_reads_the_source(
        server_world: Any, in_process: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    world = server_world(seed=12, vf={"latency_ms": 5}, http=HTTP)
    seen: dict[str, Any] = {}
    procs = workers(world, 1)

    async def body(worker: Any, run_id: str) -> Any:
        sync = str(world.sync_file.resolve())
        ctx = await worker.context(sync)  # the one the plan task opens, in this worker

        async def then(n: int, record: Any) -> None:
            if n == 1:  # the plan stands here until a worker has applied the first one
                first = ctx.source.identify("invoice", record).record_id
                entry = await until(lambda: worker.store.outcome(run_id, "invoice", first))
                seen["first"] = entry.outcome if entry else None
                seen["status"] = worker.store.run(run_id).status

        pause_source(monkeypatch, ctx, then)
        await distributed._plan_once(attempt(worker.app, 1, 0), run_id, sync)
        return await jobs_of(worker.app, run_id), await closes_of(worker.app, run_id)

    try:
        run_id, (jobs, closes) = in_process(world, body)
        (run,) = wait_closed(world, [run_id])
    finally:
        stop(procs)
    # the first invoice was written and recorded by the worker while the plan still read
    assert seen == {"first": "created", "status": "running"}
    invoices = sorted(world.erp.app.state.invoices)
    assert len(invoices) > 1
    assert jobs["passeur.apply"] == len(invoices)  # each document enqueued once
    assert run.status == "finished"
    entries = one_outcome_each(world, run_id)
    references = [e for e in entries if e.doctype != "invoice"]
    assert references  # written by the plan task, and counted by the close task
    assert {c["expected"] for c in closes} == {len(invoices) + len(references)}
    assert {c["aborted"] for c in closes} == {False}
    assert sorted(e.source_id for e in entries if e.doctype == "invoice") == invoices
    assert {e.outcome for e in entries} == {"created"}
    assert numbers(world) == invoices  # each invoice in the target once


def test_a_plan_failing_halfway_leaves_each_document_planned_one_outcome_and_the_run_aborted(
        server_world: Any, in_process: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    world = server_world(seed=12, vf={"latency_ms": 5}, http=HTTP)
    planned: list[str] = []
    seen: dict[str, Any] = {}

    async def body(worker: Any, run_id: str) -> Any:
        sync = str(world.sync_file.resolve())
        ctx = await worker.context(sync)

        async def then(n: int, record: Any) -> None:
            planned.append(ctx.source.identify("invoice", record).record_id)
            if n == 2:  # documents on the queue before the source fails
                seen["enqueued"] = (await until_jobs(worker.app, run_id))["passeur.apply"]
            if n == 3:
                raise TransportError("acomba: the connection was reset")

        pause_source(monkeypatch, ctx, then)
        with pytest.raises(TransportError, match="the connection was reset"):
            await distributed._plan_once(attempt(worker.app, 1, 0), run_id, sync)
        # no worker yet: nothing applied, nothing closed
        seen["status"] = worker.store.run(run_id).status
        seen["ledger"] = collections.Counter(e.doctype for e in worker.store.ledger(run_id))
        return await jobs_of(worker.app, run_id), await closes_of(worker.app, run_id)

    run_id, (jobs, closes) = in_process(world, body)
    assert len(planned) == 3 and seen["enqueued"] >= 1
    # the run waits for its documents: the plan task wrote only the references
    assert seen["status"] == "running" and "invoice" not in seen["ledger"]
    references = sum(seen["ledger"].values())
    assert references >= 1
    assert jobs == {"passeur.apply": 3, "passeur.close": 1}  # all three planned, once each
    (close,) = closes
    assert (close["expected"], close["aborted"], close["move"]) == (references + 3, True,
                                                                   False)
    run, entries = closed_by(world, run_id, 2, "aborted")
    assert sorted(e.source_id for e in entries if e.doctype == "invoice") == sorted(planned)
    assert {e.outcome for e in entries} == {"created"}
    assert {k: n for k, n in run.summary.items() if n} == {"created": references + 3}
    assert numbers(world) == sorted(planned)  # the three planned, in the target once
    again = world.run()  # the cursor did not move: the next run takes up the rest
    assert again.ok
    outcomes = {e.source_id: e.outcome for e in again.entries if e.doctype == "invoice"}
    assert outcomes == {i: "unchanged" if i in planned else "created"
                        for i in world.erp.app.state.invoices}
    assert numbers(world) == sorted(world.erp.app.state.invoices)


def test_a_reference_whose_write_raised_leaves_its_documents_deferred_and_the_run_aborted(
        server_world: Any, in_process: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reference's write that raises (a bug, not a refusal) has no entry and never will:
    the documents waiting for it are deferred, and the close task does not wait for it."""
    world = server_world(seed=3, vf={"latency_ms": 5}, http=HTTP)

    async def body(worker: Any, run_id: str) -> Any:
        sync = str(world.sync_file.resolve())
        ctx = await worker.context(sync)
        real = ctx.target.acreate

        async def acreate(doctype: str, record: Any) -> Any:
            if doctype != "invoice":
                raise RuntimeError("a bug in the adapter")
            return await real(doctype, record)

        monkeypatch.setattr(ctx.target, "acreate", acreate)
        with pytest.raises(RuntimeError, match="a bug in the adapter"):
            await distributed._plan_once(attempt(worker.app, 1, 0), run_id, sync)
        return await closes_of(worker.app, run_id)

    run_id, closes = in_process(world, body)
    invoices = sorted(world.erp.app.state.invoices)
    assert [(c["expected"], c["aborted"]) for c in closes] == [(len(invoices), True)]
    run, entries = closed_by(world, run_id, 1, "aborted")
    assert sorted(e.source_id for e in entries) == invoices  # no entry for a reference
    assert {(e.doctype, e.outcome, e.reason) for e in entries} == {
        ("invoice", "deferred", "reference")}
    assert {k: n for k, n in run.summary.items() if n} == {"deferred": len(invoices)}
    assert numbers(world) == []


async def until_jobs(app: Any, run_id: str) -> collections.Counter[str]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while not (jobs := await jobs_of(app, run_id))["passeur.apply"] and \
            loop.time() < deadline:
        await asyncio.sleep(0.05)
    return jobs


def test_the_close_task_waits_for_every_item_of_its_plan_not_only_for_a_count(
        server_world: Any, in_process: Any) -> None:
    """The ledger may hold entries beside the plan's (references written by an attempt of
    the plan task that died, which the next attempt finds bound and plans no more)."""
    world = server_world(seed=2, vf={"latency_ms": 5}, http=HTTP)

    async def body(worker: Any, run_id: str) -> Any:
        sync = str(world.sync_file.resolve())
        ctx = await worker.context(sync)
        items = [PlanItem(n, "invoice", "create", source_id, f"k{source_id}")
                 for n, source_id in enumerate(("A", "B"), 1)]
        close = distributed._close_kwargs(run_id, sync, ctx, items, move=False)
        src = ctx.spec.source.name
        for doctype, source_id in (("client", "earlier"), ("invoice", "A")):
            worker.store.record(LedgerEntry(run_id, doctype, src, source_id, "created"))
        await distributed._close_task(attempt(worker.app, 7, 0), **close)
        before = worker.store.run(run_id).status
        worker.store.record(LedgerEntry(run_id, "invoice", src, "B", "created"))
        await distributed._close_task(attempt(worker.app, 8, 0), **close)
        return before, worker.store.run(run_id), await closes_of(worker.app, run_id)

    _, (before, run, closes) = in_process(world, body)
    assert before == "running"  # 2 entries for 2 items, but B not among them
    assert len(closes) == 1 and closes[0]["expected"] == 2  # it looks again later
    assert closes[0]["seen"] == 2 and abs(closes[0]["looked"] - time.time()) < 60
    again = distributed.unpack_plan(closes[0]["plan"])  # the same plan, still packed
    assert [(i["seq"], i["source_id"]) for i in again["items"]] == [(1, "A"), (2, "B")]
    assert run.status == "finished" and run.summary["created"] == 3


def test_a_close_task_of_a_run_already_closed_does_nothing(
        server_world: Any, in_process: Any) -> None:
    """A second close job of one run (a plan task taken up again enqueued two) finds the
    run closed by the first: it neither closes it again nor looks again."""
    world = server_world(seed=2, vf={"latency_ms": 5}, http=HTTP)

    async def body(worker: Any, run_id: str) -> Any:
        sync = str(world.sync_file.resolve())
        ctx = await worker.context(sync)
        item = PlanItem(1, "invoice", "create", "A", "kA")
        close = distributed._close_kwargs(run_id, sync, ctx, [item], move=False)
        worker.store.record(LedgerEntry(run_id, "invoice", ctx.spec.source.name, "A",
                                        "created"))
        await distributed._close_task(attempt(worker.app, 7, 0), **close)
        first = worker.store.run(run_id)
        worker.store.record(LedgerEntry(run_id, "invoice", ctx.spec.source.name, "B",
                                        "failed"))  # the summary would change if counted
        await distributed._close_task(attempt(worker.app, 8, 0), **close)
        return first, worker.store.run(run_id), await closes_of(worker.app, run_id)

    _, (first, run, closes) = in_process(world, body)
    assert first.status == "finished" and first.summary["created"] == 1
    assert run == first  # not closed again: the same summary, the same finish time
    assert closes == []  # and no look deferred


def test_a_packed_plan_is_the_same_plan_without_a_quote_to_escape() -> None:
    """The close task's plan travels packed (what the queue escapes twice is a quote or a
    backslash: base64 has neither); a close job enqueued as plain JSON still reads."""
    from decimal import Decimal

    plan = {"name": "Élise \\ \"quoted\"", "total": Decimal("0.10"),
            "items": [{"seq": n, "key": f"passeur:acomba:{n}"} for n in range(300)]}
    packed = distributed.pack_plan(plan)
    assert not set(packed) & set('"\\{')
    assert len(packed) < len(distributed._encode(plan)) / 5
    assert distributed.unpack_plan(packed) == plan
    assert distributed.unpack_plan(distributed._encode(plan)) == plan
    assert distributed.unpack_plan(packed)["total"].as_tuple().exponent == -2


@pytest.mark.parametrize(("remaining", "gained", "elapsed", "delay"), [
    (100, -1, 0.0, 0.2),  # the first look: no pace known yet, soon
    (100, 0, 1.0, 2.0),  # nothing recorded since the last look: twice as long
    (1, 0, 0.2, 0.4),  # ... so the last record, 0.3 s after the one before, is seen soon
    (1, 0, 1.6, 2.0),  # ... and a stall waits the longest
    (100, 10, 1.0, 2.0),  # 10 s to go at 10 records/s: half of it, at most 2 s
    (10, 10, 1.0, 0.5),  # 1 s to go: half of it
    (3, 10, 1.0, 0.2),  # 0.3 s to go: never sooner than CLOSE_POLL
])
def test_the_close_task_looks_again_in_half_the_time_the_rest_should_take(
        remaining: int, gained: int, elapsed: float, delay: float) -> None:
    assert distributed.next_look(remaining, gained, elapsed) == pytest.approx(delay)


def test_documents_enqueued_in_batches_keep_their_place_in_their_run(
        postgres_url: str, pg_schema: str) -> None:
    """A run's documents go onto the queue a few at a time while it plans: the n-th of every
    run still goes before the (n+1)-th of any, whichever batch each came in."""
    url = queue_url(postgres_url, pg_schema)
    distributed._install_queue(url)

    async def go() -> list[str]:
        app = distributed._app(url)
        async with app.open_async():
            for run, places in (("a", [0, 1]), ("b", [0]), ("a", [2, 3]), ("b", [2, 1])):
                await distributed._defer_interleaved(
                    app, "passeur.apply", [{"run_id": run, "n": n} for n in places], places)
            return await fetch_order(app)

    # by place, then in the order enqueued
    assert asyncio.run(go()) == ["a0", "b0", "a1", "b1", "a2", "b2", "a3"]


def test_a_worker_imports_every_systems_client_before_its_first_job() -> None:
    """What a sync file's context imports on first use (the clients, their sync adapters)
    is loaded by `warm_up`, which `passeur worker` runs before it takes a job."""
    from passeur import load_registry
    from passeur.sandbox.lazy import LazyFactory

    registry = load_registry()
    lazy = {f.target: f for spec in registry.systems.values()
            for f in (spec.client_factory, spec.sync_adapter) if isinstance(f, LazyFactory)}
    assert {"passeur_erpconnector.client:client_factory",
            "passeur_vosfactures.sync:sync_adapter"} <= set(lazy)
    assert sorted(distributed.warm_up(registry)) == sorted(lazy)
    assert all(f._function is not None for f in lazy.values())


OPEN_AFTER_WARM_UP = """
import sys
from passeur import load_registry
from passeur.engine.distributed import warm_up
from passeur.engine.sync.context import open_context
from passeur.engine.sync.syncfile import load_sync_file
from passeur.state import open_store

registry = load_registry()
warm_up(registry)
before = set(sys.modules)
spec = load_sync_file(sys.argv[1], registry)
with open_store(spec.store) as store:
    open_context(spec, registry, store)
print(sorted(m for m in set(sys.modules) - before if m.split(".")[0].startswith("passeur")))
"""


def test_after_warm_up_opening_a_sync_files_context_imports_no_module_of_passeur(
        tmp_path: Any) -> None:
    """In a fresh interpreter (this one has imported everything already): what a worker's
    first document of a sync file would import is imported by `warm_up`, the mapping
    compiler included (CONTEXT_MODULES). Nothing is sent: the context opens its clients,
    it does not call them."""
    import os
    import subprocess
    import sys

    nowhere = "http://127.0.0.1:9"  # the discard port: a request would fail the test
    sync = write_files(tmp_path, nowhere, nowhere)
    env = {**os.environ, **ENV}
    done = subprocess.run([sys.executable, "-c", OPEN_AFTER_WARM_UP, str(sync)], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
