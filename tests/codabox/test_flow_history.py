"""The history the monitoring view is built from is read from the store once per closed run:
`passeur serve` asks every few seconds, and a closed run's ledger does not change. A run
still running is read again each time; what is shown equals a fresh reading."""

from __future__ import annotations

from collections import Counter
from typing import Any

from codabox.flow_support import world

from passeur.state import open_store
from passeur.sync import LedgerEntry
from passeur_codabox.flow_history import read_history
from passeur_codabox.flow_status import journal_status


class Counting:
    """A store whose `ledger()` calls are counted (everything else passes through)."""

    def __init__(self, store: Any) -> None:
        self.store, self.calls = store, Counter[str]()

    def ledger(self, run_id: str) -> Any:
        self.calls[run_id] += 1
        return self.store.ledger(run_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_a_closed_runs_ledger_is_read_once(serve, tmp_path) -> None:
    w = world(serve, tmp_path, offices=1)
    w.run()
    w.run()
    sync = str(w.sync_file.resolve())
    options = w.options()
    with open_store(tmp_path / "state.db") as raw:
        store = Counting(raw)
        first = journal_status(store, options, sync)  # type: ignore[arg-type]
        runs = [r.run_id for r in raw.runs(sync)]
        assert len(runs) == 2 and dict(store.calls) == dict.fromkeys(runs, 1)
        assert journal_status(store, options, sync) == first  # type: ignore[arg-type]
        assert dict(store.calls) == dict.fromkeys(runs, 1)  # nothing read again
        running = raw.start_run(sync, "sync")
        read_history(store, sync)  # type: ignore[arg-type]
        read_history(store, sync)  # type: ignore[arg-type]
        assert store.calls[running.run_id] == 2  # still running: read each time
        assert [store.calls[r] for r in runs] == [1, 1]
        raw.record(LedgerEntry(running.run_id, "feed", "codabox", "77", "failed",
                               source_number=options.offices[0].name,
                               reason="Retryable", message="the feed could not be read"))
        raw.finish_run(running.run_id, "finished", {"failed": 1})
        seen = journal_status(store, options, sync)  # type: ignore[arg-type]
        assert {r.last_error for r in seen} == {"the feed could not be read"}
        with open_store(tmp_path / "state.db") as fresh:  # another store: read afresh
            assert journal_status(fresh, options, sync) == seen
        journal_status(store, options, sync)  # type: ignore[arg-type]
        assert store.calls[running.run_id] == 3  # read once closed, then kept
