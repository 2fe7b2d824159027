"""The src-documents flow: the invoice PDFs SRC lacks, fetched from where they live and sent
in bulk archives, each entry exactly once (issue 16).

One run: include again what the sync file names; list the SRC entries that may have
documents and have none (read to the end before anything is sent); reconcile the archives
of an earlier run whose answer never came (an entry the listing no longer shows got its
document); exclude what the rules say (`mayHaveDocuments: false`); match each entry to its
source invoice by the sync file's rule; look again at the entries sent before whose source
invoice changed (a new content hash is sent again on purpose: SRC overwrites, nothing can
be deleted); fetch each PDF (checked: `%PDF-`, size), pack archives within SRC's limits
(passeur.archives, one archive in memory at a time), and for each archive record a write
intent per entry, upload, and confirm. An upload whose answer is lost is never resent
blindly: the listing says which of its entries now have a document, and only the others go
again. Every entry the run touches ends in the ledger with one outcome.

`passeur plan` runs the same with `mode="plan"`: it reads SRC, the store and the source
(PDFs only to compare an earlier upload's hash), and writes nothing anywhere.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from passeur.archives import PackedArchive, Refused, pack_archives, safe_member_name
from passeur.http import AuthError, TransportError, Uncertain, UnexpectedResponse, answer_id
from passeur.sync import SUCCESSES, Binding, Intent, LedgerEntry, Member, Store
from passeur_src.client import PDF_MAGIC, SrcClient
from passeur_src.flow_options import DocumentOptions
from passeur_src.sources import PdfSource, SourceDoc, TooLarge

__all__ = ["DOCTYPE", "FlowReport", "Item", "run_documents"]

#: A progress callback: (stage, done, total or None), as `passeur sync` draws it.
Event = Callable[[str, int, int | None], None]

#: The requests named in what the flow says of their answers.
LISTING = "SRC GET api/v1/invoices (an entry of the listing)"
UPLOAD = "SRC POST v1/invoice-document-archives"

#: The bindings' document type: one per SRC entry that was sent a document.
DOCTYPE = "invoice_document"

#: What the run does (or, planning, would do) to an entry, and the ledger outcome it gives.
ACTIONS = {"send": "created", "overwrite": "updated", "exclude": "updated",
           "include_again": "updated", "not_in_source": "deferred", "unchanged": "unchanged"}


@attrs.frozen
class Item:
    """One entry of a run: what was (or would be) done, and the ledger record of it."""

    action: str
    entry: LedgerEntry


@attrs.define
class FlowReport:
    run_id: str | None
    mode: str
    items: list[Item] = attrs.field(factory=list)
    uploads: int = 0

    @property
    def entries(self) -> tuple[LedgerEntry, ...]:
        return tuple(i.entry for i in self.items)

    @property
    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.entry.outcome] = counts.get(item.entry.outcome, 0) + 1
        return counts

    @property
    def actions(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.action] = counts.get(item.action, 0) + 1
        return counts

    @property
    def ok(self) -> bool:
        return all(i.entry.outcome in SUCCESSES for i in self.items)


@attrs.define
class _Send:
    entry_id: str
    doc: SourceDoc
    action: str  # send / overwrite
    sha: str = ""
    note: str | None = None
    old_sha: str | None = None  # what was sent before, for an overwrite

    @property
    def diff(self) -> tuple[dict[str, Any], ...]:
        if self.action != "overwrite":
            return ()
        return ({"path": "document.sha256", "target": (self.old_sha or "")[:12],
                 "source": self.sha[:12]},)

    def intent_key(self, sync: str) -> str:
        return f"{sync}:{self.entry_id}:{self.sha}"


def _flag_diff(value: bool) -> tuple[dict[str, Any], ...]:
    return ({"path": "mayHaveDocuments", "target": not value, "source": value},)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _source_ref(source: str, doc: SourceDoc) -> str:
    """What the binding keeps of the source invoice: system, id and version."""
    return f"{source}:{doc.id}@{doc.version or ''}"


class _Run:
    def __init__(self, store: Store, sync: str, src: SrcClient, source: PdfSource,
                 options: DocumentOptions, mode: str, run_id: str | None, source_name: str,
                 target_name: str, on_event: Event | None = None) -> None:
        self.store, self.sync, self.src, self.source = store, sync, src, source
        self.options, self.mode, self.run_id = options, mode, run_id
        self.source_name, self.target_name = source_name, target_name
        self.report = FlowReport(run_id, mode)
        #: The entries this run has recorded already (the look at changed PDFs skips them).
        self.touched: set[str] = set()
        #: The listed entries without an id already recorded (by number or content).
        self.unidentified: set[str] = set()
        self.stopped: str | None = None
        self.on_event = on_event
        self.fetched = 0
        self.to_send = 0

    @property
    def writing(self) -> bool:
        return self.mode != "plan"

    # -- the ledger ----------------------------------------------------------------------

    def record(self, action: str, entry_id: str, *, outcome: str | None = None,
               doc: SourceDoc | None = None, number: str | None = None,
               reason: str | None = None, message: str | None = None,
               diff: tuple[dict[str, Any], ...] = ()) -> None:
        entry = LedgerEntry(
            run_id=self.run_id or "plan", doctype="invoice", source_system=self.source_name,
            source_id=doc.id if doc else (number or entry_id), outcome=outcome or ACTIONS[action],
            source_number=doc.number if doc else number, target_system=self.target_name,
            target_id=entry_id, reason=reason or action, message=message, diff=diff)
        if self.writing:
            entry = self.store.record(entry)
        self.report.items.append(Item(action, entry))
        self.touched.add(entry_id)

    def bind(self, send: _Send) -> None:
        member = Member(self.target_name, send.entry_id,
                        version=_source_ref(self.source_name, send.doc),
                        content_hash=send.sha, number=send.doc.number)
        found = self.store.find_binding(DOCTYPE, self.target_name, send.entry_id)
        self.store.bind(DOCTYPE, member, doc_id=found.doc_id if found else None)

    # -- reading -------------------------------------------------------------------------

    def missing(self) -> dict[str, dict[str, Any]]:
        """The entries that may have documents and have none, read to the end. One listed
        without its id cannot be sent a document: it is a failed line of the ledger (once
        per run), and the others go on."""
        found: dict[str, dict[str, Any]] = {}
        for entry in self.src.invoices(page_size=self.options.page_size):
            try:
                ident = answer_id(entry, "id", write=False, request=LISTING)
            except UnexpectedResponse as exc:
                self._unidentified(entry, exc)
                continue
            found[ident] = entry
        return found

    def _unidentified(self, entry: Any, exc: Exception) -> None:
        number = next((str(entry[k]) for k in ("number", "documentNumber", "invoiceNumber")
                       if isinstance(entry, dict) and entry.get(k)), None)
        key = number or repr(entry)[:80]
        if key in self.unidentified:
            return
        self.unidentified.add(key)
        self.record("send", "(no id)", number=number, outcome="failed",
                    reason="UnexpectedResponse", message=f"{exc}: it cannot be sent a "
                    "document (SRC is asked by id); the next run reads the listing again")

    def with_document(self) -> set[str]:
        """The entries SRC holds a document for (read only to reconcile: after a lost
        answer, an entry that left the missing listing may have been excluded instead);
        one without its id says nothing of the entries sent."""
        return {str(e["id"]) for e in self.src.invoices(
            may_have_documents=None, has_document=True, page_size=self.options.page_size)
            if isinstance(e, dict) and e.get("id") not in (None, "")}

    def reconcile(self, missing: dict[str, dict[str, Any]],
                  by_id: dict[str, SourceDoc]) -> None:
        """An earlier run's intents never confirmed (a lost answer, a killed run): an entry
        SRC now lists with a document got what was sent; one still missing is sent by this
        run; one in neither listing (excluded or removed since) cannot have taken it."""
        prefix = f"{self.sync}:"
        open_intents = [i for state in ("pending", "uncertain")
                        for i in self.store.intents(state)
                        if i.doctype == DOCTYPE and i.key.startswith(prefix)]
        if not open_intents:
            return
        held = self.with_document() if any(
            i.action == "create" and i.key[len(prefix):].rpartition(":")[0] not in missing
            for i in open_intents) else set()
        for intent in open_intents:
            entry_id, _, sha = intent.key[len(prefix):].rpartition(":")
            if intent.action == "create" and entry_id not in missing \
                    and entry_id not in held:
                doc = self._doc_of(intent, by_id)
                if self.writing:
                    self.store.close_intent(intent.key, "failed", message="SRC lists the "
                                            "entry neither as missing nor with a document")
                self.record("send", entry_id, doc=doc, outcome="failed", reason="gone",
                            message="an earlier run's upload was never confirmed, and SRC "
                                    "now lists this entry neither as lacking a document nor "
                                    "with one (excluded or removed since): not sent again")
            elif intent.action == "create" and entry_id not in missing:
                doc = self._doc_of(intent, by_id)
                if self.writing:
                    self.bind(_Send(entry_id, doc, "send", sha=sha))
                    self.store.close_intent(intent.key, "confirmed", target_id=entry_id,
                                            message="reconciled: SRC lists the entry "
                                                    "with a document")
                self.record("send", entry_id, doc=doc, reason="reconciled",
                            message="an earlier run's upload was never confirmed; SRC now "
                                    "lists this entry with a document: it arrived, nothing "
                                    "is sent again")
            elif self.writing:
                self.store.close_intent(intent.key, "failed", message=(
                    "not received: SRC still lists the entry without a document"
                    if intent.action == "create" else
                    "SRC cannot say whether this overwrite arrived: sent again"))

    def _doc_of(self, intent: Intent, by_id: dict[str, SourceDoc]) -> SourceDoc:
        """The source invoice an intent was for: as the source has it now (its version
        then says whether it changed since), else as the intent names it."""
        _, _, rest = intent.source.partition(":")
        ident, _, number = rest.partition("#")
        return by_id.get(ident) or SourceDoc(ident, number or ident)

    # -- exclusions ----------------------------------------------------------------------

    def include_again(self) -> None:
        ids = list(self.options.exclusions.include_again)
        if not ids:
            return
        if not self.writing:
            for ident in ids:
                self.record("include_again", ident, number=ident, message="would be sent "
                            "mayHaveDocuments: true (include_again)", diff=_flag_diff(True))
            return
        results = {str(r.get("id")): r for r in self.src.set_may_have_documents(ids, True)}
        for ident in ids:
            self._put_result("include_again", ident, results.get(ident),
                             "included again (mayHaveDocuments: true): the listing shows it "
                             "while it has no document")

    def exclude(self, entries: list[tuple[dict[str, Any], str]]) -> None:
        if not entries:
            return
        if not self.writing:
            for entry, why in entries:
                self.record("exclude", str(entry["id"]), number=str(entry["id"]),
                            message=f"would be excluded: {why}", diff=_flag_diff(False))
            return
        results = {str(r.get("id")): r for r in self.src.set_may_have_documents(
            [str(e["id"]) for e, _ in entries], False)}
        for entry, why in entries:
            ident = str(entry["id"])
            self._put_result("exclude", ident, results.get(ident),
                             f"excluded (mayHaveDocuments: false): {why}; undo with "
                             f"include_again = [\"{ident}\"] in [exclude]")

    def _put_result(self, action: str, ident: str, result: dict[str, Any] | None,
                    message: str) -> None:
        status = (result or {}).get("status")
        if status == "updated":
            self.record(action, ident, number=ident, message=message,
                        diff=_flag_diff(action == "include_again"))
        elif status == "unchanged":  # an include_again left in the file: nothing changed
            self.record(action, ident, number=ident, outcome="unchanged", message=(
                "SRC had it so already (mayHaveDocuments: "
                f"{'true' if action == 'include_again' else 'false'})"))
        else:
            self.record(action, ident, number=ident, outcome="failed", reason="refused",
                        message=f"SRC answered {status or 'nothing'} for {ident}: "
                                f"{(result or {}).get('message') or 'no result for it'}")

    # -- deciding what to send -----------------------------------------------------------

    def decide(self, missing: dict[str, dict[str, Any]],
               index: dict[str, list[SourceDoc]]) -> list[_Send]:
        sends: list[_Send] = []
        excluded: list[tuple[dict[str, Any], str]] = []
        for ident, entry in missing.items():
            why = self.options.exclusions.reason(entry)
            if why is not None:
                excluded.append((entry, why))
                continue
            number = self.options.source_number(entry)
            found = index.get(number or "", [])
            if len(found) != 1:
                self.record("not_in_source", ident, number=number, message=(
                    f"the rule ({self.options.rule_where}) gives no number for {ident}"
                    if number is None else
                    f"no invoice numbered {number} in {self.source_name} (from {ident} by "
                    f"the rule at {self.options.rule_where}); the next run looks again"
                    if not found else
                    f"{len(found)} invoices numbered {number} in {self.source_name}: "
                    "which one holds the document is not guessed"))
                continue
            bound = self.store.find_binding(DOCTYPE, self.target_name, ident)
            note = ("sent before, yet SRC lists it without a document: sent again"
                    if bound is not None else None)
            sends.append(_Send(ident, found[0], "send", note=note))
        self.exclude(excluded)
        return sends

    def changed(self, missing: dict[str, dict[str, Any]],
                index: dict[str, list[SourceDoc]]) -> list[_Send]:
        """Entries sent before whose source PDF changed: sent again, on purpose."""
        by_id = {d.id: d for docs in index.values() for d in docs}
        sends: list[_Send] = []
        for binding in list(self.store.bindings(DOCTYPE, self.target_name)):
            send = self._recheck(binding, missing, by_id)
            if send is not None:
                sends.append(send)
        return sends

    def _recheck(self, binding: Binding, missing: dict[str, dict[str, Any]],
                 by_id: dict[str, SourceDoc]) -> _Send | None:
        member = binding.member(self.target_name)
        if member is None or member.record_id in missing or not member.version \
                or member.record_id in self.touched:
            return None
        system, _, rest = member.version.partition(":")
        ident, _, version = rest.rpartition("@")
        doc = by_id.get(ident)
        if system != self.source_name or doc is None:
            return None  # the invoice left the source: the document SRC holds stays
        if version and doc.version == version:
            return None  # not changed since it was sent
        try:
            data = self.source.fetch(doc, self.options.max_pdf_bytes)
        except (TransportError, OSError, TooLarge) as exc:
            self.record("overwrite", member.record_id, doc=doc, outcome="failed",
                        reason="source_error", message=f"its source invoice changed and its "
                        f"PDF cannot be read: {exc}")
            return None
        sha = _sha(data)
        if sha == member.content_hash:
            if self.writing:
                self.bind(_Send(member.record_id, doc, "send", sha=sha))
            self.record("unchanged", member.record_id, doc=doc, reason="same_content",
                        message=f"{self.source_name} changed the invoice, its PDF is the one "
                                "sent")
            return None
        # only the hash is kept: the PDF is fetched again when its archive is packed, so
        # memory holds one archive however many PDFs changed
        return _Send(member.record_id, doc, "overwrite", sha=sha,
                     note=f"its PDF in {self.source_name} changed since it was sent",
                     old_sha=member.content_hash)

    # -- sending -------------------------------------------------------------------------

    def plan(self, sends: list[_Send]) -> None:
        for send in sends:
            self.record(send.action, send.entry_id, doc=send.doc, message=send.note or (
                "would be sent" if send.action == "send" else "would be overwritten"),
                diff=send.diff)

    def members(self, sends: list[_Send],
                pending: dict[str, _Send]) -> Iterator[tuple[str, str, bytes]]:
        """The PDFs to pack, fetched one at a time and checked; refusals are recorded."""
        for send in sends:
            if self.stopped:
                self.record(send.action, send.entry_id, doc=send.doc, outcome="failed",
                            reason="not_attempted", message=self.stopped)
                continue
            name = f"{send.entry_id}.pdf"
            if safe_member_name(name) != name:
                self.record(send.action, send.entry_id, doc=send.doc, outcome="failed",
                            reason="rejected", message=f"invoice id {send.entry_id!r} cannot "
                            "be a file name as it is")
                continue
            try:
                data = self.source.fetch(send.doc, self.options.max_pdf_bytes)
            except (TransportError, OSError, TooLarge) as exc:
                self.record(send.action, send.entry_id, doc=send.doc, outcome="failed",
                            reason="source_error", message=f"its PDF cannot be read from "
                            f"{self.source_name}: {exc}")
                continue
            if not data.startswith(PDF_MAGIC):
                self.record(send.action, send.entry_id, doc=send.doc, outcome="failed",
                            reason="not_a_pdf", message=f"what {self.source_name} serves for "
                            f"{send.doc.number} is not a PDF (it does not start with %PDF-)")
                continue
            send.sha = _sha(data)
            self.fetched += 1
            if self.on_event is not None:
                self.on_event("PDFs", self.fetched, self.to_send)
            pending[send.entry_id] = send
            yield send.entry_id, name, data

    def send(self, sends: list[_Send]) -> None:
        self.to_send = len(sends)
        pending: dict[str, _Send] = {}
        refused: list[Refused] = []
        for archive in pack_archives(self.members(sends, pending), self.src.limits, refused):
            self._refused(refused, pending)
            self.upload(archive, pending)
        self._refused(refused, pending)

    def _refused(self, refused: list[Refused], pending: dict[str, _Send]) -> None:
        for item in refused:
            send = pending.pop(item.key)
            self.record(send.action, send.entry_id, doc=send.doc, outcome="failed",
                        reason="rejected", message=item.reason)
        refused.clear()

    def upload(self, archive: PackedArchive, pending: dict[str, _Send],
               again: bool = False) -> None:
        sends = [pending.pop(key) for key in archive.keys]
        if self.stopped:
            for send in sends:
                self.record(send.action, send.entry_id, doc=send.doc, outcome="failed",
                            reason="not_attempted", message=self.stopped)
            return
        for send in sends:  # the intent before the call: a killed run leaves it
            key = send.intent_key(self.sync)
            opened = self.store.open_intent(Intent(
                key, self.run_id or "", self.target_name, DOCTYPE,
                "create" if send.action == "send" else "update",
                f"{self.source_name}:{send.doc.id}#{send.doc.number}"))
            if opened.state != "pending":  # the same bytes sent again: open it again, so
                # that a run killed now leaves it to be reconciled like any other
                self.store.close_intent(key, "pending", message=f"sent again (it was "
                                                                f"{opened.state})")
        self.report.uploads += 1
        try:
            answer = self.src.upload_archive(archive.data, f"documents-{self.report.uploads}"
                                             ".zip", resend_on_lost=False)
        except Uncertain as exc:
            self._uncertain(archive, sends, exc, again)
            return
        except TransportError as exc:  # certainly not applied (4xx, 503s, refused...)
            for send in sends:
                self.store.close_intent(send.intent_key(self.sync), "failed",
                                        message=str(exc))
                self.record(send.action, send.entry_id, doc=send.doc, outcome="failed",
                            reason=type(exc).__name__, message=f"archive refused: {exc}")
            if isinstance(exc, AuthError):
                self.stopped = f"not attempted: SRC refused the credentials ({exc})"
            return
        self._answered(answer, archive, sends)

    def _answered(self, answer: Any, archive: PackedArchive, sends: list[_Send]) -> None:
        if not isinstance(answer, dict):  # stored or not, SRC did not say: never resent
            what = "nothing" if answer is None else f"a JSON {type(answer).__name__}"
            for send in sends:
                self.store.close_intent(send.intent_key(self.sync), "uncertain",
                                        message=f"SRC answered {what}")
                self.record(send.action, send.entry_id, doc=send.doc, outcome="uncertain",
                            reason="unanswered", message=(
                                f"{UPLOAD} was answered with {what}, not an object naming "
                                "the accepted and rejected entries: it may have been "
                                "stored; the next run looks it up first"))
            return
        accepted = {str(i) for i in answer.get("accepted") or []}
        overwritten = {str(i) for i in answer.get("overwritten") or []}
        by_name = dict(archive.members)
        rejected = {by_name.get(str(r.get("file")), str(r.get("file"))):
                    str(r.get("reason") or "rejected") for r in answer.get("rejected") or []
                    if isinstance(r, dict)}
        for send in sends:
            key = send.intent_key(self.sync)
            if send.entry_id in accepted:
                self.bind(send)
                self.store.close_intent(key, "confirmed", target_id=send.entry_id)
                if send.entry_id in overwritten:
                    self.record("overwrite", send.entry_id, doc=send.doc, reason="overwritten",
                                message=send.note or "SRC held a document for it already: "
                                "replaced (nothing can be deleted)", diff=send.diff)
                else:
                    self.record("send", send.entry_id, doc=send.doc, reason="sent",
                                message=send.note)
            elif send.entry_id in rejected:
                self.store.close_intent(key, "failed", message=rejected[send.entry_id])
                self.record(send.action, send.entry_id, doc=send.doc, outcome="failed",
                            reason="rejected", message=f"SRC: {rejected[send.entry_id]}")
            else:
                self.store.close_intent(key, "uncertain", message="not in SRC's answer")
                self.record(send.action, send.entry_id, doc=send.doc, outcome="uncertain",
                            reason="unanswered", message="SRC's answer names it neither "
                            "accepted nor rejected; the next run looks it up first")

    def _uncertain(self, archive: PackedArchive, sends: list[_Send], exc: Exception,
                   again: bool) -> None:
        """The archive may have arrived: the listing says which new entries did. Those that
        did are confirmed; the others (and the overwrites, which the listing cannot show)
        go once more in one archive; after a second lost answer they stay uncertain."""
        now_missing: set[str] | None = None
        held: set[str] = set()
        try:
            now_missing = set(self.missing())
            if any(s.action == "send" and s.entry_id not in now_missing for s in sends):
                held = self.with_document()
        except TransportError:
            now_missing = None
        resend: list[_Send] = []
        for send in sends:
            key = send.intent_key(self.sync)
            if now_missing is not None and send.action == "send" \
                    and send.entry_id not in now_missing:
                if send.entry_id in held:
                    self.bind(send)
                    self.store.close_intent(key, "confirmed", target_id=send.entry_id,
                                            message="reconciled: SRC lists it with a document")
                    self.record("send", send.entry_id, doc=send.doc, reason="reconciled",
                                message=f"the upload's answer was lost ({exc}); SRC lists it "
                                        "with a document now: it arrived")
                else:
                    self.store.close_intent(key, "failed", message="SRC lists it neither as "
                                            "missing nor with a document")
                    self.record("send", send.entry_id, doc=send.doc, outcome="failed",
                                reason="gone", message=f"the upload's answer was lost ({exc}) "
                                "and SRC lists the entry neither as lacking a document nor "
                                "with one (excluded or removed meanwhile): not sent again")
            elif again or now_missing is None:
                self.store.close_intent(key, "uncertain", message=str(exc))
                self.record(send.action, send.entry_id, doc=send.doc, outcome="uncertain",
                            reason="lost_answer", message=f"{exc}; the next run looks it up "
                            "before sending anything")
            else:
                self.store.close_intent(key, "failed", message="not received: sent again")
                resend.append(send)
        if resend:
            data = _members_of(archive.data)
            pending = {s.entry_id: s for s in resend}
            for send in resend:
                send.note = ((send.note + "; ") if send.note else "") + (
                    "an upload's answer was lost and SRC still listed it without a document: "
                    "sent again" if send.action == "send" else "an upload's answer was lost "
                    "and SRC cannot say whether an overwrite arrived: sent again")
            refused: list[Refused] = []
            for again_archive in pack_archives(((s.entry_id, f"{s.entry_id}.pdf",
                                                 data[f"{s.entry_id}.pdf"]) for s in resend),
                                               self.src.limits, refused):
                self.upload(again_archive, pending, again=True)
            self._refused(refused, pending)


def _members_of(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        return {name: zipped.read(name) for name in zipped.namelist()}


async def run_documents(store: Store, sync: str, src: SrcClient, source: PdfSource,
                        options: DocumentOptions, *, mode: str = "sync",
                        run_id: str | None = None, source_name: str | None = None,
                        target_name: str = "sagesrc",
                        on_event: Event | None = None) -> FlowReport:
    """One run of the flow (mode "sync"), or its plan (mode "plan": no write call, and the
    store unchanged). `sync` names the sync file (intent keys, the run lock); with no
    `run_id`, the run is opened and closed here."""
    own = run_id is None and mode != "plan"
    if own:
        run_id = store.start_run(sync, mode).run_id
    run = _Run(store, sync, src, source, options, mode, run_id,
               source_name or source.name, target_name, on_event)
    status = "aborted"
    try:
        run.include_again()
        missing = run.missing()
        index: dict[str, list[SourceDoc]] = {}
        for doc in source.index():
            index.setdefault(doc.number, []).append(doc)
        run.reconcile(missing, {d.id: d for docs in index.values() for d in docs})
        sends = run.decide(missing, index) + run.changed(missing, index)
        if run.writing:
            run.send(sends)
        else:
            run.plan(sends)
        status = "finished"
    finally:
        if own and run_id is not None:
            store.finish_run(run_id, status, run.report.summary)
    return run.report
