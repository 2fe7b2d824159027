"""Both lens laws over generated `<->` rules of every registered function with an inverse.

For each function f (core's and the plugins'), the rules `f(a, ...) <-> b` and
`a <-> f(b, ...)` are compiled (with `keep` when the compiler asks for it: a lossy or
normalising function) and hypothesis checks put(get(s), s) == s for any source get accepts
and get(put(v, s)) == v for any view put accepts. A value a rule cannot handle must be an
issue, never a silent change: that is what "accepts" means here.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from passeur import load_registry
from passeur.dsl import MappingCompileError, compile_text
from passeur.dsl.printer import literal_text
from passeur.dsl.values import same

REGISTRY = load_registry()
HEADER = "mapping acomba.invoice <-> passeur.invoice\n"

#: constant arguments each function is tried with (beyond its input)
ARGUMENTS: dict[str, list[tuple[Any, ...]]] = {
    "date": [(), ("DD/MM/YYYY",), ("YYYYMMDD",)],
    "format_date": [(), ("DD/MM/YYYY",), ("YYYYMMDD",)],
    "add_days": [(Decimal(30),)], "sub_days": [(Decimal(7),)],
    "split": [(", ",), (";",)], "join": [(", ",)],
    "prefix": [("QC-",), ("",)], "unprefix": [("QC-",)],
    "boolean": [(), ("oui", "non")], "boolean_text": [(), ("oui", "non")],
}

dates = st.dates(datetime.date(1000, 1, 1), datetime.date(9999, 12, 31))
texts = st.text(alphabet=st.sampled_from("0123456789,.; -/aéO"), max_size=8)
numbers = st.one_of(
    st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False),
    st.integers(-1000, 1000))
taxes = st.lists(st.fixed_dictionaries({
    "scheme": st.sampled_from(["VAT", "TPS", "TVQ"]),
    "rate": st.decimals(0, 30, places=1, allow_nan=False)}), max_size=2)
#: what a document read from JSON holds (the laws are stated over such documents; a date
#: object appears only where a schema says the field holds dates)
anything = st.one_of(texts, numbers, st.booleans(), st.none(),
                     st.lists(texts, max_size=3), taxes)


def _function_cases() -> list[Any]:
    cases = []
    for name, function in sorted(REGISTRY.functions.items()):
        if not function.inverse:
            continue
        for args in ARGUMENTS.get(name, [()]):
            extra = "".join(f", {literal_text(a)}" for a in args)
            for text in (f"{name}(a{extra}) <-> b", f"a <-> {name}(b{extra})"):
                cases.append(pytest.param(name, args, text, id=text))
    return cases


CASES = _function_cases()


def _compile(text: str) -> Any:
    try:
        return compile_text(HEADER + text + "\n", "laws.map", REGISTRY)
    except MappingCompileError:
        return compile_text(HEADER + text + " keep\n", "laws.map", REGISTRY)


def _inputs(name: str, args: tuple[Any, ...]) -> Any:
    """Random values, plus values the function surely accepts: its inverse's outputs (and
    dates, where the function reads dates)."""
    function = REGISTRY.functions[name]
    inverse = REGISTRY.functions[function.inverse] if function.inverse else None
    made = [dates] if function.param_type(0) == "date" else []
    if inverse is not None:
        def through_inverse(value: Any) -> Any:
            try:
                return inverse.impl(value, *args)
            except Exception:
                return None

        made.append(anything.map(through_inverse))
    return st.one_of(anything, *made)


LAWS = settings(max_examples=80, deadline=None,
                suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


def test_every_function_with_an_inverse_is_covered() -> None:
    named = {c.values[0] for c in CASES}
    with_inverse = {n for n, f in REGISTRY.functions.items() if f.inverse}
    assert named == with_inverse
    assert {"date", "number", "split", "negate", "vf_taxes", "erp_taxes"} <= named


@pytest.mark.parametrize(("name", "args", "text"), [c.values for c in CASES],
                         ids=[c.id for c in CASES])
@LAWS
@given(data=st.data())
def test_get_put(name: str, args: tuple[Any, ...], text: str, data: Any) -> None:
    mapping = _compile(text)
    reads_a = text.startswith(name)
    inner = name if reads_a else REGISTRY.functions[name].inverse
    source = {"a": data.draw(_inputs(inner, args) if inner else anything), "other": 1}
    view = mapping.forward(source)
    assume(not view.issues)
    back = mapping.backward(view.value, source)
    assert back.issues == [], back.issues
    assert same(back.value, source), f"put(get(s), s) != s: {back.value!r} != {source!r}"


@pytest.mark.parametrize(("name", "args", "text"), [c.values for c in CASES],
                         ids=[c.id for c in CASES])
@LAWS
@given(data=st.data())
def test_put_get(name: str, args: tuple[Any, ...], text: str, data: Any) -> None:
    mapping = _compile(text)
    reads_b = not text.startswith(name)
    inner = name if reads_b else REGISTRY.functions[name].inverse
    view = {"b": data.draw(_inputs(inner, args) if inner else anything)}
    original = {"a": data.draw(anything), "other": 1}
    written = mapping.backward(view, original)
    assume(not written.issues)
    again = mapping.forward(written.value)
    assert again.issues == [], again.issues
    assert same(again.value.get("b"), view["b"]), f"get(put(v, s)) != v: {again.value!r}"
