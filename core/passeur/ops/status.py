"""The monitoring document of one sync file: its runs as the store keeps them, where
`passeur watch` is, and the flow's own tables (per financial journal for CodaBox).

`passeur status --json` prints it, `passeur serve` answers it at /api/status: one shape,
documented in docs/sync.md ("Status"), every text in it passed through the redactor.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from passeur.engine.sync.flows import FlowContext, SyncFlow, flow_status
from passeur.redaction import redact_text
from passeur.state import SUCCESSES, Run, Store

__all__ = ["STATUS_VERSION", "ledger_document", "run_json", "runs_document",
           "status_document"]

#: Bumped when a key of the status document changes meaning or goes away.
STATUS_VERSION = 1

_NOT_OK = ("failed", "uncertain", "deferred", "conflict", "skipped")


def run_json(run: Run) -> dict[str, Any]:
    """A run as `passeur runs --json` gives it."""
    return {"run": run.run_id, "sync": run.sync, "mode": run.mode, "status": run.status,
            "started_at": run.started_at, "finished_at": run.finished_at,
            "summary": dict(run.summary)}


def _succeeded(run: Run) -> bool:
    return run.status == "finished" and not any(run.summary.get(k) for k in _NOT_OK)


def _error_of(store: Store, run: Run) -> dict[str, Any]:
    """What went wrong in a run: the first record that did not succeed, or how it ended."""
    first = next((e for e in store.ledger(run.run_id) if e.outcome not in SUCCESSES), None)
    if first is not None:
        what = first.source_number or first.source_id
        message = f"{first.doctype} {what}: {first.outcome}"
        detail = first.message or first.reason
        message += f" ({detail})" if detail else ""
    elif run.status == "running":
        message = "the run has not finished (still running, or killed)"
    else:
        message = f"the run was {run.status}"
    return {"run": run.run_id, "at": run.finished_at or run.started_at,
            "status": run.status, "message": message}


def runs_document(store: Store, sync: str) -> dict[str, Any]:
    """The runs of one sync file: how many, the last one, the last that succeeded entirely,
    the last that did not (with its first failing record), and outcomes over all runs."""
    runs = store.runs(sync)
    totals: dict[str, int] = {}
    for run in runs:
        for outcome, count in run.summary.items():
            totals[outcome] = totals.get(outcome, 0) + int(count)
    last_ok = next((r for r in runs if _succeeded(r)), None)
    last_bad = next((r for r in runs if not _succeeded(r)), None)
    return {"count": len(runs),
            "last": run_json(runs[0]) if runs else None,
            "last_success": run_json(last_ok) if last_ok else None,
            "last_error": _error_of(store, last_bad) if last_bad else None,
            "outcomes": totals}


def _watch(store: Store, sync: str) -> dict[str, Any] | None:
    state = store.watch_state(sync)
    if state is None:
        return None
    due = datetime.datetime.fromtimestamp(state.next_due, datetime.UTC)
    return {"next_due": due.isoformat(timespec="seconds"), "interval": state.interval,
            "last_poll": state.last_poll, "last_status": state.last_status,
            "last_error": state.last_error, "watcher": state.watcher}


async def status_document(ctx: FlowContext, flow: SyncFlow) -> dict[str, Any]:
    """The whole monitoring document (what `passeur status --json` prints)."""
    sync = str(ctx.spec.path)
    tables = [t.as_json() for t in await flow_status(flow, ctx)]
    document = {"passeur_status": STATUS_VERSION, "sync": ctx.spec.name, "file": sync,
                "flow": flow.name,
                "generated_at": datetime.datetime.now(datetime.UTC).isoformat(
                    timespec="seconds"),
                "runs": runs_document(ctx.store, sync), "watch": _watch(ctx.store, sync),
                "tables": tables}
    clean: dict[str, Any] = redacted(document)
    return clean


def ledger_document(store: Store, sync: str, run_id: str | None = None,
                    limit: int = 20) -> dict[str, Any]:
    """The latest runs of a sync file and the ledger of one (the latest by default), what
    `passeur serve` shows beside the status tables (/api/runs)."""
    runs = store.runs(sync)
    chosen = next((r for r in runs if r.run_id == run_id), None) if run_id else (
        runs[0] if runs else None)
    records = [e.as_json() for e in store.ledger(chosen.run_id)] if chosen else []
    clean: dict[str, Any] = redacted({"runs": [run_json(r) for r in runs[:limit]],
                                      "ledger": {"run": chosen.run_id if chosen else None,
                                                 "records": records}})
    return clean


def redacted(value: Any) -> Any:
    """Every text of a JSON value with the registered secrets masked."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {k: redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redacted(v) for v in value]
    return value
