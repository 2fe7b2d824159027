"""The values compiled mappings work on, and the small helpers generated code calls.

`ABSENT` (a missing key) is neither `None` (JSON null) nor empty; the helpers here keep the
three apart. Helpers stay tiny and check the common case first, because generated code calls
them once per operation.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any, Final

import attrs

from passeur.issues import Issue
from passeur.model.money import EXACT, exact_context  # the mappings' context (with money)
from passeur.numbers import NumberError, parse_decimal

__all__ = [
    "ABSENT",
    "EXACT",
    "FAILED",
    "LetError",
    "LetFailed",
    "Result",
    "Side",
    "TraceEntry",
    "ValueProblem",
    "clone",
    "exact_context",
    "show",
]

class _Absent:
    """The type of `ABSENT`: a key that is not in the document."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()


@attrs.define
class LetError:
    """The error of a `let` that failed, reported when a rule first reads the let (as the
    expression written in the rule's place would fail there, and only if it is read)."""

    error: Exception
    issue: Any
    reported: bool = False


class LetFailed(Exception):
    """A rule read a `let` whose expression failed (args[0]: its `LetError`): the rule
    stops and writes nothing, as it would with the expression written in its place."""


#: The value of a `let` whose expression failed; reading it raises `LetFailed`.
FAILED: Final = object()


def let_failed(found: LetError) -> None:
    raise LetFailed(found)


@attrs.frozen
class Side:
    """One side of a mapping: `acomba.invoice` is system erpconnector, variant acomba."""

    system: str
    variant: str | None
    doctype: str
    written: str = attrs.field(default="", eq=False)

    def __str__(self) -> str:
        return self.written or f"{self.variant or self.system}.{self.doctype}"

    def names(self) -> frozenset[str]:
        """The names a user may give for this side's system (`acomba`, `erpconnector`)."""
        return frozenset(n for n in (self.system, self.variant,
                                     self.written.split(".")[0] if self.written else None) if n)


@attrs.define
class Result:
    """A converted document and the problems met on the way (one bad rule never hides the
    others: each failure is an ERROR issue and the remaining rules still run)."""

    value: dict[str, Any]
    issues: list[Issue] = attrs.field(factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues


@attrs.frozen
class TraceEntry:
    """One output field in an explain run: which rule wrote it, through which branch."""

    path: str
    rule: str
    position: str
    branch: str | None = None
    default_fired: bool = False
    #: a layer's rule that replaced this one's value ("file:line:col `rule`"), or None
    overridden_by: str | None = None
    #: the value written, when the step it was written in is not the final output (a
    #: route's intermediate document); UNRECORDED: read it from the output
    value: Any = attrs.field(default=None, eq=False)
    recorded: bool = False


class ValueProblem(Exception):
    """A value that an operation cannot use; the compiled rule adds position and data path."""

    def __init__(self, value: Any, sentence: str, site: int = -1) -> None:
        super().__init__(sentence)
        self.value = value
        self.sentence = sentence
        self.site = site  # which operand failed, when the operation knows (else -1)


def show(value: Any) -> str:
    """A value as messages quote it: JSON-like, strings in double quotes."""
    if value is ABSENT:
        return "absent"
    if isinstance(value, Decimal):
        return str(value)
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):  # pragma: no cover - unusual objects
        return repr(value)


def clone(value: Any) -> Any:
    """A copy of plain data deep enough to write into (dicts and lists copied, leaves shared)."""
    if type(value) is dict:
        return {k: clone(v) for k, v in value.items()}
    if type(value) is list:
        return [clone(v) for v in value]
    return value


def clone_except(value: dict[str, Any], rebuilt: frozenset[str]) -> dict[str, Any]:
    """`clone`, sharing the top-level keys in `rebuilt` (lists a backward block replaces
    anyway, item by item, from copies of the original items)."""
    return {k: v if k in rebuilt else clone(v) for k, v in value.items()}


# ---------------------------------------------------------------- helpers for generated code

_NUMBERS = (Decimal, int)
#: The classes generated code computes with directly (`x.__class__ in NUMBER_CLASSES`): a
#: whole number read from JSON is an int, and int x Decimal is exact. bool is not in it.
NUMBER_CLASSES: Final = frozenset({Decimal, int})


def num(value: Any) -> Decimal | int:
    """A number from a Decimal, an int or a string that reads as one (never a float)."""
    cls = value.__class__
    if cls is Decimal or cls is int:
        return value  # type: ignore[no-any-return]
    if cls is str:
        try:
            return parse_decimal(value)
        except NumberError:
            pass
    raise ValueProblem(value, "is not a number")


def arith(op: str, a: Any, b: Any, site_a: int, site_b: int) -> Any:
    """The slow path of + - * / and negation: absent and null propagate, text that reads as
    a number is accepted, anything else is blamed on its operand's site."""
    if a is ABSENT or b is ABSENT:
        return ABSENT
    if a is None or b is None:
        return None
    if op == "+" and a.__class__ is str and b.__class__ is str:
        _joined_texts(a, b, site_a, site_b)
    x = _coerce(a, site_a)
    if op == "neg":
        return -x
    y = _coerce(b, site_b)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if y == 0:
        raise ValueProblem(b, "is zero and cannot divide", site_b)
    return Decimal(x) / y


def concat(a: Any, b: Any, site_a: int, site_b: int) -> Any:
    """`"QC-" + code`: texts joined (a number is written as its digits); absent and null
    propagate like in arithmetic, so a line without a code gets no code."""
    if a is ABSENT or b is ABSENT:
        return ABSENT
    if a is None or b is None:
        return None
    for value, site in ((a, site_a), (b, site_b)):
        if value.__class__ is bool or not isinstance(value, (str, Decimal, int)):
            raise ValueProblem(value, "is not a text or a number, so it cannot be joined "
                               "to a text with `+`", site)
    return f"{a}{b}"


def _joined_texts(a: str, b: str, site_a: int, site_b: int) -> None:
    """`Prenom + Nom`: two texts, at least one not a number, were meant to be joined."""
    for value, site in ((a, site_a), (b, site_b)):
        try:
            num(value)
        except ValueProblem:
            raise ValueProblem(value, "is not a number, and `+` between two fields adds "
                               "numbers: to join texts write concat(a, b), or put a text "
                               'between them (a + " " + b)', site) from None


def _coerce(value: Any, site: int) -> Decimal | int:
    try:
        return num(value)
    except ValueProblem as exc:
        exc.site = site
        raise


def _comparable(a: Any, b: Any) -> tuple[Any, Any]:
    # A number compared with a string compares as numbers ("12.50" = 12.5).
    if isinstance(a, _NUMBERS) and not isinstance(a, bool) and b.__class__ is str:
        return a, num(b)
    if isinstance(b, _NUMBERS) and not isinstance(b, bool) and a.__class__ is str:
        return num(a), b
    return a, b


def eq(a: Any, b: Any) -> bool:
    if a is ABSENT or b is ABSENT:
        return False
    a, b = _comparable(a, b)
    return bool(a == b)


def ne(a: Any, b: Any) -> bool:
    if a is ABSENT or b is ABSENT:
        return False
    a, b = _comparable(a, b)
    return bool(a != b)


def order(op: str, a: Any, b: Any) -> bool:
    """<, <=, > and >= ; false when either side is absent or null."""
    if a is ABSENT or b is ABSENT or a is None or b is None:
        return False
    a, b = _comparable(a, b)
    try:
        if op == "<":
            return bool(a < b)
        if op == "<=":
            return bool(a <= b)
        if op == ">":
            return bool(a > b)
        return bool(a >= b)
    except TypeError:
        raise ValueProblem(a, f"cannot be compared with {show(b)}") from None


def truth(value: Any) -> bool:
    """Conditions: absent, null, false, "", 0 and [] are false; everything else true."""
    if value is ABSENT or value is None:
        return False
    return bool(value)


def lookup(table: dict[Any, Any], value: Any, fallback: Any, name: str) -> Any:
    """Translate through a value table; ABSENT stays ABSENT."""
    if value is ABSENT:
        return ABSENT
    try:
        return table[value]
    except KeyError:
        if fallback is not ABSENT:
            return fallback
        raise ValueProblem(value, f"is not in table {name}") from None
    except TypeError:
        raise ValueProblem(value, f"cannot be looked up in table {name}") from None


def child(value: Any, key: str) -> Any:
    """`value.key` where value may be absent, null or not an object: ABSENT then."""
    if value.__class__ is dict:
        return value.get(key, ABSENT)
    return ABSENT


def items_of(value: Any) -> list[Any]:
    """The list an `each` block or an aggregate walks; refuses what is not a list."""
    if value.__class__ is list:
        return value
    raise ValueProblem(value, "is not a list")


def getp(value: Any, parts: tuple[str, ...]) -> Any:
    """The value at a path, ABSENT when any step is missing or not an object."""
    for part in parts:
        if value.__class__ is not dict:
            return ABSENT
        value = value.get(part, ABSENT)
    return value


def drop_path(value: Any, parts: tuple[str, ...]) -> None:
    """Remove the key at a path if it is there (absent in the view: absent when written)."""
    for part in parts[:-1]:
        if value.__class__ is not dict:
            return
        value = value.get(part)
    if value.__class__ is dict:
        value.pop(parts[-1], None)


def set_path(value: dict[str, Any], parts: tuple[str, ...], new: Any) -> None:
    """Write at a path, creating (or replacing non-object) intermediate objects."""
    for part in parts[:-1]:
        found = value.get(part)
        if found.__class__ is not dict:
            found = value[part] = {}
        value = found
    value[parts[-1]] = new


def overlay(original: dict[str, Any], new: dict[str, Any],
            paths: list[tuple[tuple[str, ...], bool]]) -> dict[str, Any]:
    """`original` with the paths a mapping writes taken from `new`.

    Used to write back through a step a route runs backwards: the fields that step does not
    know survive from the original. A path absent from `new` is removed only when its rule
    is exact (`<->`); a one-way or guarded rule that wrote nothing leaves the original.
    """
    out: dict[str, Any] = clone(original)
    for path, exact in paths:
        value = getp(new, path)
        if value is ABSENT:
            if exact:
                drop_path(out, path)
        else:
            set_path(out, path, value)
    return out


def same(a: Any, b: Any) -> bool:
    """Equality as a document sees it: numbers by value (int or Decimal), everything else
    of the same kind only (true is not 1, "3" is not 3), lists and objects item by item."""
    if a is b:
        return True
    if a.__class__ is bool or b.__class__ is bool:
        return a.__class__ is b.__class__ and a == b
    if isinstance(a, (int, Decimal)) and isinstance(b, (int, Decimal)):
        return bool(a == b)
    if a.__class__ is not b.__class__:
        return False
    if a.__class__ is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if a.__class__ is dict:
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


def unwritable(view: Any, again: Any) -> None:
    """A `<->` rule's put would write a value that does not read back as the view's."""
    raise ValueProblem(view, "cannot be written back exactly: what this rule would write "
                       f"reads back as {show(again)}")


def part_absent(current: Any) -> None:
    """A part (`before` / `after`) absent from the view while the field it is a part of holds
    a text: dropping the field would lose the other part, keeping this one silently would
    break the view; refused, the field left as it is."""
    raise ValueProblem(ABSENT, f"while the field it is a part of holds {show(current)}: give "
                       'this part too ("" for an empty one); the field is left as it is')


def not_object(value: Any) -> None:
    raise ValueProblem(value, "is not an object")


def left_out(value: Any) -> None:
    """Backward under `where`: the item written would not pass the filter when read."""
    raise ValueProblem(value, "cannot be written back: the item written would be left out "
                       "by the block's `where` when read again")


_NO_KEY = object()


_NUMERIC_KEY = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _key_form(key: Any) -> Any:
    """A key as matching compares it: a number and the same number written as text are one
    key (an ERP's line number 3 and the canonical line id "3"); true is not 1."""
    if key.__class__ is bool:
        return ("bool", key)
    if key.__class__ is str and _NUMERIC_KEY.fullmatch(key):
        return Decimal(key)
    return key


def match_items(originals: Any, key_of: Any, keys: list[Any]) -> list[Any]:
    """For each view key, the original item with that key (or None).

    Each original item is used once, in order. A view item whose key is unknown or already
    used gets None (it starts empty), so inserted or reordered lines never take another's
    data. Items without a key (absent or null) are matched with the original items without a
    key, in order, so a line nobody keyed still finds itself again.
    """
    if originals.__class__ is not list:
        return [None] * len(keys)
    by_key: dict[Any, list[int]] = {}
    for index, item in enumerate(originals):
        if item.__class__ is not dict:
            continue
        k = _key_form(key_of(item))
        if k is ABSENT or k is None:
            k = (_NO_KEY, k is None)
        try:
            by_key.setdefault(k, []).append(index)
        except TypeError:
            continue
    found: list[Any] = []
    for k in map(_key_form, keys):
        if k is ABSENT or k is None:
            k = (_NO_KEY, k is None)
        try:
            positions = by_key.get(k)
        except TypeError:
            positions = None
        found.append(originals[positions.pop(0)] if positions else None)
    return found


def by_position(originals: Any, count: int) -> list[Any]:
    """Original items matched by position, when a block has no key."""
    if originals.__class__ is not list:
        return [None] * count
    return [originals[i] if i < len(originals) and originals[i].__class__ is dict
            else None for i in range(count)]


# ---------------------------------------------------------------- groups and object keys


def _group_key(value: Any) -> Any:
    """A `by` value as grouping compares it: equal numbers are one group (20 and 20.00),
    true is not 1, a text is never a number; lists and objects by content (a line's list of
    taxes), keys in any order; null and absent are one "no value" group."""
    cls = value.__class__
    if value is None:
        return ABSENT
    if cls is bool:
        return ("bool", value)
    if cls is list:
        return ("list", tuple(_group_key(v) for v in value))
    if cls is dict:
        return ("object", frozenset((k, _group_key(v)) for k, v in value.items()))
    return value


def group_items(items: list[Any], keys: tuple[tuple[str, ...], ...],
                kept: list[bool] | None = None) -> list[list[Any]]:
    """The items of a `group` list by the values at `keys`, as lists of (index, item), in
    the order each group first appears (an absent or null `by` value is one "no value"
    group, so no item is left out);
    `kept`: which items the group's `where` leaves in."""
    groups: dict[Any, list[Any]] = {}
    order: list[list[Any]] = []
    for index, item in enumerate(items):
        if kept is not None and not kept[index]:
            continue
        if item.__class__ is not dict:
            raise ValueProblem(item, f"(item {index + 1} of the list) is not an object")
        key = tuple(_group_key(getp(item, parts)) for parts in keys)
        try:
            found = groups.get(key)
        except TypeError:  # pragma: no cover - every JSON value has a key form
            raise ValueProblem(item, f"(item {index + 1} of the list) has a `by` value "
                               "that cannot be compared") from None
        if found is None:
            groups[key] = found = []
            order.append(found)
        found.append((index, item))
    return order


#: what summary_difference found: a field differs, an item names no group, or a group
#: already summarised, the number of items, an item that is not an object
FIELD, UNKNOWN, TWICE, COUNT, NOT_OBJECT = range(5)


def _summary_key(item: Any, keys: tuple[tuple[str, ...], ...]) -> tuple[Any, ...]:
    """An item's values at the fields its group's `by` values write, compared as `by`
    values are (20 is 20.00); a field left out is ABSENT_KEY, which matches any value."""
    return tuple(_ABSENT_KEY if (v := getp(item, parts)) is ABSENT else _group_key(v)
                 for parts in keys)


_ABSENT_KEY = object()


def _agrees(wanted: tuple[Any, ...], key: tuple[Any, ...]) -> bool:
    return all(w is _ABSENT_KEY or w == k for w, k in zip(wanted, key, strict=True))


def match_summary(items: list[Any], computed: list[Any], keys: tuple[tuple[str, ...], ...],
                  ) -> list[int | None]:
    """For each item of a summary, the computed item of the same group (the same values at
    `keys`, the fields the group's `by` values write), first come first served; None when
    no group is left for it. Without keys, items are matched by position."""
    made = [_summary_key(c, keys) for c in computed]
    free: dict[tuple[Any, ...], list[int]] = {}
    for i, key in reversed(list(enumerate(made))):
        free.setdefault(key, []).append(i)
    taken = [False] * len(computed)
    wanted = [_summary_key(item, keys) if item.__class__ is dict else None for item in items]
    found: list[int | None] = [None] * len(items)
    for k, key in enumerate(wanted):  # the same values first, then fields left out
        stack = free.get(key) if key is not None else None
        if stack:
            i = found[k] = stack.pop()
            taken[i] = True
    for k, key in enumerate(wanted):
        if key is None or found[k] is not None or _ABSENT_KEY not in key:
            continue
        match = next((i for i, made_key in enumerate(made)
                      if not taken[i] and _agrees(key, made_key)), None)
        if match is not None:
            taken[match] = True
            found[k] = match
    return found


def summary_difference(view: Any, computed: list[Any], targets: tuple[tuple[str, ...], ...],
                       keys: tuple[tuple[str, ...], ...] = (),
                       ) -> tuple[int, int, int, Any, Any] | None:
    """Where a view's summary differs from the one its items give: (what, item, target,
    view's value, other), None when they agree. Items are matched by group (`keys`, see
    match_summary), so their order says nothing; a field the view leaves out is not
    compared; a null summary is an empty one. `target` is -1 for the list, -2 for the
    item, else the index of the field in `targets`."""
    if view is None:
        return (COUNT, 0, -1, None, len(computed)) if computed else None
    if view.__class__ is not list:
        return (COUNT, 0, -1, view, len(computed))
    matches = match_summary(view, computed, keys)
    by = [targets.index(parts) for parts in keys]
    for k, (seen, i) in enumerate(zip(view, matches, strict=True)):  # which group first
        if seen.__class__ is not dict:
            return (NOT_OBJECT, k, -2, seen, None)
        named = next((t for t in by if getp(seen, targets[t]) is not ABSENT), None)
        if i is not None or named is None:
            continue
        wanted = _summary_key(seen, keys)
        earlier = next((j for j, m in enumerate(matches[:k]) if m is not None
                        and _agrees(wanted, _summary_key(computed[m], keys))), None)
        value = getp(seen, targets[named])
        return (UNKNOWN, k, named, value, None) if earlier is None \
            else (TWICE, k, named, value, earlier)
    if len(view) != len(computed) or None in matches:
        return (COUNT, 0, -1, len(view), len(computed))
    for k, (seen, i) in enumerate(zip(view, matches, strict=True)):  # then its fields
        made = computed[i] if i is not None else {}
        for t, parts in enumerate(targets):
            a = getp(seen, parts)
            if a is ABSENT:
                continue
            b = getp(made, parts)
            if b is ABSENT or not same(a, b):
                return (FIELD, k, t, a, b)
    return None


def summary_over(rows: list[Any], originals: Any, targets: tuple[tuple[str, ...], ...],
                 keys: tuple[tuple[str, ...], ...]) -> list[Any]:
    """A summary written over the original one: each item starts from the original item
    of the same group (matched as match_summary does), whose fields no rule of the group
    writes (an exemption reason, a scheme) are kept; the fields the rules write are the
    computed ones only."""
    if originals.__class__ is not list:
        return rows
    olds = [o for o in originals if o.__class__ is dict]
    matches = match_summary(olds, rows, keys)
    base: dict[int, Any] = {i: olds[k] for k, i in enumerate(matches) if i is not None}
    out = []
    for i, row in enumerate(rows):
        old = base.get(i)
        if old is None:
            out.append(row)
            continue
        merged = clone(old)
        for parts in targets:
            _drop_leaf(merged, parts)
        out.append(_merge(merged, row))
    return out


def _drop_leaf(obj: dict[str, Any], parts: tuple[str, ...]) -> None:
    """Remove the field at `parts`, and the objects it leaves empty."""
    head, *rest = parts
    if not rest:
        obj.pop(head, None)
        return
    inner = obj.get(head)
    if inner.__class__ is dict:
        _drop_leaf(inner, tuple(rest))
        if not inner:
            del obj[head]


def _merge(base: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    for key, value in row.items():
        old = base.get(key)
        base[key] = _merge(old, value) if old.__class__ is dict \
            and value.__class__ is dict else value
    return base


def summary_extra(view: Any, targets: tuple[tuple[str, ...], ...],
                  ) -> tuple[int, str, Any] | None:
    """The first field of a view's summary item that no rule of the group writes: (item,
    dotted field, value), or None (such a field would be lost: nothing writes it back)."""
    if view.__class__ is not list:
        return None
    wanted = set(targets)
    for k, item in enumerate(view):
        if item.__class__ is dict:
            found = _extra_field(item, (), wanted)
            if found is not None:
                return (k, ".".join(found[0]), found[1])
    return None


def _extra_field(obj: dict[str, Any], prefix: tuple[str, ...], wanted: set[tuple[str, ...]],
                 ) -> tuple[tuple[str, ...], Any] | None:
    for key, value in obj.items():
        parts = (*prefix, key)
        if parts in wanted:
            continue
        if value.__class__ is dict and any(t[:len(parts)] == parts for t in wanted):
            found = _extra_field(value, parts, wanted)
            if found is not None:
                return found
            continue
        return parts, value
    return None


def summary_extra_field(value: Any, written: str) -> None:
    raise ValueProblem(value, f"is in a field no rule of the group writes: it is not "
                       f"computed from the items {written}, so it would be lost; compute "
                       "it in the group, or leave it out of the view")


_CHANGE = "a summary is computed from the items; change them, not the summary"


def summary_problem(what: int, view: Any, other: Any, written: str) -> None:
    """The error for what summary_difference found; `written`: how the items the summary
    is compared with came ("written back")."""
    if what == FIELD:
        raise ValueProblem(view, f"is not what the group gives from the items {written} "
                           f"({show(other)}): {_CHANGE}")
    if what == UNKNOWN:
        raise ValueProblem(view, f"names no group of the items {written}: {_CHANGE}")
    if what == TWICE:
        raise ValueProblem(view, f"names the group of summary item {other + 1} again: a "
                           f"summary has one item per group; {_CHANGE}")
    if what == NOT_OBJECT:
        raise ValueProblem(view, "is not an object, so it cannot be an item of a group's "
                           "summary")
    if view is None:
        raise ValueProblem(view, f"is a summary of no item, but the items {written} make "
                           f"{other} group{'s' * (other != 1)}: {_CHANGE}")
    if view.__class__ is not int:
        raise ValueProblem(view, "is not a list, so it cannot be a group's summary")
    raise ValueProblem(view, f"is the number of items of the summary, but the items "
                       f"{written} make {other} group{'s' * (other != 1)}: {_CHANGE}")


def object_of(value: Any) -> dict[str, Any]:
    """The object whose keys `each key, value` renames; refuses what is not one."""
    if value.__class__ is dict:
        return value
    raise ValueProblem(value, "is not an object, so its keys cannot be renamed")


def renamed_twice(key: Any, new: Any, earlier: Any) -> None:
    raise ValueProblem(key, f"is renamed {show(new)}, like the key {show(earlier)} before "
                       "it: one of the two values would be lost")
