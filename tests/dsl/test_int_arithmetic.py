"""Arithmetic on whole numbers read from JSON (`"QteFacture": 2` is an int): the compiled
fast path computes int x Decimal directly, with the same exact results and the same refusals
as the helper it used to go through (a boolean is not a number; text that reads as one is)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from passeur.dsl import compile_text

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"
RULES = """\
sum(LigneFacture, QteFacture * PrixFinal) -> totals.line_net
each LigneFacture -> lines
  QteFacture * PrixFinal -> net_amount
  QteFacture + QteFacture -> quantity
  -QteFacture -> extensions.negated
end
"""


def _run(lines: list[dict[str, Any]], registry: Any) -> Any:
    mapping = compile_text(HEADER + RULES, "int.map", registry)
    return mapping.forward({"LigneFacture": lines})


def test_int_times_decimal_is_exact_and_int_plus_int_stays_whole(registry: Any) -> None:
    result = _run([{"QteFacture": 3, "PrixFinal": Decimal("1.15")},
                   {"QteFacture": Decimal("0.5"), "PrixFinal": 7}], registry)
    assert result.issues == []
    assert result.value["totals"] == {"line_net": Decimal("6.95")}
    lines = result.value["lines"]
    assert [line["net_amount"] for line in lines] == [Decimal("3.45"), Decimal("3.5")]
    assert [str(line["net_amount"]) for line in lines] == ["3.45", "3.5"]
    assert [line["quantity"] for line in lines] == [6, Decimal("1.0")]
    assert lines[0]["quantity"].__class__ is int
    assert [line["extensions"]["negated"] for line in lines] == [-3, Decimal("-0.5")]


def test_a_boolean_is_still_refused_and_text_still_read(registry: Any) -> None:
    result = _run([{"QteFacture": True, "PrixFinal": Decimal("2")},
                   {"QteFacture": "2", "PrixFinal": Decimal("2.50")}], registry)
    assert [i.message for i in result.issues] == [
        "value true at LigneFacture[0].QteFacture is not a number",
        "value true at LigneFacture[0].QteFacture is not a number",
        "value true at LigneFacture[0].QteFacture is not a number",
        "value true at LigneFacture[0].QteFacture is not a number",
    ]
    assert result.value["lines"][1]["net_amount"] == Decimal("5.00")
