"""Invariant checks: each rule found with its exact message and data path; never raising."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings

from passeur.issues import Level
from passeur.model import (
    BankAccount,
    BankStatement,
    Identifier,
    IdentifierScheme,
    Invoice,
    Line,
    LineKind,
    Money,
    Movement,
    Party,
    PaymentTerms,
    Tax,
    TaxRounding,
    TaxSubtotal,
    Totals,
    check,
    recompute,
    tax_breakdown,
)
from support.strategies import model

OLD_QUEBEC = (Tax("TPS", D("7")), Tax("TVQ", D("7.5"), compound=True))
NOW_QUEBEC = (Tax("TPS", D("5")), Tax("TVQ", D("9.975")))


def seed_004_lines(taxes: tuple[Tax, ...]) -> tuple[Line, ...]:
    """The priced lines of seed 004's created invoice (CAThermo, text, blank, group, SCIE-10)."""
    return (
        Line(product_code="CAThermo", quantity=D("4"), unit_price_net=D("122"), taxes=taxes),
        Line(kind=LineKind.TEXT, description="Il est aussi possible..."),
        Line(kind=LineKind.BLANK, description=""),
        Line(kind=LineKind.PRODUCT_GROUP, group_code="115", quantity=D("1"),
             unit_price_net=D("26.09"), taxes=taxes),
        Line(product_code="SCIE-10", quantity=D("3"), unit_price_net=D("174.99"), taxes=taxes),
    )


def messages(issues):
    return [(i.code, i.path, i.message) for i in issues]


def test_seed_003_totals_recomputed_to_the_cent_with_compound_tvq() -> None:
    invoice = Invoice(currency="CAD", lines=seed_004_lines(OLD_QUEBEC))
    totals = recompute(invoice)
    assert (totals.net, totals.tax, totals.gross) == (D("1039.06"), D("156.11"), D("1195.17"))
    rows = tax_breakdown(invoice)
    assert [(r.scheme, r.taxable_amount, r.tax_amount) for r in rows] == [
        ("TPS", D("1039.06"), D("72.73")), ("TVQ", D("1111.7942"), D("83.38"))]


def test_two_taxes_per_line_current_quebec_rates() -> None:
    invoice = Invoice(currency="CAD", lines=seed_004_lines(NOW_QUEBEC))
    assert [(r.scheme, r.tax_amount) for r in tax_breakdown(invoice)] == [
        ("TPS", D("51.95")), ("TVQ", D("103.65"))]


def test_per_line_and_per_document_rounding_differ_visibly() -> None:
    lines = tuple(Line(quantity=D("1"), unit_price_net=D("0.05"), taxes=(Tax("VAT", D("20")),))
                  for _ in range(3))
    invoice = Invoice(lines=lines)
    assert recompute(invoice).tax == D("0.03")  # 0.15 x 20 % once
    assert recompute(invoice, tax_rounding=TaxRounding.PER_LINE).tax == D("0.03")
    lines = tuple(Line(quantity=D("1"), unit_price_net=D("0.025"), net_amount=D("0.025"),
                       taxes=(Tax("VAT", D("20")),)) for _ in range(3))
    invoice = Invoice(lines=lines)
    assert recompute(invoice).tax == D("0.02")  # 0.015 rounded once
    assert recompute(invoice, tax_rounding=TaxRounding.PER_LINE).tax == D("0.03")  # 0.01 x 3


def test_sound_invoice_has_no_issue() -> None:
    invoice = Invoice(
        currency="CAD", lines=seed_004_lines(OLD_QUEBEC),
        tax_breakdown=(TaxSubtotal("TPS", D("7"), taxable_amount=D("1039.06"),
                                   tax_amount=D("72.73")),),
        totals=Totals(line_net=D("1039.06"), net=D("1039.06"), tax=D("156.11"),
                      gross=D("1195.17"), due=D("1195.17")))
    assert [i for i in check(invoice) if i.code != "BR-CO-14"] == []


def test_totals_rules_each_reported_with_path() -> None:
    invoice = Invoice(
        lines=(Line(quantity=D("2"), unit_price_net=D("10.00"), net_amount=D("21.00")),),
        tax_breakdown=(TaxSubtotal("VAT", D("20"), taxable_amount=D("21.00"),
                                   tax_amount=D("4.00")),),
        totals=Totals(line_net=D("20.00"), net=D("19.00"), tax=D("4.10"), gross=D("23.00"),
                      paid=D("5.00"), due=D("19.00")))
    assert messages(check(invoice)) == [
        ("line-amount", "$.lines[0].net_amount",
         "line 1: amount 21.00 differs from quantity x price = 2 x 10.00 = 20.00"),
        ("BR-CO-10", "$.totals.line_net",
         "sum of line net amounts is 21.00, the document says 20.00"),
        ("BR-CO-13", "$.totals.net",
         "total without tax 19.00 differs from line total - allowances + charges = 20.00"),
        ("BR-CO-14", "$.totals.tax",
         "total tax 4.10 differs from the sum of the tax breakdown = 4.00"),
        ("BR-CO-15", "$.totals.gross", "total with tax 23.00 differs from net + tax = 23.10"),
        ("BR-CO-16", "$.totals.due",
         "amount due 19.00 differs from gross - paid + rounding = 18.00"),
        ("BR-CO-17", "$.tax_breakdown[0].tax_amount",
         "tax amount 4.00 differs from taxable amount x rate = 4.20"),
    ]


def test_discounts_enter_the_line_amount() -> None:
    line = Line(quantity=D("3"), unit_price_net=D("10"), discount_percent=D("10"),
                net_amount=D("27.00"))
    assert check(Invoice(lines=(line,))) == []
    line = Line(quantity=D("3"), unit_price_net=D("10"), discount_amount=D("2.50"),
                net_amount=D("27.49"))
    assert check(Invoice(lines=(line,))) == []  # within the one-cent tolerance


def test_identifiers_validated_through_stdnum() -> None:
    party = Party(name="Acme", identifiers=(
        Identifier("FR40303265045", IdentifierScheme.VAT),
        Identifier("BE0428759497", IdentifierScheme.BCE),
        Identifier("732829320", IdentifierScheme.SIREN),
        Identifier("732829321", IdentifierScheme.SIREN),
        Identifier("12345", IdentifierScheme.NEQ),
    ), bank_accounts=(BankAccount(iban="BE71096123456769"),
                      BankAccount(iban="BE71096123456768", bic="GEBABEBB")))
    assert messages(check(party)) == [
        ("siren", "$.identifiers[3].value",
         "SIREN '732829321' is not valid: The number's checksum or check digit is invalid."),
        ("neq", "$.identifiers[4].value", "NEQ '12345' is not valid: not the shape of a NEQ "
         "(10 digits)"),
        ("iban", "$.bank_accounts[1].iban",
         "IBAN 'BE71096123456768' is not valid: The number's checksum or check digit is "
         "invalid."),
    ]


def test_structured_communication_checked() -> None:
    good = Invoice(payment_terms=PaymentTerms(structured_reference="+++010/8068/17183+++"))
    bad = Invoice(payment_terms=PaymentTerms(structured_reference="+++010/8068/17184+++"))
    assert check(good) == []
    assert [i.code for i in check(bad)] == ["ogm-vcs"]


def test_due_date_before_issue_is_a_warning() -> None:
    import datetime
    invoice = Invoice(issue_date=datetime.date(2024, 5, 2), due_date=datetime.date(2024, 5, 1))
    [issue] = check(invoice)
    assert issue.level is Level.WARNING and issue.path == "$.due_date"


def test_bank_statement_balance() -> None:
    eur = "EUR"
    statement = BankStatement(
        account=BankAccount(iban="BE71096123456769"),
        opening_balance=Money(D("100.00"), eur), closing_balance=Money(D("150.00"), eur),
        movements=(Movement(Money(D("70.00"), eur)), Movement(Money(D("-25.00"), eur))))
    assert messages(check(statement)) == [(
        "balance", "$.closing_balance",
        "opening balance 100.00 + movements 45.00 = 145.00, but the closing balance is 150.00")]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model(Invoice))
def test_checks_never_raise(invoice: Invoice) -> None:
    issues = check(invoice)
    assert all(issue.path.startswith("$") for issue in issues)
