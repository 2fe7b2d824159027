"""OData-style query options for ERP Connector, built from Python values.

A `$filter` is never glued together from user text: field names must be identifiers and
every value goes through `literal()`, which quotes strings (doubling embedded quotes) and
writes dates, numbers, booleans and null the way the API reads them (seed 003 quotes dates:
`DateFacture ge '2024-01-01'`). So `Field("NoClient") == "O'Brien"` cannot break out of its
string, whatever the value holds.

    Query().filter((Field("DateFacture") >= date(2024, 1, 1)) & (Field("NoClient") == "C001"))
           .select("NoFacture", "TotalFacture").orderby("DateFacture", desc=True).top(50)
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from passeur import UsageError

__all__ = ["Expr", "Field", "Query", "literal"]

# Letters (accents included: `Référence`), digits and `_`; `/` walks into a nested object.
_NAME = re.compile(r"^[^\W\d]\w*(/[^\W\d]\w*)*$")


def _name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise UsageError(f"{name!r} is not a field name (letters, digits and _, "
                         "with / for a nested field)")
    return name


def literal(value: Any) -> str:
    """A Python value as an OData literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise UsageError(f"cannot filter on {value}")
        return format(value, "f")
    if isinstance(value, float):
        raise UsageError(f"filter on a Decimal, not the float {value!r} (money is exact)")
    if isinstance(value, datetime.datetime):
        return "'" + value.isoformat() + "'"
    if isinstance(value, datetime.date):
        return "'" + value.isoformat() + "'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise UsageError(f"cannot use a {type(value).__name__} in a filter")


@attrs.frozen
class Expr:
    """A boolean filter expression; combine with `&`, `|` and `~`."""

    text: str

    def __and__(self, other: Expr) -> Expr:
        return Expr(f"({self.text}) and ({other.text})")

    def __or__(self, other: Expr) -> Expr:
        return Expr(f"({self.text}) or ({other.text})")

    def __invert__(self) -> Expr:
        return Expr(f"not ({self.text})")

    def __bool__(self) -> bool:
        raise TypeError("use & | ~ to combine filter expressions, not and/or/not")


@attrs.frozen(eq=False)
class Field:
    """A field to filter on; comparisons build `Expr` values."""

    name: str = attrs.field(converter=_name)

    def _op(self, op: str, value: Any) -> Expr:
        return Expr(f"{self.name} {op} {literal(value)}")

    def __eq__(self, value: object) -> Expr:  # type: ignore[override]
        return self._op("eq", value)

    def __ne__(self, value: object) -> Expr:  # type: ignore[override]
        return self._op("ne", value)

    def __gt__(self, value: Any) -> Expr:
        return self._op("gt", value)

    def __ge__(self, value: Any) -> Expr:
        return self._op("ge", value)

    def __lt__(self, value: Any) -> Expr:
        return self._op("lt", value)

    def __le__(self, value: Any) -> Expr:
        return self._op("le", value)

    __hash__ = None  # type: ignore[assignment]

    def contains(self, value: str) -> Expr:
        return Expr(f"contains({self.name}, {literal(value)})")

    def startswith(self, value: str) -> Expr:
        return Expr(f"startswith({self.name}, {literal(value)})")

    def endswith(self, value: str) -> Expr:
        return Expr(f"endswith({self.name}, {literal(value)})")

    def isin(self, values: Iterable[Any]) -> Expr:
        items = list(values)
        if not items:
            raise UsageError(f"{self.name}: isin() needs at least one value")
        parts = [f"{self.name} eq {literal(v)}" for v in items]
        return Expr(" or ".join(parts) if len(parts) == 1 else "(" + " or ".join(parts) + ")")


def _count(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UsageError(f"{what} must be a whole number >= 0, got {value!r}")
    return value


@attrs.frozen
class Query:
    """Immutable query options; each method returns a new Query."""

    where: Expr | None = None
    fields: tuple[str, ...] = ()
    expands: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    limit: int | None = None
    offset: int | None = None

    def filter(self, expr: Expr) -> Query:
        """AND `expr` with the current filter."""
        if not isinstance(expr, Expr):
            raise UsageError("filter() takes an expression built from Field(...)")
        return attrs.evolve(self, where=expr if self.where is None else self.where & expr)

    def equals(self, **values: Any) -> Query:
        """Shortcut: every `name == value`, ANDed."""
        query = self
        for name, value in values.items():
            query = query.filter(Field(name) == value)
        return query

    def select(self, *names: str) -> Query:
        return attrs.evolve(self, fields=self.fields + tuple(_name(n) for n in names))

    def expand(self, *names: str) -> Query:
        return attrs.evolve(self, expands=self.expands + tuple(_name(n) for n in names))

    def orderby(self, name: str, *, desc: bool = False) -> Query:
        term = _name(name) + (" desc" if desc else "")
        return attrs.evolve(self, order=(*self.order, term))

    def top(self, count: int) -> Query:
        return attrs.evolve(self, limit=_count(count, "$top"))

    def skip(self, count: int) -> Query:
        return attrs.evolve(self, offset=_count(count, "$skip"))

    def params(self) -> list[tuple[str, str]]:
        """The query-string parameters, in a stable order."""
        out: list[tuple[str, str]] = []
        if self.where is not None:
            out.append(("$filter", self.where.text))
        if self.fields:
            out.append(("$select", ",".join(self.fields)))
        if self.expands:
            out.append(("$expand", ",".join(self.expands)))
        if self.order:
            out.append(("$orderby", ",".join(self.order)))
        if self.limit is not None:
            out.append(("$top", str(self.limit)))
        if self.offset is not None:
            out.append(("$skip", str(self.offset)))
        return out
