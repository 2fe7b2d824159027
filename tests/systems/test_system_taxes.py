"""Taxes: Québec TPS + TVQ regimes, VosFactures' one tax per position, French and Belgian
VAT, totals under each system's rounding rule."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import attrs
import pytest

from passeur import IssuePolicy, Level, load_registry
from passeur.dsl import FunctionError
from passeur.engine.hub import check_target
from passeur.model import (
    Address,
    Invoice,
    Line,
    LineKind,
    Party,
    Tax,
    TaxRounding,
    TaxSubtotal,
    Totals,
    recompute,
)
from passeur_erpconnector.taxes import infer_line_taxes, tax_scheme
from passeur_vosfactures.taxes import (
    check_vat_rates,
    complete_lines,
    fit_line_totals,
    tax_text,
    taxes_of,
)


def _erp_invoice(tps: str, tvq: str, day: datetime.date, *nets: str) -> Invoice:
    return Invoice(
        currency="CAD", issue_date=day,
        lines=(*(Line(net_amount=D(n), quantity=D(1), unit_price_net=D(n)) for n in nets),
               Line(kind=LineKind.TEXT, name="note")),
        tax_breakdown=(TaxSubtotal("TPS", tax_amount=D(tps), code="T.P.S. 100%"),
                       TaxSubtotal("TVQ", tax_amount=D(tvq), code="T.V.Q. 100%")))


def test_current_quebec_rates_are_recognised_without_a_note() -> None:
    invoice, issues = infer_line_taxes(_erp_invoice("5.00", "9.98", datetime.date(2024, 5, 1),
                                                    "100.00"))
    assert issues == []
    assert [(t.scheme, t.rate, t.compound) for t in invoice.lines[0].taxes] == [
        ("TPS", D("5"), False), ("TVQ", D("9.975"), False)]
    assert invoice.lines[1].taxes == ()  # a text line carries no tax


def test_seed_003_amounts_give_the_pre_2006_compound_rates() -> None:
    invoice, issues = infer_line_taxes(_erp_invoice("72.73", "83.38", datetime.date(2024, 4, 24),
                                                    "488", "26.09", "524.97"))
    assert [(t.scheme, t.rate, t.compound) for t in invoice.lines[0].taxes] == [
        ("TPS", D("7"), False), ("TVQ", D("7.5"), True)]
    assert recompute(invoice, tax_rounding=TaxRounding.PER_DOCUMENT).gross == D("1195.17")
    assert recompute(invoice, tax_rounding=TaxRounding.PER_LINE).gross == D("1195.18")
    assert [i.code for i in issues] == ["taxes.regime_date"]


def test_2012_compound_rates_on_their_date() -> None:
    # 2012: TVQ 9.5 % on net + TPS: 100 -> TPS 5.00, TVQ 9.98 (9.975), like 2013's 9.975 %
    invoice, issues = infer_line_taxes(_erp_invoice("5.00", "9.98", datetime.date(2012, 6, 1),
                                                    "100.00"))
    assert [(t.rate, t.compound) for t in invoice.lines[0].taxes] == [
        (D("5"), False), (D("9.5"), True)]
    assert issues == []


def test_a_compound_tvq_on_the_rounded_tps_is_recognised() -> None:
    # 874.95: TPS 7 % is 61.2465 -> 61.25; TVQ 7.5 % on 874.95 + 61.25 is 70.215 -> 70.22,
    # where the exact TPS would give 70.21: the ERP levies it on the TPS it prints
    invoice, issues = infer_line_taxes(_erp_invoice("61.25", "70.22", datetime.date(2024, 1, 3),
                                                    "699.96", "174.99"))
    assert [(t.scheme, t.rate, t.compound) for t in invoice.lines[0].taxes] == [
        ("TPS", D("7"), False), ("TVQ", D("7.5"), True)]
    assert "taxes.unknown_regime" not in [i.code for i in issues]


def test_amounts_that_match_no_regime_are_reported() -> None:
    invoice, issues = infer_line_taxes(_erp_invoice("6.00", "9.00", datetime.date(2024, 1, 1),
                                                    "100.00"))
    assert invoice.lines[0].taxes == ()
    assert [(i.level, i.message) for i in issues] == [(
        Level.WARNING, "the reported taxes (TPS 6.00, TVQ 9.00) match no Québec rate since "
        "1991; the lines are left without tax rates")]


def test_lines_of_an_untaxed_tax_group_are_found_by_the_amounts() -> None:
    # 149.00 taxed and 25.47 in a group the ERP does not tax: TPS 7.45, TVQ 14.86 follow
    # today's rates only when the second line is left untaxed (it then says 0 %, not nothing)
    base = _erp_invoice("7.45", "14.86", datetime.date(2024, 5, 30), "149.00", "25.47")
    lines = list(base.lines)
    lines[1] = attrs.evolve(lines[1], extensions={"tax_group": "EXEMPT"})
    invoice, issues = infer_line_taxes(attrs.evolve(base, lines=tuple(lines)))
    assert [(t.scheme, t.rate, t.category) for t in invoice.lines[0].taxes] == [
        ("TPS", D("5"), None), ("TVQ", D("9.975"), None)]
    assert [(t.scheme, t.rate, t.category) for t in invoice.lines[1].taxes] == [
        ("TPS", D("0"), "E"), ("TVQ", D("0"), "E")]
    assert recompute(invoice, tax_rounding=TaxRounding.PER_DOCUMENT).gross == D("196.78")
    assert [(i.level, i.code) for i in issues] == [(Level.INFO, "taxes.untaxed_group")]


def test_two_groups_that_could_each_be_the_untaxed_one_are_not_guessed() -> None:
    base = _erp_invoice("5.00", "9.98", datetime.date(2024, 5, 30), "100.00", "100.00")
    lines = [attrs.evolve(line, extensions={"tax_group": g}) if i < 2 else line
             for i, (line, g) in enumerate(zip(base.lines, ("A", "B", None), strict=True))]
    invoice, issues = infer_line_taxes(attrs.evolve(base, lines=tuple(lines)))
    assert [line.taxes for line in invoice.lines] == [(), (), ()]
    assert [i.code for i in issues] == ["taxes.unknown_regime"]


def test_tax_codes_name_their_tax() -> None:
    assert [tax_scheme(c) for c in ("T.P.S. 100%", "T.V.Q. 100%", "TVH", "GST", "Autre")] == [
        "TPS", "TVQ", "TVH", "TPS", "Autre"]


@pytest.mark.parametrize(("text", "taxes"), [
    ("20", [{"scheme": "VAT", "rate": D("20")}]),
    ("5.5", [{"scheme": "VAT", "rate": D("5.5")}]),
    ("21", [{"scheme": "VAT", "rate": D("21")}]),
    ("disabled", [{"scheme": "VAT", "disabled": True}]),
    ("np", [{"scheme": "VAT", "disabled": True, "category": "O"}]),
])
def test_vosfactures_tax_text_both_ways(text: str, taxes: list[dict[str, object]]) -> None:
    assert taxes_of(text) == taxes
    assert tax_text(taxes) == text


def test_a_tax_that_is_not_a_rate_is_refused() -> None:
    with pytest.raises(FunctionError, match='tax "vingt" is not a rate in percent, "disabled" '
                       'or "np"'):
        taxes_of("vingt")


def test_several_taxes_give_one_effective_rate() -> None:
    quebec_2006 = [{"scheme": "TPS", "rate": D("7")},
                   {"scheme": "TVQ", "rate": D("7.5"), "compound": True}]
    quebec_now = [{"scheme": "TPS", "rate": D("5")}, {"scheme": "TVQ", "rate": D("9.975")}]
    assert tax_text(quebec_2006) == "15.025"  # 1.07 x 1.075 = 1.15025
    assert tax_text(quebec_now) == "14.975"


def test_french_and_belgian_rates_are_checked_for_the_seller_country() -> None:
    def seller(country: str, rate: str) -> Invoice:
        return Invoice(seller=Party(address=Address(country=country)),
                       lines=(Line(taxes=(Tax(rate=D(rate)),)),))
    assert check_vat_rates(seller("FR", "5.5"))[1] == []
    assert check_vat_rates(seller("BE", "21"))[1] == []
    assert check_vat_rates(seller("PL", "23"))[1] == []
    issues = check_vat_rates(seller("FR", "19.6"))[1]
    assert [(i.path, i.message) for i in issues] == [(
        "$.lines[0].taxes[0].rate", "VAT 19.6 % is not a rate in force in FR "
        "(20, 10, 5.5, 2.1, 0)")]


def test_line_grosses_are_fitted_to_the_reported_total() -> None:
    invoice = Invoice(currency="CAD", totals=Totals(net=D("1039.06"), gross=D("1195.17")),
                      lines=(Line(net_amount=D("488"), gross_amount=D("561.322")),
                             Line(kind=LineKind.TEXT),
                             Line(net_amount=D("26.09"), gross_amount=D("30.0100225")),
                             Line(net_amount=D("524.97"), gross_amount=D("603.8467425"))))
    fitted, issues = fit_line_totals(invoice)
    assert [ln.gross_amount for ln in fitted.lines] == [D("561.32"), None, D("30.01"),
                                                        D("603.84")]
    assert [ln.net_amount for ln in fitted.lines] == [D("488"), None, D("26.09"), D("524.97")]
    assert [i.path for i in issues] == ["$.lines[3].gross_amount"]


def test_amounts_vosfactures_computes_from_a_gross_total() -> None:
    invoice = Invoice(lines=(Line(quantity=D(3), gross_amount=D("30.94"),
                                  taxes=(Tax(rate=D("23")),)),))
    line = complete_lines(invoice)[0].lines[0]
    assert (line.net_amount, line.tax_amount, line.unit_price_net, line.unit_price_gross) == (
        D("25.15"), D("5.79"), D("8.38"), D("10.31"))


def test_per_line_rounding_of_a_target_is_compared_with_the_source_total() -> None:
    lines = tuple(Line(net_amount=D("0.10"), taxes=(Tax(rate=D("5.5")),)) for _ in range(3))
    invoice = Invoice(lines=lines, totals=Totals(net=D("0.30"), gross=D("0.32")))
    assert recompute(invoice).gross == D("0.32")  # 0.0165 rounded once
    target = load_registry().formats["vosfactures.invoice"]
    issues = check_target(invoice, target, IssuePolicy.WARN, "vosfactures")
    assert [(i.level, i.message) for i in issues] == [(
        Level.WARNING, "vosfactures rounds tax per line: from these lines it computes a total "
        "of 0.33 (tax 0.03) where the source says 0.32")]
    assert check_target(invoice, target, IssuePolicy.IGNORE, "vosfactures") == []
