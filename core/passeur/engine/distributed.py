"""Distributed runs: the same plan, apply and record steps as `passeur sync`, cut into tasks
of procrastinate, a task queue kept in PostgreSQL — the store's own database, so a server
install runs one service (docs/scale.md says why this queue).

A run is three kinds of task, all on the queue `passeur`:

- `passeur.plan` (one per sync file and run): takes the run's lock, reads and plans every
  stream of the sync file (`make_plan`), writes the references (clients) the documents wait
  for while it plans, and enqueues one `passeur.apply` per document as soon as the
  references it waits for are written (so the accounts' budgets are not idle while the
  source is still read), then one `passeur.close` once the plan is complete;
- `passeur.apply` (one per document): the `Applier` steps for that item (lease, intent,
  write, lookup, binding, ledger), by whichever worker takes it;
- `passeur.close`: waits until every item of the plan is on the ledger, puts stalled items
  (their worker died) back on the queue, then moves the cursors and closes the run with its
  summary.

Every request of every worker to one account takes its slot from a budget kept in the store
(`Store.take_slot`), so N workers together never go past the account's `rate_limit`. A task
taken up again (the queue's retry, or a stalled one put back) is marked `resumed`: every
write is looked up by its key before it is sent, so a retry never sends an uncertain write
blind. A job put back while its first attempt still runs (a live worker taken for dead) has
two attempts at once: each leases under an owner of its own (`_attempt`), so one writes and
records, and the other waits and records nothing (`Applier.one`, `_plan_once`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import importlib
import logging
import os
import socket
import time
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from passeur.engine.sync.apply import Applier
from passeur.engine.sync.context import SyncContext, open_context
from passeur.engine.sync.plan import Plan, PlanItem, make_plan
from passeur.engine.sync.run import move_cursors, summarise
from passeur.engine.sync.syncfile import SyncSpec, load_sync_file
from passeur.errors import UsageError
from passeur.http.call import dumps_json, loads_json
from passeur.http.ratelimit import share_budgets
from passeur.sandbox.lazy import LazyFactory
from passeur.state import Intent, Run, Store, attempt_owner, is_store_url, open_store

__all__ = ["QUEUE", "StoreBudget", "distributed_store", "enqueue_sync", "enqueue_sync_async",
           "run_worker"]

logger = logging.getLogger("passeur.distributed")

QUEUE = "passeur"
LOCK_TTL = 3600.0  # seconds a run's lock lives without a worker renewing it
CLOSE_POLL = 0.2  # seconds between two looks of the close task at the ledger, at least
CLOSE_POLL_MAX = 2.0  # ... and at most (see next_look)
STALLED_AFTER = 30.0  # seconds without a worker's heartbeat before its jobs are put back:
# 15 heartbeats (every 2 s) missed. A live worker's heartbeat was seen up to 4.4 s old under
# load 7 on 2 cores, and a live worker taken for dead costs a second attempt that waits on
# the first (docs/scale.md); a dead one's jobs wait these 30 s
WATCH_EVERY = 0.5  # seconds between two looks of a worker at its store connection
EXIT_STORE_LOST = 4  # `passeur worker`'s status when its PostgreSQL went away
_SCHEMA_LOCK = 0x70617373_65757201  # advisory lock: one process installs the queue's tables


class StoreBudget:
    """A rate budget whose state is one row of the store: shared by every worker."""

    def __init__(self, store: Store, account: str, rate: float, burst: int) -> None:
        self.store, self.account, self.rate, self.burst = store, account, rate, burst

    def reserve(self) -> float:
        return self.store.take_slot(self.account, self.rate, self.burst)

    def pause(self, seconds: float) -> None:
        self.store.take_slot(self.account, self.rate, self.burst, pause=seconds)


def _require_server(url: str | os.PathLike[str] | None, what: str, hint: str = "") -> str:
    if url is None or not is_store_url(str(url)):
        raise UsageError(f"{what} needs a postgresql:// store (the queue lives in its "
                         f"database), not {url or 'the SQLite file beside the sync file'}: "
                         "set `store = \"postgresql://...\"` in the sync file, --store or "
                         f"PASSEUR_STORE (docs/scale.md){hint}")
    return str(url)


def _need_queue() -> None:
    try:
        import procrastinate  # noqa: F401
    except ImportError:
        raise UsageError("distributed runs need procrastinate: pip install "
                         "'passeur[postgres]'") from None


def _install_queue(url: str) -> None:
    """The queue's tables in the store's schema, created once (under an advisory lock)."""
    _need_queue()
    import psycopg
    from procrastinate.schema import SchemaManager

    with psycopg.connect(url, autocommit=True) as db, db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        row = db.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if row is None or row[0] is None:
            db.execute(SchemaManager.get_schema())


def _app(url: str, connections: int = 4) -> Any:
    """The queue's app over a pool of `connections` (psycopg_pool's default 4: opening it
    waits for all of them)."""
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(
        conninfo=url, min_size=connections, max_size=max(4, connections)))
    retry = procrastinate.RetryStrategy(max_attempts=5, exponential_wait=1)
    app.task(name="passeur.plan", queue=QUEUE, pass_context=True)(_plan_once)  # no retry:
    # a plan that fails (the source down) aborts its run, and the next run plans again
    app.task(name="passeur.apply", queue=QUEUE, pass_context=True, retry=retry)(_apply_task)
    app.task(name="passeur.close", queue=QUEUE, pass_context=True, retry=retry)(_close_task)
    return app


# -- enqueueing --------------------------------------------------------------------------


def enqueue_sync(registry: Any, sync_path: str, *, store_url: str | None = None,
                 full: bool = False, since: datetime.date | None = None,
                 spec: SyncSpec | None = None) -> Run:
    """Start a distributed run of a sync file (`spec`, when the caller has read it
    already): its run (and lock) in the store, its plan task on the queue. The workers do
    the rest; the run closes when its last item is on the ledger."""
    return asyncio.run(enqueue_sync_async(registry, sync_path, store_url=store_url,
                                          full=full, since=since, spec=spec))


def distributed_store(registry: Any, sync_path: str, store_url: str | None = None,
                      spec: SyncSpec | None = None) -> str:
    """The postgresql:// store URL a distributed run of the sync file uses; a UsageError
    saying why when it cannot run distributed (another flow, an SQLite store)."""
    spec = spec or load_sync_file(sync_path, registry)
    if spec.flow != "documents":
        raise UsageError(f"{spec.path}: flow {spec.flow!r} runs inline only; a distributed "
                         "run runs the documents flow (docs/scale.md)")
    hint = (f"; or run it here with --inline (distributed = true at {spec.distributed_at})"
            if spec.distributed_at and spec.distributed else "")
    return _require_server(store_url or spec.store, f"{spec.path}: a distributed run", hint)


async def enqueue_sync_async(registry: Any, sync_path: str, *, store_url: str | None = None,
                             full: bool = False, since: datetime.date | None = None,
                             spec: SyncSpec | None = None) -> Run:
    """`enqueue_sync` from a running event loop (`passeur watch --distributed`)."""
    spec = spec or load_sync_file(sync_path, registry)
    url = distributed_store(registry, sync_path, store_url, spec=spec)
    with open_store(url) as store:
        run = store.start_run(str(spec.path), "distributed", ttl=LOCK_TTL)
        try:
            _install_queue(url)
            await _defer(url, "passeur.plan", {
                "run_id": run.run_id, "sync": str(Path(spec.path).resolve()),
                "full": full, "since": since.isoformat() if since else None})
        except BaseException:
            store.finish_run(run.run_id, "aborted", {})
            raise
    return run


async def _defer(url: str, task: str, *kwargs: Mapping[str, Any],
                 schedule_in: float | None = None) -> None:
    app = _app(url, connections=1)  # one statement: not four connections opened for it
    async with app.open_async():
        await _defer_on(app, task, *kwargs, schedule_in=schedule_in)


async def _defer_on(app: Any, task: str, *kwargs: Mapping[str, Any],
                    schedule_in: float | None = None) -> None:
    options: dict[str, Any] = {}
    if schedule_in is not None:
        options["schedule_in"] = {"seconds": schedule_in}
    deferrer = app.configure_task(task, queue=QUEUE, **options)
    if len(kwargs) == 1:
        await deferrer.defer_async(**kwargs[0])
    elif kwargs:
        await deferrer.batch_defer_async(*[dict(k) for k in kwargs])


async def _defer_interleaved(app: Any, task: str, kwargs: list[Mapping[str, Any]],
                             places: list[int] | None = None) -> None:
    """Jobs in one batch, the n-th with priority -n (n its place in its run, `places`
    when the batch is not the run's first jobs in order): the queue hands out the highest
    priority first, so the n-th document of every run goes before the (n+1)-th of any,
    whenever each was enqueued. In plain FIFO the workers all took one account's
    documents at once and waited on its budget while the other accounts' budgets stayed
    unused (issue 17's benchmark)."""
    if not kwargs:
        return
    deferrer = app.configure_task(task, queue=QUEUE)
    await app.job_manager.batch_defer_jobs_async([
        deferrer.make_new_job(**dict(k)).evolve(priority=-n)
        for n, k in zip(places if places is not None else range(len(kwargs)), kwargs,
                        strict=True)])


# -- the worker ---------------------------------------------------------------------------


@attrs.define
class _Worker:
    """What the tasks of one worker process share: the store, the queue, the contexts."""

    url: str
    registry: Any
    store: Store
    app: Any = None
    contexts: dict[tuple[str, float], asyncio.Future[SyncContext]] = attrs.field(
        factory=dict)

    async def context(self, sync: str) -> SyncContext:
        """The sync file's context, opened once per worker (and again when the file
        changes). Opened in a thread: compiling the mappings is CPU work that took 5-7 s
        on a loaded machine, and the event loop must go on sending the worker's
        heartbeats meanwhile, or the other workers take it for dead and run its jobs a
        second time."""
        key = (sync, Path(sync).stat().st_mtime)
        opening = self.contexts.get(key)
        if opening is None or (opening.done() and opening.exception() is not None):
            opening = asyncio.ensure_future(asyncio.to_thread(
                lambda: open_context(load_sync_file(sync, self.registry), self.registry,
                                     self.store)))
            self.contexts[key] = opening
        return await asyncio.shield(opening)

    def renew(self, sync: str, run_id: str) -> bool:
        """Hold the run's lock from this worker (the enqueuing process is gone)."""
        return self.store.lease(f"sync:{sync}", run_id, LOCK_TTL)

    async def aclose(self) -> None:
        for opening in self.contexts.values():
            with contextlib.suppress(Exception):
                await (await opening).aclose()


_worker: _Worker | None = None


def _current() -> _Worker:
    if _worker is None:
        raise RuntimeError("a passeur task runs in `passeur worker` only")
    return _worker


#: What opening a sync file's context imports on its first use, besides the systems' own
#: modules: the mapping compiler and its route cache, the generic sync adapter (a test
#: opens a context after `warm_up` and sees no module of passeur imported).
CONTEXT_MODULES = ("passeur.dsl.routes", "passeur.dsl.route_cache", "passeur.dsl.loader",
                   "passeur.engine.sync.generic")


def warm_up(registry: Any) -> list[str]:
    """Import, before the first job, what opening a sync file's context imports on its first
    use: every system's client and sync adapter (named lazily by the plugins), the HTTP
    stack under them, the mapping compiler. On its first document a worker otherwise spent
    about 0.3 s of CPU importing them (httpcore alone pulls in trio), and 0.1-0.2 s more on
    the compiler (without bytecode files), while the other workers' first documents wanted
    the same two cores. Returns the factories loaded; one that does not import is
    left to fail where it is used, with its own message."""
    import httpx

    from passeur.http.client import tls_context

    httpx.AsyncHTTPTransport()  # imports httpcore's connection pool and its backends
    tls_context()  # the CA bundle read once
    for module in CONTEXT_MODULES:
        importlib.import_module(module)
    loaded = []
    for spec in registry.systems.values():
        for factory in (spec.client_factory, spec.sync_adapter):
            if isinstance(factory, LazyFactory):
                try:
                    factory.load()
                except Exception:  # reported by the task that needs it
                    continue
                loaded.append(factory.target)
    return loaded


def run_worker(registry: Any, store_url: str | None, *, concurrency: int = 4,
               name: str | None = None) -> None:
    """Work on the queue until SIGTERM or SIGINT (the jobs in hand are finished first)."""
    global _worker
    url = _require_server(store_url or os.environ.get("PASSEUR_STORE"), "passeur worker")
    warm_up(registry)
    store = open_store(url)
    _install_queue(url)
    share_budgets(lambda account, rate, burst: StoreBudget(store, account, rate, burst))
    worker = _Worker(url, registry, store)
    worker.app = _app(url)
    _worker = worker

    async def go() -> None:
        async with worker.app.open_async():
            watch = asyncio.create_task(_watch(worker))
            try:
                await worker.app.run_worker_async(
                    queues=[QUEUE], concurrency=concurrency,
                    name=name or f"{socket.gethostname()}:{os.getpid()}",
                    update_heartbeat_interval=2.0, stalled_worker_timeout=STALLED_AFTER,
                    fetch_job_polling_interval=CLOSE_POLL,  # a scheduled job is not notified
                    install_signal_handlers=True)
            finally:
                watch.cancel()
                await worker.aclose()

    try:
        asyncio.run(go())
    finally:
        share_budgets(None)
        _worker = None
        store.close()


async def _watch(worker: _Worker) -> None:
    """Put back the jobs of workers whose heartbeat stopped (all of them may have died at
    once, the close task's own worker with them), and end this worker when its store's
    connection is lost (PostgreSQL restarted or unreachable): the store does not reconnect,
    and a worker whose every job fails at once would empty the queue into retries. It exits
    with status EXIT_STORE_LOST, saying why, for its supervisor to start it again; its jobs
    in hand are put back once its heartbeat is seen as stopped (docs/scale.md)."""
    looks = 0
    while True:
        await asyncio.sleep(WATCH_EVERY)
        looks += 1
        if worker.store.connection_lost():
            message = ("passeur worker: lost the connection to the store's PostgreSQL "
                       "(restarted or unreachable); exiting with status "
                       f"{EXIT_STORE_LOST} for a supervisor to start it again: the jobs "
                       "in hand go back on the queue")
            logger.error(message)
            logging.shutdown()  # the message out before the hard exit
            os._exit(EXIT_STORE_LOST)  # no clean shutdown without the database
        if looks % 4:
            continue
        with contextlib.suppress(Exception):  # the queue down too: the next look sees it
            for stalled in await worker.app.job_manager.get_stalled_jobs(
                    queue=QUEUE, seconds_since_heartbeat=STALLED_AFTER):
                logger.warning("job %s stalled (its worker died): put back", stalled.id)
                await worker.app.job_manager.retry_job(stalled)


# -- the tasks ----------------------------------------------------------------------------


def _encode(value: Any) -> str:
    return dumps_json(value).decode("utf-8")


def pack_plan(value: Any) -> str:
    """The close task's plan as an argument of its job: JSON, compressed, in base64. The
    queue writes a job's arguments as text inside a composite inside an array, escaping each
    quote at both levels with a regular expression: the plain JSON of 200 documents (43 KB)
    took 35-40 ms of a worker's CPU at each look of the close task, this 2 ms (3 KB)."""
    return base64.b64encode(zlib.compress(dumps_json(value), 6)).decode("ascii")


def unpack_plan(text: str) -> Any:
    """`pack_plan`'s plan, or the plain JSON of a close job enqueued before it was packed."""
    if text.startswith("{"):
        return loads_json(text)
    return loads_json(zlib.decompress(base64.b64decode(text, validate=True)))


def _attempt(job: Any) -> str:
    """This attempt of a job, for the leases it takes (`Store.lease`'s owner): a job put
    back while its first attempt still runs is a second attempt of the same run."""
    return f"job{job.job.id}.{job.job.attempts}"


async def _plan_once(job: Any, run_id: str, sync: str, full: bool = False,
                     since: str | None = None) -> None:
    """The plan task, run once per run although its job may be taken up again while its
    first attempt still runs (a live worker taken for dead): each attempt waits for the
    lease `plan:RUN`, and one that gets it after another attempt enqueued the run's
    documents (the intent `passeur|plan|RUN` confirmed), or after the run closed, does
    nothing. One that gets it because the other attempt died plans again; the documents
    that attempt had enqueued are then applied once all the same (an apply task records
    nothing already on the ledger)."""
    store = _current().store
    owner, resource = attempt_owner(run_id, _attempt(job)), f"plan:{run_id}"
    while not store.lease(resource, owner, LOCK_TTL):
        await asyncio.sleep(CLOSE_POLL)  # another attempt plans: it ends, or dies
    try:
        run = store.run(run_id)
        if store.intent(f"passeur|plan|{run_id}") is not None or run is None or \
                run.status != "running":
            logger.warning("run %s: its plan was taken up again (job %s, attempt %s) after "
                           "it was done; nothing enqueued twice", run_id, job.job.id,
                           job.job.attempts)
            return
        await _plan_task(job, run_id, sync, full, since)
        store.open_intent(Intent(f"passeur|plan|{run_id}", owner, "passeur", "plan",
                                 "enqueue", sync, state="confirmed"))
    finally:
        store.release(resource, owner)


FEED_BATCH = 50  # documents enqueued in one statement at most


class _Feed:
    """A plan's documents onto the queue while it still plans: each one as soon as the
    references it waits for are written by the plan task (resolved or failed), in small
    batches (what became ready while the previous batch was being inserted), the n-th
    document of the run with priority -n. Before, the documents were enqueued after the
    whole plan, and the accounts' budgets sat idle while the source was read (issue 17)."""

    def __init__(self, app: Any, applier: Applier, common: Mapping[str, Any]) -> None:
        self.app, self.applier, self.common = app, applier, dict(common)
        self.planned = 0  # documents given to the feed, each with its place in the run
        self.enqueued = 0  # documents certainly on the queue
        self.ready: list[tuple[int, dict[str, Any]]] = []
        self.waits: list[asyncio.Future[None]] = []
        self.wake = asyncio.Event()
        self.ending = False
        self.pump = asyncio.ensure_future(self._pump())

    def add(self, item: PlanItem) -> None:
        """One planned document; raises what stopped the pump (the queue down), which
        stops the plan."""
        if self.pump.done():
            self.pump.result()
            raise RuntimeError("the plan's feed ended before the plan")
        place, self.planned = self.planned, self.planned + 1
        waits = [self.applier.ready[k] for k in item.refs if k in self.applier.ready]
        if all(w.is_set() for w in waits):
            self._ready(place, item)
        else:
            self.waits.append(asyncio.ensure_future(self._after(place, item, waits)))

    async def _after(self, place: int, item: PlanItem, waits: list[asyncio.Event]) -> None:
        for wait in waits:
            await wait.wait()
        self._ready(place, item)

    def _ready(self, place: int, item: PlanItem) -> None:
        applier = self.applier
        self.ready.append((place, {
            **self.common, "item": _encode(item.as_json()),
            "resolved": {k: applier.resolved[k] for k in item.refs if k in applier.resolved},
            "failed": {k: applier.failed_refs[k] for k in item.refs
                       if k in applier.failed_refs}}))
        self.wake.set()

    async def _pump(self) -> None:
        while not (self.ending and not self.ready):
            await self.wake.wait()
            self.wake.clear()
            while self.ready:
                batch = self.ready[:FEED_BATCH]
                await _defer_interleaved(self.app, "passeur.apply", [k for _, k in batch],
                                         [n for n, _ in batch])
                del self.ready[:len(batch)]
                self.enqueued += len(batch)

    async def finish(self) -> int:
        """Every document given to the feed on the queue (the plan task has written its
        references: nothing waits any more); how many."""
        await asyncio.gather(*self.waits)
        self.ending = True
        self.wake.set()
        await self.pump
        return self.enqueued

    def stop(self) -> None:
        for task in (*self.waits, self.pump):
            task.cancel()


def _close_kwargs(run_id: str, sync: str, ctx: SyncContext, items: list[PlanItem],
                  move: bool, aborted: bool = False) -> dict[str, Any]:
    """The close task's arguments: the items it waits for on the ledger (one entry each),
    which are the plan's shape for the cursors."""
    created = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    shape = [{"seq": i.seq, "doctype": i.doctype, "action": i.action,
              "source_id": i.source_id, "key": i.key, "changed_at": i.changed_at,
              "reference": i.reference} for i in items]
    return {"run_id": run_id, "sync": sync, "expected": len(items), "move": move,
            "aborted": aborted,
            "plan": pack_plan({"name": ctx.spec.name, "source": ctx.spec.source.name,
                               "target": ctx.spec.target.name,
                               "mapping_version": ctx.mapping_version,
                               "created_at": created, "items": shape})}


async def _plan_task(job: Any, run_id: str, sync: str, full: bool = False,
                     since: str | None = None) -> None:
    worker = _current()
    store = worker.store
    if not worker.renew(sync, run_id):
        store.finish_run(run_id, "aborted", {})
        logger.warning("run %s of %s: another run holds the sync file's lock; aborted",
                       run_id, sync)
        return
    try:
        ctx = await worker.context(sync)
    except BaseException:
        store.finish_run(run_id, "aborted", summarise(store.ledger(run_id)))
        raise
    applier = Applier(ctx, run_id, attempt=_attempt(job))
    applier.resumed = job.job.attempts > 0
    applier.begin(ctx.mapping_version, None)
    feed = _Feed(job.app, applier, {"run_id": run_id, "sync": sync,
                                    "mapping_version": ctx.mapping_version})
    planned: list[PlanItem] = []

    def sink(item: PlanItem) -> None:  # written (references) or enqueued while it reads on
        planned.append(item)
        if item.reference:
            applier.submit(item)
        else:
            feed.add(item)

    try:
        plan = await make_plan(ctx, full=full, since=datetime.date.fromisoformat(since)
                               if since else None, sink=sink, pace=applier.room)
        await applier.drain()
        await feed.finish()
        await _defer_on(job.app, "passeur.close", _close_kwargs(
            run_id, sync, ctx, list(plan.items), since is None), schedule_in=CLOSE_POLL)
    except Exception:
        await _abort_plan(job, run_id, sync, ctx, applier, feed, planned)
        raise
    except BaseException:  # cancelled (the worker stopped hard): no waiting on anything
        feed.stop()
        store.finish_run(run_id, "aborted", summarise(store.ledger(run_id)))
        raise


async def _abort_plan(job: Any, run_id: str, sync: str, ctx: SyncContext, applier: Applier,
                      feed: _Feed, planned: list[PlanItem]) -> None:
    """A plan that failed halfway (the source down): the references it submitted are
    finished and recorded, the documents it planned are enqueued all the same (their
    references written by now), and the close task ends the run `aborted` once each of
    them is on the ledger, cursors unmoved, as an inline run applies what it planned before
    the error. Without a document on the queue, or when the queue cannot be reached (what
    is on it then is uncertain), the run is aborted here and now."""
    store = ctx.store
    with contextlib.suppress(Exception):
        await applier.drain()
    try:
        if await feed.finish():
            recorded = {(e.doctype, e.source_id) for e in store.ledger(run_id)}
            items = [i for i in planned if not i.reference or  # a reference whose write
                     (i.doctype, i.source_id) in recorded]      # raised has no entry
            await _defer_on(job.app, "passeur.close", _close_kwargs(
                run_id, sync, ctx, items, move=False, aborted=True), schedule_in=CLOSE_POLL)
            return
    except Exception:
        logger.exception("run %s: the documents planned before the plan failed could not "
                         "all be enqueued; aborted now", run_id)
    store.finish_run(run_id, "aborted", summarise(store.ledger(run_id)))


async def _apply_task(job: Any, run_id: str, sync: str, mapping_version: str, item: str,
                      resolved: Mapping[str, str], failed: Mapping[str, str]) -> None:
    worker = _current()
    store = worker.store
    planned = PlanItem.from_json(loads_json(item))
    if store.outcome(run_id, planned.doctype, planned.source_id) is not None:
        return  # done by an attempt whose worker died (or was taken for dead) before
        # telling the queue; the Applier asks again under the document's lease
    worker.renew(sync, run_id)
    applier = Applier(await worker.context(sync), run_id, attempt=_attempt(job))
    applier.begin(mapping_version, None)
    applier.resumed = job.job.attempts > 0  # the queue's retry, or a stalled job put back
    applier.resolved.update(resolved)
    applier.failed_refs.update(failed)
    await applier.apply_one(planned)


def next_look(remaining: int, gained: int, elapsed: float) -> float:
    """Seconds until the close task looks at the ledger again: half the time the records
    still missing should take at the pace of the last interval (`gained` records in
    `elapsed` seconds), within [CLOSE_POLL, CLOSE_POLL_MAX]. Each look is a new job carrying
    the plan (a few KB packed), so looking every CLOSE_POLL took a third of a worker's CPU
    in benchmarks/scale.py; halving the estimate each time still looks within CLOSE_POLL of
    the last record. An interval in which nothing was recorded doubles the wait: a stall
    soon waits the longest, while the last records (which may come 0.3 s apart, one
    answer each) are seen within twice their gap, not CLOSE_POLL_MAX late."""
    if gained < 0 or elapsed <= 0:
        return CLOSE_POLL  # the first look: no pace known yet
    if gained == 0:
        return min(CLOSE_POLL_MAX, max(CLOSE_POLL, 2 * elapsed))
    return min(CLOSE_POLL_MAX, max(CLOSE_POLL, remaining * elapsed / gained / 2))


async def _close_task(job: Any, run_id: str, sync: str, expected: int, plan: str,
                      move: bool, aborted: bool = False, seen: int = -1,
                      looked: float = 0.0) -> None:
    """Close the run once every item of its plan is on the ledger: the cursors moved
    (`move`), the summary counted; `aborted` (its plan failed halfway) closes it aborted,
    cursors unmoved, once the documents planned before the failure are recorded. `seen`
    records were on the ledger at the previous look, at `looked` (epoch seconds)."""
    worker = _current()
    store = worker.store
    run = store.run(run_id)
    if run is None or run.status != "running":
        return  # closed by another close task (a plan taken up again enqueued two)
    entries = None
    count, now = store.count_ledger(run_id), time.time()
    if count >= expected:  # counted, not read: polled (see next_look)
        entries = store.ledger(run_id)  # read once, for the cursors and the summary
        data = unpack_plan(plan)
        recorded = {(e.doctype, e.source_id) for e in entries}
        if any((i["doctype"], i["source_id"]) not in recorded for i in data["items"]):
            entries = None  # entries beside this plan's (references written by an attempt
            # of the plan task that died): the count alone would close it too early
    if entries is None:
        for stalled in await job.app.job_manager.get_stalled_jobs(
                queue=QUEUE, seconds_since_heartbeat=STALLED_AFTER):
            logger.warning("job %s stalled (its worker died): put back", stalled.id)
            await job.app.job_manager.retry_job(stalled)
        delay = next_look(expected - count, count - seen if seen >= 0 else -1, now - looked)
        await _defer_on(job.app, "passeur.close", {
            "run_id": run_id, "sync": sync, "expected": expected, "plan": plan,
            "move": move, "aborted": aborted, "seen": count, "looked": now},
            schedule_in=delay)
        return
    if move and not aborted:
        shape = Plan(sync, data["name"], data["source"], data["target"],
                     data["mapping_version"], data["created_at"],
                     tuple(PlanItem.from_json(i) for i in data["items"]))
        move_cursors(await worker.context(sync), shape, entries)
    store.finish_run(run_id, "aborted" if aborted else "finished", summarise(entries))
