"""Push throughput: `passeur push` of N generated invoices into a VosFactures sandbox with
latency and a rate limit, concurrent against a sequential baseline measured in the same run.

    python benchmarks/push.py                       # 500 invoices, 100 ms, 10 req/s
    python benchmarks/push.py --count 100 --latency-ms 50 --rate-limit 20

Each run gets a fresh sandbox on loopback. The pass criteria of issue 5: no document fails
and the concurrent throughput is within 90 % of the rate limit. Exit code 1 if not.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from click.testing import CliRunner

import passeur.cli.push_cmd  # noqa: F401  (registers `push` on the group)
from passeur import load_registry
from passeur.cli.app import State, cli
from passeur.sandbox import serve_in_thread
from passeur_vosfactures.sandbox import create_app

TOKEN = "bench-token-0123456789"


def invoices(count: int, seed: int = 1) -> list[dict[str, Any]]:
    """Realistic small invoices: 1-4 lines, French VAT rates, a unique order id each."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        lines = []
        for k in range(rng.randint(1, 4)):
            price = Decimal(rng.randint(100, 50000)) / 100
            lines.append({"name": f"Article {rng.randint(1, 300)}", "quantity": rng.randint(1, 9),
                          "tax": rng.choice(["20", "10", "5.5"]) if k else "20",
                          "total_price_gross": str(price)})
        out.append({"kind": "vat", "oid": f"BENCH-{n:05d}", "issue_date": "2025-06-01",
                    "buyer_name": f"Client {rng.randint(1, 80)}", "positions": lines})
    return out


def run(label: str, docs_path: Path, workdir: Path, count: int, concurrency: int,
        latency_ms: float, rate: float, budget: bool = True) -> dict[str, Any]:
    """One `passeur push` into a fresh sandbox; `budget=False` leaves out the client's rate
    budget, so only the server's 429 + Retry-After paces the workers."""
    app = create_app(token=TOKEN, latency_ms=latency_ms, rate_limit=rate)
    server = serve_in_thread(app)
    conn = workdir / f"{label}.toml"
    pace = f"rate_limit = {rate}\n" if budget else ""
    conn.write_text(f'system = "vosfactures"\n[settings]\nbase_url = "{server.base_url}"\n'
                    'api_token = { env = "BENCH_TOKEN" }\n'
                    f"[http]\n{pace}timeout = 30\nmax_attempts = 20\n",
                    encoding="utf-8")
    try:
        started = time.perf_counter()
        result = CliRunner().invoke(
            cli, ["push", str(conn), "invoice", str(docs_path), "--json",
                  "--concurrency", str(concurrency)],
            obj=State(load_registry()), env={"BENCH_TOKEN": TOKEN})
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    report = json.loads(result.stdout)
    stored = len(app.state.invoices)
    return {"label": label, "concurrency": concurrency, "seconds": elapsed,
            "throughput": count / elapsed, "created": report["created"],
            "failed": report["failed"], "uncertain": report["uncertain"], "stored": stored,
            "answered_429": app.stats.rate_limited, "exit_code": result.exit_code}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--rate-limit", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--no-unbudgeted", action="store_true",
                        help="skip the informative run without a client-side rate budget")
    args = parser.parse_args(argv)
    docs = invoices(args.count)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        docs_path = workdir / "invoices.ndjson"
        docs_path.write_text("".join(json.dumps(d, default=str) + "\n" for d in docs),
                             encoding="utf-8")
        print(f"push benchmark: {args.count} invoices, sandbox latency {args.latency_ms:g} ms, "
              f"rate limit {args.rate_limit:g} req/s, python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs", flush=True)
        results = [
            run("sequential", docs_path, workdir, args.count, 1, args.latency_ms,
                args.rate_limit),
            run("concurrent", docs_path, workdir, args.count, args.concurrency,
                args.latency_ms, args.rate_limit),
        ]
        extra = [] if args.no_unbudgeted else [
            run("no budget", docs_path, workdir, args.count, args.concurrency,
                args.latency_ms, args.rate_limit, budget=False)]
    for r in results + extra:
        print(f"  {r['label']:<10} (--concurrency {r['concurrency']}): {r['created']} created, "
              f"{r['failed']} failed, {r['uncertain']} uncertain, {r['stored']} stored, "
              f"{r['answered_429']} answered 429; {r['seconds']:.1f} s = "
              f"{r['throughput']:.2f} invoices/s")
    sequential, concurrent = results
    of_limit = concurrent["throughput"] / args.rate_limit
    print(f"  ratio concurrent / rate limit : {of_limit:.3f}  (target >= 0.90)")
    print(f"  ratio concurrent / sequential : "
          f"{concurrent['throughput'] / sequential['throughput']:.3f}")
    for r in extra:
        print(f"  ratio no budget / rate limit  : {r['throughput'] / args.rate_limit:.3f}  "
              "(informative: pacing by 429 + Retry-After alone)")
    ok = (of_limit >= 0.9 and all(r["created"] == args.count == r["stored"]
                                  and r["failed"] == r["uncertain"] == 0 for r in results))
    print("  PASS" if ok else "  FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
