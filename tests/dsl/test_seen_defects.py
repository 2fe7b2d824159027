"""Defects issue 9 saw ("What was seen", items 4, 6 and 7), each pinned by its exact
outcome: what is written, and the message that says so."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from passeur.checking import check_text
from passeur.dsl import compile_text

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"


def _forward(body: str, doc: dict[str, Any], registry: Any) -> tuple[Any, list[str]]:
    mapping = compile_text(HEADER + body, "t.map", registry, use_cache=False)
    result = mapping.forward(doc)
    return result.value, [str(i) for i in result.issues]


def test_concat_skips_an_absent_part_instead_of_writing_nothing(registry: Any) -> None:
    rule = 'concat(Prenom, "-", Nom) -> buyer.name\n'
    assert _forward(rule, {"Nom": "Tremblay"}, registry) == (
        {"buyer": {"name": "-Tremblay"}}, [])
    assert _forward(rule, {"Prenom": "Luc", "Nom": "Tremblay"}, registry) == (
        {"buyer": {"name": "Luc-Tremblay"}}, [])
    # every field part absent: still nothing to write (no invented name)
    assert _forward("concat(Prenom, Nom) -> buyer.name\n", {}, registry) == ({}, [])


def test_an_object_looked_up_in_a_table_is_named_not_a_type_error(registry: Any) -> None:
    body = 'table kinds\n  "FACTURES" <-> "invoice"\nend\nTypeDoc <-> kind via kinds\n'
    assert _forward(body, {"TypeDoc": {"x": 1}}, registry) == (
        {}, ['error [mapping-runtime]: TypeDoc: value {"x": 1} at TypeDoc cannot be looked '
             "up in table kinds at t.map:5:1"])
    assert _forward(body, {"TypeDoc": ["FACTURES"]}, registry)[1] == [
        'error [mapping-runtime]: TypeDoc: value ["FACTURES"] at TypeDoc cannot be looked '
        "up in table kinds at t.map:5:1"]


def test_an_unrounded_division_is_a_warning_at_the_operator(registry: Any) -> None:
    report = check_text(HEADER + "TotalFacture / 3 -> totals.net\n"
                        "round(TotalFacture / 3, 2) -> totals.tax\n"
                        "TotalFacture -> totals.gross when TotalFacture / 3 > 1\n",
                        "t.map", registry, run=False)
    found = [(f.problem.line, f.problem.column, str(f.level), f.problem.message)
             for f in report.findings if f.problem.code == "division"]
    assert found == [(2, 14, "warning", "this division is written with all its digits "
                      "(1 / 3 gives 200 of them); round it: `round(..., 2)` or "
                      "`money(...)`")]


def test_negate_of_zero_keeps_no_minus_sign(registry: Any) -> None:
    value, issues = _forward("negate(TotalFacture) -> totals.net\n",
                             {"TotalFacture": Decimal("0.00")}, registry)
    assert str(value["totals"]["net"]) == "0.00" and issues == []
