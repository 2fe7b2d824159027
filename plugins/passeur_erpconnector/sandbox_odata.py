"""The OData-style query options of ERP Connector, as the sandbox understands them.

`$filter` supports comparisons (eq ne gt ge lt le) between a field path and a literal
('quoted' strings with '' for a quote, numbers with an optional OData type suffix `9000.5m`,
true/false/null, dates, `datetime'2024-01-01T00:00:00'`), `Field in ('a', 'b')`, the text
functions contains(), startswith() and endswith(), combined with and/or/not and
parentheses; `$orderby` takes "Field [asc|desc], ..."; `$select` and `$expand`
are comma-separated. A malformed option raises `QueryError` with the position of the problem.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["Predicate", "QueryError", "parse_filter", "parse_list", "parse_orderby", "sort"]

Predicate = Callable[[dict[str, Any]], bool]

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<lparen>\() | (?P<rparen>\)) | (?P<comma>,) |
      (?P<typed>(?:datetime|datetimeoffset)'[^']*') |
      (?P<string>'(?:[^']|'')*') |
      (?P<date>\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?) |
      (?P<number>-?\d{1,30}(?:\.\d{1,30})?(?:[eE][-+]?\d{1,3})?[mMdDfFlL]?)(?![\w.]) |
      (?P<word>[A-Za-z_À-ÿ][\wÀ-ÿ]*(?:/[A-Za-z_À-ÿ][\wÀ-ÿ]*)*)
    )""", re.VERBOSE)
#: Deepest nesting of parentheses and `not` a filter may have (the parser recurses).
MAX_NESTING = 50
#: Longest `$filter` the sandbox reads.
MAX_FILTER = 4000
_FUNCTIONS = {"contains": lambda value, text: text in value,
              "startswith": lambda value, text: value.startswith(text),
              "endswith": lambda value, text: value.endswith(text)}
_OPS = ("eq", "ne", "gt", "ge", "lt", "le")
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}")


class QueryError(ValueError):
    """A query option the sandbox cannot read; the message says where and why."""


def _tokens(text: str) -> list[tuple[str, str, int]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise QueryError(f"$filter: unexpected {text[pos:].strip()[:20]!r} at "
                             f"character {pos + 1}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind), match.start(kind)))
        pos = match.end()
    return tokens


def _field(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("/"):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _comparable(value: Any, literal: Any) -> tuple[Any, Any] | None:
    """Both sides in one comparable type, or None when they cannot be compared."""
    if value is None or literal is None:
        return None
    if isinstance(literal, datetime.datetime):
        if isinstance(value, str) and _DATE_PREFIX.match(value):
            try:
                return datetime.datetime.fromisoformat(value), literal
            except ValueError:
                return None
        return None
    if isinstance(literal, Decimal):
        try:
            return Decimal(str(value)), literal
        except InvalidOperation:
            return None
    if isinstance(literal, bool):
        return (value, literal) if isinstance(value, bool) else None
    return str(value), literal


def _compare(op: str, value: Any, literal: Any) -> bool:
    if op in ("eq", "ne") and (value is None or literal is None):
        return (value is None and literal is None) == (op == "eq")
    pair = _comparable(value, literal)
    if pair is None:
        return op == "ne"
    left, right = pair
    return {"eq": left == right, "ne": left != right, "gt": left > right,
            "ge": left >= right, "lt": left < right, "le": left <= right}[op]


def _literal(kind: str, text: str, pos: int) -> Any:
    if kind == "typed":
        inner = text[text.index("'") + 1:-1]
        try:
            return datetime.datetime.fromisoformat(inner.removesuffix("Z"))
        except ValueError:
            raise QueryError(f"$filter: {text!r} at character {pos + 1} is not a "
                             "date") from None
    if kind == "string":
        inner = text[1:-1].replace("''", "'")
        if _DATE_PREFIX.match(inner) and len(inner) in (10, 19):
            try:
                return datetime.datetime.fromisoformat(inner)
            except ValueError:
                pass
        return inner
    if kind == "date":
        try:
            return datetime.datetime.fromisoformat(text.removesuffix("Z"))
        except ValueError:
            raise QueryError(f"$filter: {text!r} at character {pos + 1} is not a date") from None
    if kind == "number":
        return Decimal(text.rstrip("mMdDfFlL"))
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    raise QueryError(f"$filter: expected a value at character {pos + 1}, got {text!r}")


class _Parser:
    def __init__(self, text: str, fields: frozenset[str]) -> None:
        if len(text) > MAX_FILTER:
            raise QueryError(f"$filter: longer than {MAX_FILTER} characters")
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0
        self.fields = fields
        self.depth = 0

    def deeper(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise QueryError(f"$filter: nested deeper than {MAX_NESTING} levels at "
                             f"character {pos + 1}")

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def next(self, expected: str) -> tuple[str, str, int]:
        token = self.peek()
        if token is None:
            raise QueryError(f"$filter: expected {expected} at the end of {self.text!r}")
        self.i += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token and token[0] == "word" and token[1].lower() == word:
            self.i += 1
            return True
        return False

    def expression(self) -> Predicate:
        left = self.conjunction()
        while self.keyword("or"):
            right = self.conjunction()
            left = (lambda a, b: lambda r: a(r) or b(r))(left, right)
        return left

    def conjunction(self) -> Predicate:
        left = self.negation()
        while self.keyword("and"):
            right = self.negation()
            left = (lambda a, b: lambda r: a(r) and b(r))(left, right)
        return left

    def negation(self) -> Predicate:
        token = self.peek()
        if self.keyword("not"):
            assert token is not None
            self.deeper(token[2])
            inner = self.negation()
            self.depth -= 1
            return lambda r: not inner(r)
        if token and token[0] == "lparen":
            self.deeper(token[2])
            self.i += 1
            inner = self.expression()
            self.expect("rparen", "')'")
            self.depth -= 1
            return inner
        if token and token[0] == "word" and token[1].lower() in _FUNCTIONS:
            return self.function()
        return self.comparison()

    def expect(self, kind: str, shown: str) -> None:
        got, text, pos = self.next(shown)
        if got != kind:
            raise QueryError(f"$filter: expected {shown} at character {pos + 1}, got {text!r}")

    def field(self) -> str:
        kind, name, pos = self.next("a field name")
        if kind != "word":
            raise QueryError(f"$filter: expected a field name at character {pos + 1}, "
                             f"got {name!r}")
        if name.split("/")[0] not in self.fields:
            raise QueryError(f"$filter: unknown field {name!r} at character {pos + 1}")
        return name

    def value(self) -> Any:
        kind, text, pos = self.next("a value")
        return _literal(kind, text, pos)

    def function(self) -> Predicate:
        """contains(Field, 'text'), startswith(...), endswith(...): text comparisons."""
        _, word, pos = self.next("a function")
        test = _FUNCTIONS[word.lower()]
        self.expect("lparen", "'('")
        name = self.field()
        self.expect("comma", "','")
        literal = self.value()
        self.expect("rparen", "')'")
        if not isinstance(literal, str):
            raise QueryError(f"$filter: {word}() at character {pos + 1} takes a quoted text")
        return lambda r: (value := _field(r, name)) is not None and test(str(value), literal)

    def comparison(self) -> Predicate:
        name = self.field()
        if self.keyword("in"):
            self.expect("lparen", "'('")
            literals = [self.value()]
            while (token := self.peek()) is not None and token[0] == "comma":
                self.i += 1
                literals.append(self.value())
            self.expect("rparen", "')'")
            return lambda r: any(_compare("eq", _field(r, name), v) for v in literals)
        kind, op, pos = self.next("an operator (eq, ne, gt, ge, lt, le, in)")
        if kind != "word" or op.lower() not in _OPS:
            raise QueryError(f"$filter: expected an operator (eq, ne, gt, ge, lt, le, in) "
                             f"at character {pos + 1}, got {op!r}")
        literal = self.value()
        op = op.lower()
        return lambda r: _compare(op, _field(r, name), literal)


def parse_filter(text: str | None, fields: frozenset[str]) -> Predicate:
    """A predicate over records for a `$filter` expression (everything when empty)."""
    if not text or not text.strip():
        return lambda r: True
    parser = _Parser(text, fields)
    predicate = parser.expression()
    rest = parser.peek()
    if rest is not None:
        raise QueryError(f"$filter: unexpected {rest[1]!r} at character {rest[2] + 1}")
    return predicate


def parse_list(option: str, text: str | None, fields: frozenset[str]) -> list[str]:
    """The names of a comma-separated option ($select, $expand), each checked."""
    if not text:
        return []
    names = [part.strip() for part in text.split(",") if part.strip()]
    for name in names:
        if name.split("/")[0] not in fields:
            raise QueryError(f"{option}: unknown field {name!r}")
    return names


def parse_orderby(text: str | None, fields: frozenset[str]) -> list[tuple[str, bool]]:
    """(field, descending) pairs of an `$orderby` option."""
    keys = []
    for part in parse_list("$orderby", ",".join(
            p.split()[0] for p in (text or "").split(",") if p.strip()), fields):
        keys.append((part, False))
    directions = [p.split()[1:] for p in (text or "").split(",") if p.strip()]
    result = []
    for (name, _), words in zip(keys, directions, strict=True):
        if (words and words[0].lower() not in ("asc", "desc")) or len(words) > 1:
            raise QueryError(f"$orderby: expected asc or desc after {name!r}")
        result.append((name, bool(words) and words[0].lower() == "desc"))
    return result


def sort(records: list[dict[str, Any]], keys: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    """Records sorted by several keys (stable, nulls first in ascending order)."""
    result = list(records)
    for name, descending in reversed(keys):
        def key(record: dict[str, Any], name: str = name) -> tuple[int, Any]:
            value = _field(record, name)
            if value is None:
                return (0, "")
            if isinstance(value, int | Decimal):
                return (1, Decimal(value))
            return (2, str(value))
        result.sort(key=key, reverse=descending)
    return result
