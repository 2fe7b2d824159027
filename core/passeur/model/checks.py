"""Invariant checks on canonical documents. They return issues; they never raise.

The totals rules follow EN 16931's BR-CO business rules: sums must match exactly once rounded
to the currency's minor unit (the schematron compares rounded values), and computed amounts
(line net = quantity x price - discount, tax = taxable x rate) may differ by at most
`tolerance` (one cent by default), the rounding a correct system can introduce.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import singledispatch

from passeur.issues import Issue, Level
from passeur.model.common import BankAccount, Party
from passeur.model.identifiers import (
    validate_bic,
    validate_iban,
    validate_identifier,
    validate_structured_communication,
)
from passeur.model.invoice import Invoice, Line, LineKind, Payment
from passeur.model.money import minor_units, round_money
from passeur.model.records import BankStatement, Product
from passeur.model.totals import computed_line_net, line_net

__all__ = ["check", "line_amount_issues"]

ZERO = Decimal("0")
CENT = Decimal("0.01")


def _issue(code: str, path: str, message: str, level: Level = Level.ERROR,
           source: str | None = None) -> Issue:
    return Issue(level=level, message=message, code=code, path=path, source=source)


@singledispatch
def check(document: object, *, tolerance: Decimal = CENT) -> list[Issue]:
    """Every invariant problem of a canonical document (an empty list when it is sound)."""
    raise TypeError(f"no checks for {type(document).__name__}")


def _accounts(accounts: Iterable[BankAccount], path: str) -> list[Issue]:
    issues = []
    for i, account in enumerate(accounts):
        if account.iban and (why := validate_iban(account.iban)):
            issues.append(_issue("iban", f"{path}[{i}].iban",
                                 f"IBAN {account.iban!r} is not valid: {why}"))
        if account.bic and (why := validate_bic(account.bic)):
            issues.append(_issue("bic", f"{path}[{i}].bic",
                                 f"BIC {account.bic!r} is not valid: {why}"))
    return issues


@check.register
def _check_party(party: Party, *, tolerance: Decimal = CENT, path: str = "$") -> list[Issue]:
    issues = []
    for i, ident in enumerate(party.identifiers):
        why = validate_identifier(ident.scheme, ident.value)
        if why:
            issues.append(_issue(
                ident.scheme.value, f"{path}.identifiers[{i}].value",
                f"{ident.scheme.value.upper()} {ident.value!r} is not valid: {why}"))
    issues += _accounts(party.bank_accounts, f"{path}.bank_accounts")
    return issues


def _differs(a: Decimal, b: Decimal, currency: str) -> bool:
    return round_money(a, currency) != round_money(b, currency)


@check.register
def _check_invoice(invoice: Invoice, *, tolerance: Decimal = CENT) -> list[Issue]:
    cur = invoice.currency
    issues: list[Issue] = []
    for role in ("seller", "buyer", "ship_to"):
        party = getattr(invoice, role)
        if party is not None:
            issues += _check_party(party, path=f"$.{role}")

    line_sum = ZERO
    for i, line in enumerate(invoice.lines):
        if line.kind not in (LineKind.ITEM, LineKind.PRODUCT_GROUP):
            continue
        path = f"$.lines[{i}]"
        issues += _line_amount(line, i, cur, tolerance, Level.ERROR)
        line_sum += line_net(line, cur) or ZERO
        for t, tax in enumerate(line.taxes):
            if tax.rate is not None and tax.rate < 0:
                issues.append(_issue("tax-rate", f"{path}.taxes[{t}].rate",
                                     f"tax rate {tax.rate} is negative"))

    totals = invoice.totals
    if totals is not None:
        issues += _check_totals(invoice, line_sum, tolerance)
    for i, row in enumerate(invoice.tax_breakdown):
        if row.rate is None:
            continue
        expected = round_money(row.taxable_amount * row.rate / Decimal(100), cur)
        if abs(expected - row.tax_amount) > tolerance:
            issues.append(_issue(
                "BR-CO-17", f"$.tax_breakdown[{i}].tax_amount",
                f"tax amount {row.tax_amount} differs from taxable amount x rate = {expected}"))
    if invoice.payment_terms and invoice.payment_terms.structured_reference:
        ref = invoice.payment_terms.structured_reference
        if ref.startswith("+++") and (why := validate_structured_communication(ref)):
            issues.append(_issue("ogm-vcs", "$.payment_terms.structured_reference",
                                 f"structured communication {ref!r} is not valid: {why}"))
    if invoice.due_date and invoice.issue_date and invoice.due_date < invoice.issue_date:
        issues.append(_issue("due-date", "$.due_date",
                             f"due date {invoice.due_date} is before issue date "
                             f"{invoice.issue_date}", Level.WARNING))
    return issues


def _line_amount(line: Line, i: int, currency: str, tolerance: Decimal,
                 level: Level) -> list[Issue]:
    if line.net_amount is None or line.quantity is None or line.unit_price_net is None:
        return []
    base = (line.extensions or {}).get("base_quantity")
    if base not in (None, "", 1, "1") and Decimal(str(base)) != 1:
        return []  # a price per N units (BT-149): quantity x price does not apply as is
    expected = computed_line_net(line, currency)
    if expected is None or abs(expected - line.net_amount) <= tolerance + _price_rounding(line):
        return []
    discount = " - discount" if line.discount_amount or line.discount_percent else ""
    return [_issue("line-amount", f"$.lines[{i}].net_amount",
                   f"line {i + 1}: amount {line.net_amount} differs from quantity x "
                   f"price{discount} = {line.quantity} x {line.unit_price_net}{discount} = "
                   f"{expected}", level)]


def _price_rounding(line: Line) -> Decimal:
    """How far quantity x a unit price rounded to its own decimals may stray from the exact
    line amount: half a unit of the price's last decimal, times the quantity (100 x 0.81 for
    an exact 0.813 is 81.00 against 81.30, and nothing is wrong)."""
    price, quantity = line.unit_price_net, line.quantity
    if price is None or quantity is None or not price.is_finite():
        return Decimal(0)
    exponent = price.as_tuple().exponent
    if not isinstance(exponent, int):
        return Decimal(0)
    return abs(quantity) * Decimal(5).scaleb(exponent - 1)


def line_amount_issues(invoice: Invoice, *, tolerance: Decimal | None = None,
                       level: Level = Level.WARNING) -> list[Issue]:
    """Lines whose amount disagrees with quantity x price - discount by more than
    `tolerance` (one minor unit of the currency by default: the rounding a correct system
    can introduce)."""
    cur = invoice.currency
    if tolerance is None:
        tolerance = Decimal(1).scaleb(-minor_units(cur))
    issues: list[Issue] = []
    for i, line in enumerate(invoice.lines):
        if line.kind in (LineKind.ITEM, LineKind.PRODUCT_GROUP):
            issues += _line_amount(line, i, cur, tolerance, level)
    return issues


def _check_totals(invoice: Invoice, line_sum: Decimal, tolerance: Decimal) -> list[Issue]:
    t = invoice.totals
    assert t is not None
    cur = invoice.currency
    issues = []
    has_amounts = any(ln.net_amount is not None or ln.unit_price_net is not None
                      for ln in invoice.lines)
    if t.line_net is not None and has_amounts and _differs(t.line_net, line_sum, cur):
        issues.append(_issue("BR-CO-10", "$.totals.line_net",
                             f"sum of line net amounts is {line_sum}, "
                             f"the document says {t.line_net}"))
    if t.net is not None and t.line_net is not None:
        expected = t.line_net - (t.allowances or ZERO) + (t.charges or ZERO)
        if _differs(t.net, expected, cur):
            issues.append(_issue("BR-CO-13", "$.totals.net",
                                 f"total without tax {t.net} differs from line total - "
                                 f"allowances + charges = {expected}"))
    if t.tax is not None and invoice.tax_breakdown:
        expected = sum((row.tax_amount for row in invoice.tax_breakdown), ZERO)
        if _differs(t.tax, expected, cur):
            issues.append(_issue("BR-CO-14", "$.totals.tax",
                                 f"total tax {t.tax} differs from the sum of the tax "
                                 f"breakdown = {expected}"))
    if t.gross is not None and t.net is not None and t.tax is not None \
            and _differs(t.gross, t.net + t.tax, cur):
        issues.append(_issue("BR-CO-15", "$.totals.gross",
                             f"total with tax {t.gross} differs from net + tax = "
                             f"{t.net + t.tax}"))
    if t.due is not None and t.gross is not None:
        expected = t.gross - (t.paid or ZERO) + (t.rounding or ZERO)
        if _differs(t.due, expected, cur):
            issues.append(_issue("BR-CO-16", "$.totals.due",
                                 f"amount due {t.due} differs from gross - paid + rounding "
                                 f"= {expected}"))
    return issues


@check.register
def _check_product(product: Product, *, tolerance: Decimal = CENT) -> list[Issue]:
    issues = []
    if product.unit_price_net is not None and product.unit_price_net < 0:
        issues.append(_issue("price", "$.unit_price_net",
                             f"unit price {product.unit_price_net} is negative",
                             Level.WARNING))
    return issues


@check.register
def _check_payment(payment: Payment, *, tolerance: Decimal = CENT) -> list[Issue]:
    issues = []
    if payment.payer is not None:
        issues += _check_party(payment.payer, path="$.payer")
    return issues


@check.register
def _check_statement(statement: BankStatement, *, tolerance: Decimal = CENT) -> list[Issue]:
    issues = _accounts([statement.account], "$.account")
    opening, closing = statement.opening_balance, statement.closing_balance
    for i, move in enumerate(statement.movements):
        if move.amount.currency != opening.currency:
            issues.append(_issue("currency", f"$.movements[{i}].amount.currency",
                                 f"movement in {move.amount.currency}, statement in "
                                 f"{opening.currency}"))
    moved = sum((m.amount.amount for m in statement.movements), ZERO)
    if opening.amount + moved != closing.amount:
        issues.append(_issue(
            "balance", "$.closing_balance",
            f"opening balance {opening.amount} + movements {moved} = "
            f"{opening.amount + moved}, but the closing balance is {closing.amount}"))
    return issues
