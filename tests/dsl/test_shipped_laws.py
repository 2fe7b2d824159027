"""The lens laws on every `<->` rule of every shipped mapping, one rule at a time.

Each rule (inside its `each` blocks, with the file's tables) is compiled alone and checked by
hypothesis: put(get(s), s) == s for any source, and get(put(v, s)) == v for any view the
rule produces (not checked under `keep`, whose fallbacks may legitimately lose). Values come
from the file's examples (so functions such as `date` get valid input) and from random data;
a value the rule refuses (a run-time issue) is skipped.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from passeur import load_registry
from passeur.dsl import analyze_file, ast, compile_text
from passeur.dsl.printer import expr_text, format_file, rule_text
from passeur.dsl.values import ABSENT, getp

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
FILES = sorted(MAPPINGS.rglob("*.map"))


REGISTRY = load_registry()



def _lens_path(expr: ast.Expr) -> ast.Path:
    while isinstance(expr, ast.Call):
        expr = expr.args[0]
    assert isinstance(expr, ast.Path)
    return expr


def _single_rule_text(header: ast.Header, tables: list[ast.Table], scoped: ast.RuleInScope,
                      ) -> str:
    lines = [f"mapping {header.left.text} <-> {header.right.text}"]
    for table in tables:
        lines.append(format_file(ast.MappingFile("t", (table,))).rstrip("\n"))
    for depth, block in enumerate(scoped.blocks):
        lines.append("  " * depth + f"each {expr_text(block.left)} {block.arrow} "
                     f"{expr_text(block.right)}")
    lines.append("  " * len(scoped.blocks) + rule_text(scoped.rule))
    lines.extend("  " * d + "end" for d in reversed(range(len(scoped.blocks))))
    return "\n".join(lines) + "\n"


def _seen_values(examples: list[ast.Example], blocks: tuple[ast.Each, ...],
                 path: tuple[str, ...]) -> list[Any]:
    """Every value the examples hold at a rule's (left) path, through its blocks."""
    found: list[Any] = []

    def walk(value: Any, depth: int) -> None:
        if depth == len(blocks):
            got = getp(value, path)
            if got is not ABSENT:
                found.append(got)
            return
        items = getp(value, blocks[depth].left.parts)
        if isinstance(items, list):
            for item in items:
                walk(item, depth + 1)

    for example in examples:
        walk(example.left, 0)
    return found


def _field_values(side: Any, blocks: tuple[ast.Each, ...], path: tuple[str, ...],
                  rule: ast.Rule) -> Any:
    """Random values of the type the schema declares for the rule's left field (or that its
    first function takes), so the laws are checked on values the field can hold."""
    spec = None
    try:
        doctype = REGISTRY.document_type(side.system, side.doctype)
        spec = doctype.resolve([p for b in blocks for p in b.left.parts] + list(path))
    except Exception:
        spec = None
    kind = spec.type.value if spec is not None else None
    if kind in (None, "any") and isinstance(rule.left, ast.Call):
        function = REGISTRY.functions.get(rule.left.name)
        if function is not None:
            kind = function.param_type(0)
    by_kind = {
        "string": st.text(max_size=6), "integer": st.integers(-1000, 1000),
        "decimal": st.decimals(min_value=-10**6, max_value=10**6, places=2,
                               allow_nan=False),
        "boolean": st.booleans(), "date": st.dates(),
        "enum": st.sampled_from(spec.allowed) if spec is not None and spec.allowed else None,
    }
    chosen = by_kind.get(kind or "") if kind else None
    return st.one_of(chosen, st.none()) if chosen is not None else scalars


def _cases() -> list[Any]:
    cases = []
    seen: set[str] = set()
    registry = REGISTRY
    for file in FILES:
        analysis = analyze_file(file, registry)
        if analysis.mapping is None or analysis.mapping.header is None or analysis.problems:
            continue  # `passeur check mappings/` reports these
        tables = [s for _, s in analysis.statements if isinstance(s, ast.Table)]
        examples = [s for _, s in analysis.statements if isinstance(s, ast.Example)]
        statements = tuple(s for _, s in analysis.statements)
        for scoped in ast.iter_rules(statements):
            if scoped.rule.arrow != ast.BOTH or scoped.directions != {"forward", "backward"}:
                continue
            text = _single_rule_text(analysis.mapping.header, tables, scoped)
            path = _lens_path(scoped.rule.left).parts
            seeds = _seen_values(examples, scoped.blocks, path)
            if text in seen:
                continue  # the same rule in another file: one check is enough
            seen.add(text)
            values = _field_values(analysis.left, scoped.blocks, path, scoped.rule)
            cases.append(pytest.param(
                text, scoped.blocks, path, seeds, scoped.rule.keep, values,
                id=f"{file.name}:{scoped.rule.line}"))
    return cases


scalars = st.one_of(st.text(max_size=6), st.integers(-1000, 1000), st.none(), st.booleans(),
                    st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False))


CASES = _cases()


def _document(draw: Any, blocks: tuple[ast.Each, ...], path: tuple[str, ...],
              values: Any) -> dict[str, Any]:
    def build(depth: int) -> dict[str, Any]:
        record: dict[str, Any] = {"_noise": draw(st.text(max_size=3))}
        if depth == len(blocks):
            if draw(st.booleans()) or not path:
                target = record
                for part in path[:-1]:
                    target = target.setdefault(part, {})
                target[path[-1]] = draw(values)
            return record
        count = draw(st.integers(0, 3))
        record[blocks[depth].left.parts[-1]] = [build(depth + 1) for _ in range(count)]
        return record

    return build(0)


def _flat(case: int) -> bool:
    """Rules in `each` blocks over nested list paths (`a.b <-> c.d`) are exercised by the
    mapping files' examples, not drawn here."""
    return all(len(b.left.parts) == 1 for b in CASES[case].values[1])


def _flat_both_sides(case: int) -> bool:
    return _flat(case) and all(len(b.right.parts) == 1 for b in CASES[case].values[1])


def _per_file(accept: Any) -> dict[str, list[Any]]:
    """The accepted cases, grouped by mapping file: one parametrized test per file."""
    groups: dict[str, list[Any]] = {}
    for i, c in enumerate(CASES):
        if accept(i):
            groups.setdefault(c.id.split(":")[0], []).append(pytest.param(i, id=c.id))
    return groups


def _slug(file_name: str) -> str:
    return re.sub(r"\W", "_", file_name.removesuffix(".map"))


def _define_per_file(prefix: str, check: Any, accept: Any) -> None:
    """One test function per mapping file, each parametrized by the file's rules.

    Why not one function for all files: Hypothesis' pytest plugin wraps a parametrized test's
    settings once per item (a chain that grows with the item count), and under its `ci`
    profile (`CI` set: derandomize, no database) reading the database walks that whole chain,
    so past about 950 items every case failed with a RecursionError inside Hypothesis (CI of
    1b1938d: 164 failures)."""
    for file_name, params in _per_file(accept).items():
        name = f"{prefix}_{_slug(file_name)}"
        globals()[name] = _law_test(name, check, params)


def _law_test(name: str, check: Any, params: list[Any]) -> Any:
    @pytest.mark.parametrize("case", params)
    @LAWS
    @given(data=st.data())
    def test(case: int, data: Any) -> None:
        check(case, data)

    test.__name__ = test.__qualname__ = name
    return test


LAWS = settings(max_examples=12, deadline=None,
                suppress_health_check=[HealthCheck.filter_too_much,
                                       HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def _check_lens_laws(case: int, data: Any) -> None:
    text, blocks, path, seeds, keep, typed = CASES[case].values
    mapping = compile_text(text, "rule.map", REGISTRY)
    values = st.one_of(st.sampled_from(seeds), typed) if seeds else typed
    source = data.draw(st.builds(lambda: None).flatmap(
        lambda _: st.composite(lambda draw: _document(draw, blocks, path, values))()))
    view = mapping.forward(source)
    assume(not view.issues)
    back = mapping.backward(view.value, source)
    assume(not back.issues)
    assert back.value == source, "put(get(s), s) != s"
    if keep:
        return
    other = data.draw(st.composite(lambda draw: _document(draw, blocks, path, values))())
    other_view = mapping.forward(other)
    assume(not other_view.issues)
    written = mapping.backward(other_view.value, source)
    assume(not written.issues)
    again = mapping.forward(written.value)
    assert again.issues == []
    assert again.value == other_view.value, "get(put(v, s)) != v"


def test_there_are_shipped_rules_to_check() -> None:
    assert len(CASES) >= 20
    assert all(isinstance(c.values[3], list) for c in CASES)
    assert any(Decimal is type(v) for c in CASES for v in c.values[3])
    groups = _per_file(_flat)
    assert {f"test_lens_laws_of_{_slug(f)}" for f in groups} <= set(globals())
    # far below the ~950 items of one parametrized function that break Hypothesis under CI
    assert max(len(p) for p in groups.values()) < 300



# ---------------------------------------------------------------- any view, not only get's


def _right_path(expr: ast.Expr) -> tuple[str, ...]:
    return _lens_path(expr).parts


def _view(draw: Any, blocks: tuple[ast.Each, ...], path: tuple[str, ...],
          values: Any) -> dict[str, Any]:
    def build(depth: int) -> dict[str, Any]:
        record: dict[str, Any] = {}
        if depth == len(blocks):
            target = record
            for part in path[:-1]:
                target = target.setdefault(part, {})
            target[path[-1]] = draw(values)
            return record
        record[blocks[depth].right.parts[-1]] = [build(depth + 1)
                                                 for _ in range(draw(st.integers(1, 2)))]
        return record

    return build(0)


views_of_any_kind = st.one_of(
    scalars, st.lists(st.text(max_size=6), max_size=3),
    st.lists(st.fixed_dictionaries({"scheme": st.sampled_from(["VAT", "TPS"]),
                                    "rate": st.decimals(0, 30, places=1)}), max_size=2))


def _check_put_get_on_any_view(case: int, data: Any) -> None:
    """get(put(v, s)) == v for any view put accepts, `keep` rules included: what put cannot
    write so that it reads back the same, it refuses with an issue (never silently)."""
    text, blocks, path, seeds, _keep, typed = CASES[case].values
    mapping = compile_text(text, "rule.map", REGISTRY)
    rule = next(s.rule for s in ast.iter_rules(mapping.ast))
    right = _right_path(rule.right)
    seen_views = [getp(mapping.forward(_wrap(blocks, path, v)).value, ()) for v in seeds[:5]]
    values = st.one_of(views_of_any_kind, *(
        [st.sampled_from([_at(v, blocks, right) for v in seen_views])] if seen_views else []))
    values = values.filter(lambda v: v is not ABSENT)
    view = data.draw(st.composite(lambda draw: _view(draw, blocks, right, values))())
    values_left = st.one_of(st.sampled_from(seeds), typed) if seeds else typed
    original = data.draw(st.composite(
        lambda draw: _document(draw, blocks, path, values_left))())
    written = mapping.backward(view, original)
    assume(not written.issues)
    again = mapping.forward(written.value)
    assume(not again.issues)  # another line's value the rule cannot read (not its write)
    assert _right_values(again.value, blocks, right) == _right_values(view, blocks, right), \
        "get(put(v, s)) != v"


def _wrap(blocks: tuple[ast.Each, ...], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    record: dict[str, Any] = {}
    target = record
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value
    for block in reversed(blocks):
        record = {block.left.parts[-1]: [record]}
    return record


def _at(document: Any, blocks: tuple[ast.Each, ...], path: tuple[str, ...]) -> Any:
    for block in blocks:
        items = getp(document, block.right.parts)
        if not isinstance(items, list) or not items:
            return ABSENT
        document = items[0]
    return getp(document, path)


def _right_values(document: Any, blocks: tuple[ast.Each, ...], path: tuple[str, ...],
                  ) -> list[Any]:
    if not blocks:
        return [getp(document, path)]
    items = getp(document, blocks[0].right.parts)
    if not isinstance(items, list):
        return []
    return [v for item in items for v in _right_values(item, blocks[1:], path)]


# After the checks they run: the lens laws on every flat rule (get then put, put then get), and
# put-get on any view where both sides are flat.
_define_per_file("test_lens_laws_of", _check_lens_laws, _flat)
_define_per_file("test_put_get_on_any_view_of", _check_put_get_on_any_view, _flat_both_sides)
