"""How the VosFactures sandbox selects and sorts invoices for `GET /invoices.json`.

The quirk that matters most: without `period`, only the last twelve months are listed, so a
client that wants everything must send `period=all` (seed 002, "Paramètres additionnels").
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from passeur.sandbox import FieldErrors

__all__ = ["ORDER_FIELDS", "PERIODS", "filter_invoices", "order_records", "period_bounds"]

PERIODS = ("last_12_months", "this_month", "last_30_days", "last_month", "this_year",
           "last_year", "all", "more")
SEARCH_DATE_TYPES = ("issue_date", "sell_date", "paid_date", "transaction_date")

#: `order=` values and the record field each sorts on.
ORDER_FIELDS = {
    "number": "number", "updated_at": "updated_at", "price_net": "price_net",
    "price_gross": "price_gross", "price_tax": "price_tax", "issue_date": "issue_date",
    "payment_to": "payment_to", "paid_date": "paid_date", "transaction_date": "sell_date",
    "buyer_name": "buyer_name", "buyer_tax_no": "buyer_tax_no", "seller_name": "seller_name",
    "oid": "oid", "id": "id", "created_at": "created_at",
}
_MONEY_ORDER = ("price_net", "price_gross", "price_tax")


def _months_back(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = (datetime.date(year + (month == 12), month % 12 + 1, 1)
                - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last_day))


def _parse_date(value: str | None, field: str, errors: FieldErrors) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        errors.add(field, "n'est pas une date valide")
        return None


def period_bounds(period: str, today: datetime.date, date_from: str | None,
                  date_to: str | None,
                  errors: FieldErrors) -> tuple[datetime.date | None, datetime.date | None]:
    """The inclusive date range of a `period` value (None bounds are open)."""
    first_of_month = today.replace(day=1)
    if period == "last_12_months":
        return _months_back(today, 12), today
    if period == "this_month":
        return first_of_month, _months_back(first_of_month, -1) - datetime.timedelta(days=1)
    if period == "last_30_days":
        return today - datetime.timedelta(days=30), today
    if period == "last_month":
        return _months_back(first_of_month, 1), first_of_month - datetime.timedelta(days=1)
    if period == "this_year":
        return datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    if period == "last_year":
        return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)
    if period == "all":
        return None, None
    if period == "more":
        return (_parse_date(date_from, "date_from", errors),
                _parse_date(date_to, "date_to", errors))
    errors.add("period", f"n'est pas inclus(e) dans la liste ({', '.join(PERIODS)})")
    return None, None


def _in_range(value: Any, low: datetime.date | None, high: datetime.date | None) -> bool:
    if low is None and high is None:
        return True
    if not value:
        return False
    try:
        day = datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return False
    return (low is None or day >= low) and (high is None or day <= high)


def _truthy(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.strip().lower() in ("1", "true", "yes")


def filter_invoices(records: list[dict[str, Any]], params: Mapping[str, Any],
                    multi: Callable[[str], list[str]],
                    today: datetime.date) -> list[dict[str, Any]]:
    """The invoices that match the query parameters, unsorted; raises FieldErrors."""
    errors = FieldErrors()
    low, high = period_bounds(params.get("period") or "last_12_months", today,
                              params.get("date_from"), params.get("date_to"), errors)
    date_field = params.get("search_date_type") or "issue_date"
    if date_field not in SEARCH_DATE_TYPES:
        errors.add("search_date_type", "n'est pas inclus(e) dans la liste")
    errors.raise_if_any()
    if date_field == "transaction_date":
        date_field = "sell_date"
    kinds = set(multi("kinds[]") + multi("kinds"))
    if params.get("kind"):
        kinds.add(params["kind"])
    ids = {part.strip() for part in (params.get("invoice_ids") or "").split(",") if part.strip()}
    income = _truthy(params.get("income"))
    exact = {key: params.get(key) for key in ("number", "client_id", "invoice_id",
                                              "from_invoice_id", "oid", "status",
                                              "department_id")
             if params.get(key)}
    result = []
    for record in records:
        if not _in_range(record.get(date_field), low, high):
            continue
        if kinds and record["kind"] not in kinds:
            continue
        if ids and str(record["id"]) not in ids:
            continue
        if income is not None and bool(record.get("income")) != income:
            continue
        if any(str(record.get(key)) != value for key, value in exact.items()):
            continue
        result.append(record)
    return result


def order_records(records: list[dict[str, Any]], order: str | None,
                  default: str = "id.desc") -> list[dict[str, Any]]:
    """Sort by an `order=` value ("field" or "field.desc"); unknown fields use `default`."""
    spec = order or default
    name, _, direction = spec.partition(".")
    if name not in ORDER_FIELDS:
        name, _, direction = default.partition(".")
    field = ORDER_FIELDS[name]

    def key(record: dict[str, Any]) -> tuple[Any, ...]:
        # One type per sort: money as Decimal, ids as ints, everything else as its text
        # (a record may hold 12 where others hold "ACME": mixed types cannot be compared).
        value = record.get(field)
        if value is None or value == "":
            return (0, "", record["id"])
        if name in _MONEY_ORDER:
            try:
                return (1, Decimal(str(value)), record["id"])
            except ArithmeticError:
                return (2, str(value), record["id"])
        if name == "id" and isinstance(value, int):
            return (1, value, record["id"])
        return (1, str(value), record["id"])

    return sorted(records, key=key, reverse=direction == "desc")
