"""A client or product that changed in the source is updated in the target where the target
allows it (VosFactures), with its diff in the plan and the ledger; unchanged, it costs no
call; found in the target by the cascade, it is not touched on the run that found it."""

from __future__ import annotations

from passeur_erpconnector import demo

NEW_EMAIL = "compta@beaulieu.example"


def _world(world_factory):
    world = world_factory(seed=0, erp={"tax_group": "TPS5_TVQ9975"})
    demo.seed(world.erp.app)
    return world


def _client(world, external_id: str) -> dict:
    return next(c for c in world.vf.app.state.clients if c.get("external_id") == external_id)


def test_a_client_changed_in_the_source_is_updated_with_its_diff(world_factory):
    world = _world(world_factory)
    assert world.run().ok
    old_email = _client(world, "BEAU01")["email"]
    assert old_email != NEW_EMAIL
    for invoice in world.erp.app.state.invoices.values():  # the ERP keeps a copy per invoice
        if invoice["InfoClientFacturerA"]["NoClient"] == "BEAU01":
            invoice["InfoClientFacturerA"]["EmailPrincipal_Adresse"] = NEW_EMAIL
    clients = len(world.vf.app.state.clients)

    planned = [i for i in world.plan().items if i.doctype == "client"]
    assert [(i.source_id, i.action) for i in planned] == [("BEAU01", "update")]
    assert [(d["path"], d["target"], d["source"]) for d in planned[0].diff] == [
        ("email", old_email, NEW_EMAIL)]
    assert _client(world, "BEAU01")["email"] == old_email  # the plan wrote nothing

    report = world.run()
    assert report.ok
    entry = next(e for e in report.entries if e.doctype == "client")
    assert (entry.source_id, entry.outcome) == ("BEAU01", "updated")
    assert entry.message == "client BEAU01 Atelier Beaulieu inc. changed in acomba"
    assert _client(world, "BEAU01")["email"] == NEW_EMAIL
    assert len(world.vf.app.state.clients) == clients  # updated, not created again
    third = world.run()
    assert {e.outcome for e in third.entries} == {"unchanged"}
    assert not [e for e in third.entries if e.doctype == "client"]  # no call for it


def test_a_product_renamed_in_the_source_is_renamed_not_repriced(world_factory):
    """A product's price and rate in a sync come from an invoice line (a discount, another
    customer's price): only its name and code are compared and sent."""
    world = _world(world_factory)
    assert world.run().ok
    product = next(p for p in world.vf.app.state.products if p["code"] == "VIS-100")
    price = product["price_net"]
    for invoice in world.erp.app.state.invoices.values():
        for line in invoice["LigneFacture"]:
            if line.get("strNoProduit") == "VIS-100":
                line["DescriptionLigne"] = "Vis à bois n° 8, boîte de 100 (inox)"
    report = world.run()
    assert report.ok
    entry = next(e for e in report.entries if e.doctype == "product")
    assert (entry.source_id, entry.outcome) == ("VIS-100", "updated")
    assert [(d["path"], d["source"]) for d in entry.diff] == [
        ("name", "Vis à bois n° 8, boîte de 100 (inox)")]
    product = next(p for p in world.vf.app.state.products if p["code"] == "VIS-100")
    assert product["name"] == "Vis à bois n° 8, boîte de 100 (inox)"
    assert product["price_net"] == price


def test_a_product_sold_at_another_price_is_not_repriced(world_factory):
    world = _world(world_factory)
    assert world.run().ok
    price = next(p for p in world.vf.app.state.products if p["code"] == "VIS-100")[
        "price_net"]
    demo._create(world.erp.app.state, {
        "NoFacture": "20002", "TypeDoc": "FACTURES", "DateFacture": "2024-05-31",
        "InfoClientFacturerA": {"NoClient": "BEAU01"},
        "LigneFacture": [{"strNoProduit": "VIS-100", "QteFacture": 10, "PrixFinal": 7}]})
    report = world.run()
    assert report.ok
    assert [e.outcome for e in report.entries if e.doctype == "product"] == ["unchanged"]
    assert next(p for p in world.vf.app.state.products if p["code"] == "VIS-100")[
        "price_net"] == price
