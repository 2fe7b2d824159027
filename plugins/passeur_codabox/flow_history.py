"""What earlier runs of the flow saw, read back from the store's ledger: each entry's facts
(office, feed client, account, statement numbers, date) travel with its ledger line, so the
statement sequences and the monitoring view (`flow_status`) need nothing but the store.

A ledger line of the flow carries one item in `diff`: `{"facts": {...}}` (what CodaBox said
of the entry, not a change of fields): see `Facts.as_json`.
"""

from __future__ import annotations

import datetime
import weakref
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from passeur.sync import LedgerEntry, Run, Store
from passeur_codabox.sequence import AccountSequence

__all__ = ["Facts", "History", "known_sequences", "read_history"]

Lines = tuple[tuple[LedgerEntry, "Facts | None"], ...]


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@attrs.frozen
class Facts:
    """What one feed entry was, as the flow recorded it."""

    office: str
    feed_id: int | None
    client_code: str
    client_name: str
    company: str
    model: str
    iban: str = ""
    first: int | None = None
    last: int | None = None
    date: datetime.date | None = None
    redownload: bool = False

    @classmethod
    def of(cls, office: str, feed_client: Mapping[str, Any], entry: Mapping[str, Any],
           redownload: bool = False) -> Facts:
        meta = entry.get("metadata") or {}
        return cls(office, _int(feed_client.get("id")), str(feed_client.get("client_code")
                                                             or ""),
                   str(feed_client.get("client_name") or ""),
                   str(feed_client.get("client_vat") or ""),
                   str(entry.get("document_model") or ""),
                   str(meta.get("iban") or "").replace(" ", "").upper(),
                   _int(meta.get("first_statement_number")),
                   _int(meta.get("last_statement_number")),
                   _date(meta.get("new_balance_date") or meta.get("document_date")),
                   redownload)

    def as_json(self) -> dict[str, Any]:
        return {"facts": {"office": self.office, "feed_id": self.feed_id,
                          "client_code": self.client_code, "client_name": self.client_name,
                          "company": self.company, "model": self.model, "iban": self.iban,
                          "first": self.first, "last": self.last,
                          "date": self.date.isoformat() if self.date else None,
                          "redownload": self.redownload}}

    @classmethod
    def from_ledger(cls, entry: LedgerEntry) -> Facts | None:
        for item in entry.diff:
            raw = item.get("facts") if isinstance(item, Mapping) else None
            if isinstance(raw, Mapping):
                return cls(str(raw.get("office") or ""), _int(raw.get("feed_id")),
                           str(raw.get("client_code") or ""),
                           str(raw.get("client_name") or ""), str(raw.get("company") or ""),
                           str(raw.get("model") or ""), str(raw.get("iban") or ""),
                           _int(raw.get("first")), _int(raw.get("last")),
                           _date(raw.get("date")), bool(raw.get("redownload")))
        return None


@attrs.frozen
class History:
    """Every run of one sync file (oldest first) with its ledger lines and their facts."""

    runs: tuple[Run, ...]
    lines: tuple[tuple[LedgerEntry, Facts | None], ...]

    def entries(self) -> Iterator[tuple[LedgerEntry, Facts]]:
        for line, facts in self.lines:
            if facts is not None:
                yield line, facts


#: The ledger lines of closed runs already read, per store object and sync file: a closed
#: run's ledger does not change, so `passeur serve` (which asks every few seconds) and a
#: long watcher read each one once; a run still running is read again each time.
_CLOSED: weakref.WeakKeyDictionary[Store, dict[str, dict[tuple[str, str], Lines]]] = \
    weakref.WeakKeyDictionary()


def read_history(store: Store, sync: str) -> History:
    runs = tuple(reversed(store.runs(sync)))
    try:
        known = _CLOSED.setdefault(store, {}).setdefault(sync, {})
    except TypeError:  # a store that cannot be referred to weakly: read everything
        known = {}
    kept: dict[tuple[str, str], Lines] = {}
    lines: list[tuple[LedgerEntry, Facts | None]] = []
    for run in runs:
        key = (run.run_id, run.finished_at or "")
        found = known.get(key)
        if found is None:
            found = tuple((line, Facts.from_ledger(line)) for line in store.ledger(run.run_id))
        if run.status != "running" and run.finished_at:
            kept[key] = found
        lines.extend(found)
    known.clear()  # runs pruned from the store leave the cache too
    known.update(kept)
    return History(runs, tuple(lines))


def known_sequences(store: Store, sync: str,
                    history: History | None = None) -> tuple[dict[str, AccountSequence],
                                                             set[str]]:
    """Each account's statement sequence after every CODA entry earlier runs saw (each
    entry once, in the order first seen), and the feed indexes seen."""
    history = history or read_history(store, sync)
    sequences: dict[str, AccountSequence] = {}
    seen: set[str] = set()
    for line, facts in history.entries():
        if facts.model != "coda" or not facts.iban or line.source_id in seen:
            continue
        seen.add(line.source_id)
        if facts.first is None:
            continue
        current = sequences.get(facts.iban, AccountSequence(facts.iban))
        sequences[facts.iban] = current.after(facts.first, facts.last or facts.first,
                                              facts.date)
    return sequences, seen
