"""Sync throughput: `passeur sync` of N Acomba invoices (ERP Connector sandbox) into a
VosFactures sandbox that answers every request after 300 ms and allows 20 requests per
second, against a sequential loop (one create at a time, same client, same sandbox
settings) measured in the same run.

    python benchmarks/sync.py                          # 200 invoices, 300 ms, 20 req/s
    python benchmarks/sync.py --count 100 --latency-ms 100 --rate-limit 10

Throughput is what the target sandbox served (every request: listings, lookups, creates of
clients, products and invoices) divided by the wall time of the whole run, plan included:
`passeur sync` applies each item the moment it is planned, with the target's listings side
by side. The same sync as `plan` then `apply` is measured too, with its apply stage alone.
Pass criteria of issue 13: every record succeeds, each invoice is stored once, and the sync
reaches at least 90 % of the rate limit over the whole run. Exit code 1 if not.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from passeur import load_registry
from passeur.engine.sync import load_sync_file, make_plan, open_context, run_plan
from passeur.state import open_store

ENV = {"BENCH_LICENCE": "lic", "BENCH_SECRET": "sec", "BENCH_VF_TOKEN": "tok"}
SYSTEMS = {"erp": "passeur_erpconnector.sandbox", "vf": "passeur_vosfactures.sandbox"}


def _serve(system: str, options: dict[str, Any], pipe: Any) -> None:
    """In the sandbox's own process: serve until told to stop, then report what it saw."""
    import importlib

    from passeur.sandbox import serve_in_thread

    app = importlib.import_module(SYSTEMS[system]).create_app(**options)
    server = serve_in_thread(app)
    pipe.send(server.base_url)
    pipe.recv()
    invoices = app.state.invoices
    numbers = [str(i["number"]) for i in invoices] if system == "vf" else []
    pipe.send({"requests": app.stats.requests, "rate_limited": app.stats.rate_limited,
               "numbers": numbers, "arrivals": list(app.stats.arrivals)})
    server.stop()


@contextlib.contextmanager
def sandbox(system: str, **options: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """A sandbox in a process of its own, as a real server is: its work does not share the
    benchmarked client's interpreter (GIL). Yields its URL and, once the block is left, a
    dict filled with its request count and the invoice numbers it holds."""
    context = multiprocessing.get_context("spawn")
    here, there = context.Pipe()
    process = context.Process(target=_serve, args=(system, options, there), daemon=True)
    process.start()
    seen: dict[str, Any] = {}
    try:
        yield here.recv(), seen
    finally:
        here.send("stop")
        seen.update(here.recv())
        process.join(10)


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


def sync_run(count: int, latency_ms: float, rate: float, concurrency: int,
             streamed: bool = True) -> dict[str, Any]:
    """One run of a fresh sync: `streamed` as `passeur sync` runs it (each item applied the
    moment it is planned), else as `passeur plan` then `passeur apply` (the apply stage
    timed on its own too). The mapping is compiled before the clock starts (`open_context`,
    as in both commands)."""
    marks: dict[str, float] = {}
    with sandbox("erp", licence="lic", secret="sec", seed=count, today="2024-06-01") as (
            erp_url, _), sandbox("vf", token="tok", today="2024-06-01", latency_ms=latency_ms,
                                 rate_limit=rate) as (vf_url, seen), \
            tempfile.TemporaryDirectory() as tmp:
        sync = _files(Path(tmp), erp_url, vf_url, rate, concurrency)
        registry = load_registry()
        spec = load_sync_file(sync, registry)
        with open_store(spec.store) as store:
            ctx = open_context(spec, registry, store)

            async def go() -> Any:
                try:
                    if streamed:
                        return await run_plan(ctx)
                    plan = await make_plan(ctx)
                    marks["planned"] = time.perf_counter()
                    return await run_plan(ctx, plan=plan)
                finally:
                    await ctx.aclose()

            start = time.perf_counter()
            report = asyncio.run(go())
            elapsed = time.perf_counter() - start
    numbers = seen["numbers"]
    result = {"records": len(report.entries), "ok": report.ok, "summary": report.summary,
              "requests": seen["requests"], "rate_limited": seen["rate_limited"],
              "seconds": round(elapsed, 2),
              "requests_per_s": round(seen["requests"] / elapsed, 2),
              "invoices": len(numbers), "duplicates": len(numbers) - len(set(numbers))}
    if not streamed:
        applying = elapsed - (marks["planned"] - start)
        writes = sum(e.outcome == "created" for e in report.entries)
        result["plan_seconds"] = round(marks["planned"] - start, 2)
        result["apply_seconds"] = round(applying, 2)
        result["apply_writes_per_s"] = round(writes / applying, 2)
    return result


def sequential_run(count: int, latency_ms: float, rate: float) -> dict[str, Any]:
    """The baseline: one create after the other through the same client, no pipeline."""
    from passeur.http import HttpSettings
    from passeur_vosfactures.client import VosFacturesClient

    with sandbox("vf", token="tok", today="2024-06-01", latency_ms=latency_ms,
                 rate_limit=rate) as (url, seen):
        client = VosFacturesClient(url, api_token="tok", settings=HttpSettings(rate_limit=rate))
        try:
            start = time.perf_counter()
            for n in range(count):
                client.create_invoice({"buyer_name": f"Client {n}", "positions": [
                    {"name": "Article", "quantity": 1, "tax": "20",
                     "total_price_gross": "12.00"}]}, oid=f"SEQ-{n}", oid_unique=True)
            elapsed = time.perf_counter() - start
        finally:
            client.close()
    return {"requests": seen["requests"], "seconds": round(elapsed, 2),
            "requests_per_s": round(seen["requests"] / elapsed, 2)}


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
    print(f"sequential:      {json.dumps(seq)}", flush=True)
    run = sync_run(args.count, args.latency_ms, args.rate_limit, args.concurrency)
    print(f"sync:            {json.dumps(run)}", flush=True)
    staged = sync_run(args.count, args.latency_ms, args.rate_limit, args.concurrency,
                      streamed=False)
    print(f"plan then apply: {json.dumps(staged)}", flush=True)
    ratio = run["requests_per_s"] / args.rate_limit
    print(f"sync / rate limit: {ratio:.3f} over the whole run, plan included (target >= "
          f"0.90); plan then apply: {staged['requests_per_s'] / args.rate_limit:.3f} over "
          f"both, {staged['apply_writes_per_s'] / args.rate_limit:.3f} in writes while "
          f"applying; sync / sequential: {run['requests_per_s'] / seq['requests_per_s']:.2f}")
    good = all(r["ok"] and r["duplicates"] == 0 and r["invoices"] == args.count
               for r in (run, staged))
    return 0 if good and ratio >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
