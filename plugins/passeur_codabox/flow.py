"""The `codabox-clearfacts` flow (issue 15): every office's CodaBox feeds into ClearFacts.

Per office (a CodaBox login) and per feed client, the entries after the feed's offset are
read, in feed order, and each ends in exactly one ledger outcome of the run:

- a CODA statement of an **activated** bank journal is downloaded, read by the CODA parser
  (a statement that does not balance or does not read is `failed`, reason `refused`, and
  never delivered), checked against its metadata and its account's sequence (a gap or a
  statement out of order is delivered and reported in the outcome's message and the run's
  issues), and delivered to the statement target; a statement of a journal not activated
  (or not configured) is `skipped` with that reason, and waits in the redownload feed;
- a purchase or sales invoice is uploaded to the feed client's ClearFacts administration
  as PURCHASE / SALE, XML when the login may download it, else PDF;
- a document already delivered (bound by `feed_index`, or its intent confirmed) is
  `unchanged`; every upload is preceded by a write intent and confirmed after it
  (`passeur.engine.sync.once`), so a crash or a lost answer never uploads twice
  (`on_uncertain_upload`, `[resolve]`: docs/sync.md);
- the feed is then acknowledged up to the last entry of the leading run whose outcome is
  recorded as delivered, already delivered or skipped (`delivery.acknowledgement`), never
  past an entry that failed or is uncertain.

`replay` first reads each redownload feed (the entries acknowledged earlier), delivers what
is now deliverable (a journal activated since), and acknowledges that feed only up to the
leading run of delivered entries, so what is still skipped stays there; then the normal
feed, as without it. Failures of a whole feed (its listing, its acknowledgement) are ledger
lines of doctype `feed`.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from passeur import PasseurError, Registry
from passeur.http import AuthError, UnexpectedResponse, answer_id
from passeur.sync import FlowReport as RecordedReport
from passeur.sync import LedgerEntry, Member, Store, WriteOutcome, write_once
from passeur_codabox import targets
from passeur_codabox.delivery import Decision, acknowledgement, decide
from passeur_codabox.flow_config import FlowOptions, OfficeOptions
from passeur_codabox.flow_history import Facts, known_sequences
from passeur_codabox.sequence import AccountSequence

__all__ = ["DELIVERED", "FLOW_NAME", "FlowReport", "deliver", "feed_client_id", "intent_key",
           "label", "run_flow", "target_system"]

FLOW_NAME = "codabox-clearfacts"  # syncflow.NAME
#: Outcomes that say an entry's delivery is recorded (the feed may be acknowledged past it).
DELIVERED = frozenset({"created", "unchanged"})
_ACKNOWLEDGEABLE = DELIVERED | {"skipped"}
_SUCCESSES = frozenset({"created", "updated", "unchanged", "adopted"})
#: What the CODA parser warns of and the flow refuses to deliver: a statement whose
#: movements do not lead from its old balance to its new one has lost or gained something.
REFUSED_CODA = frozenset({"coda.balance"})


@attrs.frozen
class FlowReport(RecordedReport):
    """One run: its ledger entries (all recorded in the store) and the issues found (the
    statement sequences' gaps and late numbers, the feeds that failed)."""

    issues: tuple[str, ...] = ()

    @property
    def delivered(self) -> bool:
        """True when nothing failed or is uncertain: every entry is delivered or waits by
        the sync file's choice (a journal not activated). `ok` (the exit code) is stricter,
        as for every flow: a skipped entry makes it False."""
        return all(e.outcome in _SUCCESSES or e.outcome == "skipped" for e in self.entries)


def target_system(options: FlowOptions, model: str) -> str:
    """Where an entry of `model` is delivered: `folder` or `clearfacts`."""
    return "folder" if model == "coda" and options.statements.to == "folder" else "clearfacts"


def feed_client_id(feed_client: Any) -> int:
    """The feed id of a pod client's `feed_clients` item; `UnexpectedResponse` naming the
    request when CodaBox answered it without one (or not a number)."""
    ident = answer_id(feed_client, "id", write=False,
                      request="CodaBox GET delivery/pod-client/ (a feed client)")
    try:
        return int(ident)
    except ValueError:
        raise UnexpectedResponse(f"CodaBox GET delivery/pod-client/ answered a feed client "
                                 f"whose id {ident!r} is not a number") from None


def intent_key(system: str, index: str) -> str:
    """The write intent of delivering feed entry `index` to `system`."""
    return f"{FLOW_NAME}:{system}:{index}"


def label(entry: Mapping[str, Any]) -> str:
    meta = entry.get("metadata") or {}
    if entry.get("document_model") == "coda":
        first, last = meta.get("first_statement_number"), meta.get("last_statement_number")
        numbers = str(first) if first == last or last is None else f"{first}-{last}"
        return f"{meta.get('iban', '?')} #{numbers}"
    return str(meta.get("document_number") or entry.get("feed_index") or "?")


def _filename(entry: Mapping[str, Any], fmt: str) -> str:
    number = (entry.get("metadata") or {}).get("document_number") or entry.get("feed_index")
    stem = re.sub(r"[^\w.-]+", "_", str(number)).strip("._") or "invoice"
    return f"{stem}.{fmt}"


class _Run:
    """The state of one run: the store, the clients, the sequences, what was recorded."""

    def __init__(self, store: Store, options: FlowOptions, codabox: Mapping[str, Any],
                 clearfacts: Any, run_id: str, registry: Registry | None) -> None:
        self.store = store
        self.options = options
        self.codabox = codabox
        self.clearfacts = clearfacts
        self.run_id = run_id
        self.registry = registry
        self.entries: list[LedgerEntry] = []
        self.issues: list[str] = []
        self.sequences: dict[str, AccountSequence] = {}
        self.seen: set[str] = set()  # feed indexes whose statement numbers are counted
        self.target_refused: str | None = None
        self.on_event: Callable[[str, int, int | None], None] | None = None

    def record(self, entry: LedgerEntry) -> LedgerEntry:
        written = self.store.record(entry)
        self.entries.append(written)
        if self.on_event is not None:  # `passeur sync` draws it on a terminal
            self.on_event("entries", len(self.entries), None)
        return written

    def feed_failed(self, office: str, feed: str, exc: Exception, what: str) -> None:
        self.record(LedgerEntry(self.run_id, "feed", "codabox", feed, "failed",
                                source_number=office, reason=type(exc).__name__,
                                message=f"{what}: {exc}"))
        self.issues.append(f"{office} feed {feed}: {what}: {exc}")

    # -- offices and feeds ---------------------------------------------------------------

    async def office(self, office: OfficeOptions, replay: bool) -> None:
        client = self.codabox[office.name]
        try:
            pod = await asyncio.to_thread(client.pod_client)
        except PasseurError as exc:
            self.feed_failed(office.name, f"office {office.name}", exc,
                             "the pod client could not be read")
            return
        allowed = pod.get("allowed_formats") or {}
        for feed_client in pod.get("feed_clients") or []:
            for redownload in ((True, False) if replay else (False,)):
                await self.feed(office, client, feed_client, allowed, redownload)

    async def feed(self, office: OfficeOptions, client: Any, feed_client: Mapping[str, Any],
                   allowed: Mapping[str, Any], redownload: bool) -> None:
        try:
            feed_id = feed_client_id(feed_client)
        except PasseurError as exc:
            code = feed_client.get("client_code") if isinstance(feed_client, Mapping) else None
            self.feed_failed(office.name, f"client {code or '?'}", exc,
                             "the feed client cannot be read (nothing of it is delivered)")
            return
        name = f"{'redownload-' if redownload else ''}{feed_id}"
        try:
            entries = await asyncio.to_thread(client.feed, feed_id, redownload=redownload)
        except PasseurError as exc:
            self.feed_failed(office.name, name, exc, "the feed could not be read")
            return
        outcomes: dict[str, str] = {}
        for entry in entries:
            recorded = await self.entry(office, client, feed_client, allowed, entry,
                                        redownload)
            outcomes[str(entry.get("feed_index"))] = recorded.outcome
        wanted = DELIVERED if redownload else _ACKNOWLEDGEABLE
        last = acknowledgement(entries, {i for i, o in outcomes.items() if o in wanted})
        if last is None:
            return
        try:
            await asyncio.to_thread(client.acknowledge, feed_id, last, redownload=redownload)
        except PasseurError as exc:
            self.feed_failed(office.name, name, exc, f"the feed could not be acknowledged "
                             f"up to {last} (the next run delivers nothing twice: the "
                             "entries are bound)")

    # -- one entry -------------------------------------------------------------------------

    async def entry(self, office: OfficeOptions, client: Any, feed_client: Mapping[str, Any],
                    allowed: Mapping[str, Any], entry: Mapping[str, Any],
                    redownload: bool) -> LedgerEntry:
        index = str(entry.get("feed_index") or "")
        model = str(entry.get("document_model") or "unknown")
        facts = Facts.of(office.name, feed_client, entry, redownload)
        base = LedgerEntry(self.run_id, model, "codabox", index, "failed",
                           source_number=label(entry), diff=(facts.as_json(),))
        if not index:  # nothing to key its delivery by: never delivered, the feed held
            return self.record(attrs.evolve(base, source_id="(no feed_index)",
                                            reason="UnexpectedResponse", message=(
                f"the feed of client {feed_client.get('client_code') or '?'} answered an "
                f"entry ({model} {label(entry)}) without its 'feed_index': it is not "
                "delivered, and the feed is not acknowledged past it")))
        if model == "coda" and facts.iban and index not in self.seen:
            self.seen.add(index)
            before = self.sequences.get(facts.iban, AccountSequence(facts.iban))
            self.sequences[facts.iban] = after = before.after(
                facts.first or 0, facts.last or facts.first or 0, facts.date)
            facts_message = _sequence_message(before, after, facts)
        else:
            facts_message = ""
        binding = self.store.find_binding(model, "codabox", index)
        if binding is not None:
            other = next((m for m in binding.members if m.system != "codabox"), None)
            return self.record(attrs.evolve(
                base, outcome="unchanged", target_system=other.system if other else None,
                target_id=other.record_id if other else None, reason="already delivered"))
        decision = decide(entry, office.journals, allowed)
        if model in ("purchase_invoice", "sales_invoice") and self.options.invoices == "none":
            decision = Decision("skip", reason="invoices are not delivered by this sync file "
                                "([invoices] to = \"none\")", code="invoices not delivered")
        if decision.action == "skip":
            return self.record(attrs.evolve(
                base, outcome="skipped", reason=decision.code,
                message="; ".join(m for m in (decision.reason, facts_message) if m)))
        if self.target_refused is not None:
            return self.record(attrs.evolve(base, reason="AuthError", message="not attempted: "
                                            + self.target_refused))
        if facts_message:
            self.issues.append(f"{office.name}: {facts_message}")
        try:
            outcome, system = await self.deliver(client, feed_client, entry, decision,
                                                 redownload, index, model)
        except AuthError as exc:
            self.target_refused = f"the target refused the credentials: {exc}"
            return self.record(attrs.evolve(base, reason="AuthError", message=str(exc)))
        except PasseurError as exc:
            return self.record(attrs.evolve(base, reason=_reason(exc), message=str(exc)))
        except Exception as exc:  # a defect on one entry: the others still go, nothing lost
            return self.record(attrs.evolve(
                base, reason="defect", message=f"{type(exc).__name__}: {exc} (a defect in "
                "delivering this entry; the entry stays in the feed, which is not "
                "acknowledged past it)"))
        if outcome.outcome in DELIVERED and outcome.target_id:
            self._bind(model, index, label(entry), system, outcome.target_id)
        message = "; ".join(m for m in (outcome.message, facts_message) if m) or None
        return self.record(attrs.evolve(base, outcome=outcome.outcome, target_system=system,
                                        target_id=outcome.target_id, reason=outcome.reason,
                                        message=message))

    def _bind(self, model: str, index: str, label: str, system: str, target_id: str) -> None:
        if self.store.find_binding(model, "codabox", index) is None:
            self.store.bind(model, Member("codabox", index, number=label),
                            Member(system, target_id))

    async def deliver(self, client: Any, feed_client: Mapping[str, Any],
                      entry: Mapping[str, Any], decision: Decision, redownload: bool,
                      index: str, model: str) -> tuple[WriteOutcome, str]:
        """Download, check and send one entry under its write intent."""
        fmt = str(decision.format)
        company = str(feed_client.get("client_vat") or "")
        statements = self.options.statements
        system = target_system(self.options, model)
        if system == "clearfacts" and not company:
            raise _Refused(f"feed client {feed_client.get('client_code')} has no VAT number "
                           "(client_vat): its ClearFacts administration is not known")
        key = intent_key(system, index)
        policy = self.options.on_uncertain_upload
        resolution = self.options.resolve.get(index)
        earlier = self.store.intent(key)
        if earlier is not None and earlier.state in ("pending", "uncertain") and resolution:
            if resolution == "delivered":
                self.store.close_intent(key, "confirmed", target_id=f"resolved-by-hand:{index}",
                                        message="resolved as delivered in the sync file")
            else:
                policy = "reupload"
        confirmed = self.store.intent(key)
        if confirmed is not None and confirmed.state == "confirmed":  # nothing to download
            return WriteOutcome("unchanged", confirmed.target_id,
                                f"already delivered (run {confirmed.run_id})"), system
        try:
            data = await asyncio.to_thread(client.download, index, fmt, redownload=redownload)
        except AuthError as exc:  # CodaBox's refusal fails this entry, not the target
            raise _SourceRefused(str(exc)) from None
        if model == "coda":
            converted = self._checked_statement(entry, data, fmt)
            name = targets.statement_name(
                str(feed_client.get("client_code") or ""),
                str((entry.get("metadata") or {}).get("iban") or "account"),
                (entry.get("metadata") or {}).get("first_statement_number") or 0,
                (entry.get("metadata") or {}).get("last_statement_number"))

            async def send() -> str:
                return await targets.send_statement(statements, self.clearfacts, company,
                                                    name, data, converted)
        else:
            filename = _filename(entry, fmt)

            async def send() -> str:
                return await targets.send_invoice(self.clearfacts, company, filename, data,
                                                  str(decision.invoice_type))
        outcome = await write_once(self.store, send, key=key, run_id=self.run_id,
                                   system=system, doctype=model, source=f"codabox:{index}",
                                   on_uncertain=policy)
        return outcome, system

    def _checked_statement(self, entry: Mapping[str, Any], data: bytes,
                           fmt: str) -> bytes | None:
        """Read the CODA file; refuse one that does not read, does not balance or is not
        the statement its metadata announces. Its camt.053 form when the target wants it."""
        if fmt != "cod":
            return None  # a PDF statement is delivered as it is: nothing to check in it
        index = str(entry.get("feed_index"))
        reads = _read_coda(self.registry, data, f"codabox:{index}")
        errors = [i.message for _, issues in reads for i in issues
                  if i.level.name == "ERROR" or i.code in REFUSED_CODA]
        if errors or not reads or any(statement is None for statement, _ in reads):
            raise _Refused("the CODA file is refused: " + ("; ".join(errors[:3])
                                                           or "no statement in it"))
        meta = entry.get("metadata") or {}
        ibans = {str(getattr(statement.account, "iban", "") or "")
                 for statement, _ in reads}
        if meta.get("iban") and ibans != {str(meta["iban"])}:
            raise _Refused(f"the CODA file is of account {', '.join(sorted(ibans))}, but the "
                           f"feed entry announces {meta['iban']}")
        if self.options.statements.to == "folder" and \
                self.options.statements.format == "camt053":
            if self.registry is None:
                raise _Refused("camt.053 output needs the plugin registry")
            return targets.camt053_bytes(self.registry,
                                         [statement for statement, _ in reads])
        return None


def _read_coda(registry: Registry | None, data: bytes, name: str) -> list[tuple[Any, list[Any]]]:
    """Each statement of a CODA file with its issues, through the coda format the registry
    holds (the CODA plugin's parser: balances, record counts, structure)."""
    fmt = registry.formats.get("coda.statement") if registry is not None else None
    if fmt is None or fmt.read_file is None:
        raise _Refused("reading CODA statements needs the coda plugin, which is not loaded "
                       "(passeur plugins)")
    return [(statement, list(issues))
            for statement, issues, _line in fmt.read_file(io.BytesIO(data), name)]


class _Refused(PasseurError):
    """An entry that is not delivered because of what it is (not a transport failure)."""


class _SourceRefused(PasseurError):
    """CodaBox refused the office's credentials while downloading an entry."""


def _reason(exc: Exception) -> str:
    if isinstance(exc, _SourceRefused):
        return "AuthError"
    return "refused" if isinstance(exc, _Refused) else type(exc).__name__


def _sequence_message(before: AccountSequence, after: AccountSequence, facts: Facts) -> str:
    missing = [n for n in after.missing if n not in before.missing]
    late = [n for n in after.out_of_order if n not in before.out_of_order]
    parts = []
    if missing:
        parts.append(f"statement {facts.first} of {facts.iban} follows "
                     f"{before.last_number}: {_numbers(missing)} missing")
    if late and facts.first in before.missing:
        parts.append(f"statement {facts.first} of {facts.iban} arrived after "
                     f"{before.last_number} (out of order)")
    elif late:
        parts.append(f"statement {facts.first} of {facts.iban} was received before (the "
                     f"last received is {before.last_number}): a second copy, delivered "
                     "again; check it")
    return "; ".join(parts)


def _numbers(numbers: list[int]) -> str:
    return ("number " if len(numbers) == 1 else "numbers ") + ", ".join(map(str, numbers))


async def deliver(store: Store, options: FlowOptions, codabox: Mapping[str, Any],
                  clearfacts: Any, run_id: str, *, sync: str, replay: bool = False,
                  registry: Registry | None = None,
                  on_event: Callable[[str, int, int | None], None] | None = None
                  ) -> tuple[list[LedgerEntry], list[str]]:
    """The work of one run under `run_id` (already started): every office, in order.
    `codabox` maps each office's name to its CodaBox client; `on_event("entries", n,
    None)` follows each recorded outcome."""
    work = _Run(store, options, codabox, clearfacts, run_id, registry)
    work.on_event = on_event
    work.sequences, work.seen = known_sequences(store, sync)
    for office in options.offices:
        await work.office(office, replay)
    return work.entries, work.issues


async def run_flow(store: Store, options: FlowOptions, codabox: Mapping[str, Any],
                   clearfacts: Any, *, sync: str, replay: bool = False,
                   registry: Registry | None = None, mode: str = "sync",
                   on_event: Callable[[str, int, int | None], None] | None = None
                   ) -> FlowReport:
    """One run of the flow: the sync file's lock, the work, the run closed with its
    summary (status `aborted` if it raised). The run's mode is `mode` (`watch` when
    passeur watch runs it), `replay` for a replay."""
    run = store.start_run(sync, "replay" if replay else mode)
    status = "aborted"
    entries: list[LedgerEntry] = []
    issues: list[str] = []
    try:
        entries, issues = await deliver(store, options, codabox, clearfacts, run.run_id,
                                        sync=sync, replay=replay, registry=registry,
                                        on_event=on_event)
        status = "finished"
    finally:
        recorded = store.ledger(run.run_id)
        store.finish_run(run.run_id, status, RecordedReport(run, tuple(recorded)).summary)
    return FlowReport(store.run(run.run_id) or run, tuple(entries), tuple(issues))
