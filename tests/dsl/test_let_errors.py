"""A `let` that fails at run time (docs/mapping-language.md, "Named subexpressions"): its
error names the `let`, so the consultant finds the expression that failed, not only the
field it read; the rules reading it write nothing."""

from __future__ import annotations

from typing import Any

from passeur.dsl import compile_text

HEADER = "mapping vosfactures.invoice <-> passeur.invoice\n"


def _issues(registry: Any, text: str, left: dict[str, Any]) -> list[tuple[str, str, int]]:
    mapping = compile_text(HEADER + text, "l.map", registry, use_cache=False)
    result = mapping.forward(left)
    return [(i.path, i.message, i.mapping.line if i.mapping else 0) for i in result.issues]


def test_a_failing_plus_in_a_top_level_let_names_it(registry: Any) -> None:
    text = "let total = number + 1\ntext(total) -> number\n"
    assert _issues(registry, text, {"number": "abc"}) == [
        ("number", 'value "abc" at number is not a number (in `let total`)', 2)]


def test_a_failing_plus_in_a_block_let_names_it(registry: Any) -> None:
    text = ("each positions <-> lines\n  let net = total_price_net + 1\n"
            "  net -> net_amount\nend\n")
    assert _issues(registry, text, {"positions": [{"total_price_net": 1},
                                                  {"total_price_net": "x"}]}) == [
        ("positions[1].total_price_net",
         'value "x" at positions[1].total_price_net is not a number (in `let net`)', 3)]


def test_a_failing_rule_outside_a_let_says_no_let(registry: Any) -> None:
    text = "let total = 1\ntext(number + total) -> number\n"
    assert _issues(registry, text, {"number": "abc"}) == [
        ("number", 'value "abc" at number is not a number', 3)]


def test_a_function_of_an_absent_let_writes_nothing(registry: Any) -> None:
    """`text(total)` where `total` failed or read an absent field: absent, no second error
    (it was "value ABSENT cannot be written as text")."""
    text = "let total = total_price_gross\ntext(total) -> number\n"
    mapping = compile_text(HEADER + text, "l.map", registry, use_cache=False)
    result = mapping.forward({})
    assert (result.value, result.issues) == ({}, [])
    assert mapping.forward({"total_price_gross": 2}).value == {"number": "2"}
