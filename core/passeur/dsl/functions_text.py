"""Text, lists and fallbacks in mappings.

Most text functions lose information (upper, trim, replace...): they are declared lossy so
the compiler refuses them in a `<->` rule instead of silently corrupting the reverse way;
`split`/`join` is the pair that can run backwards. Value tables are not functions: the
language translates through them with `via TABLE`, compiled inline in both directions.
"""

from __future__ import annotations

from typing import Any

from passeur.dsl.functions import (
    FunctionError,
    MappingFunction,
    expect_str,
    expect_whole,
    nullsafe,
    show,
)
from passeur.dsl.functions_numbers import to_text

__all__ = ["FUNCTIONS", "is_missing"]


def is_missing(value: Any) -> bool:
    """Absent or null: what `coalesce` skips. ABSENT comes from the compiler's values module
    and is compared by identity; an empty string is a value and is kept."""
    if value is None:
        return True
    try:
        from passeur.dsl.values import ABSENT
    except ImportError:  # pragma: no cover - before the compiler package exists
        return type(value).__name__ in {"_Absent", "Absent", "AbsentType"}
    return value is ABSENT


def _upper(value: Any) -> str:
    return expect_str(value).upper()


def _lower(value: Any) -> str:
    return expect_str(value).lower()


def _trim(value: Any) -> str:
    return expect_str(value).strip()


def _concat(*values: Any) -> Any:
    """Absent and null parts are skipped (a missing first name still gives the last name);
    when every part is missing nothing is written."""
    present = [v for v in values if not is_missing(v)]
    if not present and any(v is not None for v in values):
        from passeur.dsl.values import ABSENT

        return ABSENT
    return "".join(to_text(v) for v in present)


def _prefix(value: Any, start: Any) -> str:
    return expect_str(start, "a prefix") + expect_str(value)


def _unprefix(value: Any, start: Any) -> str:
    """The text without its prefix; one without it cannot have been written by `prefix`."""
    text, lead = expect_str(value), expect_str(start, "a prefix")
    if not text.startswith(lead):
        raise FunctionError(f"value {show(text)} does not start with {show(lead)}")
    return text[len(lead):]


def _before(value: Any, sep: Any) -> str:
    """The part of a text before the first separator (the whole text without one)."""
    return expect_str(value).partition(_separator(sep))[0]


def _after(value: Any, sep: Any) -> str:
    """The part after the first separator ("" without one)."""
    return expect_str(value).partition(_separator(sep))[2]


def _put_before(view: Any, current: Any, sep: Any) -> Any:
    """`before` written back: the view's part, then the current text's part after it."""
    if view is None:
        return None
    separator = _separator(sep)
    text = expect_str(view)
    if not isinstance(current, str) or separator not in current:
        return text
    return text + separator + current.partition(separator)[2]


def _put_after(view: Any, current: Any, sep: Any) -> Any:
    """`after` written back: the current text's part before it, then the view's part."""
    if view is None:
        return None
    separator = _separator(sep)
    text = expect_str(view)
    first = current.partition(separator)[0] if isinstance(current, str) else ""
    if text == "" and isinstance(current, str) and separator not in current:
        return current  # nothing after, and no separator: the text stays as it was
    return first + separator + text


def _lookup(items: Any, key_field: Any, value: Any, field: Any, *default: Any) -> Any:
    """A join by key: `field` of the item of `items` whose `key_field` is `value` (a number
    and the same number as text are one key, as `each ... key` matches lines)."""
    from passeur.dsl.values import ABSENT, _key_form

    if not isinstance(items, list):
        raise FunctionError(f"value {show(items)} is not a list")
    key, name = expect_str(key_field, "a field name"), expect_str(field, "a field name")
    wanted = _key_form(value)
    for item in items:
        if isinstance(item, dict) and key in item:
            try:
                same = _key_form(item[key]) == wanted
            except TypeError:
                same = False
            if same:
                return item.get(name, ABSENT)
    if default:
        return default[0]
    raise FunctionError(f"no item of the list has {key} {show(value)} (give a default as "
                        "fifth argument)")


def _separator(sep: Any) -> str:
    if not isinstance(sep, str) or not sep:
        raise FunctionError(f"separator {show(sep)} must be a non-empty text")
    return sep


def _split(value: Any, sep: Any) -> list[str]:
    text = expect_str(value)
    return text.split(_separator(sep)) if text else []


def _join(value: Any, sep: Any) -> str:
    if not isinstance(value, list):
        raise FunctionError(f"value {show(value)} is not a list")
    return _separator(sep).join(to_text(v) for v in value)


def _substring(value: Any, start: Any, length: Any = None) -> str:
    text = expect_str(value)
    first = expect_whole(start, "start", 1, "a position")
    if length is None:
        return text[first - 1:]
    count = expect_whole(length, "length")
    return text[first - 1:first - 1 + count]


def _fill(fill: Any) -> str:
    if not isinstance(fill, str) or len(fill) != 1:
        raise FunctionError(f"fill {show(fill)} must be exactly one character")
    return fill


def _width(width: Any) -> int:
    return expect_whole(width, "width")


def _pad_left(value: Any, width: Any, fill: Any = " ") -> str:
    return to_text(value).rjust(_width(width), _fill(fill))


def _pad_right(value: Any, width: Any, fill: Any = " ") -> str:
    return to_text(value).ljust(_width(width), _fill(fill))


def _replace(value: Any, old: Any, new: Any) -> str:
    return expect_str(value).replace(expect_str(old, "a text to find"),
                                     expect_str(new, "a replacement text"))


def _length(value: Any) -> int:
    if isinstance(value, (str, list)):
        return len(value)
    raise FunctionError(f"value {show(value)} is neither a text nor a list")


def _starts_with(value: Any, prefix: Any) -> bool:
    return expect_str(value).startswith(expect_str(prefix, "a text to look for"))


def _ends_with(value: Any, suffix: Any) -> bool:
    return expect_str(value).endswith(expect_str(suffix, "a text to look for"))


def _contains(value: Any, part: Any) -> bool:
    if isinstance(value, list):
        return part in value
    return expect_str(part, "a text to look for") in expect_str(value, "a text or a list")


def _is_empty(value: Any) -> bool:
    """Absent, null, "" and [] are empty; anything else (0, false) is a value."""
    return is_missing(value) or value == "" or value == []


def _coalesce(*values: Any) -> Any:
    for value in values:
        if not is_missing(value):
            return value
    return values[-1] if values else None


FUNCTIONS = (
    MappingFunction("upper", ("string",), "string", nullsafe(_upper), lossy=True,
                    doc="Text in capitals."),
    MappingFunction("lower", ("string",), "string", nullsafe(_lower), lossy=True,
                    doc="Text in small letters."),
    MappingFunction("trim", ("string",), "string", nullsafe(_trim), lossy=True,
                    doc="Text without spaces at both ends."),
    MappingFunction("concat", ("any...",), "string", _concat, lossy=True,
                    accepts_absent=True,
                    doc="The texts of all values end to end (absent and null values are "
                    "skipped; nothing when all are)."),
    MappingFunction("prefix", ("string", "string"), "string", nullsafe(_prefix),
                    inverse="unprefix",
                    doc='The text after a fixed start: prefix(code, "QC-") is "QC-" + code; '
                    "both ways (a value without the start is refused backward)."),
    MappingFunction("unprefix", ("string", "string"), "string", nullsafe(_unprefix),
                    inverse="prefix",
                    doc='The text without a fixed start: unprefix("QC-12", "QC-") is "12"; '
                    "a text that does not start with it is an error."),
    MappingFunction("split", ("string", "string"), "list", nullsafe(_split), inverse="join",
                    doc='The parts of a text between separators: split("a;b", ";").'),
    MappingFunction("before", ("string", "string"), "string", nullsafe(_before),
                    put=_put_before,
                    doc='The part of a text before the first separator: before("Jean '
                    'Dupont", " ") is "Jean" (the whole text when there is none).'),
    MappingFunction("after", ("string", "string"), "string", nullsafe(_after),
                    put=_put_after,
                    doc='The part after the first separator: after("Jean Dupont", " ") is '
                    '"Dupont" ("" when there is none).'),
    MappingFunction("lookup", ("list", "string", "any", "string", "any?"), "any",
                    nullsafe(_lookup), lossy=True,
                    doc='A join of two lists by key: lookup($.Produits, "Code", strNoProduit, '
                    '"Nom") is the Nom of the product whose Code is strNoProduit; an unknown '
                    "key is an error unless a default is given (fifth argument)."),
    MappingFunction("join", ("list", "string"), "string", nullsafe(_join), inverse="split",
                    lossy=True, doc="The texts of a list with a separator between them."),
    MappingFunction("substring", ("string", "integer", "integer?"), "string",
                    nullsafe(_substring), lossy=True,
                    doc="Part of a text from position `start` (1 is the first character)."),
    MappingFunction("pad_left", ("any", "integer", "string?"), "string", nullsafe(_pad_left),
                    lossy=True, doc='Text widened on the left: pad_left(7, 5, "0") is "00007".'),
    MappingFunction("pad_right", ("any", "integer", "string?"), "string",
                    nullsafe(_pad_right), lossy=True, doc="Text widened on the right."),
    MappingFunction("replace", ("string", "string", "string"), "string", nullsafe(_replace),
                    lossy=True, doc="Text with every `old` replaced by `new`."),
    MappingFunction("length", ("any",), "integer", nullsafe(_length), lossy=True,
                    doc="Number of characters of a text or items of a list."),
    MappingFunction("starts_with", ("string", "string"), "boolean", nullsafe(_starts_with),
                    lossy=True, doc='Whether a text begins with another: for guards, '
                    'starts_with(NoFacture, "AV").'),
    MappingFunction("ends_with", ("string", "string"), "boolean", nullsafe(_ends_with),
                    lossy=True, doc="Whether a text ends with another."),
    MappingFunction("contains", ("any", "any"), "boolean", nullsafe(_contains), lossy=True,
                    doc="Whether a text contains another, or a list an item."),
    MappingFunction("is_empty", ("any",), "boolean", _is_empty, lossy=True,
                    accepts_absent=True,
                    doc='Whether a value is absent, null, "" or []: for guards.'),
    MappingFunction("coalesce", ("any...",), "any", _coalesce, lossy=True,
                    accepts_absent=True, doc="The first value that is neither absent nor null."),
)
