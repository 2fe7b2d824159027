"""The monitoring view of the codabox-clearfacts flow (seed 001's "Surveillance" tab): per
financial journal of every office, whether it is activated, what CodaBox last sent for it,
when the flow last polled and delivered, the gaps in its statement sequence, the statements
waiting and the last error. Read from the store alone (`flow_history`), so `passeur status`
and the web page cost no call to CodaBox and show the same thing.

An IBAN the feeds sent statements for but the sync file does not configure is listed too
(journal `(not configured)`): its statements wait as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from passeur.sync import Store
from passeur_codabox.flow import DELIVERED
from passeur_codabox.flow_config import FlowOptions
from passeur_codabox.flow_history import read_history
from passeur_codabox.sequence import AccountSequence

__all__ = ["COLUMNS", "JournalStatus", "journal_status", "status_tables"]

#: The columns of each office's table, in order (keys of `JournalStatus.as_json`).
COLUMNS = ("journal", "iban", "activated", "client", "last_statement", "last_statement_date",
           "last_poll", "last_delivery", "gaps", "out_of_order", "waiting", "last_error")


@attrs.frozen
class JournalStatus:
    office: str
    journal: str
    iban: str
    activated: bool
    client: str = ""
    last_statement: int | None = None
    last_statement_date: str | None = None
    last_poll: str | None = None
    last_delivery: str | None = None
    gaps: tuple[int, ...] = ()
    out_of_order: tuple[int, ...] = ()
    waiting: int = 0
    last_error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"office": self.office, "journal": self.journal, "iban": self.iban,
                "activated": self.activated, "client": self.client,
                "last_statement": self.last_statement,
                "last_statement_date": self.last_statement_date,
                "last_poll": self.last_poll, "last_delivery": self.last_delivery,
                "gaps": list(self.gaps), "out_of_order": list(self.out_of_order),
                "waiting": self.waiting, "last_error": self.last_error}


@attrs.define
class _Account:
    office: str = ""
    client: str = ""
    sequence: AccountSequence | None = None
    last_delivery: str | None = None
    latest: dict[str, tuple[str, str | None, str | None]] = attrs.field(factory=dict)
    delivered: set[str] = attrs.field(factory=set)


def journal_status(store: Store, options: FlowOptions, sync: str) -> list[JournalStatus]:
    """One line per journal: the configured ones office by office, in the sync file's order,
    then the IBANs seen but not configured."""
    history = read_history(store, sync)
    accounts: dict[str, _Account] = {}
    office_errors: dict[str, tuple[str, str]] = {}  # office -> (at, message), latest run only
    last_poll = history.runs[-1].started_at if history.runs else None
    latest_run = history.runs[-1].run_id if history.runs else None
    for line, facts in history.lines:
        if line.doctype == "feed" and line.run_id == latest_run and line.source_number:
            office_errors[line.source_number] = (line.at or "", line.message or "")
        if facts is None or facts.model != "coda" or not facts.iban:
            continue
        account = accounts.setdefault(facts.iban, _Account())
        account.office = facts.office
        account.client = f"{facts.client_code} {facts.client_name}".strip()
        if line.source_id not in account.latest and facts.first is not None:
            current = account.sequence or AccountSequence(facts.iban)
            account.sequence = current.after(facts.first, facts.last or facts.first,
                                             facts.date)
        account.latest[line.source_id] = (line.outcome, line.at, line.message)
        if line.outcome in DELIVERED:
            account.delivered.add(line.source_id)
            if line.outcome == "created":
                account.last_delivery = line.at
    rows = []
    configured: set[str] = set()
    for office in options.offices:
        for iban, journal in office.journals.items():
            configured.add(iban)
            rows.append(_row(office.name, journal.name, iban, journal.activated,
                             accounts.get(iban), last_poll, office_errors.get(office.name)))
    for iban, account in accounts.items():
        if iban not in configured:
            rows.append(_row(account.office, "(not configured)", iban, False, account,
                             last_poll, office_errors.get(account.office)))
    return rows


def _row(office: str, journal: str, iban: str, activated: bool, account: _Account | None,
         last_poll: str | None, office_error: tuple[str, str] | None) -> JournalStatus:
    if account is None:
        error = office_error[1] if office_error else None
        return JournalStatus(office, journal, iban, activated, last_poll=last_poll,
                             last_error=error)
    sequence = account.sequence or AccountSequence(iban)
    waiting = [i for i in account.latest if i not in account.delivered]
    errors = sorted(((at or "", message or outcome) for i, (outcome, at, message)
                     in account.latest.items()
                     if outcome in ("failed", "uncertain") and i not in account.delivered),
                    reverse=True)
    error = errors[0][1] if errors else None
    if office_error and (not errors or office_error[0] >= errors[0][0]):
        error = office_error[1]
    return JournalStatus(
        office, journal, iban, activated, account.client, sequence.last_number,
        sequence.last_date.isoformat() if sequence.last_date else None, last_poll,
        account.last_delivery, sequence.missing, sequence.out_of_order, len(waiting), error)


def status_tables(store: Store, options: FlowOptions, sync: str) -> list[dict[str, Any]]:
    """One table per office, `{"title", "columns", "rows"}`, each row a mapping of
    `COLUMNS` (what `passeur status` prints and `passeur serve` shows)."""
    tables: dict[str, dict[str, Any]] = {}
    for row in journal_status(store, options, sync):
        table = tables.setdefault(row.office, {"title": row.office, "columns": list(COLUMNS),
                                               "rows": []})
        plain: Mapping[str, Any] = row.as_json()
        table["rows"].append({c: plain[c] for c in COLUMNS})
    return list(tables.values())
