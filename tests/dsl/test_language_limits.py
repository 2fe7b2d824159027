"""The limits of the mapping language (passeur.limits, docs/limits.md): beyond each, `check`
and `convert --mapping` answer at line:col, never with a traceback; within them, the
generated code compiles (a long `else if` chain included)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from passeur import limits
from passeur.checking import check_text
from passeur.dsl import compile_text, format_text
from passeur.dsl.parser import parse_text
from passeur.dsl.problems import MappingSyntaxError

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"


def _message(body: str) -> str:
    with pytest.raises(MappingSyntaxError) as info:
        parse_text(HEADER + body, "t.map")
    problem = info.value.problem
    return f"{problem.line}:{problem.column}: {problem.message}"


def test_a_long_else_if_chain_compiles_and_picks_its_branch(registry: Any) -> None:
    branches = "".join(f'else if TotalFacture = {n} then "b{n}" ' for n in range(1, 150))
    mapping = compile_text(HEADER + f'if TotalFacture = 0 then "b0" {branches}else "none" '
                           "-> extensions.branch\n", "t.map", registry, use_cache=False)
    assert mapping.forward({"TotalFacture": Decimal(149)}).value == {
        "extensions": {"branch": "b149"}}
    assert mapping.forward({"TotalFacture": Decimal(150)}).value == {
        "extensions": {"branch": "none"}}
    assert mapping.forward({"TotalFacture": Decimal(0)}).value == {
        "extensions": {"branch": "b0"}}


def test_too_many_branches_is_refused_where_the_chain_goes_over() -> None:
    branches = "else if a then 2 " * limits.MAX_IF_BRANCHES
    column = len("if a then 1 ") + len("else if a then 2 ") * (limits.MAX_IF_BRANCHES - 1) + 6
    assert _message(f"if a then 1 {branches}else 3 -> x\n") == (
        f"2:{column}: this `if` has more than 200 branches (the limit); translate the "
        "values through a `table`")


def test_an_operator_chain_beyond_the_depth_limit_is_a_located_error() -> None:
    assert _message("TotalFacture" + " + TotalFacture" * 512 + " -> totals.net\n") == (
        "2:1: this expression nests more than 64 levels deep (the limit); name a part of "
        "it with `let` and use the name")
    # at the limit it still compiles
    parse_text(HEADER + "TotalFacture" + " + TotalFacture" * 63 + " -> totals.net\n")


def test_nested_each_blocks_beyond_the_limit() -> None:
    depth = limits.MAX_EACH_DEPTH + 2
    body = "".join("  " * i + f"each L{i} <-> l{i}\n" for i in range(depth))
    body += "  " * depth + "a <-> b\n" + "".join("  " * i + "end\n"
                                                 for i in reversed(range(depth)))
    assert _message(body) == (
        "10:17: `each` blocks nest more than 8 deep here (the limit); map the inner lists "
        "in a mapping of their own")


def test_the_deepest_allowed_blocks_compile(registry: Any) -> None:
    depth = limits.MAX_EACH_DEPTH
    body = "".join("  " * i + f"each L{i} <-> l{i}\n" for i in range(depth))
    body += "  " * depth + "upper(a) <-> b keep\n" + "  " * depth + \
        "sum(X, sum(Y, q)) -> r\n"
    body += "".join("  " * i + "end\n" for i in reversed(range(depth)))
    mapping = compile_text(HEADER + body, "t.map", registry, use_cache=False)
    doc: dict[str, Any] = {"a": "x"}
    for i in reversed(range(depth)):
        doc = {f"L{i}": [doc]}
    out = mapping.forward(doc).value
    for i in range(depth):
        out = out[f"l{i}"][0]
    assert out == {"b": "X"}


def test_a_rule_python_cannot_nest_is_a_located_compile_error(registry: Any) -> None:
    report = check_text(HEADER + "sum(X, " * 60 + "q" + ")" * 60 + " -> totals.net\n", "t.map",
                        registry)
    messages = [f"{f.problem.line}:{f.problem.column}: {f.problem.message}"
                for f in report.findings if f.problem.code == "limit"]
    assert messages == ["2:1: this rule nests too deep to compile (blocks, conditions and "
                        "aggregates inside each other); name a part of it with `let`, or "
                        "split it"]


def test_a_path_beyond_the_limit_is_refused_quickly_even_when_huge() -> None:
    assert _message("A" + ".B" * 200_000 + " -> totals.net\n") == (
        "2:1: this path has more than 64 names (the limit: no document nests deeper than "
        "64 levels)")
    assert _message("x -> totals.net\nA" + ".B" * 64 + " -> totals.net\n").startswith(
        "3:129: this path has more than 64 names")
    # a long name is not a long path; a long text in quotes holds no path
    parse_text(HEADER + "A" + "B" * 400_000 + " -> totals.net\n")
    parse_text(HEADER + '"' + "a." * 1000 + '" -> totals.net\n')


def test_fmt_is_idempotent_with_a_bare_carriage_return_in_a_comment() -> None:
    text = HEADER + "# a\rb\n\nNoFacture <-> number  # x\nNoClient -> buyer.id\n\n# last\n"
    once = format_text(text)
    assert once == text  # nothing lost: the blank lines and the last comment stay
    assert format_text(once) == once
