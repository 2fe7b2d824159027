"""Dates in mappings: one pattern codec used both to parse and to format.

`date(value, "DD/MM/YYYY")` reads a date and `format_date(value, "DD/MM/YYYY")` writes it
with the same pattern, so a `<->` rule needs the pattern once. Patterns are strict (MM is
two digits, M has no leading zero) so that formatting what was parsed gives back the very
same text; that is what makes the pair a lens.

Pattern tokens: YYYY (year), YY (2000-2099), MM / M (month), DD / D (day), HH, mm, ss (a
time of day, which a date keeps only when it is midnight). Any other character is literal.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable
from typing import Any

from passeur.dsl.functions import FunctionError, MappingFunction, expect_str, nullsafe, show

__all__ = ["FUNCTIONS", "DatePattern", "compile_pattern"]

ISO = "YYYY-MM-DD"

_TOKENS: dict[str, tuple[str, str]] = {
    # token: (regex, field); the longest tokens are tried first
    "YYYY": (r"[0-9]{4}", "year"),
    "YY": (r"[0-9]{2}", "year2"),
    "MM": (r"0[1-9]|1[0-2]", "month"),
    "M": (r"[1-9]|1[0-2]", "month"),
    "DD": (r"0[1-9]|[12][0-9]|3[01]", "day"),
    "D": (r"[1-9]|[12][0-9]|3[01]", "day"),
    "HH": (r"[01][0-9]|2[0-3]", "hour"),
    "mm": (r"[0-5][0-9]", "minute"),
    "ss": (r"[0-5][0-9]", "second"),
}
_SPLIT = re.compile("(" + "|".join(sorted(_TOKENS, key=len, reverse=True)) + ")")


class DatePattern:
    """A compiled pattern: `parse(text) -> date` and `format(date) -> text`."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.parts: list[tuple[str, bool]] = []  # (text, is_token)
        regex = []
        fields = []
        for index, piece in enumerate(_SPLIT.split(pattern)):
            if not piece:
                continue
            is_token = index % 2 == 1
            self.parts.append((piece, is_token))
            if is_token:
                expr, field = _TOKENS[piece]
                if field in fields:
                    raise FunctionError(f"date pattern {show(pattern)} has {piece} twice")
                fields.append(field)
                regex.append(f"(?P<{field}>{expr})")
            else:
                regex.append(re.escape(piece))
        missing = {"day", "month"} - set(fields)
        if missing or not {"year", "year2"} & set(fields):
            raise FunctionError(f"date pattern {show(pattern)} needs a year (YYYY or YY), a "
                                "month (MM or M) and a day (DD or D)")
        self.regex = re.compile("".join(regex))

    def parse(self, text: str) -> datetime.date:
        match = self.regex.fullmatch(text)
        if match is None:
            raise FunctionError(f"value {show(text)} is not a date like {show(self.pattern)}")
        groups = match.groupdict()
        year = int(groups["year"]) if "year" in groups else 2000 + int(groups["year2"])
        time = [int(groups.get(f) or 0) for f in ("hour", "minute", "second")]
        if any(time):
            raise FunctionError(
                f"value {show(text)} has a time of day ({time[0]:02}:{time[1]:02}:"
                f"{time[2]:02}); date() keeps only midnight, use datetime_date() to drop it")
        try:
            return datetime.date(year, int(groups["month"]), int(groups["day"]))
        except ValueError:
            raise FunctionError(f"value {show(text)} is not a real date "
                                f"(pattern {show(self.pattern)})") from None

    def format(self, value: datetime.date) -> str:
        out = []
        for piece, is_token in self.parts:
            if not is_token:
                out.append(piece)
            elif piece == "YYYY":
                out.append(f"{value.year:04}")
            elif piece == "YY":
                if not 2000 <= value.year <= 2099:
                    raise FunctionError(f"date {value.isoformat()} cannot be written with a "
                                        f"two-digit year (YY means 2000 to 2099)")
                out.append(f"{value.year - 2000:02}")
            elif piece in ("MM", "DD"):
                out.append(f"{value.month if piece == 'MM' else value.day:02}")
            elif piece in ("M", "D"):
                out.append(str(value.month if piece == "M" else value.day))
            else:
                out.append("00")
        return "".join(out)


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> DatePattern:
    """The compiled pattern, cached: mappings use a handful of patterns millions of times."""
    if not isinstance(pattern, str):
        raise FunctionError(f"date pattern {show(pattern)} is not a text")
    return DatePattern(pattern)


def _as_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        raise FunctionError(f"value {show(value)} is a date and time; use datetime_date()")
    if not isinstance(value, datetime.date):
        raise FunctionError(f"value {show(value)} is not a date")
    return value


_fromisoformat = datetime.date.fromisoformat


def _date(value: Any, pattern: str = ISO) -> datetime.date | None:
    # The ISO pattern is by far the most common: the C parser reads exactly YYYY-MM-DD when
    # the text has 10 characters with dashes at 4 and 7 (anything else takes the codec).
    if value.__class__ is str and pattern == ISO and len(value) == 10 \
            and value[4] == "-" and value[7] == "-" and value.isascii():
        try:
            return _fromisoformat(value)
        except ValueError:
            pass  # the codec says precisely what is wrong
    if value is None:
        return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    return compile_pattern(pattern).parse(expect_str(value, "a date"))


def _format_date(value: Any, pattern: str = ISO) -> str:
    return compile_pattern(pattern).format(_as_date(value))


_DATETIME = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?")


def _datetime_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = _DATETIME.fullmatch(expect_str(value, "a date and time"))
    if match is None:
        raise FunctionError(f"value {show(value)} is not a date and time like "
                            '"2024-01-15T10:30:00"')
    return compile_pattern(ISO).parse(match["date"])


def _date_datetime(value: Any) -> str:
    return _as_date(value).isoformat() + "T00:00:00"


def _days(days: Any) -> int:
    from decimal import Decimal

    if isinstance(days, Decimal) and days == days.to_integral_value():
        days = int(days)
    if isinstance(days, bool) or not isinstance(days, int):
        raise FunctionError(f"number of days {show(days)} is not a whole number")
    return days


def _add_days(value: Any, days: Any) -> datetime.date:
    try:
        return _as_date(value) + datetime.timedelta(days=_days(days))
    except OverflowError:
        raise FunctionError(f"date {show(value)} plus {show(days)} days is out of "
                            "range") from None


def _sub_days(value: Any, days: Any) -> datetime.date:
    return _add_days(value, -_days(days))


def _days_between(value: Any, later: Any) -> int | None:
    if later is None:
        return None
    return (_as_date(later) - _as_date(value)).days


def _wrap(impl: Callable[..., Any]) -> Callable[..., Any]:
    return nullsafe(impl)


FUNCTIONS = (
    MappingFunction("date", ("any", "string?"), "date", _date, inverse="format_date",
                    doc='Read a date with a pattern ("DD/MM/YYYY"); ISO by default.'),
    MappingFunction("format_date", ("date", "string?"), "string", _wrap(_format_date),
                    inverse="date", doc="Write a date with the same pattern date() reads."),
    MappingFunction("datetime_date", ("any",), "date", _wrap(_datetime_date),
                    inverse="date_datetime", lossy=True,
                    doc='The date of "2024-01-15T10:30:00" (the time is dropped).'),
    MappingFunction("date_datetime", ("date",), "string", _wrap(_date_datetime),
                    inverse="datetime_date", doc='"2024-01-15T00:00:00" for a date.'),
    MappingFunction("add_days", ("date", "integer"), "date", _wrap(_add_days),
                    inverse="sub_days", doc="The date `days` later: a due date from the "
                    "issue date and the payment terms."),
    MappingFunction("sub_days", ("date", "integer"), "date", _wrap(_sub_days),
                    inverse="add_days", doc="The date `days` earlier."),
    MappingFunction("days_between", ("date", "date"), "integer", _wrap(_days_between),
                    lossy=True, doc="Days from the first date to the second (negative "
                    "when it is earlier): payment terms from two dates."),
)
