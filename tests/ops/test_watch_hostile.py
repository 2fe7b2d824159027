"""`passeur watch` given hostile values and a world that changes under it: intervals no
date can hold or too short to mean anything, a sync file made invalid between runs (and
edited back), the store deleted under it. A clear message, no traceback, an exit code
that says it."""

from __future__ import annotations

from pathlib import Path

import pytest
from ops.ops_helpers import passeur, tally_file
from ops.test_watch import Watcher, _spec

from passeur.errors import UsageError
from passeur.ops.watch import schedule_for
from passeur.state import open_store


@pytest.mark.parametrize(("every", "jitter", "message"), [
    ("99999999999d", None, "--every 99999999999d: the interval must be from 1s to 366d"),
    ("367d", None, "--every 367d: the interval must be from 1s to 366d"),
    ("0.0001", None, "--every 0.0001: the interval must be from 1s to 366d"),
    ("1h", "99999999999d", "--jitter 99999999999d: the jitter must be at most 366d"),
])
def test_an_interval_out_of_bounds_is_refused(every: str, jitter: str | None,
                                              message: str) -> None:
    with pytest.raises(UsageError) as refused:
        schedule_for(_spec(None), every, jitter, None)
    assert str(refused.value) == message


def test_a_schedule_of_inf_in_the_file_is_refused() -> None:
    with pytest.raises(UsageError) as refused:  # TOML: every = inf
        schedule_for(_spec(float("inf")), None, None, None)  # type: ignore[arg-type]
    assert str(refused.value) == ("[schedule] every = inf: the interval must be from 1s "
                                  "to 366d")


def test_a_huge_every_plans_nothing_and_leaves_the_store_readable(tmp_path: Path) -> None:
    sync = tally_file(tmp_path, ["a:one"])
    done = passeur("watch", str(sync), "--every", "99999999999d", "--once")
    assert done.returncode == 2, done.stderr
    assert done.stderr == ("error: --every 99999999999d: the interval must be from 1s to "
                           "366d\n")
    assert passeur("watch", str(sync), "--every", "1h", "--once").returncode == 0
    status = passeur("status", str(sync), "--json")
    assert status.returncode == 0 and "Traceback" not in status.stderr


def test_a_sync_file_edited_between_runs_is_read_again(tmp_path: Path) -> None:
    sync = tally_file(tmp_path, ["a:one"])
    good = sync.read_text(encoding="utf-8")
    watcher = Watcher(sync, "--every", "1s", "--jitter", "0")
    try:
        assert watcher.line().endswith(": 1 created\n")
        sync.write_text(good.replace("[tally]", "colour = 1\n[tally]"), encoding="utf-8")
        lines = [watcher.line() for _ in range(3)]  # a run may start before the edit
        line = next((x for x in lines if "run failed" in x), lines[-1])
        assert line.split(" ", 1)[1].startswith(  # then the keys a side has
            f"run failed: UsageError: {sync}:8: unknown key 'colour' in [target] (a side "
            "has: connection, name, system, settings, http, seller")
        sync.write_text(good.replace('"a:one"', '"a:one", "a:two"'), encoding="utf-8")
        lines = [watcher.line() for _ in range(3)]
        line = next((x for x in lines if "run failed" not in x), lines[-1])
        assert line.endswith(": 2 created\n"), line  # the edit counts: two items
    finally:
        code, rest = watcher.stop()
    assert code == 0 and "Traceback" not in rest


def test_the_store_deleted_under_the_watcher_stops_it(tmp_path: Path) -> None:
    sync = tally_file(tmp_path, ["a:one"])
    watcher = Watcher(sync, "--every", "1s", "--jitter", "0")
    assert watcher.line().endswith(": 1 created\n")
    (tmp_path / "state.db").unlink()
    for extra in ("state.db-wal", "state.db-shm"):
        (tmp_path / extra).unlink(missing_ok=True)
    try:
        code = watcher.process.wait(timeout=60)
    finally:
        if watcher.process.poll() is None:  # not stopped: stop it, the test fails
            watcher.process.kill()
            watcher.process.wait()
    assert watcher.process.stderr is not None
    err = watcher.process.stderr.read()
    watcher.process.stdout.close()  # type: ignore[union-attr]
    watcher.process.stderr.close()
    assert code == 1
    assert err == (f"error: {tmp_path / 'state.db'}: the store was deleted or replaced while "
                   "watching; the watcher stops rather than record runs where nobody reads "
                   "them (restore the file, or start passeur watch again to begin with the "
                   "store now at that path)\n")
    assert not (tmp_path / "state.db").exists()
    with open_store(tmp_path / "state.db") as store:
        assert store.runs() == []
