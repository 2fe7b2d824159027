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

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

from passeur.dsl import ast
from passeur.dsl.ir import IRBlock, IRMapping, IRRule, written_path
from passeur.dsl.merge import (
    ITEMS,
    Lost,
    Miscount,
    Plan,
    Written,
    base_written,
    merge,
    overlaps,
    pattern_of,
    pattern_text,
)
from passeur.issues import Level, MappingPosition

if TYPE_CHECKING:
    from passeur.dsl.compiled import CompiledMapping

__all__ = ["ITEMS", "LayerReport", "Lost", "Miscount", "Plan", "Written", "base_written",
           "layer_report", "merge", "overlaps", "overrides", "pattern_of",
           "pattern_text", "written"]

_overlaps = overlaps


def _target(item: IRRule, direction: str) -> tuple[str, ...] | None:
    path = written_path(item, direction)
    return path.parts if path is not None else None


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


@attrs.frozen
class Override:
    """A layer rule and the base rules it replaces (empty: it overrides nothing)."""

    layer: Written
    replaced: tuple[Written, ...]


def overrides(layer: Sequence[Written], base: Sequence[Written]) -> list[Override]:
    """For each layer rule, the base rules writing the same path, inside it or around it."""
    return [Override(w, tuple(b for b in base if _overlaps(w.path, b.path))) for w in layer]


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
