"""The law of layers: over every shipped mapping, a one-rule layer changes the output only at
the paths its rule overrides (property-based, over the mappings' own example documents)."""

from __future__ import annotations

import functools
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passeur.dsl import load_mapping
from passeur.dsl.ir import IRBlock, IRRule
from passeur.dsl.layers import ITEMS, _target
from passeur.dsl.printer import expr_text, name_text

ROOT = Path(__file__).resolve().parents[2]
# mapping files with a header (a library, such as cii-rules.map, is only ever included)
SHIPPED = sorted(p for p in (ROOT / "mappings").rglob("*.map")
                 if any(line.startswith("mapping ") for line in p.read_text().splitlines()))


@functools.cache
def base(path: Path) -> Any:
    return load_mapping(path)


def rules_of(mapping: Any) -> list[tuple[tuple[Any, ...], IRRule]]:
    """Every forward rule with the `each` blocks around it."""
    found: list[tuple[tuple[Any, ...], IRRule]] = []

    def walk(items: Any) -> None:
        for item in items:
            if "forward" not in item.directions:
                continue
            if isinstance(item, IRBlock):
                walk(item.body)
            elif _target(item, "forward") is not None:
                found.append((item.blocks, item))

    walk(mapping.ir.items)
    return found


def leaves(value: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], Any]:
    if isinstance(value, dict) and value:
        out: dict[tuple[Any, ...], Any] = {}
        for key, item in value.items():
            out.update(leaves(item, (*path, key)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for index, item in enumerate(value):
            out.update(leaves(item, (*path, index)))
        return out
    return {path: value}


def covered(path: tuple[Any, ...], pattern: tuple[str, ...]) -> bool:
    """A data path (with list indexes) lies on the pattern (with `[]`), or around it."""
    for part, want in zip(path, pattern, strict=False):
        if want == ITEMS:
            if not isinstance(part, int):
                return False
        elif part != want:
            return False
    return True


@st.composite
def layers(draw: Any) -> tuple[Path, str, tuple[str, ...], Any]:
    path = draw(st.sampled_from(SHIPPED))
    mapping = base(path)
    blocks, rule = draw(st.sampled_from(rules_of(mapping)))
    target = _target(rule, "forward")
    assert target is not None
    source = draw(st.sampled_from(["literal", "number", "same", "guard-false"]))
    original = rule.rule.left
    value = {"literal": '"LAYER"', "number": "7.5", "same": expr_text(original),
             "guard-false": '"NEVER"'}[source]
    guard = " when false" if source == "guard-false" else ""
    text = ".".join(name_text(part) for part in target)
    indent = ""
    lines = [f"mapping {mapping.left} <-> {mapping.right}", f"extends {path.stem}"]
    for block in blocks:
        lines.append(f"{indent}each {expr_text(block.left)} -> {expr_text(block.right)}")
        indent += "  "
    lines.append(f"{indent}{value} -> {text}{guard}")
    for _ in blocks:
        indent = indent[:-2]
        lines.append(f"{indent}end")
    pattern: tuple[str, ...] = ()
    for block in blocks:
        pattern += (*block.right.parts, ITEMS)
    pattern += target
    literal = {"literal": "LAYER", "number": Decimal("7.5")}.get(source)
    return path, "\n".join(lines) + "\n", pattern, literal


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layers())
def test_a_one_rule_layer_changes_only_the_paths_it_overrides(
        layer: tuple[Path, str, tuple[str, ...], Any]) -> None:
    path, text, pattern, literal = layer
    mapping = base(path)
    file = ROOT / "tests" / "fixtures" / f"_layer_{path.stem}.map"
    compiled = _compile_layer(text, file)
    for example in mapping.examples:
        expected = mapping.forward(example.left).value
        got = compiled.forward(example.left).value
        before, after = leaves(expected), leaves(got)
        changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        assert all(covered(p, pattern) for p in changed), (text, sorted(map(str, changed)))
        if "when false" in text:  # a guarded rule that never applies leaves the base as is
            assert got == expected
        if literal is not None:  # where the layer writes, it writes its own value
            exact = [v for p, v in after.items() if len(p) == len(pattern) and covered(p, pattern)]
            assert all(v == literal for v in exact), (text, exact)


def _compile_layer(text: str, file: Path) -> Any:
    from passeur.dsl import compile_analysis
    from passeur.dsl.loader import analyze_text

    analysis = analyze_text(text, str(file), None, file.parent)
    assert analysis.ok, (text, [p.message for p in analysis.problems])
    return compile_analysis(analysis, path=file)
