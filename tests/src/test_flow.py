"""The src-documents flow, VosFactures sandbox -> SRC sandbox over real loopback sockets and
a real SQLite store: every missing document sent once, exclusions, a second run that sends
nothing, one changed PDF overwritten, the faults of an upload (5xx, a lost answer), and a
plan that makes no write call. Each PDF is compared byte for byte through the portal."""

from __future__ import annotations

import asyncio
import hashlib
import random
from decimal import Decimal
from pathlib import Path

import pytest

from passeur import load_registry
from passeur.archives import ArchiveLimits
from passeur.http import HttpSettings, RetryPolicy
from passeur.state import open_store
from passeur_src.client import SrcClient
from passeur_src.flow import DOCTYPE, run_documents
from passeur_src.flow_options import parse_options
from passeur_src.sandbox import create_app as src_app
from passeur_src.sources import ClientPdfSource
from passeur_vosfactures.client import VosFacturesClient
from passeur_vosfactures.sandbox import create_app as vf_app

RULE = 'concat("F-", substring(id, 5)) -> number'
#: SRC entry FA000029 has no invoice in VosFactures (F-0029 is never created).
ABSENT = "FA000029"


def _settings(timeout: float = 10.0) -> HttpSettings:
    return HttpSettings(timeout=timeout, retry=RetryPolicy(
        max_attempts=4, base_delay=0.01, max_delay=0.02, rng=random.Random(1)))


def _options(tmp_path: Path, exclude: dict | None = None, max_files: int = 4):
    data = {"documents": {"rule": RULE}, "exclude": exclude or {"credit_notes": True}}
    return parse_options(data, tmp_path, "vosfactures", load_registry(),
                         lambda key, table=None: f"src.toml:{key}",
                         lambda name, known, what: data.get(name, {}))


class World:
    """Both sandboxes served, the VosFactures invoices each SRC entry's PDF comes from."""

    def __init__(self, serve, tmp_path: Path, *, max_files: int = 4, timeout: float = 10.0,
                 **src_options) -> None:
        self.src_app = src_app(invoices=30, customers=5, **src_options)
        self.vf_app = vf_app()
        self.src_server, self.vf_server = serve(self.src_app), serve(self.vf_app)
        self.store = open_store(tmp_path / "state.db")
        self.src = SrcClient(self.src_server.base_url, login="connecteur",
                             password="sandbox-src", limits=ArchiveLimits(max_files=max_files),
                             settings=_settings(timeout))
        self.vf = VosFacturesClient(self.vf_server.base_url, api_token="sandbox-token",
                                    settings=_settings())
        self.vf_ids: dict[str, int] = {}
        for entry in self.src_app.state.entries.values():
            if entry.id == ABSENT:
                continue
            number = f"F-{entry.id[4:]}"
            record = self.vf_app.state.create_invoice({
                "number": number, "buyer_name": f"Client {entry.customer_code}",
                "positions": [{"name": f"Prestation {entry.id}", "tax": 20, "quantity": 1,
                               "total_price_gross": str(abs(entry.amount))}]})
            self.vf_ids[entry.id] = record["id"]
        #: What the sandbox held before any run: missing, with a document, excluded.
        entries = self.src_app.state.entries.values()
        self.missing = [e.id for e in entries if e.may_have_documents and e.document is None]
        self.had_document = {e.id: e.document for e in entries if e.document is not None}

    def run(self, tmp_path: Path, mode: str = "sync", on_event=None, **kw):
        options = _options(tmp_path, **kw)
        return asyncio.run(run_documents(self.store, "src.toml", self.src,
                                         ClientPdfSource(self.vf, "vosfactures"), options,
                                         mode=mode, on_event=on_event))

    def pdf(self, entry_id: str) -> bytes:
        return self.vf.invoice_pdf(self.vf_ids[entry_id])

    def portal(self, entry_id: str) -> bytes:
        entry = self.src_app.state.entries[entry_id]
        return self.src.portal_document(entry.customer_code, entry_id)


def _by_target(report) -> dict[str, tuple[str, str]]:
    return {i.entry.target_id: (i.action, i.entry.outcome) for i in report.items}


@pytest.fixture
def world(serve, tmp_path):
    made = []

    def make(**kw):
        made.append(World(serve, tmp_path, **kw))
        return made[-1]

    yield make
    for w in made:
        w.store.close()


def test_every_missing_document_is_sent_once_and_a_second_run_sends_nothing(world,
                                                                            tmp_path):
    w = world()
    credit_notes = {i for i in w.missing if i.startswith("AV")}
    wanted = [i for i in w.missing if i not in credit_notes and i != ABSENT]
    # 30 entries: 7 hold a document (every 4th, AV000020 among them), 3 are excluded (7,
    # 14, 21); of the 20 missing, AV000010 and AV000030 are credit notes and FA000029 is
    # not in VosFactures: 17 to send
    assert len(w.missing) == 20 and credit_notes == {"AV000010", "AV000030"}
    assert len(wanted) == 17
    events: list[tuple[str, int, int | None]] = []
    report = w.run(tmp_path, on_event=lambda *e: events.append(e))
    assert events == [("PDFs", n, 17) for n in range(1, 18)]  # progress, one per PDF
    outcomes = _by_target(report)
    assert {i: outcomes[i] for i in wanted} == {i: ("send", "created") for i in wanted}
    assert {i: outcomes[i] for i in credit_notes} == {i: ("exclude", "updated")
                                                      for i in credit_notes}
    assert outcomes[ABSENT] == ("not_in_source", "deferred")
    assert len(report.items) == 20 and not report.ok  # FA000029 still lacks its document
    absent = next(i.entry for i in report.items if i.entry.target_id == ABSENT)
    assert "no invoice numbered F-0029 in vosfactures" in (absent.message or "")
    assert report.uploads == 5  # 17 PDFs, 4 per archive
    for ident in wanted:
        assert w.src_app.state.sent(ident) == 1
        assert w.portal(ident) == w.pdf(ident)
    for ident, document in w.had_document.items():  # never touched
        assert w.src_app.state.sent(ident) == 0 and w.portal(ident) == document
    for ident in credit_notes:
        assert w.src_app.state.entries[ident].may_have_documents is False
    # the ledger holds every record of the run, as the report
    ledger = w.store.ledger(report.run_id)
    assert sorted((e.target_id, e.outcome) for e in ledger) == sorted(
        (i.entry.target_id, i.entry.outcome) for i in report.items)
    # a binding per entry sent, with the hash of what was sent
    bound = {b.members[0].record_id: b.members[0].content_hash
             for b in w.store.bindings(DOCTYPE)}
    assert bound == {i: hashlib.sha256(w.pdf(i)).hexdigest() for i in wanted}

    again = w.run(tmp_path)
    assert _by_target(again) == {ABSENT: ("not_in_source", "deferred")}
    assert again.uploads == 0
    assert sum(w.src_app.state.sent(i) for i in wanted) == len(wanted)


def test_a_changed_pdf_is_overwritten_exactly_once_and_reported_so(world, tmp_path):
    w = world()
    w.run(tmp_path)
    changed = "FA000011"
    before = w.portal(changed)
    w.vf.update_invoice(w.vf_ids[changed], {"buyer_name": "Nouveau nom SARL"})
    assert w.pdf(changed) != before
    report = w.run(tmp_path)
    assert _by_target(report) == {changed: ("overwrite", "updated"),
                                  ABSENT: ("not_in_source", "deferred")}
    item = next(i.entry for i in report.items if i.entry.target_id == changed)
    assert item.reason == "overwritten" and "changed since it was sent" in item.message
    assert list(item.diff) == [{"path": "document.sha256",
                                "target": hashlib.sha256(before).hexdigest()[:12],
                                "source": hashlib.sha256(w.pdf(changed)).hexdigest()[:12]}]
    assert w.src_app.state.sent(changed) == 2 and w.portal(changed) == w.pdf(changed)
    assert [u.overwrote for u in w.src_app.state.uploads if u.invoice_id == changed] == \
        [False, True]
    # an invoice changed in a way its PDF does not show is looked at, not sent
    w.vf.update_invoice(w.vf_ids["FA000013"], {"description": "relancée"})
    third = w.run(tmp_path)
    assert _by_target(third)["FA000013"] == ("unchanged", "unchanged")
    assert w.src_app.state.sent("FA000013") == 1 and third.uploads == 0


def test_plan_makes_no_write_call_and_leaves_the_store_alone(world, tmp_path):
    w = world()
    plan = w.run(tmp_path, mode="plan")
    assert w.src_app.state.uploads == [] and w.src_app.inner.upload_calls == 0
    assert all(e.may_have_documents for e in w.src_app.state.entries.values()
               if e.id.startswith("AV"))
    assert plan.actions == {"send": 17, "exclude": 2, "not_in_source": 1}
    assert list(w.store.runs()) == [] and list(w.store.bindings()) == []
    assert list(w.store.intents()) == []
    w.run(tmp_path)
    w.vf.update_invoice(w.vf_ids["FA000011"], {"buyer_name": "Autre"})
    calls = w.src_app.inner.upload_calls
    plan = w.run(tmp_path, mode="plan")
    assert _by_target(plan)["FA000011"] == ("overwrite", "updated")
    assert w.src_app.inner.upload_calls == calls


def test_a_5xx_on_an_upload_is_reconciled_and_nothing_is_sent_twice(world, tmp_path):
    w = world(fail_uploads="2")  # the second archive is answered 502 and not stored
    report = w.run(tmp_path)
    wanted = [i for i in w.missing if i.startswith("FA") and i != ABSENT]
    assert {i: _by_target(report)[i][1] for i in wanted} == dict.fromkeys(wanted, "created")
    assert report.uploads == 6  # the 502'd archive went again, once
    for ident in wanted:
        assert w.src_app.state.sent(ident) == 1 and w.portal(ident) == w.pdf(ident)
    again = [i for i in report.items if "sent again" in (i.entry.message or "")]
    assert len(again) == 4


def test_a_lost_answer_is_reconciled_from_the_listing_not_resent(world, tmp_path):
    w = world(lose_uploads="3", lost_response_hold=5.0, timeout=1.0)
    report = w.run(tmp_path)
    wanted = [i for i in w.missing if i.startswith("FA") and i != ABSENT]
    reconciled = [i.entry.target_id for i in report.items if i.entry.reason == "reconciled"]
    assert len(reconciled) == 4 and report.uploads == 5
    for ident in wanted:
        assert w.src_app.state.sent(ident) == 1 and w.portal(ident) == w.pdf(ident)
    assert {i.entry.target_id: i.entry.outcome for i in report.items
            if i.entry.target_id in wanted} == dict.fromkeys(wanted, "created")
    assert [i.state for i in w.store.intents()].count("confirmed") == len(wanted)


def test_exclusion_rules_and_include_again(world, tmp_path):
    w = world()
    entries = w.src_app.state.entries
    rules = {"credit_notes": True, "amount_below": "1000.00", "customers": ["CLI005"]}
    expected = {e.id for e in entries.values() if e.id in w.missing and (
        e.amount < 0 or e.amount < Decimal("1000.00") or e.customer_code == "CLI005")}
    report = w.run(tmp_path, exclude=rules)
    excluded = {i.entry.target_id for i in report.items if i.action == "exclude"}
    assert excluded == expected and len(expected) > 4
    assert all(not entries[i].may_have_documents for i in excluded)
    back = sorted(excluded)[0]
    undo = w.run(tmp_path, exclude={**rules, "include_again": [back]})
    assert _by_target(undo)[back] == ("send", "created")
    assert entries[back].may_have_documents and w.portal(back) == w.pdf(back)
    assert [i.action for i in undo.items if i.entry.target_id == back] == \
        ["include_again", "send"]
    # left in the file, the next run finds it included already and sends nothing
    later = w.run(tmp_path, exclude={**rules, "include_again": [back]})
    assert [(i.action, i.entry.outcome) for i in later.items
            if i.entry.target_id == back] == [("include_again", "unchanged")]
    assert later.uploads == 0 and w.src_app.state.sent(back) == 1


def test_a_folder_of_pdfs_refusals_are_recorded_with_their_reason(serve, tmp_path):
    """PDFs from a folder: one is no PDF (refused here), one is larger than SRC takes
    (refused by SRC, its reason in the ledger), one is too large for the flow's own
    limit; the others arrive."""
    from passeur.sandbox import tiny_pdf
    from passeur_src.sources import FolderPdfSource

    app = src_app(invoices=8, customers=2, with_documents=0, excluded=0,
                  max_document_bytes=5000)
    server = serve(app)
    folder = tmp_path / "pdfs"
    folder.mkdir()
    for n in range(1, 8):
        (folder / f"F-000{n}.pdf").write_bytes(tiny_pdf([f"Facture {n}"]))
    (folder / "F-0002.pdf").write_bytes(b"<html>not a pdf</html>")
    (folder / "F-0003.pdf").write_bytes(tiny_pdf(["x" * 80] * 80))  # > 5000, < 20000
    (folder / "F-0004.pdf").write_bytes(tiny_pdf(["y" * 80] * 300))  # > 20000
    data = {"documents": {"rule": RULE, "max_pdf_bytes": 20000}}
    options = parse_options(data, tmp_path, "vosfactures", load_registry(),
                            lambda key, table=None: f"src.toml:{key}",
                            lambda name, known, what: data.get(name, {}))
    with SrcClient(server.base_url, login="connecteur", password="sandbox-src",
                   settings=_settings()) as src, open_store(tmp_path / "s.db") as store:
        report = asyncio.run(run_documents(store, "f.toml", src, FolderPdfSource(folder),
                                           options))
        rows = {i.entry.target_id: (i.entry.outcome, i.entry.reason) for i in report.items}
        assert rows == {"FA000001": ("created", "sent"), "FA000002": ("failed", "not_a_pdf"),
                        "FA000003": ("failed", "rejected"),
                        "FA000004": ("failed", "source_error"),
                        "FA000005": ("created", "sent"), "FA000006": ("created", "sent"),
                        "FA000007": ("created", "sent"),
                        "FA000008": ("deferred", "not_in_source")}
        messages = {i.entry.target_id: i.entry.message for i in report.items}
        assert messages["FA000003"] == "SRC: file larger than 5000 bytes"
        assert "more than max_pdf_bytes (20000)" in messages["FA000004"]
        assert "is not a PDF" in messages["FA000002"]
        for n in (1, 5, 6, 7):
            ident = f"FA00000{n}"
            assert src.portal_document("CLI001" if n % 2 else "CLI002", ident) == \
                (folder / f"F-000{n}.pdf").read_bytes()
        assert [u.invoice_id for u in app.state.uploads] == \
            ["FA000001", "FA000005", "FA000006", "FA000007"]


def test_a_run_that_dies_after_an_upload_is_reconciled_by_the_next(world, tmp_path):
    """The process dies between SRC storing an archive and the run confirming it: the
    intents stay pending; the next run finds those entries listed with a document now,
    confirms them without sending, and sends only the rest."""
    w = world()
    real = w.src.upload_archive
    calls = []

    def dies_after_the_third(data, filename, **kw):
        answer = real(data, filename, **kw)
        calls.append(filename)
        if len(calls) == 3:
            raise KeyboardInterrupt  # what a kill looks like from here: nothing after it
        return answer

    w.src.upload_archive = dies_after_the_third
    with pytest.raises(KeyboardInterrupt):
        w.run(tmp_path)
    held = [u.invoice_id for u in w.src_app.state.uploads if u.archive == 3]
    assert len(held) == 4
    assert sorted(i.key.split(":")[1] for i in w.store.intents("pending")) == sorted(held)
    w.src.upload_archive = real
    report = w.run(tmp_path)
    rows = _by_target(report)
    assert {i: rows[i] for i in held} == dict.fromkeys(held, ("send", "created"))
    assert all(i.entry.reason == "reconciled" for i in report.items
               if i.entry.target_id in held)
    wanted = [i for i in w.missing if i.startswith("FA") and i != ABSENT]
    for ident in wanted:
        assert w.src_app.state.sent(ident) == 1 and w.portal(ident) == w.pdf(ident)
    assert list(w.store.intents("pending")) == []


def test_a_resend_whose_answer_is_lost_too_is_still_reconciled(world, tmp_path):
    """The second archive is answered 502 unstored; its resend is stored and its answer
    lost: the listing shows those entries with a document, so none goes a third time."""
    w = world(fail_uploads="2", lose_uploads="3", lost_response_hold=5.0, timeout=1.0)
    report = w.run(tmp_path)
    wanted = [i for i in w.missing if i.startswith("FA") and i != ABSENT]
    for ident in wanted:
        assert w.src_app.state.sent(ident) == 1 and w.portal(ident) == w.pdf(ident)
    assert report.uploads == 6  # five archives and one resend
    reconciled = sorted(i.entry.target_id for i in report.items
                        if i.entry.reason == "reconciled")
    assert len(reconciled) == 4
    assert {i.entry.target_id: i.entry.outcome for i in report.items
            if i.entry.target_id in wanted} == dict.fromkeys(wanted, "created")


def test_an_overwrite_whose_answer_is_lost_is_sent_once_more_and_said_so(world, tmp_path):
    """The listing cannot show whether an overwrite arrived (the entry has a document
    either way): it is sent once more, on purpose, and the ledger says why."""
    w = world()
    w.run(tmp_path)
    changed = "FA000011"
    w.vf.update_invoice(w.vf_ids[changed], {"buyer_name": "Nouveau nom SARL"})
    w.src_app.inner.lose_uploads.add(w.src_app.inner.upload_calls + 1)
    w.src_app.inner.lost_response_hold = 1.0  # then the connection breaks mid-answer
    report = w.run(tmp_path)
    rows = [i for i in report.items if i.entry.target_id == changed]
    assert [(i.action, i.entry.outcome, i.entry.reason) for i in rows] == [
        ("overwrite", "updated", "overwritten")]
    assert "SRC cannot say whether an overwrite arrived: sent again" in rows[0].entry.message
    assert w.src_app.state.sent(changed) == 3 and w.portal(changed) == w.pdf(changed)


def test_a_run_that_dies_while_sending_again_is_reconciled_too(world, tmp_path):
    """Run 1 dies before its third archive reaches SRC; run 2 sends that archive again
    and dies once SRC has stored it: run 3 must find those intents open again and
    reconcile them, not send a third time."""
    w = world()
    real = w.src.upload_archive
    calls = []

    def dies(at: int, after: bool):
        def upload(data, filename, **kw):
            calls.append(filename)
            if len(calls) == at and not after:
                raise KeyboardInterrupt
            answer = real(data, filename, **kw)
            if len(calls) == at:
                raise KeyboardInterrupt
            return answer
        return upload

    w.src.upload_archive = dies(3, after=False)
    with pytest.raises(KeyboardInterrupt):
        w.run(tmp_path)
    assert len(w.src_app.state.uploads) == 8  # two archives of four
    calls.clear()
    w.src.upload_archive = dies(1, after=True)
    with pytest.raises(KeyboardInterrupt):
        w.run(tmp_path)
    resent = [u.invoice_id for u in w.src_app.state.uploads[8:]]
    assert len(resent) == 4
    w.src.upload_archive = real
    report = w.run(tmp_path)
    assert {i.entry.target_id: i.entry.reason for i in report.items
            if i.entry.target_id in resent} == dict.fromkeys(resent, "reconciled")
    wanted = [i for i in w.missing if i.startswith("FA") and i != ABSENT]
    for ident in wanted:
        assert w.src_app.state.sent(ident) == 1, ident


def test_an_entry_excluded_while_its_upload_was_unconfirmed_is_not_called_delivered(world,
                                                                                   tmp_path):
    """Run 1 dies before its third archive reaches SRC; meanwhile someone excludes one of
    its entries in SRC. Run 2 finds that entry neither missing nor with a document: it is
    recorded failed (gone), not 'reconciled'; the other three are sent."""
    w = world()
    real = w.src.upload_archive
    calls = []

    def dies_before_the_third(data, filename, **kw):
        calls.append(filename)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(data, filename, **kw)

    w.src.upload_archive = dies_before_the_third
    with pytest.raises(KeyboardInterrupt):
        w.run(tmp_path)
    pending = sorted(i.key.split(":")[1] for i in w.store.intents("pending"))
    assert len(pending) == 4
    w.src.set_may_have_documents([pending[0]], False)
    w.src.upload_archive = real
    report = w.run(tmp_path)
    rows = {i.entry.target_id: (i.entry.outcome, i.entry.reason) for i in report.items}
    assert rows[pending[0]] == ("failed", "gone")
    assert {rows[i] for i in pending[1:]} == {("created", "sent")}
    assert w.src_app.state.sent(pending[0]) == 0
    for ident in pending[1:]:
        assert w.src_app.state.sent(ident) == 1 and w.portal(ident) == w.pdf(ident)


def test_a_match_file_is_checked_like_passeur_check_and_used(tmp_path):
    """match = "FILE.map": a mapping sagesrc.invoice -> the source's invoice, with a
    condition the one-line rule could not hold (credit notes numbered apart)."""
    from passeur import UsageError

    (tmp_path / "src-to-vf.map").write_text(
        "mapping sagesrc.invoice <-> vosfactures.invoice\n"
        'if starts_with(id, "AV") then concat("AV-", substring(id, 5)) '
        'else concat("F-", substring(id, 5)) -> number\n'
        'example "an invoice"\n  left {"id": "FA000123"}\n  right {"number": "F-0123"}\n'
        "end\n", encoding="utf-8")
    data = {"documents": {"match": "src-to-vf.map"}}

    def parse():
        return parse_options(data, tmp_path, "vosfactures", load_registry(),
                             lambda key, table=None: "s.toml:7", lambda n, k, w: data.get(n, {}))

    options = parse()
    assert options.source_number({"id": "FA000123"}) == "F-0123"
    assert options.source_number({"id": "AV000010"}) == "AV-0010"
    (tmp_path / "src-to-vf.map").write_text(
        "mapping sagesrc.invoice <-> vosfactures.invoice\nnumero -> number\n",
        encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        parse()
    assert str(caught.value).startswith("s.toml:7: the match file does not check:\n")
    assert "src-to-vf.map:2:1: error: unknown field `numero` in sagesrc.invoice" in \
        str(caught.value)
