"""Sync throughput: `passeur sync` of N Acomba invoices (ERP Connector sandbox) into a
VosFactures sandbox that answers every request after 300 ms and allows 20 requests per
second, against a sequential loop (one create at a time, same client, same sandbox
settings) measured in the same run.

    python benchmarks/sync.py                          # 200 invoices, 300 ms, 20 req/s
    python benchmarks/sync.py --count 100 --latency-ms 100 --rate-limit 10

Throughput is what the target sandbox served (every request: listings, lookups, creates of
clients, products and invoices) divided by the wall time, over the whole run and over the
apply stage alone (the plan's few listings are sequential by nature). Pass criteria of issue
13: every record succeeds, each invoice is stored once, and the sync reaches at least 90 % of
the rate limit. Exit code 1 if not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from passeur import load_registry
from passeur.engine.sync import load_sync_file, make_plan, open_context, run_plan
from passeur.sandbox import serve_in_thread
from passeur.state import open_store
from passeur_erpconnector.sandbox import create_app as erp_app
from passeur_vosfactures.sandbox import create_app as vf_app

ENV = {"BENCH_LICENCE": "lic", "BENCH_SECRET": "sec", "BENCH_VF_TOKEN": "tok"}


def _files(folder: Path, erp_url: str, vf_url: str, rate: float, concurrency: int) -> Path:
    (folder / "acomba.toml").write_text(
        f'system = "acomba"\n[settings]\nbase_url = "{erp_url}/api"\ncompany_id = "1"\n'
        'licence = { env = "BENCH_LICENCE" }\nsecret = { env = "BENCH_SECRET" }\n',
        encoding="utf-8")
    (folder / "vf.toml").write_text(
        f'system = "vosfactures"\n[settings]\nbase_url = "{vf_url}"\n'
        f'api_token = {{ env = "BENCH_VF_TOKEN" }}\n[http]\nrate_limit = {rate}\n',
        encoding="utf-8")
    sync = folder / "sync.toml"
    sync.write_text('store = "state.db"\n[source]\nconnection = "acomba.toml"\n[target]\n'
                    f'connection = "vf.toml"\n[read]\nconcurrency = {concurrency}\n',
                    encoding="utf-8")
    return sync


def sync_run(count: int, latency_ms: float, rate: float, concurrency: int) -> dict[str, Any]:
    erp = serve_in_thread(erp_app(licence="lic", secret="sec", seed=count, today="2024-06-01"))
    target = vf_app(token="tok", today="2024-06-01", latency_ms=latency_ms, rate_limit=rate)
    vf = serve_in_thread(target)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sync = _files(Path(tmp), erp.base_url, vf.base_url, rate, concurrency)
            registry = load_registry()
            spec = load_sync_file(sync, registry)
            with open_store(spec.store) as store:
                ctx = open_context(spec, registry, store)

                marks: dict[str, float] = {}

                async def go() -> Any:
                    try:
                        plan = await make_plan(ctx)
                        marks["planned"] = time.perf_counter()
                        marks["requests"] = target.stats.requests
                        return await run_plan(ctx, plan=plan)
                    finally:
                        await ctx.aclose()

                start = time.perf_counter()
                report = asyncio.run(go())
                elapsed = time.perf_counter() - start
                applying = time.perf_counter() - marks["planned"]
        numbers = [i["number"] for i in target.state.invoices]
        return {"records": len(report.entries), "ok": report.ok, "summary": report.summary,
                "requests": target.stats.requests, "rate_limited": target.stats.rate_limited,
                "seconds": round(elapsed, 2),
                "requests_per_s": round(target.stats.requests / elapsed, 2),
                "apply_seconds": round(applying, 2),
                "apply_requests_per_s": round((target.stats.requests - marks["requests"])
                                              / applying, 2),
                "invoices": len(numbers), "duplicates": len(numbers) - len(set(numbers))}
    finally:
        erp.stop()
        vf.stop()


def sequential_run(count: int, latency_ms: float, rate: float) -> dict[str, Any]:
    """The baseline: one create after the other through the same client, no pipeline."""
    from passeur.http import HttpSettings
    from passeur_vosfactures.client import VosFacturesClient

    target = vf_app(token="tok", today="2024-06-01", latency_ms=latency_ms, rate_limit=rate)
    vf = serve_in_thread(target)
    client = VosFacturesClient(vf.base_url, api_token="tok",
                               settings=HttpSettings(rate_limit=rate))
    try:
        start = time.perf_counter()
        for n in range(count):
            client.create_invoice({"buyer_name": f"Client {n}", "positions": [
                {"name": "Article", "quantity": 1, "tax": "20", "total_price_gross": "12.00"}]},
                oid=f"SEQ-{n}", oid_unique=True)
        elapsed = time.perf_counter() - start
    finally:
        client.close()
        vf.stop()
    return {"requests": target.stats.requests, "seconds": round(elapsed, 2),
            "requests_per_s": round(target.stats.requests / elapsed, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--rate-limit", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--sequential-count", type=int, default=30)
    args = parser.parse_args(argv)
    os.environ.update(ENV)
    seq = sequential_run(args.sequential_count, args.latency_ms, args.rate_limit)
    print(f"sequential: {json.dumps(seq)}", flush=True)
    run = sync_run(args.count, args.latency_ms, args.rate_limit, args.concurrency)
    print(f"sync:       {json.dumps(run)}", flush=True)
    ratio = run["requests_per_s"] / args.rate_limit
    apply_ratio = run["apply_requests_per_s"] / args.rate_limit
    print(f"sync / rate limit: {ratio:.3f} over the whole run (plan included), "
          f"{apply_ratio:.3f} while applying (target >= 0.90); sync / sequential: "
          f"{run['requests_per_s'] / seq['requests_per_s']:.2f}")
    good = run["ok"] and run["duplicates"] == 0 and run["invoices"] == args.count
    return 0 if good and apply_ratio >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
