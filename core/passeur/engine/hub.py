"""Checks made on a document while it stands in the canonical model, between two systems.

This is where a conversion notices what the target cannot say (a second tax on a line, a
line kind it has no place for, taxes it computes itself) and whether the totals the target
will compute agree with the ones the source reported. Each finding is an `Issue`; the run's
`IssuePolicy` decides its level, or drops it, but nothing is lost without a word.
What a system can represent is data on its `WireFormat`, never a test on its name.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from passeur.engine.wire import WireFormat
from passeur.issues import Issue, IssuePolicy, Level
from passeur.limits import amount_problem
from passeur.model import Invoice, Tax, TaxRounding, recompute
from passeur.model.checks import line_amount_issues

__all__ = ["check_line_amounts", "check_magnitudes", "check_source_totals", "check_target",
           "describe_taxes", "tax_rounding_of"]


def check_magnitudes(record: Any, path: str = "$") -> list[Issue]:
    """The first amount, quantity, price or rate of a canonical record that is absurd
    (10^18 or more), as an error naming the field (what is computed from it would repeat
    the same error)."""
    found: list[Issue] = []
    stack = [(record, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, f"{where}.{k}") for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]") for i, v in reversed(list(enumerate(value))))
        elif isinstance(value, Decimal):
            problem = amount_problem(value)
            if problem is not None:
                return [Issue(Level.ERROR, problem, "amount.magnitude", where)]
    return found


def check_line_amounts(invoice: Invoice) -> list[Issue]:
    """Line amounts the source reports that its own quantity x price do not give, beyond
    the rounding of one minor unit: a warning (the amount is kept as the source says)."""
    return line_amount_issues(invoice, level=Level.WARNING)

_ROUNDING = {"line": TaxRounding.PER_LINE, "document": TaxRounding.PER_DOCUMENT}


def tax_rounding_of(fmt: WireFormat | None) -> TaxRounding:
    """Where a system rounds tax (per line or per document); the canonical model: document."""
    if fmt is None:
        return TaxRounding.PER_DOCUMENT
    return _ROUNDING.get(fmt.tax_rounding, TaxRounding.PER_DOCUMENT)


def _percent(rate: Decimal | None) -> str:
    if rate is None:
        return "?"
    text = format(rate.normalize(), "f")
    return f"{text} %"


def describe_taxes(taxes: tuple[Tax, ...]) -> str:
    """`TPS 7 %, TVQ 7.5 % (compound)`: how a message names a line's taxes."""
    parts = []
    for tax in taxes:
        if tax.disabled:
            parts.append(f"{tax.scheme} not applicable")
            continue
        parts.append(f"{tax.scheme} {_percent(tax.rate)}"
                     + (" (compound)" if tax.compound else ""))
    return ", ".join(parts)


def _issue(policy: IssuePolicy, message: str, code: str, path: str) -> Issue | None:
    level = policy.level()
    return None if level is None else Issue(level, message, code, path)


def check_source_totals(invoice: Invoice, source: WireFormat | None) -> list[Issue]:
    """Totals the source reported that its own lines do not give (under its rounding)."""
    reported = invoice.totals
    if reported is None or reported.gross is None or not invoice.lines:
        return []
    if not any(line.taxes for line in invoice.lines):
        tax = reported.gross - (reported.net if reported.net is not None else reported.gross)
        if tax == 0:
            return []
        return [Issue(Level.WARNING, f"the source reports {tax} of tax without saying on "
                      "which lines or at which rate; the lines carry no tax rate",
                      "totals.tax_undetailed", "$.totals")]
    # the hub fills computed_totals under the source's rounding before this check
    computed = invoice.computed_totals or recompute(invoice,
                                                    tax_rounding=tax_rounding_of(source))
    if computed.gross == reported.gross:
        return []
    return [Issue(Level.WARNING,
                  f"the source's total is {reported.gross} but its lines give {computed.gross} "
                  f"(tax rounded per {tax_rounding_of(source).value})",
                  "totals.source_mismatch", "$.totals.gross")]


def check_target(
    invoice: Invoice, target: WireFormat | None, policy: IssuePolicy, target_name: str
) -> list[Issue]:
    """What `target` cannot represent in `invoice`, and totals it would compute differently."""
    if target is None:
        return []
    found: list[Issue | None] = []
    for i, line in enumerate(invoice.lines):
        path = f"$.lines[{i}]"
        if target.line_kinds is not None and line.kind.value not in target.line_kinds:
            found.append(_issue(policy, f"line {i + 1} is a {line.kind.value} line; "
                                f"{target_name} has no such lines",
                                "target.line_kind", f"{path}.kind"))
        active = [t for t in line.taxes if not t.disabled]
        limit = target.max_taxes_per_line
        if limit == 0 and active:
            fate = (f"the rates ride in {target.rates_kept_in} for the way back, but it "
                    "applies its own" if target.rates_kept_in else "so these rates are not sent")
            found.append(_issue(policy, f"line {i + 1} carries {describe_taxes(line.taxes)}; "
                                f"{target_name} computes taxes itself (tax group): {fate}",
                                "target.tax_computed", f"{path}.taxes"))
        elif limit is not None and len(active) > limit:
            found.append(_issue(policy, f"line {i + 1} carries {len(active)} taxes "
                                f"({describe_taxes(line.taxes)}); {target_name} allows "
                                f"{limit} per line, so they are combined into one rate",
                                "target.tax_count", f"{path}.taxes"))
    if not target.allowance_charges:
        for i, item in enumerate(invoice.allowance_charges):
            what = "charge" if item.charge else "allowance"
            reason = f" {item.reason!r}" if item.reason else ""
            found.append(_issue(policy, f"the document's {what}{reason} of {item.amount} is "
                                f"not kept: {target_name} has no document-level charges or "
                                "allowances, so its total leaves it out",
                                "target.allowance_charge", f"$.allowance_charges[{i}]"))
    found.extend(_target_totals(invoice, target, policy, target_name))
    return [issue for issue in found if issue is not None]


def _target_totals(
    invoice: Invoice, target: WireFormat, policy: IssuePolicy, target_name: str
) -> list[Issue | None]:
    reported = invoice.totals
    if reported is None or reported.gross is None or target.max_taxes_per_line == 0:
        return []
    if not any(line.taxes for line in invoice.lines):
        return []
    computed = recompute(invoice, tax_rounding=tax_rounding_of(target))
    if computed.gross == reported.gross:
        return []
    return [_issue(policy, f"{target_name} rounds tax per {tax_rounding_of(target).value}: from "
                   f"these lines it computes a total of {computed.gross} (tax {computed.tax}) "
                   f"where the source says {reported.gross}", "target.totals", "$.totals.gross")]
