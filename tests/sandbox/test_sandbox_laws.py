"""Laws every generated document obeys, checked on the stores directly (no socket needed)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from passeur.sandbox import FieldErrors
from passeur_erpconnector.sandbox_invoice import TAX_GROUPS, Catalogue, build_invoice
from passeur_erpconnector.sandbox_seed import default_catalogue
from passeur_vosfactures.sandbox_store import Account

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
quantities = st.integers(min_value=1, max_value=500).map(Decimal)
rates = st.sampled_from(["20", "10", "5.5", "2.1", "0", "disabled"])
position = st.fixed_dictionaries({"name": st.just("P"), "tax": rates, "quantity": quantities}) \
    .flatmap(lambda p: st.one_of(
        st.fixed_dictionaries({"total_price_gross": money}).map(lambda m: p | m),
        st.fixed_dictionaries({"price_net": money}).map(lambda m: p | m)))


@settings(max_examples=60, deadline=None)
@given(st.lists(position, min_size=1, max_size=6))
def test_vosfactures_totals_are_sums_of_lines(positions):
    account = Account(today=datetime.date(2025, 6, 15))
    record = account.create_invoice({"buyer_name": "X", "positions": positions})
    lines = record["positions"]
    net = sum(Decimal(p["total_price_net"]) for p in lines)
    gross = sum(Decimal(p["total_price_gross"]) for p in lines)
    assert (Decimal(record["price_net"]), Decimal(record["price_gross"])) == (net, gross)
    assert Decimal(record["price_tax"]) == gross - net
    for sent, line in zip(positions, lines, strict=True):
        if "total_price_gross" in sent:
            assert Decimal(line["total_price_gross"]) == sent["total_price_gross"]
        else:
            assert Decimal(line["total_price_net"]) == sent["price_net"] * sent["quantity"]
        # Written like the platform: cents, without a trailing zero ("12.3", "100.0").
        assert all(re.fullmatch(r"-?\d+\.(\d|\d[1-9])", line[k]) for k in
                   ("price_net", "price_gross", "total_price_net", "total_price_gross"))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(quantities, money), min_size=1, max_size=6),
       st.sampled_from(sorted(TAX_GROUPS)))
def test_erp_total_is_subtotal_plus_taxes(lines, group):
    catalogue: Catalogue = default_catalogue()
    errors = FieldErrors()
    record = build_invoice({"DateFacture": "2024-04-24",
                            "InfoClientFacturerA": {"NoClient": "0Comptoir"},
                            "LigneFacture": [{"strNoGroupeProduit": "115", "QteFacture": q,
                                              "PrixFinal": p} for q, p in lines]},
                           catalogue, TAX_GROUPS[group], errors)
    assert not errors
    subtotal = sum(q * p for q, p in lines)
    taxes = [t["MontantTaxe"] for t in record["ListeDesTaxes"]]
    assert record["SousTotalFacture"] == subtotal
    assert record["TotalFacture"] == subtotal + sum(taxes)
    assert all(t == t.quantize(Decimal("0.01")) for t in taxes)
    first = TAX_GROUPS[group][0]
    assert taxes[0] == (subtotal * first.rate).quantize(Decimal("0.01"),
                                                         rounding="ROUND_HALF_UP")
