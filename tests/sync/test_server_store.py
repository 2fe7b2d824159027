"""The same syncs on the PostgreSQL store (issue 17): a sync file without `store` takes
PASSEUR_STORE from the environment, and runs in several processes share one database.
After each scenario the target holds each source document exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

from sync.sync_helpers import ENV, held_once, numbers

from passeur.state import SUCCESSES
from passeur.state.postgres import PostgresStore


def test_a_sync_keeps_its_state_in_the_server_store(server_world: Any, postgres_url: str,
                                                    pg_schema: str) -> None:
    world = server_world(seed=5)
    first = world.run()
    assert first.ok and first.summary["created"] == len(first.entries)
    again = world.run()
    assert {e.outcome for e in again.entries} == {"unchanged"}
    held_once(world)
    assert not (world.folder / "state.db").exists()  # nothing went to a local file
    with PostgresStore(postgres_url, schema=pg_schema) as store:
        assert len(list(store.bindings("invoice"))) == 5
        assert [r.status for r in store.runs()] == ["finished", "finished"]
        assert len(store.ledger(first.run.run_id)) == len(first.entries)
    shown = world.cli("runs", "--sync", "sync.toml", "--json")
    assert shown.returncode == 0, shown.stderr
    assert [r["run"] for r in json.loads(shown.stdout)] == [again.run.run_id,
                                                            first.run.run_id]
    direct = world.cli("runs", "show", first.run.run_id, "--store", os.environ["PASSEUR_STORE"],
                       "--json")
    assert direct.returncode == 0, direct.stderr
    assert len(json.loads(direct.stdout)["records"]) == len(first.entries)


def test_two_processes_on_one_server_store_write_each_document_once(server_world: Any) -> None:
    world = server_world(seed=10, vf={"latency_ms": 10})
    other = world.folder / "other.toml"
    other.write_text(world.sync_file.read_text("utf-8"), encoding="utf-8")
    procs = [subprocess.Popen([sys.executable, "-m", "passeur", "sync", name, "--json"],
                              cwd=world.folder, env={**os.environ, **ENV},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for name in ("sync.toml", "other.toml")]
    reports = [json.loads(proc.communicate(timeout=120)[0]) for proc in procs]
    held = numbers(world)
    assert len(held) == len(set(held))
    deferred = {r["source_id"] for rep in reports for r in rep["records"]
                if r["outcome"] == "deferred" and r["doctype"] == "invoice"}
    assert set(world.erp.app.state.invoices) == set(held) | deferred
    final = world.run()  # what one process deferred, the next run writes
    assert final.ok and {e.outcome for e in final.entries} <= {"unchanged", "created"}
    held_once(world)


def test_a_killed_sync_on_the_server_store_is_completed_by_the_next_run(
        server_world: Any) -> None:
    world = server_world(seed=30, vf={"latency_ms": 60}, erp={"latency_ms": 30})
    proc = subprocess.Popen([sys.executable, "-m", "passeur", "sync", "sync.toml", "--json"],
                            cwd=world.folder, env={**os.environ, **ENV},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = world.vf.app.state
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(state.invoices) + len(state.clients) < 8:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    with world.store() as store:
        runs = store.runs()
        assert [r.status for r in runs] == ["running"]  # killed: never closed
        touched = store.ledger(runs[0].run_id)
    assert touched  # what the killed run did is on record, in the server store
    report = world.run()  # takes the dead run's lock over
    assert report.ok, [(e.source_id, e.outcome, e.message) for e in report.entries
                       if e.outcome not in SUCCESSES]
    held_once(world)
