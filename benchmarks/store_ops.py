"""The store's part of one document of a distributed run: the PostgreSQL store calls an
apply task makes for a created invoice (its run's lock renewed, the document's lease, the
ledger looked at, the write intent opened and confirmed, the rate slot, the bindings, the
ledger entry, the lease let go), N documents in a row, against one `SELECT 1` on the same
connection: the ratio is what one document costs the worker's event loop in round trips'
worth of waiting (the store is synchronous: while it waits, nothing else of the worker runs).

    eval "$(.ci/services start /tmp/pg)"      # or PASSEUR_BENCH_POSTGRES=postgresql://...
    python benchmarks/store_ops.py            # 300 documents, best of 3
    python benchmarks/store_ops.py --documents 1000 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from typing import Any

from scale import schema  # benchmarks/scale.py: a throw-away schema of the server

from passeur.state import Intent, LedgerEntry, Member, attempt_owner, open_store


def one_document(store: Any, run_id: str, n: int) -> None:
    """What `_apply_task` and the Applier ask the store for one created invoice."""
    source_id, target_id = f"{10000 + n}", f"{n + 1}"
    owner = attempt_owner(run_id, f"job{n}.0")
    resource, key = f"vf:invoice:passeur:acomba:{source_id}", f"vf|invoice|{source_id}|create"
    store.outcome(run_id, "invoice", source_id)
    store.lease("sync:/bench/sync.toml", run_id, 3600.0)
    store.lease(resource, owner, 300.0)
    store.outcome(run_id, "invoice", source_id)
    store.find_binding("invoice", "acomba", source_id)
    store.open_intent(Intent(key, run_id, "vf", "invoice", "create", f"acomba:{source_id}"))
    store.take_slot("vf", 1e6, 1)
    store.close_intent(key, "confirmed", target_id)
    if store.find_binding("invoice", "acomba", source_id) is None and \
            store.find_binding("invoice", "vf", target_id) is None:
        store.bind("invoice", Member("acomba", source_id, None, "h", source_id),
                   Member("vf", target_id, "1", "h2", source_id))
    store.record(LedgerEntry(run_id, "invoice", "acomba", source_id, "created",
                             target_system="vf", target_id=target_id))
    store.release(resource, owner)


def measure(url: str, documents: int) -> dict[str, float]:
    with open_store(url) as store:
        run = store.start_run(f"/bench/{uuid.uuid4().hex}.toml", "distributed", ttl=3600)
        db = store._db  # the store's own connection, for the round trip it is measured by
        start = time.perf_counter()
        for _ in range(documents):
            db.execute("SELECT 1").fetchone()
        trip = (time.perf_counter() - start) / documents
        start = time.perf_counter()
        for n in range(documents):
            one_document(store, run.run_id, n)
        per_document = (time.perf_counter() - start) / documents
        store.finish_run(run.run_id, "finished", {})
    return {"round_trip_ms": trip * 1000, "document_ms": per_document * 1000,
            "round_trips_worth": per_document / trip}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    server = os.environ.get("PASSEUR_BENCH_POSTGRES") or os.environ.get("PASSEUR_TEST_POSTGRES")
    if not server:
        print("set PASSEUR_BENCH_POSTGRES (or run .ci/services start DIR)", file=sys.stderr)
        return 2
    results = []
    for _ in range(args.repeat):
        with schema(server) as url:
            results.append(measure(url, args.documents))
    best = min(results, key=lambda r: r["document_ms"])
    print(f"{args.documents} documents, best of {args.repeat}: "
          f"{best['document_ms']:.2f} ms of store per document, one round trip "
          f"{best['round_trip_ms']:.3f} ms: {best['round_trips_worth']:.1f} round trips' worth")
    return 0


if __name__ == "__main__":
    sys.exit(main())
