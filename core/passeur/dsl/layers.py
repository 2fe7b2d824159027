"""An override is a layer: what a file that `extends` a route or a mapping changes, and what
its changes cost.

A layer's rule replaces exactly the base rules that write the same target path (per
direction); an `each` block of the layer merges with the base's block for the same list, item
by item, rule by rule; `drop PATH` removes what the base writes at PATH. Everything else the
base writes keeps flowing. This module holds the three pieces every tool shares:

- `written(ir, direction)`: the target paths a mapping writes, as patterns such as
  `positions[].code` (list items are `[]`), each with the rule that writes it;
- `overrides(layer, base)`: for each layer rule, the base rules it replaces (what `check`
  reports, and what `convert` names when a replaced field goes missing);
- `merge(base_output, layer_output, plan)`: the layered document, and every field the base
  wrote that the layer removed (each conversion reports them: loss is never silent).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from passeur.dsl import ast
from passeur.dsl.ir import IRBlock, IRMapping, IRRule
from passeur.dsl.values import show
from passeur.issues import Issue, Level, MappingPosition

if TYPE_CHECKING:
    from passeur.dsl.compiled import CompiledMapping

__all__ = ["ITEMS", "LayerReport", "Lost", "Miscount", "Plan", "Written", "base_written",
           "layer_report", "merge", "overlaps", "overrides", "pattern_of",
           "pattern_text", "written"]

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


def _target(item: IRRule, direction: str) -> tuple[str, ...] | None:
    rule = item.rule
    if rule.arrow == ast.BOTH:
        lens = item.right_lens if direction == "forward" else item.left_lens
        return lens.path.parts if lens is not None else None
    target = rule.right if direction == "forward" else rule.left
    return target.parts if isinstance(target, ast.Path) else None


def _block_prefix(blocks: Iterable[ast.Each], direction: str) -> tuple[str, ...]:
    prefix: tuple[str, ...] = ()
    for block in blocks:
        prefix += (*(block.right if direction == "forward" else block.left).parts, ITEMS)
    return prefix


def written(ir: IRMapping, direction: str) -> list[Written]:
    """Every target path the mapping's own rules (and drops) write in `direction`, in file
    order; paths inside `each` blocks go through their list (`positions[].code`)."""
    out: list[Written] = []

    def walk(items: Iterable[IRRule | IRBlock]) -> None:
        for item in items:
            if direction not in item.directions:
                continue
            if isinstance(item, IRBlock):
                walk(item.body)
                continue
            target = _target(item, direction)
            if target is None:
                continue
            file, line, column, text = ir.rules[item.index]
            out.append(Written((*_block_prefix(item.blocks, direction), *target),
                               MappingPosition(file, line, column, text),
                               guarded=item.rule.when is not None))

    walk(ir.items)
    for drop in ir.drops:
        if direction in drop.directions:
            file, line, column, text = ir.rules[drop.index]
            out.append(Written((*_block_prefix(drop.blocks, direction), *drop.drop.path.parts),
                               MappingPosition(file, line, column, text), drop=True))
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
    found = written(mapping.ir, step_direction)
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
class Override:
    """A layer rule and the base rules it replaces (empty: it overrides nothing)."""

    layer: Written
    replaced: tuple[Written, ...]


def overrides(layer: Sequence[Written], base: Sequence[Written]) -> list[Override]:
    """For each layer rule, the base rules writing the same path, inside it or around it."""
    return [Override(w, tuple(b for b in base if _overlaps(w.path, b.path))) for w in layer]


@attrs.frozen
class Plan:
    """How a layer merges in one direction: its own paths and what each replaces."""

    direction: str
    own: tuple[Written, ...]
    base: tuple[Written, ...]

    @classmethod
    def of(cls, layer: CompiledMapping, direction: str) -> Plan:
        return cls(direction, tuple(written(layer.ir, direction)),
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


# ---------------------------------------------------------------- what `check` says


@attrs.frozen
class LayerReport:
    """What `passeur check` says about a layer: per rule, what it overrides (or that it
    overrides nothing), and per direction what the base writes that the layer may remove."""

    notes: tuple[tuple[MappingPosition, Level, str], ...]
    removes: tuple[tuple[str, str, str], ...]  # (direction, base pattern, why)

    def coverage_lines(self) -> list[str]:
        if not self.removes:
            return ["  layer: removes nothing the base writes"]
        lines = []
        for direction in ("forward", "backward"):
            found = [(p, why) for d, p, why in self.removes if d == direction]
            if found:
                lines.append(f"  layer, {direction}: may remove what the base writes at:")
                lines.extend(f"    {pattern} ({why})" for pattern, why in found)
        return lines


def layer_report(layer: CompiledMapping) -> LayerReport:
    """Overrides of each layer rule in both directions, and what the layer may remove."""
    by_rule: dict[MappingPosition, dict[str, list[Written]]] = {}
    order: list[MappingPosition] = []
    removes: list[tuple[str, str, str]] = []
    for direction in ("forward", "backward"):
        plan = layer.plan(direction)
        for item in overrides(plan.own, plan.base):
            key = item.layer.position
            if key not in by_rule:
                by_rule[key] = {}
                order.append(key)
            by_rule[key][direction] = list(item.replaced)
            for base in item.replaced:
                if item.layer.drop:
                    why = f"dropped by {item.layer.position}"
                elif item.layer.guarded:
                    continue  # a guarded rule that writes nothing leaves the base's value
                elif base.path != item.layer.path:
                    why = (f"replaced as a whole by {item.layer.position}, which writes "
                           f"{item.layer.text}")
                else:
                    why = f"where {item.layer.position} writes nothing"
                removes.append((direction, base.text, why))
    notes: list[tuple[MappingPosition, Level, str]] = []
    for position in order:
        directions = by_rule[position]
        told = []
        for direction, replaced in directions.items():
            if replaced:
                told.append(f"{direction}: " + "; ".join(b.where for b in replaced))
        empty = [d for d, replaced in directions.items() if not replaced]
        if told:
            notes.append((position, Level.INFO, "overrides, " + "; ".join(told)))
        if empty:
            own = next(w for w in layer.plan(empty[0]).own if w.position == position)
            if own.drop:
                message = (f"drops nothing: the base writes no `{own.text}` {empty[0]} "
                           "(check the path)")
            else:
                message = (f"overrides nothing {' and '.join(empty)}: the base writes no "
                           f"`{own.text}` (a new field: fine if meant; otherwise check the "
                           "path)")
            notes.append((position, Level.WARNING, message))
    return LayerReport(tuple(notes), tuple(removes))
