"""A changed document in a target that takes no update (ERP Connector): a conflict with its
diff by default, or, with on_conflict = "credit_and_reissue", a credit note of the target's
copy linked to it plus the document issued again, numbered by the target's rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from passeur.sandbox import serve_in_thread
from passeur_erpconnector import demo
from passeur_erpconnector.sandbox import create_app


@pytest.fixture
def acomba_pair(world_factory):
    """The demo's Acomba invoices (seed 004's line kinds, TPS + TVQ) in company "a", synced
    into company "b" (same catalogue), whose sync file is returned with both states."""
    world = world_factory(seed=0, erp={"tax_group": "TPS5_TVQ9975"})
    demo.seed(world.erp.app)
    other = create_app(licence="lic", secret="sec", tax_group="TPS5_TVQ9975")
    other.state.catalogue = world.erp.app.state.catalogue
    server = serve_in_thread(other)
    (world.folder / "b.toml").write_text(
        (world.folder / "acomba.toml").read_text("utf-8").replace(
            world.erp.server.base_url, server.base_url), encoding="utf-8")

    def policy(value: str) -> None:
        (world.folder / "sync.toml").write_text(
            'store = "state.db"\n[source]\nconnection = "acomba.toml"\nname = "a"\n'
            '[target]\nconnection = "b.toml"\nname = "b"\n'
            f'[policy]\non_conflict = "{value}"\n', encoding="utf-8")

    policy("report")
    try:
        yield world, other, policy
    finally:
        server.stop()


def test_a_changed_invoice_is_a_conflict_with_its_diff_by_default(acomba_pair):
    world, other, _ = acomba_pair
    assert world.run().ok
    demo.change(world.erp.app)
    report = world.run()
    by_id = {e.source_id: e for e in report.entries}
    assert by_id["10045"].outcome == "conflict"
    assert by_id["10051"].outcome == "created"
    assert "acomba updates no invoice" in by_id["10045"].message
    assert any("LigneFacture[2]" in d["path"] for d in by_id["10045"].diff)
    assert "10045-NC" not in other.state.invoices
    assert not report.ok


def test_credit_and_reissue_credits_the_target_copy_and_issues_it_again(acomba_pair):
    world, other, policy = acomba_pair
    assert world.run().ok
    before = {n: dict(i) for n, i in other.state.invoices.items()}
    demo.change(world.erp.app)
    policy("credit_and_reissue")

    plan = world.plan()
    planned = {i.source_id: i for i in plan.items}
    assert planned["10045"].action == "reissue"
    assert planned["10045"].body["Facture"]["NoFacture"] == "10045-R1"
    assert planned["10045"].credit["Facture"]["NoFacture"] == "10045-NC"
    assert sorted(other.state.invoices) == sorted(before)  # planning wrote nothing

    report = world.run()
    assert report.ok
    by_id = {e.source_id: e for e in report.entries}
    assert by_id["10045"].outcome == "updated"
    assert by_id["10045"].target_id == "10045-R1"
    assert by_id["10045"].message == (
        "b updates no invoice: credit note 10045-NC created (it credits 10045), then "
        "10045-R1 (on_conflict = \"credit_and_reissue\")")
    assert by_id["10045"].diff  # the ledger keeps what changed
    assert by_id["10047"].outcome == "updated"
    assert by_id["10051"].outcome == "created"
    assert {e.outcome for e in report.entries if e.source_id not in (
        "10045", "10047", "10051")} == {"unchanged"}
    # the original stays, credited exactly: every amount negated, linked to it
    assert other.state.invoices["10045"] == before["10045"]
    credit = other.state.invoices["10045-NC"]
    assert Decimal(str(credit["TotalFacture"])) == -Decimal(str(before["10045"]["TotalFacture"]))
    assert Decimal(str(credit["SousTotalFacture"])) == -Decimal(
        str(before["10045"]["SousTotalFacture"]))
    assert credit["ExtendedProperties"] == {"passeur.kind": "credit_note",
                                            "passeur.credits": "10045"}
    assert credit["InfoClientFacturerA"]["NoClient"] == before["10045"][
        "InfoClientFacturerA"]["NoClient"]
    # the new invoice is the changed source document, under the next number
    source = world.erp.app.state.invoices["10045"]
    again = other.state.invoices["10045-R1"]
    assert again["TotalFacture"] == source["TotalFacture"] != before["10045"]["TotalFacture"]
    assert again["LigneFacture"][2]["QteFacture"] == 20
    assert other.state.invoices["10047-R1"]["Description"] == "Commande 4, livraison express"
    assert len(other.state.invoices) == len(before) + 5  # 2 credit notes, 2 reissues, 10051

    third = world.run()
    assert {e.outcome for e in third.entries} == {"unchanged"}
    # compared field by field (not by the source's hash): 10045-R1 is 10045 issued again
    full = world.run(full=True)
    assert {e.outcome for e in full.entries} == {"unchanged"}
    assert len(other.state.invoices) == len(before) + 5


def test_a_reissued_invoice_changed_again_credits_the_reissue(acomba_pair):
    world, other, policy = acomba_pair
    policy("credit_and_reissue")
    assert world.run().ok
    demo.change(world.erp.app)
    assert world.run().ok
    state = world.erp.app.state
    changed = dict(state.invoices["10047"])
    changed["Description"] = "Commande 4, livraison normale"
    state.invoices["10047"] = changed
    report = world.run()
    entry = next(e for e in report.entries if e.source_id == "10047")
    assert (entry.outcome, entry.target_id) == ("updated", "10047-R2")
    credit = other.state.invoices["10047-R1-NC"]
    assert credit["ExtendedProperties"]["passeur.credits"] == "10047-R1"
    assert other.state.invoices["10047-R2"]["Description"] == "Commande 4, livraison normale"


class _RefuseReissue:
    """ASGI proxy: a create of invoice 10045-R1 is answered 503 and not applied, `times`
    times; everything else goes through."""

    def __init__(self, app, times: int) -> None:
        self.app, self.times = app, times

    def __getattr__(self, name):
        return getattr(self.app, name)

    async def __call__(self, scope, receive, send) -> None:
        if scope.get("type") != "http" or scope["method"] != "POST" or self.times <= 0:
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if b'"10045-R1"' in body:
            self.times -= 1
            await send({"type": "http.response.start", "status": 503,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": b'{"Message": "indisponible"}'})
            return
        sent = False

        async def replay():
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def test_a_reissue_cut_after_its_credit_note_is_finished_by_the_next_run(acomba_pair):
    """The credit note written, the new invoice refused (503, not applied): the record is
    failed and says so; the next run finds the credit note by its key (no second one) and
    writes only the new invoice."""
    world, other, policy = acomba_pair
    assert world.run().ok
    demo.change(world.erp.app)
    policy("credit_and_reissue")
    proxy = _RefuseReissue(other, times=100)
    server = serve_in_thread(proxy)
    target = world.folder / "b.toml"
    first_url = target.read_text("utf-8")
    base = next(line for line in first_url.splitlines() if line.startswith("base_url"))
    target.write_text(first_url.replace(base, f'base_url = "{server.base_url}/api"'),
                      encoding="utf-8")
    try:
        cut = world.run()
    finally:
        server.stop()
        target.write_text(first_url, encoding="utf-8")
    entry = next(e for e in cut.entries if e.source_id == "10045")
    assert entry.outcome == "failed"
    assert entry.target_id == "10045-NC"
    assert entry.message.startswith("credit note 10045-NC written (it credits 10045), the new "
                                    "document not: ")
    assert entry.message.endswith("; the next run writes it")
    assert "10045-NC" in other.state.invoices and "10045-R1" not in other.state.invoices
    count = len(other.state.invoices)

    again = world.run()
    entry = next(e for e in again.entries if e.source_id == "10045")
    assert (entry.outcome, entry.target_id) == ("updated", "10045-R1")
    assert len(other.state.invoices) == count + 1  # the new invoice, no second credit note
    assert again.ok
