"""`passeur watch`: run a sync file again and again, at most as often as its server allows,
one run at a time, with the schedule kept in the store.

The next due time is written to the store (`WatchState`) before the watcher sleeps, so a
restarted watcher waits for it instead of running early, and a run started by cron in the
meantime counts (never two polls closer than the flow's poll interval). One watcher per
sync file: it holds the lease `watch:SYNC` (renewed while it lives, taken over once its
process is gone); a second one is refused with the first one named. SIGTERM or SIGINT
during a sleep stops at once; during a run it cancels the run at its next step, which
closes it `aborted` (what it recorded stays in the ledger, its lock is released, and the
next run reconciles whatever was in flight).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import os
import random
import signal
import socket
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import attrs

from passeur.engine.sync.flows import FlowContext, SyncFlow, poll_interval
from passeur.engine.sync.syncfile import parse_duration
from passeur.errors import PasseurError, UsageError
from passeur.redaction import redact_text
from passeur.state import Run, Store, StoreLocked, WatchState

__all__ = ["DEFAULT_EVERY", "Schedule", "StoreGone", "WatcherBusy", "due_time", "run_status",
           "schedule_for", "watch"]

DEFAULT_EVERY = 3600.0
#: The longest interval or jitter a watcher follows: a longer one (99999999999d) planned a
#: next run no date can hold, and every later watch and status of the file crashed on it.
LONGEST = 366 * 86400.0
LEASE_TTL = 60.0  # the watcher's lease, renewed every third of it
Clock = Callable[[], float]
#: The schedule read again (with its notes), after each run.
Reschedule = Callable[[], Awaitable[tuple['Schedule', list[str]]]]


class WatcherBusy(PasseurError):
    """Another live watcher holds the sync file."""


class StoreGone(PasseurError):
    """The store file was deleted or replaced under the watcher: what it would record
    would go to a file nobody reads any more."""


@attrs.frozen
class Schedule:
    every: float  # what was asked (--every, [schedule] every, or the default)
    jitter: float  # up to this much is added to each interval, at random
    minimum: float | None = None  # the flow's poll interval (the server's wish)

    @property
    def interval(self) -> float:
        return max(self.every, self.minimum or 0.0)


def _text(seconds: float) -> str:
    whole = round(seconds)
    if whole % 3600 == 0 and whole:
        return f"{whole // 3600}h"
    if whole % 60 == 0 and whole:
        return f"{whole // 60}m"
    return f"{whole}s"


def schedule_for(spec: Any, every: str | None, jitter: str | None,
                 minimum: float | None) -> tuple[Schedule, list[str]]:
    """The schedule from --every / --jitter, else the sync file's [schedule] every, else
    every hour; with the notes to print (an interval raised to the server's minimum)."""
    notes: list[str] = []
    if every is not None:
        seconds = parse_duration(every, "--every")
        asked = f"--every {every}"
    elif spec.schedule is not None:
        try:
            seconds = parse_duration(spec.schedule, "")
        except UsageError:
            raise UsageError(f"{spec.path}: [schedule] {spec.schedule!r} is not an interval "
                             "passeur watch can follow; write every = \"1h\" there or give "
                             "--every (a cron line belongs in crontab, running `passeur "
                             "sync`)") from None
        asked = f"[schedule] every = {spec.schedule!r}"
    else:
        seconds, asked = DEFAULT_EVERY, "the default (1h)"
    if seconds <= 0:
        raise UsageError(f"{asked}: the interval must be more than 0 seconds")
    if not 1 <= seconds <= LONGEST:
        raise UsageError(f"{asked}: the interval must be from 1s to 366d")
    spread = (parse_duration(jitter, "--jitter") if jitter is not None
              else min(seconds / 10, 300.0))
    if spread > LONGEST:
        raise UsageError(f"--jitter {jitter}: the jitter must be at most 366d")
    schedule = Schedule(seconds, spread, minimum)
    if minimum is not None and seconds < minimum and (every is not None
                                                      or spec.schedule is not None):
        notes.append(f"{asked} is more often than flow {spec.flow!r} may poll (its server "
                     f"asks for at least {_text(minimum)} between polls): running every "
                     f"{_text(minimum)}")
    return schedule, notes


def _stamp(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


def due_time(state: WatchState | None, last_start: float | None, schedule: Schedule,
             now: float) -> float:
    """When the next run is due: the recorded due time (a restart does not run early);
    without one, an interval after the last run of the sync file (by cron, say), or now;
    and never sooner than the flow's poll interval after the last run, whoever ran it."""
    if state is not None:
        due = state.next_due
    elif last_start is not None:
        due = last_start + schedule.interval
    else:
        due = now
    if schedule.minimum is not None and last_start is not None:
        due = max(due, last_start + schedule.minimum)
    return due


def _iso(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).isoformat(timespec="seconds")


class _Watcher:
    def __init__(self, ctx: FlowContext, flow: SyncFlow, schedule: Schedule, *,
                 say: Callable[[str], None], clock: Clock, rng: random.Random,
                 run_once: Callable[[], Any], reschedule: Reschedule | None = None,
                 note: Callable[[str], None] | None = None) -> None:
        self.ctx, self.flow, self.schedule = ctx, flow, schedule
        self.say, self.clock, self.rng, self.run_once = say, clock, rng, run_once
        self.reschedule, self.note = reschedule, note or say
        self.sync = str(ctx.spec.path)
        self.ident = "watch-" + uuid.uuid4().hex[:8]
        self.who = (f"process {os.getpid()} on {socket.gethostname()} since "
                    f"{_iso(self.clock())}")
        self.stop = asyncio.Event()
        self.lost = False  # the lease lapsed and another watcher took it
        self.running: asyncio.Task[Any] | None = None
        self.store_file = self._identity()

    def _identity(self) -> tuple[int, int] | None:
        """The store file's device and inode (None for a store that is no file)."""
        path = getattr(self.store, "path", None)
        if not isinstance(path, Path):
            return None
        try:
            found = path.stat()
        except OSError:
            return (-1, -1)
        return (found.st_dev, found.st_ino)

    def check_store(self) -> None:
        if self.store_file is not None and self._identity() != self.store_file:
            path = getattr(self.store, "path", "the store")
            raise StoreGone(f"{path}: the store was deleted or replaced while "
                            "watching; the watcher stops rather than record runs where "
                            "nobody reads them (restore the file, or start passeur watch "
                            "again to begin with the store now at that path)")

    @property
    def store(self) -> Store:
        return self.ctx.store

    def take_lease(self) -> None:
        if not self.store.lease(f"watch:{self.sync}", self.ident, LEASE_TTL):
            state = self.store.watch_state(self.sync)
            live = state.watcher if state and state.watcher else "another watcher"
            raise WatcherBusy(f"{self.sync} is already watched by {live}; this watcher "
                              "exits (stop that one first; a dead watcher's lease is taken "
                              "over once its process is gone)")

    def request_stop(self) -> None:
        self.stop.set()
        if self.running is not None:
            self.running.cancel()

    def last_start(self) -> float | None:
        runs = self.store.runs(self.sync)
        return _stamp(runs[0].started_at) if runs else None

    def claim(self, expected: float | None, due: float, **changes: Any) -> bool:
        """Move the recorded next due time from `expected` (what this watcher read; None:
        nothing recorded) to `due`, in one transaction of the store; False when another
        watcher moved it first. Two watchers started by mistake (the lease lapsed: one
        was suspended on another machine) thus never start the run of one due time twice."""
        old = self.store.watch_state(self.sync)
        if (old.next_due if old is not None else None) != expected:
            return False
        base = old or WatchState(self.sync, due, self.schedule.interval)
        return self.store.advance_watch_state(attrs.evolve(
            base, next_due=due, interval=self.schedule.interval, watcher=self.who,
            **changes), expected)

    async def renew(self) -> None:
        """Renew the lease every third of its life. Refused, it lapsed (this process was
        suspended, or cut off from the store, for longer than LEASE_TTL) and another
        watcher holds it now: this one stops once its current run ends (the claim of each
        due time kept the two from running one twice), and says why."""
        while True:
            await asyncio.sleep(LEASE_TTL / 3)
            if not self.store.lease(f"watch:{self.sync}", self.ident, LEASE_TTL):
                self.lost = True
                self.stop.set()
                return

    async def sleep_until(self, due: float) -> bool:
        """Wait for `due`; False when asked to stop first."""
        while not self.stop.is_set():
            left = due - self.clock()
            if left <= 0:
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=min(left, 60.0))
        return False

    async def tick(self, expected: float | None) -> str:
        """One run, once the due time `expected` is claimed; its status for the watch
        state, or `taken` when another watcher claimed it first (nothing run)."""
        started = self.clock()
        claimed = started + self.schedule.interval
        if not self.claim(expected, claimed, last_poll=_iso_ms(started),
                          last_status="running", last_error=None):
            other = self.store.watch_state(self.sync)
            who = other.watcher if other is not None and other.watcher else "another watcher"
            when = _iso(expected) if expected is not None else "now"
            self.say(f"{_iso(started)} not run: the run due at {when} was taken by {who}")
            return "taken"
        status, error, line = "ok", None, ""
        self.running = asyncio.ensure_future(self.run_once())
        try:
            report = await self.running
            if isinstance(report, Run):  # --distributed: on the queue, for the workers
                status = "enqueued"
                line = (f"run {report.run_id} enqueued; the workers run it (passeur runs "
                        f"show {report.run_id})")
            else:
                status = run_status(report)
                line = f"run {report.run.run_id}: {_summary(report)}"
        except asyncio.CancelledError:
            status, line = "aborted", "run aborted (stopped): what it did is in the ledger"
        except StoreLocked as exc:
            status, error, line = "locked", str(exc), f"not run: {exc}"
        except Exception as exc:  # a down server: said, recorded, tried again next time
            status, error = "error", f"{type(exc).__name__}: {exc}"
            line = f"run failed: {error}"
        finally:
            self.running = None
        await self.refresh()
        due = started + self.schedule.interval + self.rng.uniform(0, self.schedule.jitter)
        self.claim(claimed, due, last_status=status, last_error=error)  # False: another
        # watcher claimed the next run meanwhile, and its record stays
        self.say(f"{_iso(started)} {line}")
        return status

    async def refresh(self) -> None:
        """Read the schedule again (the sync file, the flow's poll interval) after each
        run: an edited interval counts from the next one; a file that cannot be read is
        said, and the schedule followed so far is kept."""
        if self.reschedule is None:
            return
        try:
            schedule, notes = await self.reschedule()
        except Exception as exc:  # an invalid edit: said; the watcher goes on as it was
            self.note(redact_text(f"note: {self.sync} cannot be read again for its "
                                  f"schedule ({type(exc).__name__}: {exc}); keeping every "
                                  f"{_text(self.schedule.interval)}"))
            return
        if schedule != self.schedule:
            self.note(f"note: the schedule changed: every {_text(schedule.interval)} (was "
                      f"{_text(self.schedule.interval)})")
            for line in notes:
                self.note(f"note: {line}")
            self.schedule = schedule

    async def loop(self, once: bool) -> int:
        self.take_lease()
        renewing = asyncio.ensure_future(self.renew())
        try:
            code = 0
            while not self.stop.is_set():
                state = self.store.watch_state(self.sync)
                recorded = state.next_due if state is not None else None
                due = due_time(state, self.last_start(), self.schedule, self.clock())
                if due > self.clock():
                    if not self.claim(recorded, due):
                        continue  # another watcher moved the schedule: read it again
                    recorded = due
                    self.say(f"next run at {_iso(due)} (every "
                             f"{_text(self.schedule.interval)})")
                    if once:
                        return 0
                    if not await self.sleep_until(due):
                        break
                self.check_store()
                status = await self.tick(recorded)
                if status == "taken":
                    if once:
                        return 0
                    continue
                code = 0 if status in ("ok", "enqueued") else 1
                if once or status == "aborted":
                    break
            if self.lost:
                raise WatcherBusy(
                    f"{self.sync}: this watcher's lease lapsed (not renewed for "
                    f"{_text(LEASE_TTL)}: the process was suspended or cut off from the "
                    "store) and another watcher holds it now; this one stops and leaves "
                    "the file to it")
            return code
        finally:
            renewing.cancel()
            self.store.release(f"watch:{self.sync}", self.ident)
            state = self.store.watch_state(self.sync)
            if state is not None and state.watcher == self.who:
                self.store.advance_watch_state(attrs.evolve(state, watcher=None),
                                               state.next_due)


def run_status(report: Any) -> str:
    """`ok` when every entry of a finished run succeeded or was skipped on purpose (a
    `skipped` entry with its reason: a statement of a journal not activated waits, it is
    not lost); `failed` when any entry failed, is uncertain, deferred or in conflict, or
    was skipped without a reason. (`passeur sync` is stricter: its exit code is 1 for any
    skipped entry, report.ok.)"""
    from passeur.state import SUCCESSES

    entries = getattr(report, "entries", None)
    if entries is None:
        return "ok" if report.ok else "failed"
    return "ok" if all(e.outcome in SUCCESSES or (e.outcome == "skipped" and e.reason)
                       for e in entries) else "failed"


def _iso_ms(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).isoformat(
        timespec="milliseconds")


def _summary(report: Any) -> str:
    shown = [f"{n} {k}" for k, n in report.summary.items() if n]
    return ", ".join(shown) or "nothing to do"


async def watch(ctx: FlowContext, flow: SyncFlow, schedule: Schedule, *,
                run_once: Callable[[], Any], say: Callable[[str], None], once: bool = False,
                clock: Clock | None = None, rng: random.Random | None = None,
                reschedule: Reschedule | None = None,
                note: Callable[[str], None] | None = None) -> int:
    """Watch until stopped (SIGTERM, SIGINT) or, with `once`, for one due run at most;
    the exit code of the last run (0 when none was due). `reschedule()` (the schedule and
    its notes) is asked again after each run; `note` prints what is no run line."""
    watcher = _Watcher(ctx, flow, schedule, say=say,
                       clock=clock or (lambda: datetime.datetime.now(datetime.UTC).timestamp()),
                       rng=rng or random.Random(), run_once=run_once,
                       reschedule=reschedule, note=note)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, watcher.request_stop)
    try:
        return await watcher.loop(once)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


async def minimum_interval(flow: SyncFlow, ctx: FlowContext) -> float | None:
    """The flow's poll interval; None when it has none."""
    return await poll_interval(flow, ctx)
