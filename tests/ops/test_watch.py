"""`passeur watch` as a service runs it: a real process, stopped with SIGTERM, restarted;
the schedule kept in the store; one watcher per sync file; the flow's poll interval."""

from __future__ import annotations

import datetime
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from ops.ops_helpers import Watcher, passeur, tally_file

from passeur.engine.sync.syncfile import SyncSpec
from passeur.errors import UsageError
from passeur.ops.watch import Schedule, due_time, schedule_for
from passeur.state import WatchState, open_store


def _ts(text: str) -> float:
    return datetime.datetime.fromisoformat(text).timestamp()


def test_a_restarted_watcher_does_not_run_early_and_sigterm_stops_it(tmp_path: Path) -> None:
    sync = tally_file(tmp_path, ["a:one", "a:two"])
    first = Watcher(sync, "--every", "1h", "--jitter", "0")
    ran = first.line()
    assert " run " in ran and "2 created" in ran  # due at once: nothing was ever run
    waiting = first.line()
    assert waiting.startswith("next run at ") and waiting.rstrip().endswith("(every 1h)")
    code, rest = first.stop()
    assert code == 0, rest
    with open_store(tmp_path / "state.db") as store:
        [run] = store.runs()
        assert (run.status, run.mode) == ("finished", "watch")
        state = store.watch_state(str(sync.resolve()))
        assert state is not None and state.watcher is None  # it said it left
        assert state.last_status == "ok" and state.interval == 3600.0
        assert state.next_due == pytest.approx(_ts(state.last_poll or "") + 3600, abs=0.01)
    due = datetime.datetime.fromtimestamp(state.next_due, datetime.UTC).isoformat(
        timespec="seconds")
    assert waiting.split()[3] == due

    again = Watcher(sync, "--every", "1h", "--jitter", "0")
    assert again.line() == f"next run at {due} (every 1h)\n"  # not a run
    code, _ = again.stop()
    assert code == 0
    once = passeur("watch", str(sync), "--every", "1h", "--once")
    assert once.returncode == 0 and once.stdout == f"next run at {due} (every 1h)\n"
    with open_store(tmp_path / "state.db") as store:
        assert len(store.runs()) == 1


def test_sigterm_during_a_run_aborts_it_with_ledger_and_lock_consistent(
        tmp_path: Path) -> None:
    items = [f"a:item{n}" for n in range(40)]
    sync = tally_file(tmp_path, items, pause=0.25)
    watcher = Watcher(sync, "--every", "1h")
    store = open_store(tmp_path / "state.db")
    deadline = time.monotonic() + 60
    while not any(store.ledger(r.run_id) for r in store.runs()):  # the run is under way
        assert time.monotonic() < deadline, "the watcher's run recorded nothing"
        time.sleep(0.05)
    code, rest = watcher.stop()
    assert code == 1, rest  # the run it was doing did not finish
    assert rest.endswith(" run aborted (stopped): what it did is in the ledger\n")
    [run] = store.runs()
    entries = store.ledger(run.run_id)
    assert run.status == "aborted" and 0 < len(entries) < len(items)
    assert run.summary["created"] == len(entries)  # the summary is the ledger's
    state = store.watch_state(str(sync.resolve()))
    assert state is not None and state.last_status == "aborted"
    store.close()
    # the lock was released: a sync runs at once and does every item
    done = passeur("sync", str(sync), "--json")
    assert done.returncode == 0, done.stderr


def test_a_second_watcher_names_the_first_and_exits(tmp_path: Path) -> None:
    sync = tally_file(tmp_path, ["a:one"])
    first = Watcher(sync, "--every", "1h")
    first.line()
    first.line()
    second = passeur("watch", str(sync), "--every", "1h")
    code, _ = first.stop()
    assert code == 0
    assert second.returncode == 1
    assert second.stderr.startswith(f"error: {sync.resolve()} is already watched by process "
                                    f"{first.process.pid} on ")
    assert "this watcher exits" in second.stderr


def test_the_flows_poll_interval_is_a_floor(tmp_path: Path) -> None:
    sync = tally_file(tmp_path, ["a:one"], poll=7200)
    done = passeur("watch", str(sync), "--every", "30m", "--jitter", "0", "--once")
    assert done.returncode == 0, done.stderr
    assert ("note: --every 30m is more often than flow 'tally' may poll (its server asks for "
            "at least 2h between polls): running every 2h") in done.stderr
    with open_store(tmp_path / "state.db") as store:
        assert len(store.runs()) == 1
        state = store.watch_state(str(sync.resolve()))
        assert state is not None and state.interval == 7200.0
        assert state.next_due == pytest.approx(_ts(state.last_poll or "") + 7200, abs=0.01)
    # a cron `passeur sync` just ran: a watcher started now waits the poll interval for it
    assert passeur("sync", str(sync)).returncode == 0
    with open_store(tmp_path / "state.db") as store:
        latest = store.runs()[0]
    waiting = passeur("watch", str(sync), "--every", "2h", "--once")
    expected = datetime.datetime.fromtimestamp(_ts(latest.started_at) + 7200, datetime.UTC)
    assert waiting.stdout == f"next run at {expected.isoformat(timespec='seconds')} (every 2h)\n"


def _spec(schedule: str | None) -> SyncSpec:
    return SyncSpec(path=Path("/s.toml"), name="s", store=Path("/st.db"), doctypes=(),
                    source=None, target=None, mapping=None, match={},  # type: ignore[arg-type]
                    policy={}, look_back=0, since=None, concurrency=1, schedule=schedule,
                    flow="tally")


def test_the_interval_comes_from_every_then_the_file_then_one_hour() -> None:
    assert schedule_for(_spec(None), None, None, None)[0] == Schedule(3600.0, 300.0)
    assert schedule_for(_spec("15m"), None, None, None)[0] == Schedule(900.0, 90.0)
    assert schedule_for(_spec("15m"), "2h", "1m", 60.0)[0] == Schedule(7200.0, 60.0, 60.0)
    assert schedule_for(_spec(None), None, None, 7200.0) == (Schedule(3600.0, 300.0, 7200.0),
                                                             [])  # not asked: no note
    with pytest.raises(UsageError, match=r"/s.toml: \[schedule\] '0 \* \* \* \*' is not an "
                                         r"interval passeur watch can follow"):
        schedule_for(_spec("0 * * * *"), None, None, None)
    with pytest.raises(UsageError, match="--every: expected a duration"):
        schedule_for(_spec(None), "soon", None, None)
    with pytest.raises(UsageError, match="the interval must be more than 0 seconds"):
        schedule_for(_spec(None), "0", None, None)


def test_due_time() -> None:
    hourly = Schedule(3600.0, 0.0)
    assert due_time(None, None, hourly, now=1000.0) == 1000.0  # never run: now
    assert due_time(None, 500.0, hourly, now=1000.0) == 4100.0  # after cron's last run
    state = WatchState("s", next_due=9000.0, interval=3600.0)
    assert due_time(state, 500.0, hourly, now=1000.0) == 9000.0  # as recorded
    floor = Schedule(60.0, 0.0, minimum=7200.0)
    assert due_time(WatchState("s", 2000.0, 60.0), 1500.0, floor, now=1000.0) == 8700.0


def _down_registry() -> object:
    """The registry with a flow whose server cannot say its poll interval."""
    import types

    from passeur.errors import TransportError
    from passeur.plugins import load_registry
    from passeur.sync import SyncFlow, recorded_run

    async def run(ctx: object, options: object, **kwargs: object) -> object:
        with recorded_run(ctx, kwargs.get("mode", "sync")) as done:  # type: ignore[arg-type]
            done.record(doctype="x", source_id="1", outcome="created")
        return done.report()

    def down(ctx: object, options: object) -> float:
        raise TransportError("codabox.example: connection refused")

    module = types.ModuleType("passeur_downpoll")
    module.passeur_register_sync_flows = (  # type: ignore[attr-defined]
        lambda register: register(SyncFlow(name="downpoll", run=run, poll_interval=down)))
    return load_registry(plugins=[("downpoll", module)])


def test_a_poll_interval_that_cannot_be_read_keeps_the_last_one(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from ops.ops_helpers import SIDES

    from passeur.cli.app import State, cli

    sync = tmp_path / "s.toml"
    sync.write_text('flow = "downpoll"\nstore = "state.db"\n' + SIDES, encoding="utf-8")
    registry = _down_registry()
    with open_store(tmp_path / "state.db") as store:
        store.save_watch_state(WatchState(str(sync.resolve()), 0.0, 7200.0))
    result = CliRunner().invoke(cli, ["watch", str(sync), "--every", "1m", "--once"],
                                obj=State(registry))
    assert result.exit_code == 0, result.output
    assert ("note: flow 'downpoll' could not say how often it may poll (codabox.example: "
            "connection refused); keeping at least the last interval") in result.output
    with open_store(tmp_path / "state.db") as store:
        state = store.watch_state(str(sync.resolve()))
        assert len(store.runs()) == 1  # it was due (at 0): one run
    assert state is not None and state.interval == 7200.0 and state.last_status == "ok"


def test_a_watcher_does_not_run_while_a_sync_holds_the_lock(tmp_path: Path) -> None:
    sync = tally_file(tmp_path, [f"a:item{n}" for n in range(40)], pause=0.25)
    with open_store(tmp_path / "state.db") as store:  # a watcher whose run is overdue
        store.save_watch_state(WatchState(str(sync.resolve()), 0.0, 3600.0))
    cron = subprocess.Popen([sys.executable, "-m", "passeur", "sync", str(sync)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with open_store(tmp_path / "state.db") as store:
            deadline = time.monotonic() + 60
            while not any(store.ledger(r.run_id) for r in store.runs()):
                assert time.monotonic() < deadline, "the sync recorded nothing"
                time.sleep(0.05)
            [running] = store.runs()
        watched = passeur("watch", str(sync), "--once", "--every", "1h", "--jitter", "0")
    finally:
        cron.wait(timeout=120)
    assert watched.returncode == 1
    assert f"not run: {sync.resolve()} is being synced by run {running.run_id} (process " \
        f"{cron.pid} on " in watched.stdout
    with open_store(tmp_path / "state.db") as store:
        state = store.watch_state(str(sync.resolve()))
        assert [r.mode for r in store.runs()] == ["sync"]  # the watcher started none
    assert state is not None and state.last_status == "locked"
    assert "is being synced by run" in (state.last_error or "")


def test_a_run_that_raises_is_recorded_and_the_watcher_goes_on(tmp_path: Path) -> None:
    import types

    from click.testing import CliRunner
    from ops.ops_helpers import SIDES

    from passeur.cli.app import State, cli
    from passeur.errors import TransportError
    from passeur.plugins import load_registry
    from passeur.sync import SyncFlow

    async def run(ctx: object, options: object, **kwargs: object) -> object:
        raise TransportError("api.codabox.example: 502 Bad Gateway")

    module = types.ModuleType("passeur_failing")
    module.passeur_register_sync_flows = (  # type: ignore[attr-defined]
        lambda register: register(SyncFlow(name="failing", run=run)))
    registry = load_registry(plugins=[("failing", module)])
    sync = tmp_path / "s.toml"
    sync.write_text('flow = "failing"\nstore = "state.db"\n' + SIDES, encoding="utf-8")
    result = CliRunner().invoke(cli, ["watch", str(sync), "--every", "1h", "--jitter", "0",
                                      "--once"], obj=State(registry))
    assert result.exit_code == 1
    assert result.output.endswith(" run failed: TransportError: api.codabox.example: 502 Bad "
                                  "Gateway\n")
    with open_store(tmp_path / "state.db") as store:
        state = store.watch_state(str(sync.resolve()))
    assert state is not None and state.last_status == "error"
    assert state.last_error == "TransportError: api.codabox.example: 502 Bad Gateway"
    assert state.next_due == pytest.approx(_ts(state.last_poll or "") + 3600, abs=0.01)


def test_status_shows_the_watchers_last_error(tmp_path: Path) -> None:
    sync = tally_file(tmp_path, ["a:one"])
    with open_store(tmp_path / "state.db") as store:
        store.save_watch_state(WatchState(str(sync.resolve()), 0.0, 3600.0,
                                          "2024-12-02T09:00:00.000+00:00", "error",
                                          "TransportError: down", None))
    shown = passeur("status", str(sync))
    assert ("watch: next run at 1970-01-01T00:00:00+00:00, last poll "
            "2024-12-02T09:00:00.000+00:00 (error: TransportError: down); no watcher "
            "running") in shown.stdout


def test_a_deliberate_skip_is_no_failed_watch_run_a_failure_still_is(tmp_path: Path) -> None:
    """A run whose only non-success is an entry skipped with its reason (it waits, as a
    statement of a journal not activated) is `ok` for the watcher (exit 0); one with a
    failed entry is not (exit 1). `passeur sync` stays stricter: 1 for the skip too."""
    sync = tally_file(tmp_path, ["a:one", "b:~two"])
    done = passeur("watch", str(sync), "--every", "1h", "--jitter", "0", "--once")
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert "1 created, 1 skipped" in done.stdout
    with open_store(tmp_path / "state.db") as store:
        state = store.watch_state(str(sync.resolve()))
        assert state is not None and state.last_status == "ok"
    assert passeur("sync", str(sync)).returncode == 1  # b:~two waits
    (tmp_path / "f").mkdir()
    failing = tally_file(tmp_path / "f", ["a:one", "a:!two", "b:~three"])
    done = passeur("watch", str(failing), "--every", "1h", "--jitter", "0", "--once")
    assert done.returncode == 1 and "1 failed" in done.stdout
    with open_store(tmp_path / "f" / "state.db") as store:
        state = store.watch_state(str(failing.resolve()))
        assert state is not None and state.last_status == "failed"


def test_run_status_counts_a_skip_only_with_its_reason() -> None:
    from passeur.ops.watch import run_status
    from passeur.sync import LedgerEntry

    def report(*entries: tuple[str, str | None]) -> Any:
        return SimpleNamespace(entries=tuple(
            LedgerEntry("r", "t", "s", str(n), outcome, reason=reason)
            for n, (outcome, reason) in enumerate(entries)), ok=False)

    assert run_status(report(("created", None), ("skipped", "journal not activated"))) == "ok"
    assert run_status(report(("skipped", None))) == "failed"
    assert run_status(report(("skipped", ""))) == "failed"
    assert run_status(report(("uncertain", "uncertain"))) == "failed"
    assert run_status(report(("failed", "refused"))) == "failed"
    assert run_status(report()) == "ok"
    assert run_status(SimpleNamespace(ok=True)) == "ok"


def test_the_schedule_is_read_again_after_each_run(tmp_path: Path) -> None:
    """An edited [schedule] every counts from the next run; an edit that cannot be read is
    said (stderr) and the schedule followed so far kept; the watcher goes on."""
    sync = tally_file(tmp_path, ["a:one"], extra='[schedule]\nevery = "2s"\n')
    good = sync.read_text(encoding="utf-8")
    watcher = Watcher(sync, "--jitter", "0")

    def until(text: str, most: int = 8) -> str:
        for _ in range(most):
            if text in (line := watcher.line()):
                return line
        raise AssertionError(f"no {text!r} in {watcher.lines}")

    try:
        assert watcher.line().endswith(": 1 created\n")
        assert watcher.line().endswith(" (every 2s)\n")
        sync.write_text(good.replace('every = "2s"', 'every = "3s"'), encoding="utf-8")
        until("(every 3s)")
        sync.write_text(good.replace('every = "2s"', 'every = "soon"'), encoding="utf-8")
        for _ in range(2):  # the first may have started before the edit
            until(" created")  # the run itself needs no schedule
            assert watcher.line().endswith(" (every 3s)\n"), watcher.lines
    finally:
        code, rest = watcher.stop()
    assert code == 0 and "Traceback" not in rest
    assert "note: the schedule changed: every 3s (was 2s)\n" in rest
    assert (f"note: {sync.resolve()} cannot be read again for its schedule (UsageError: "
            f"{sync.resolve()}: [schedule] 'soon' is not an interval passeur watch can "
            "follow") in rest.replace("\n", " ").replace("  ", " ")
    assert "; keeping every 3s" in rest


def test_a_watcher_whose_lease_was_taken_over_stops_and_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its lease lapsed (the process was suspended) and another watcher took it: at its next
    renewal it stops, between runs, with exit code 1 and why; the lease stays the other's."""
    import os
    import signal
    import threading

    from click.testing import CliRunner
    from ops.ops_helpers import SIDES

    from passeur.cli.app import State, cli
    from passeur.ops import watch as watching

    monkeypatch.setattr(watching, "LEASE_TTL", 0.3)  # renewed every 0.1 s
    registry = _down_registry()
    sync = tmp_path / "s.toml"
    sync.write_text('flow = "downpoll"\nstore = "state.db"\n' + SIDES, encoding="utf-8")
    resource = f"watch:{sync.resolve()}"
    stolen = threading.Event()

    def take_over() -> None:
        with open_store(tmp_path / "state.db") as store:
            deadline = time.monotonic() + 60
            while not store.runs() or store.runs()[0].status == "running":
                assert time.monotonic() < deadline, "the watcher never ran"
                time.sleep(0.02)
            time.sleep(0.2)  # asleep until the next due time, an hour away
            conn = store._db  # type: ignore[attr-defined]
            with conn:  # the lease expired and another watcher took it
                conn.execute("UPDATE leases SET run_id = 'watch-other', expires_at = ? "
                             "WHERE resource = ?", (time.time() + 60, resource))
            stolen.set()
        if not ended.wait(20):  # it did not notice: SIGTERM ends it (exit 0), the test fails
            os.kill(os.getpid(), signal.SIGTERM)

    ended = threading.Event()
    thief = threading.Thread(target=take_over)
    thief.start()
    try:
        result = CliRunner().invoke(cli, ["watch", str(sync), "--every", "1h", "--jitter",
                                          "0"], obj=State(registry))
    finally:
        ended.set()
        thief.join()
    assert stolen.is_set()
    assert result.exit_code == 1, result.output
    assert result.output.endswith(
        f"error: {sync.resolve()}: this watcher's lease lapsed (not renewed for 0s: the "
        "process was suspended or cut off from the store) and another watcher holds it "
        "now; this one stops and leaves the file to it\n")
    with open_store(tmp_path / "state.db") as store:
        assert len(store.runs()) == 1
        assert not store.lease(resource, "watch-third")  # still the other's
