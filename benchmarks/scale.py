"""Distributed throughput: `passeur worker` processes (1, 2, 4) running `sync --distributed`
of several accounts at once, each a VosFactures sandbox with its own rate limit and a slow
answer (the work waits on the network, so it scales on two cores).

    eval "$(.ci/services start /tmp/pg)"              # or PASSEUR_BENCH_POSTGRES=postgresql://...
    python benchmarks/scale.py                        # 4 accounts x 10 req/s, 300 ms, 200 invoices
    python benchmarks/scale.py --accounts 2 --count 20 --workers 1 2
    python benchmarks/scale.py --workers 4 --busy 2       # both cores also taken by loops

Each account has its own Acomba sandbox (in this process) and VosFactures sandbox (in a
process of its own), and its own sync file; all share one PostgreSQL schema, which is the
store and the queue. The workers are started and registered before the clock starts; the
clock runs from the first enqueue to the last run closed. Throughput is the requests the
target sandboxes served divided by that time, given as a ratio to one worker and to the sum
of the accounts' limits (issue 17's target: 0.9 with 4 workers). Each line of JSON also says
when each account's first and last request reached its sandbox (seconds after the first
enqueue): what the start and the end cost, apart from the budgets the run filled. Exit code 1
if a document is missing or doubled, a record failed, or a sandbox answered 429.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sync import ENV, sandbox  # benchmarks/sync.py: sandboxes in processes of their own

from passeur import load_registry
from passeur.engine.distributed import enqueue_sync
from passeur.sandbox import serve_in_thread
from passeur.state import SUCCESSES, open_store
from passeur_erpconnector.sandbox import create_app as erp_app


def _files(folder: Path, n: int, erp_url: str, vf_url: str, rate: float) -> Path:
    (folder / f"acomba{n}.toml").write_text(
        f'system = "acomba"\n[settings]\nbase_url = "{erp_url}/api"\ncompany_id = "1"\n'
        f'licence = {{ env = "BENCH_LICENCE{n}" }}\nsecret = {{ env = "BENCH_SECRET" }}\n',
        encoding="utf-8")
    (folder / f"vf{n}.toml").write_text(
        f'system = "vosfactures"\n[settings]\nbase_url = "{vf_url}"\n'
        f'api_token = {{ env = "BENCH_VF_TOKEN" }}\n[http]\nrate_limit = {rate}\n',
        encoding="utf-8")
    sync = folder / f"sync{n}.toml"
    # one store for all accounts: each side is bound under a name of its own
    sync.write_text(f'[source]\nconnection = "acomba{n}.toml"\nname = "acomba{n}"\n'
                    f'[target]\nconnection = "vf{n}.toml"\nname = "vf{n}"\n',
                    encoding="utf-8")
    return sync


@contextlib.contextmanager
def schema(server: str) -> Any:
    import psycopg
    from psycopg import sql

    name = f"passeur_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    joiner = "&" if "?" in server else "?"
    try:
        yield f"{server}{joiner}options={quote(f'-csearch_path={name}')}"
    finally:
        with psycopg.connect(server, autocommit=True) as db:
            db.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def _live_workers(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as db:
        row = db.execute("SELECT to_regclass('procrastinate_workers')").fetchone()
        if row is None or row[0] is None:
            return 0
        return int(db.execute("SELECT count(*) FROM procrastinate_workers").fetchone()[0])


@contextlib.contextmanager
def busy(processes: int) -> Any:
    """`processes` busy loops for the block's length: a machine whose cores are taken by
    other work (two on this two-core machine: every process waits its turn)."""
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
             for _ in range(processes)]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


def measure(server: str, workers: int, accounts: int, count: int, rate: float,
            latency_ms: float, concurrency: int, loops: int = 0) -> dict[str, Any]:
    env = {**os.environ, **ENV}
    with contextlib.ExitStack() as stack, schema(server) as url:
        env["PASSEUR_STORE"] = url
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        seen, syncs = [], []
        for n in range(accounts):
            # a licence per account: the reads of each source have a budget of their own
            env[f"BENCH_LICENCE{n}"] = os.environ[f"BENCH_LICENCE{n}"] = f"lic{n}"
            erp = serve_in_thread(erp_app(licence=f"lic{n}", secret="sec", seed=count,
                                          today="2024-06-01"))
            stack.callback(erp.stop)
            vf_url, stats = stack.enter_context(sandbox(
                "vf", token="tok", today="2024-06-01", latency_ms=latency_ms,
                rate_limit=rate))
            seen.append(stats)
            syncs.append(_files(folder, n, erp.base_url, vf_url, rate))
        with open_store(url):
            pass  # the store's tables first, then the queue's beside them
        procs = [subprocess.Popen([sys.executable, "-m", "passeur", "worker", "--concurrency",
                                   str(concurrency)], cwd=folder, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(workers)]
        try:
            deadline = time.monotonic() + 60
            while _live_workers(url) < workers:
                if time.monotonic() > deadline:
                    raise SystemExit("the workers did not start")
                time.sleep(0.1)
            registry = load_registry()
            stack.enter_context(busy(loops))
            wall, start = time.time(), time.monotonic()
            # what `passeur sync --distributed` does, once per sync file
            run_ids = [enqueue_sync(registry, str(sync), store_url=url).run_id
                       for sync in syncs]
            with open_store(url) as store:
                while any((r := store.run(i)) is None or r.status == "running"
                          for i in run_ids):
                    time.sleep(0.1)
                elapsed = time.monotonic() - start
                runs = [store.run(i) for i in run_ids]
                entries = [e for i in run_ids for e in store.ledger(i)]
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(30)
    requests = sum(s["requests"] for s in seen)
    # the sandboxes' clock is CLOCK_MONOTONIC too: seconds after the first enqueue
    arrivals = [sorted(a - start for a in s["arrivals"]) for s in seen]
    invoice_at = sorted(datetime.datetime.fromisoformat(e.at).timestamp() - wall
                        for e in entries if e.doctype == "invoice" and e.at)
    numbers = [n for s in seen for n in s["numbers"]]
    doubled = sum(len(s["numbers"]) - len(set(s["numbers"])) for s in seen)  # per account
    return {"workers": workers, "busy": loops, "seconds": round(elapsed, 2), "requests": requests,
            # when the first and the last invoice were recorded: before, the plan tasks
            "first_invoice_s": round(invoice_at[0], 2) if invoice_at else None,
            "last_invoice_s": round(invoice_at[-1], 2) if invoice_at else None,
            "requests_per_s": round(requests / elapsed, 2),
            # when each account's first and last request arrived
            "first_request_s": [round(a[0], 2) for a in arrivals if a],
            "last_request_s": [round(a[-1], 2) for a in arrivals if a],
            "rate_limited": sum(s["rate_limited"] for s in seen),
            "runs": [r.status for r in runs if r is not None],
            "records": len(entries),
            "not_ok": sum(e.outcome not in SUCCESSES for e in entries),
            "first_not_ok": sorted({f"{e.outcome}: {e.message}" for e in entries
                                    if e.outcome not in SUCCESSES})[:3],
            "invoices": len(numbers), "duplicates": doubled}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=4)
    parser.add_argument("--count", type=int, default=200, help="invoices per account")
    parser.add_argument("--rate-limit", type=float, default=10.0, help="per account, req/s")
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--concurrency", type=int, default=4, help="tasks per worker")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--busy", type=int, default=0, metavar="N",
                        help="N busy loops run beside the workers while measured: a "
                        "loaded machine (default 0)")
    args = parser.parse_args(argv)
    server = os.environ.get("PASSEUR_BENCH_POSTGRES") or os.environ.get("PASSEUR_TEST_POSTGRES")
    if not server:
        print("set PASSEUR_BENCH_POSTGRES (or run .ci/services start DIR)", file=sys.stderr)
        return 2
    os.environ.update(ENV)
    limits = args.accounts * args.rate_limit
    results = []
    for workers in args.workers:
        result = measure(server, workers, args.accounts, args.count, args.rate_limit,
                         args.latency_ms, args.concurrency, args.busy)
        results.append(result)
        print(json.dumps(result), flush=True)
    base = results[0]["requests_per_s"]
    for r in results:
        print(f"{r['workers']} worker(s): {r['requests_per_s']:.1f} req/s, "
              f"x{r['requests_per_s'] / base:.2f} of {results[0]['workers']} worker(s), "
              f"{r['requests_per_s'] / limits:.3f} of the accounts' limits ({limits:g} req/s)")
    good = all(r["invoices"] == args.accounts * args.count and r["duplicates"] == 0
               and r["not_ok"] == 0 and r["rate_limited"] == 0
               and set(r["runs"]) == {"finished"} for r in results)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
