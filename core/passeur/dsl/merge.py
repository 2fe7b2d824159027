"""How a layer's output merges over its base's at run time: the paths each writes
(`Written`), the `Plan` of one direction, and `merge`. Apart from `passeur.dsl.layers` (which
draws the paths from the IR) so that a mapping loaded from the route cache merges without
importing the syntax tree or the IR."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from passeur.dsl.values import show
from passeur.issues import Issue, Level, MappingPosition

if TYPE_CHECKING:
    from passeur.dsl.compiled import CompiledMapping

__all__ = ["ITEMS", "Lost", "Miscount", "Plan", "Written", "base_written", "merge",
           "overlaps", "pattern_of", "pattern_text"]

#: The pattern part standing for "every item of the list" (`positions[].code`).
ITEMS = "[]"
_ABSENT = object()


@attrs.frozen
class Written:
    """One target path a mapping writes in one direction, and the rule (or drop) writing it."""

    path: tuple[str, ...]
    position: MappingPosition
    drop: bool = False
    guarded: bool = False  # a `when`: the rule may write nothing even when its source is there

    @property
    def text(self) -> str:
        return pattern_text(self.path)

    @property
    def where(self) -> str:
        return f"{self.position} `{self.position.rule}`"


def pattern_text(path: Sequence[str]) -> str:
    out = ""
    for part in path:
        out += part if part == ITEMS else (f".{part}" if out else part)
    return out


def base_written(steps: Sequence[tuple[CompiledMapping, str]], direction: str,
                 ) -> list[Written]:
    """What a base writes into the final document in `direction`: the last step of a route
    (the first one, backward), and, when that step is itself a layer, its base too."""
    if not steps:
        return []
    mapping, step_direction = steps[-1] if direction == "forward" else steps[0]
    if direction == "backward":
        step_direction = "backward" if step_direction == "forward" else "forward"
    found = list(mapping.facts.layer_written[step_direction])
    if mapping.base:
        found = [w for w in base_written(mapping.base, step_direction)
                 if not any(_overlaps(w.path, own.path) for own in found)] + found
    return [w for w in found if not w.drop]


def _overlaps(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One path is the other or lies inside it."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


overlaps = _overlaps


def pattern_of(data_path: str) -> tuple[str, ...]:
    """`positions[2].code` as a pattern: ("positions", "[]", "code")."""
    parts: list[str] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", data_path):
        parts.append(ITEMS if index else name)
    return tuple(parts)


@attrs.frozen
class Plan:
    """How a layer merges in one direction: its own paths and what each replaces."""

    direction: str
    own: tuple[Written, ...]
    base: tuple[Written, ...]

    @classmethod
    def of(cls, layer: CompiledMapping, direction: str) -> Plan:
        return cls(direction, tuple(layer.facts.layer_written[direction]),
                   tuple(base_written(layer.base, direction)))

    def replaced_by(self, path: tuple[str, ...]) -> list[Written]:
        return [b for b in self.base if _overlaps(path, b.path)]


@attrs.frozen
class Lost:
    """A value the base wrote and the layer removed."""

    path: str  # data path: positions[0].tax
    value: Any
    by: tuple[Written, ...]  # the layer rules (or drop) at that path
    base: tuple[Written, ...]  # the base rules that wrote it

    def issue(self) -> Issue:
        """A warning (a note for a `drop`) at the layer rule that removed the value."""
        first, *others = self.by
        layer = f"`{first.position.rule}`" + "".join(f"; {w.where}" for w in others)
        wrote = (" (" + "; ".join(w.where for w in self.base) + ")") if self.base else ""
        if all(w.drop for w in self.by):
            return Issue(Level.INFO, f"the base wrote {show(self.value)}{wrote}; dropped by "
                         f"{layer}", "layer.dropped", self.path, mapping=first.position)
        return Issue(Level.WARNING, f"the base wrote {show(self.value)}{wrote} and the layer "
                     f"writes nothing here: removed by {layer}", "layer.lost", self.path,
                     mapping=first.position)


@attrs.frozen
class Miscount:
    """A list the layer's `each` block and the base's fill with different numbers of items:
    merged by position, some items get only one side's fields."""

    path: str  # data path of the list: positions
    layer: int
    base: int
    by: Written  # the first layer rule writing inside the list

    def issue(self) -> Issue:
        extra = abs(self.layer - self.base)
        if self.layer > self.base:
            what = (f"the layer's last {extra} item(s) have none of the base's fields (they "
                    "are not items the base writes)")
        else:
            what = f"the base's last {extra} item(s) get none of the layer's rules"
        return Issue(Level.WARNING, f"the layer's each block gives {self.layer} item(s) and "
                     f"the base's {self.base}: items are merged by position, so {what}; "
                     "walk the same list as the base (the base's `each` source)",
                     "layer.items", self.path, mapping=self.by.position)


def merge(base: dict[str, Any], own: dict[str, Any], plan: Plan,
          ) -> tuple[dict[str, Any], list[Lost | Miscount]]:
    """The base's document with each of the layer's paths taken from `own` (the layer's
    rules run alone): a path the layer leaves empty is removed, a list the layer walks is
    merged item by item. Neither input is modified. Returns what the base lost, and each
    list whose item counts differ between the layer and the base."""
    groups: dict[tuple[str, ...], list[Written]] = {}
    for w in plan.own:
        groups.setdefault(w.path, []).append(w)
    lost: list[Lost | Miscount] = []
    counted: dict[str, Miscount] = {}
    out = base
    for path, by in groups.items():
        found: list[tuple[str, Any]] = []
        counts: list[tuple[str, int, int]] = []
        source = None if all(w.drop for w in by) else own
        # guarded rules that all wrote nothing did not take over: the base's value stands
        yields = all(w.guarded for w in by)
        out = _put(out, source, path, "", found, yields, counts)
        replaced = tuple(plan.replaced_by(path))
        lost.extend(Lost(where, value, tuple(by), replaced) for where, value in found)
        for where, mine, theirs in counts:
            counted.setdefault(where, Miscount(where, mine, theirs, by[0]))
    return out, [*counted.values(), *lost]


def _put(dst: dict[str, Any], src: Any, parts: tuple[str, ...], where: str,
         lost: list[tuple[str, Any]], yields: bool = False,
         counts: list[tuple[str, int, int]] | None = None) -> dict[str, Any]:
    """`dst` (never modified: copied on the way down) with `parts` taken from `src`; the
    values of `dst` that `src` does not have are removed and listed in `lost` (unless
    `yields`: then they stay)."""
    name, rest = parts[0], parts[1:]
    here = f"{where}.{name}" if where else name
    mine = src.get(name, _ABSENT) if src.__class__ is dict else _ABSENT
    theirs = dst.get(name, _ABSENT)
    out = dict(dst)
    if not rest:
        if mine is not _ABSENT:
            out[name] = mine
        elif theirs is not _ABSENT and not yields:
            del out[name]
            lost.append((here, theirs))
        return out
    if rest[0] == ITEMS:
        mine_items = mine if mine.__class__ is list else []
        if theirs.__class__ is not list and not mine_items:
            return dst
        theirs_items = theirs if theirs.__class__ is list else []
        # a list the base does not write at all (a layer's new list, a group's summary)
        # has no items to be misaligned with
        if (counts is not None and mine.__class__ is list and len(rest) > 1
                and theirs.__class__ is list and len(mine_items) != len(theirs_items)):
            counts.append((here, len(mine_items), len(theirs_items)))
        merged = []
        for index in range(max(len(mine_items), len(theirs_items))):
            base_item = theirs_items[index] if index < len(theirs_items) else {}
            layer_item = mine_items[index] if index < len(mine_items) else None
            if base_item.__class__ is not dict or len(rest) == 1:
                merged.append(base_item)
            else:
                merged.append(_put(base_item, layer_item, rest[1:], f"{here}[{index}]", lost,
                                   yields, counts))
        out[name] = merged
        return out
    if theirs.__class__ is not dict and theirs is not _ABSENT and mine.__class__ is not dict:
        return dst  # the base wrote a value where the layer writes inside it: left as is
    before = theirs if theirs.__class__ is dict else {}
    inner = _put(before, mine, rest, here, lost, yields, counts)
    if inner or (theirs.__class__ is dict and not theirs):
        out[name] = inner
    elif theirs is _ABSENT:
        return dst
    else:
        del out[name]  # emptied by the layer: without those rules the base would not have it
    return out
