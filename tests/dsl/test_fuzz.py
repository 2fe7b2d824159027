"""Whatever a mapping says, the compiler either refuses it with problems or produces code
that runs: no Python error ever escapes, on any document (failures become issues)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passeur.dsl import MappingCompileError, Result, ast, compile_text
from passeur.dsl.printer import expr_text

names = st.sampled_from(["A", "B", "L", "Prix", "Qte"])
paths = st.lists(names, min_size=1, max_size=2).map(lambda p: ast.Path(tuple(p)))
literals = st.one_of(st.text(max_size=3), st.decimals(0, 100, places=2), st.booleans(),
                     st.none()).map(ast.LiteralValue)


def _extend(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    return st.one_of(
        st.builds(ast.Arith, st.sampled_from("+-*/"), children, children),
        st.builds(ast.Compare, st.sampled_from(["=", "!=", "<", ">="]), children, children),
        st.builds(ast.BoolOp, st.sampled_from(["and", "or"]), children, children),
        st.builds(ast.Not, children),
        st.builds(ast.Neg, children),
        st.builds(ast.If, children, children, children),
        st.builds(ast.Call, st.sampled_from(["t_shout", "t_cents", "sum", "count"]),
                  st.lists(children, min_size=1, max_size=2).map(tuple)),
    )


expressions = st.recursive(st.one_of(literals, paths), _extend, max_leaves=6)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=3),
              st.decimals(-100, 100, places=2)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(names, inner, max_size=3)),
    max_leaves=8)
documents = st.dictionaries(names, json_values, max_size=5)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(expressions, paths, st.sampled_from(["->", "<-"])), min_size=1,
                max_size=3), documents, documents)
def test_compiled_code_never_raises(registry: Any, rules: list[Any], record: dict[str, Any],
                                    view: dict[str, Any]) -> None:
    lines = ["mapping acomba.invoice <-> passeur.invoice", "each L <-> lines"]
    lines.append("  A <-> a")
    lines.append("end")
    for expr, target, arrow in rules:
        if arrow == "->":
            lines.append(f"{expr_text(expr)} -> {expr_text(target)}")
        else:
            lines.append(f"{expr_text(target)} <- {expr_text(expr)}")
    text = "\n".join(lines) + "\n"
    try:
        mapping = compile_text(text, "fuzz.map", registry, use_cache=False)
    except MappingCompileError as exc:
        assert exc.problems
        return
    forward = mapping.forward(record)
    backward = mapping.backward(view, record)
    assert isinstance(forward, Result) and isinstance(backward, Result)
    for issue in forward.issues + backward.issues:
        assert str(issue.mapping).startswith("fuzz.map:")
    assert not any(isinstance(v, float) for v in _leaves(forward.value))


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def test_decimal_literals_stay_decimal(registry: Any) -> None:
    mapping = compile_text("mapping a.b <-> passeur.invoice\n0.1 + 0.2 -> x\n", "d.map",
                           registry)
    assert mapping.forward({}).value == {"x": Decimal("0.3")}
