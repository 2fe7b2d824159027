"""Money through a sync, to the cent: every invoice VosFactures holds after syncing the demo's
Acomba company has the source's net, tax and total, and every line its own rate (TPS + TVQ,
or none for a line of an untaxed group), whether its product was created, found in the
target with another rate, or linked on an update. A line whose rate the source does not give
is refused: VosFactures would fill in the product's rate (20 % in France) by itself."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from passeur_erpconnector import demo

POLICY = '[policy]\non_missing_reference = "create"\n'
EXEMPT_INVOICE = {"NoFacture": "20001", "TypeDoc": "FACTURES", "DateFacture": "2024-05-30",
                  "InfoClientFacturerA": {"NoClient": "BEAU01"},
                  "LigneFacture": [{"strNoProduit": "PERC-18", "QteFacture": 1},
                                   {"strNoProduit": "VIS-100", "QteFacture": 3,
                                    "NoGroupeTaxe": "EXEMPT"},
                                   {"strNoProduit": "LAME-40", "QteFacture": 2}]}


def _world(world_factory: Any) -> Any:
    world = world_factory(0, erp={"tax_group": "TPS5_TVQ9975"}, extra=POLICY)
    demo.seed(world.erp.app)
    demo._create(world.erp.app.state, dict(EXEMPT_INVOICE))
    # the target already sells LAME-40, at its own (French) rate
    world.vf.app.state.create_product({"name": "Lame 40 dents", "code": "LAME-40",
                                       "tax": "20", "price_gross": "31.31"})
    return world


def _amounts(world: Any) -> tuple[dict[str, tuple[Decimal, ...]], dict[str, tuple[Decimal, ...]]]:
    """(source, target): per invoice number, (net, tax, gross)."""
    source = {}
    for number, facture in world.erp.app.state.invoices.items():
        tax = sum((Decimal(str(t["MontantTaxe"])) for t in facture["ListeDesTaxes"]),
                  Decimal(0))
        source[number] = (Decimal(str(facture["SousTotalFacture"])), tax,
                          Decimal(str(facture["TotalFacture"])))
    target = {str(i["number"]): (Decimal(i["price_net"]), Decimal(i["price_tax"]),
                                 Decimal(i["price_gross"])) for i in world.vf_invoices}
    return source, target


def _rates(world: Any, number: str) -> list[tuple[str | None, str]]:
    invoice = next(i for i in world.vf_invoices if str(i["number"]) == number)
    return [(p.get("code"), p["tax"]) for p in invoice["positions"] if p.get("kind") is None]


def test_every_synced_invoice_has_the_source_totals_to_the_cent(world_factory: Any) -> None:
    world = _world(world_factory)
    first = world.run()
    assert first.ok, [(e.source_number, e.outcome, e.message) for e in first.entries]
    source, target = _amounts(world)
    assert len(source) == 8 and target == source
    # by hand: 149 + 3 x 8.49 + 2 x 26.09 net; TPS 5 % and TVQ 9.975 % of 201.18 (not 25.47)
    assert source["20001"] == (Decimal("226.65"), Decimal("30.13"), Decimal("256.78"))
    assert source["10050"] == (Decimal("-298"), Decimal("-44.63"), Decimal("-342.63"))
    # the untaxed line says 0 %, the linked LAME-40 keeps the line's rate, not the product's
    assert _rates(world, "20001") == [("PERC-18", "14.975"), ("VIS-100", "0"),
                                      ("LAME-40", "14.975")]
    assert {r for n in source for _, r in _rates(world, n)} == {"14.975", "0"}
    lame = [p for p in world.vf.app.state.products if p["code"] == "LAME-40"]
    assert [p["tax"] for p in lame] == ["20"]  # found, not created again nor changed

    demo.change(world.erp.app)  # 20 boxes instead of 12 on 10045: an update with products
    second = world.run()
    assert second.ok and second.summary["updated"] == 2 and second.summary["created"] == 1
    source, target = _amounts(world)
    assert len(source) == 9 and target == source
    assert source["10045"] == (Decimal("467.80"), Decimal("70.05"), Decimal("537.85"))


def test_a_line_without_a_rate_is_refused_not_given_the_products(world_factory: Any) -> None:
    world = _world(world_factory)
    # an ERP whose reported taxes follow no Québec rate (an HST province, a typo): the lines
    # cannot be given their rate
    world.erp.app.state.invoices["10046"]["ListeDesTaxes"][0]["MontantTaxe"] = Decimal("9.99")
    report = world.run()
    failed = [e for e in report.entries if e.outcome not in ("created", "unchanged")]
    assert [(e.source_number, e.outcome, e.reason) for e in failed] == [
        ("10046", "failed", "refused")]
    assert failed[0].message.startswith(
        "position 1 (Installation sur place (groupe de produits)) has no tax rate: "
        "VosFactures would apply the account's default rate; the source does not say the "
        "line's rate (see its warnings), give it one in the mapping; position 2 (Lame 40 "
        "dents) has no tax rate: VosFactures would apply the rate of product LAME-40;")
    assert "10046" not in {str(i["number"]) for i in world.vf_invoices}
    assert not report.ok
    source, target = _amounts(world)
    del source["10046"]
    assert target == source



def test_an_update_is_mapped_over_the_targets_copy(world_factory: Any,
                                                   monkeypatch: Any) -> None:
    """On an update the mapping writes over the target's current invoice (`original=`),
    so that its `key` and `keep` rules take effect; a create has no original."""
    from passeur.engine.convert import Converter

    world = _world(world_factory)
    assert world.run().ok
    seen: list[tuple[Any, Any]] = []
    convert = Converter.convert

    def spy(self: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
        original = kwargs.get("original")
        seen.append((value.get("NoFacture"), original and original.get("id")))
        return convert(self, value, *args, **kwargs)

    monkeypatch.setattr(Converter, "convert", spy)
    demo.change(world.erp.app)
    plan = world.plan()
    target_id = next(i.target_id for i in plan.items if i.source_number == "10047")
    assert next(i.action for i in plan.items if i.source_number == "10047") == "update"
    assert ("10047", int(target_id or 0)) in seen
    assert [o for n, o in seen if n == "10051"] == [None]  # the new one: a create
