"""A job of a distributed run taken up a second time while its first attempt still runs
(issue 17): a live worker whose event loop was held up past the heartbeat timeout is taken
for dead, and its jobs are put back for another worker. The two attempts are the same run;
each must lease the document under its own owner, so that one writes and records, and the
other waits and records nothing. A plan taken up again must not enqueue the documents or the
close task a second time. The tasks run here in this process, on fake job objects naming
attempts 0 and 1 of one job, against the real queue and store in PostgreSQL."""

from __future__ import annotations

import asyncio
import collections
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sync.sync_helpers import World, held_once
from sync.test_distributed import (
    HTTP,
    closed_by,
    queue_url,
)

from passeur.engine import distributed
from passeur.engine.sync import apply
from passeur.engine.sync.plan import PlanItem
from passeur.http.call import loads_json
from passeur.state import attempt_owner, open_store


@pytest.fixture
def in_process(server_world: Any, postgres_url: str, pg_schema: str,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """`go(world, body)`: `body(worker, run_id)` awaited inside a `passeur worker`'s state
    (its store, its queue open), for a run started as `sync --distributed` starts one."""
    url = queue_url(postgres_url, pg_schema)

    def go(world: World, body: Callable[[Any, str], Any]) -> Any:
        with open_store(url) as store:
            distributed._install_queue(url)  # as `passeur worker` does, after the store
            worker = distributed._Worker(url, world.registry, store)
            worker.app = distributed._app(url)
            monkeypatch.setattr(distributed, "_worker", worker)
            run = store.start_run(str(world.sync_file.resolve()), "distributed",
                                  ttl=distributed.LOCK_TTL)

            async def main() -> Any:
                async with worker.app.open_async():
                    try:
                        return await body(worker, run.run_id)
                    finally:
                        await worker.aclose()

            return run.run_id, asyncio.run(main())

    yield go


def attempt(app: Any, job_id: int, attempts: int) -> Any:
    """What procrastinate passes a task with pass_context: the app, and the job."""
    return types.SimpleNamespace(app=app, job=types.SimpleNamespace(id=job_id,
                                                                    attempts=attempts))


async def jobs_of(app: Any, run_id: str) -> collections.Counter[str]:
    rows = await app.connector.execute_query_all_async(
        "SELECT task_name FROM procrastinate_jobs WHERE args->>'run_id' = %(run)s",
        run=run_id)
    return collections.Counter(r["task_name"] for r in rows)


def test_one_apply_job_run_twice_at_once_writes_and_records_its_document_once(
        server_world: Any, in_process: Any) -> None:
    world = server_world(seed=4, vf={"latency_ms": 300}, http=HTTP, count_writes=True)

    async def body(worker: Any, run_id: str) -> Any:
        sync = str(world.sync_file.resolve())
        await distributed._plan_once(attempt(worker.app, 1, 0), run_id, sync)
        worker_id = await worker.app.job_manager.register_worker()
        job = await worker.app.job_manager.fetch_job([distributed.QUEUE], worker_id)
        assert job.task_name == "passeur.apply"
        before = world.vf.app.writes
        await asyncio.gather(*(distributed._apply_task(attempt(worker.app, job.id, n),
                                                       **job.task_kwargs) for n in (0, 1)))
        return job.task_kwargs, world.vf.app.writes - before

    run_id, (kwargs, writes) = in_process(world, body)
    planned = PlanItem.from_json(loads_json(kwargs["item"]))
    with world.store() as store:
        entries = [e for e in store.ledger(run_id) if e.doctype == planned.doctype and
                   e.source_id == planned.source_id]
    assert [e.outcome for e in entries] == ["created"]  # one outcome, by one attempt
    assert writes == 1  # one create sent: the other attempt waited, then found it recorded
    assert [str(i["number"]) for i in world.vf_invoices].count(planned.source_id) == 1


def test_an_attempt_waits_a_bounded_time_for_another_attempts_lease_then_gives_up(
        server_world: Any, in_process: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another attempt of the same run holding the document's lease is waited for, but
    not for longer than the lease's time (and ten looks): one that keeps taking it again
    leaves this attempt raising, nothing sent and nothing recorded, for the queue to try
    again later."""
    world = server_world(seed=2, vf={"latency_ms": 5}, http=HTTP, count_writes=True)
    monkeypatch.setattr(apply, "LEASE_TTL", 1.0)
    monkeypatch.setattr(apply, "LEASE_POLL", 0.05)

    async def body(worker: Any, run_id: str) -> Any:
        sync = str(world.sync_file.resolve())
        await distributed._plan_once(attempt(worker.app, 1, 0), run_id, sync)
        worker_id = await worker.app.job_manager.register_worker()
        job = await worker.app.job_manager.fetch_job([distributed.QUEUE], worker_id)
        planned = PlanItem.from_json(loads_json(job.task_kwargs["item"]))
        target = (await worker.context(sync)).spec.target.name
        resource = f"{target}:{planned.doctype}:{planned.key}"
        other = attempt_owner(run_id, f"job{job.id}.0")  # the first attempt, alive

        async def keep_taking() -> None:
            while True:
                assert worker.store.lease(resource, other, 1.0)
                await asyncio.sleep(0.1)

        holder = asyncio.ensure_future(keep_taking())
        await asyncio.sleep(0.05)
        before, loop = world.vf.app.writes, asyncio.get_running_loop()
        started = loop.time()
        try:
            with pytest.raises(RuntimeError) as raised:
                await distributed._apply_task(attempt(worker.app, job.id, 1),
                                              **job.task_kwargs)
        finally:
            holder.cancel()
        return (planned, resource, other, str(raised.value), loop.time() - started,
                world.vf.app.writes - before)

    run_id, (planned, resource, other, message, waited, writes) = in_process(world, body)
    assert message == (f"{resource}: held by {other} longer than its lease's 1 s; nothing "
                       "recorded, for the queue to try again")
    assert 1.5 <= waited < 10  # the lease's 1 s and ten looks of 0.05 s
    assert writes == 0
    with world.store() as store:
        assert store.outcome(run_id, planned.doctype, planned.source_id) is None


def test_a_plan_job_run_twice_enqueues_each_document_and_the_close_once(
        server_world: Any, in_process: Any) -> None:
    world = server_world(seed=12, erp={"latency_ms": 40}, vf={"latency_ms": 5}, http=HTTP)

    async def body(worker: Any, run_id: str) -> Any:
        sync = str(world.sync_file.resolve())
        await asyncio.gather(*(distributed._plan_once(attempt(worker.app, 1, n), run_id,
                                                      sync) for n in (0, 1)))
        at_once = await jobs_of(worker.app, run_id)
        await distributed._plan_once(attempt(worker.app, 1, 2), run_id, sync)  # after it
        return at_once, await jobs_of(worker.app, run_id)

    run_id, (at_once, after) = in_process(world, body)
    invoices = len(world.erp.app.state.invoices)
    assert invoices > 1
    assert at_once == after == {"passeur.apply": invoices, "passeur.close": 1}
    _, entries = closed_by(world, run_id, 2, "finished")
    assert sorted(e.source_id for e in entries if e.doctype == "invoice") == sorted(
        world.erp.app.state.invoices)
    assert {e.outcome for e in entries} == {"created"}
    held_once(world)
