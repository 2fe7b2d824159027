"""The office's default payment terms, for systems whose invoices do not carry them.

EN 16931 requires a due date (BT-9) or payment terms (BT-20) when an amount is due
(BR-CO-25). An Acomba invoice read through ERP Connector has neither: the terms live in the
company's practice, not in the document. A consultant declares them once, in a connection
file, on a sync file's side (which wins) or in a file given to `convert --payment-terms`:

    [payment_terms]
    days = 30                        # the due date: the issue date plus 30 calendar days
    description = "30 days net"      # BT-20, as printed on the invoice

`fill_terms` completes a sale invoice that has no due date and no terms at all; a document
with any of its own (a due date, a terms text, a number of days) is left as it is, and
every use of the declared terms is reported with where they came from.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import attrs

from passeur.engine.settingfile import file_or_table, read_setting_file
from passeur.errors import InputError
from passeur.issues import Issue, Level
from passeur.model.invoice import Direction, DocumentKind, Invoice, PaymentTerms

__all__ = ["TermsConfig", "fill_terms", "load_terms", "terms_from_data", "terms_setting"]

_KEYS = ("days", "due_days", "description")


@attrs.frozen
class TermsConfig:
    """Declared payment terms and the file they were read from (named in every report)."""

    days: int | None
    description: str | None
    origin: str


def load_terms(path: str | Path) -> TermsConfig:
    """The payment terms of a TOML or JSON file (`days`, `description`)."""
    path = Path(path)
    return terms_from_data(read_setting_file(path, "payment terms"), str(path), str(path))


def terms_from_data(data: Any, origin: str, where: str) -> TermsConfig:
    """The payment terms of a terms file's content or of a `[payment_terms]` table; `where`
    (file or file:line) starts each refusal (an InputError)."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: payment terms are a table (days, description), not "
                         f"{type(data).__name__}")
    unknown = sorted(k for k in data if k not in _KEYS)
    if unknown:
        raise InputError(f"{where}: unknown payment terms field(s): {', '.join(unknown)} "
                         "(payment terms have: days (or due_days), description)")
    if "days" in data and "due_days" in data:
        raise InputError(f"{where}: payment terms give both days and due_days: one of them")
    days = data.get("days", data.get("due_days"))
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)
                             or not 0 <= days <= 3660):
        raise InputError(f"{where}: payment terms days is a whole number of calendar days "
                         f"from the issue date (0 to 3660), not {days!r}")
    description = data.get("description")
    if description is not None and (not isinstance(description, str)
                                    or not description.strip()):
        raise InputError(f"{where}: payment terms description is a text (BT-20), not "
                         f"{description!r}")
    if days is None and description is None:
        raise InputError(f"{where}: payment terms need days (the due date, BT-9) or a "
                         "description (BT-20)")
    return TermsConfig(days, description.strip() if description else None, origin)


def terms_setting(value: Any, where: str, base: Path | None, origin: str) -> TermsConfig:
    """A connection or sync file's `payment_terms`: a terms file's path (relative to
    `base`) or the fields inline (a `[payment_terms]` table)."""
    return file_or_table(value, where, base, origin, key="payment_terms",
                         what="payment terms", example="terms.toml",
                         fields="days and description", load=load_terms,
                         from_data=terms_from_data)


def _has_terms(invoice: Invoice) -> bool:
    terms = invoice.payment_terms
    return invoice.due_date is not None or (terms is not None and (
        terms.due_date is not None or terms.days is not None or bool(terms.description)))


def fill_terms(invoice: Invoice, config: TermsConfig) -> tuple[Invoice, list[Issue]]:
    """The sale invoice with the declared terms when it has none of its own.

    The due date is the issue date plus the declared days (calendar days: week-ends and
    holidays count); a credit note, a purchase and an invoice with its own due date or
    terms are left alone."""
    if invoice.direction is not Direction.SALE or invoice.kind is DocumentKind.CREDIT_NOTE \
            or _has_terms(invoice):
        return invoice, []
    issues: list[Issue] = []
    due: datetime.date | None = None
    taken: list[str] = []
    if config.days is not None:
        if invoice.issue_date is None:
            issues.append(Issue(
                Level.WARNING, f"no issue date: the due date of {config.days} days "
                f"({config.origin}) cannot be computed", "payment_terms.no_issue_date",
                "$.issue_date"))
        else:
            due = invoice.issue_date + datetime.timedelta(days=config.days)
            taken.append(f"the due date (BT-9) {due.isoformat()} = issue date + "
                         f"{config.days} days")
    if config.description is not None:
        taken.append(f"the payment terms (BT-20) {config.description!r}")
    if not taken:
        return invoice, issues
    old = invoice.payment_terms or PaymentTerms()
    terms = attrs.evolve(old, description=config.description, days=config.days
                         if due is not None else None)
    issues.append(Issue(Level.INFO, f"{' and '.join(taken)} taken from the payment terms "
                        f"of {config.origin}", "payment_terms.configured", "$.payment_terms"))
    return attrs.evolve(invoice, due_date=due, payment_terms=terms), issues
