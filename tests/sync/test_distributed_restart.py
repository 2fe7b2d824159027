"""The broker restarted mid-run (issue 17): the queue of a distributed run is the store's
PostgreSQL, so a restart of the server cuts every worker off its queue and its store at
once. Two real workers apply a few dozen invoices; while documents are being written, the
test server is stopped (`pg_ctl -m fast`) and started again on the same port and data by
`.ci/services restart`. After it: the run finishes, each invoice is in the target once,
each record has one outcome, and the target never answered 429."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sync.sync_helpers import ENV, held_once
from sync.test_distributed import HTTP, enqueue, one_outcome_each, stop

from passeur.engine.distributed import EXIT_STORE_LOST, STALLED_AFTER
from passeur.state import SUCCESSES

SERVICES = Path(__file__).resolve().parents[2] / ".ci" / "services"
ENV_DIR = "PASSEUR_TEST_SERVICES"
DOWN = 2.0  # seconds the server stays down: the workers see the outage, not a blip


def _restartable(postgres_url: str) -> Path:
    """The directory `.ci/services start` ran in, for the server of the test URL."""
    why = None
    folder = Path(os.environ.get(ENV_DIR, ""))
    if not os.environ.get(ENV_DIR):
        why = f"{ENV_DIR} is not set (it names the DIR of `.ci/services start DIR`)"
    elif not (folder / "pg" / "port").is_file():
        why = f"{ENV_DIR}={folder} holds no PostgreSQL started by .ci/services"
    elif f":{(folder / 'pg' / 'port').read_text().strip()}/" not in postgres_url:
        why = f"the server in {ENV_DIR}={folder} is not the one PASSEUR_TEST_POSTGRES names"
    if why is not None:
        reason = f"no PostgreSQL this test may restart: {why}"
        if os.environ.get("PASSEUR_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason}, and PASSEUR_REQUIRE_POSTGRES=1 says it must run")
        pytest.skip(reason)
    return folder


def _worker(world: Any, name: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as err:  # a file, not a pipe: a worker's log never blocks it
        return subprocess.Popen([sys.executable, "-m", "passeur", "worker", "--concurrency",
                                 "4", "--name", name], cwd=world.folder,
                                env={**os.environ, **ENV}, stdout=subprocess.DEVNULL,
                                stderr=err)


def test_the_broker_restarted_mid_run_the_run_finishes_each_invoice_once(
        server_world: Any, postgres_url: str, tmp_path: Path) -> None:
    folder = _restartable(postgres_url)
    world = server_world(seed=36, vf={"latency_ms": 60, "rate_limit": 40}, http=HTTP)
    logs = [tmp_path / f"w{n}.log" for n in range(2)]
    procs = [_worker(world, f"w{n}", log) for n, log in enumerate(logs)]
    exits: list[int] = []  # the statuses of the workers the outage ended
    restarted = None
    try:
        run_id = enqueue(world)
        state = world.vf.app.state
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(state.invoices) < 5:
            time.sleep(0.005)
        before = len(state.invoices)
        assert 5 <= before < 36, before  # the restart falls while documents are applied
        restarted = subprocess.run([str(SERVICES), "restart", str(folder), str(DOWN)],
                                   capture_output=True, text=True, timeout=60)
        assert restarted.returncode == 0, restarted.stderr
        # the jobs in hand when the workers died go back once their heartbeat is stale
        deadline = time.monotonic() + STALLED_AFTER + 30
        while True:  # what a supervisor does (systemd Restart=on-failure): start it again
            for n, proc in enumerate(procs):
                if proc.poll() is not None:
                    exits.append(proc.returncode)
                    procs[n] = _worker(world, f"w{n}-again", logs[n])
            with world.store() as store:
                run = store.run(run_id)
            if run is not None and run.status != "running":
                break
            assert time.monotonic() < deadline, [log.read_text()[-3000:] for log in logs]
            time.sleep(0.2)
    finally:
        if restarted is None or restarted.returncode != 0:  # the server left up, whatever
            subprocess.run([str(SERVICES), "restart", str(folder)], capture_output=True,
                           timeout=60, check=False)
        codes = stop(procs)
    text = "".join(log.read_text() for log in logs)
    assert codes == [0, 0], text[-3000:]  # the workers started again ran to the end
    # both workers saw the outage, said so, and exited for their supervisor to restart them
    assert exits == [EXIT_STORE_LOST] * 2, text[-3000:]
    assert text.count("passeur worker: lost the connection to the store's PostgreSQL "
                      "(restarted or unreachable); exiting with status 4 for a supervisor "
                      "to start it again") == 2
    assert run.status == "finished"
    entries = one_outcome_each(world, run_id)
    invoices = {e.source_id: e.outcome for e in entries if e.doctype == "invoice"}
    assert sorted(invoices) == sorted(world.erp.app.state.invoices)  # every record, once
    assert set(invoices.values()) <= SUCCESSES, [e for e in entries
                                                 if e.outcome not in SUCCESSES]
    assert len(invoices) == 36
    held_once(world)
    assert world.vf.app.middleware.stats.rate_limited == 0
