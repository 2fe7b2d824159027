"""The CodaBox monitoring view read again and again, as `passeur serve` does every few
seconds: with the closed runs' ledgers kept (passeur_codabox.flow_history) against reading
every ledger each time (the cache emptied before each call: the baseline, in the same run).

    python benchmarks/status_history.py [RUNS] [LINES_PER_RUN]

A store of RUNS closed runs of LINES_PER_RUN CODA lines each (one office, three accounts)
is made in a temporary folder; each leg calls `journal_status` 20 times, best of 3.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from passeur.state import open_store
from passeur.sync import LedgerEntry
from passeur_codabox import flow_history
from passeur_codabox.delivery import Journal
from passeur_codabox.flow_config import FlowOptions, OfficeOptions
from passeur_codabox.flow_history import Facts
from passeur_codabox.flow_status import journal_status

IBANS = ("BE68539007547034", "BE71096123456769", "BE62510007547061")


def _options() -> FlowOptions:
    journals = {iban: Journal(iban, f"BQ{n}", True) for n, iban in enumerate(IBANS, 1)}
    office = OfficeOptions(name="office1", username="u", password="p", journals=journals)
    return FlowOptions(offices=(office,))


def _fill(store: object, sync: str, runs: int, lines: int) -> None:
    number = 0
    for _ in range(runs):
        run = store.start_run(sync, "sync")  # type: ignore[attr-defined]
        for n in range(lines):
            number += 1
            iban = IBANS[n % len(IBANS)]
            facts = Facts("office1", 277, "C01", "Client", "BE0123456749", "coda", iban,
                          number, number, None)
            store.record(LedgerEntry(run.run_id, "coda", "codabox", f"idx-{number}",  # type: ignore[attr-defined]
                                     "created", source_number=f"{iban} #{number}",
                                     diff=(facts.as_json(),)))
        store.finish_run(run.run_id, "finished", {"created": lines})  # type: ignore[attr-defined]


def _leg(store: object, options: FlowOptions, sync: str, cached: bool) -> float:
    best = float("inf")
    for _ in range(3):
        flow_history._CLOSED.clear()
        journal_status(store, options, sync)  # type: ignore[arg-type]
        start = time.perf_counter()
        for _ in range(20):
            if not cached:
                flow_history._CLOSED.clear()
            journal_status(store, options, sync)  # type: ignore[arg-type]
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    lines = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    options = _options()
    with tempfile.TemporaryDirectory() as folder, \
            open_store(Path(folder) / "state.db") as store:
        sync = "/bench/offices.toml"
        _fill(store, sync, runs, lines)
        flow_history._CLOSED.clear()
        fresh = journal_status(store, options, sync)
        assert journal_status(store, options, sync) == fresh  # the same view either way
        baseline = _leg(store, options, sync, cached=False)
        kept = _leg(store, options, sync, cached=True)
    print(f"{runs} runs x {lines} lines, 20 calls, best of 3")
    print(f"every ledger read each call (baseline): {baseline * 1000 / 20:8.1f} ms/call  1.00")
    print(f"closed runs' ledgers kept:              {kept * 1000 / 20:8.1f} ms/call  "
          f"{baseline / kept:.1f}x faster")


if __name__ == "__main__":
    main()
