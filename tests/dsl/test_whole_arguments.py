"""Integer parameters of functions take the numbers a mapping writes (exact decimals: 4,
4.0), refuse a fraction with a clear message, and `check` catches a wrong literal first."""

from __future__ import annotations

from typing import Any

from passeur.checking import check_text
from passeur.dsl import compile_text

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"


def test_integral_decimals_are_integers(registry: Any) -> None:
    mapping = compile_text(HEADER + 'pad_left(7, 5, "0") -> number\n'
                           "substring(Description, 2.0, 3) -> extensions.description\n"
                           'pad_right(NoFacture, 4, "*") -> extensions.code\n', "a.map", registry)
    result = mapping.forward({"Description": "abcdef", "NoFacture": "12"})
    assert result.issues == []
    assert result.value == {"number": "00007", "extensions": {"description": "bcd",
                                                              "code": "12**"}}


def test_a_fraction_is_refused_at_run_time_with_its_value(registry: Any) -> None:
    mapping = compile_text(HEADER + "substring(Description, 1, 2.5) -> number\n", "b.map",
                           registry)
    [issue] = mapping.forward({"Description": "abc"}).issues
    assert issue.message == "length 2.5 must be a whole number from 0 (it has a fraction) " \
        "(at Description)"
    assert str(issue.mapping) == "b.map:2:1"


def test_check_flags_literals_of_the_wrong_kind(registry: Any) -> None:
    report = check_text(HEADER + 'pad_left(NoFacture, 4.5, "0") -> number\n'
                        'pad_left(NoFacture, "5", "0") -> extensions.code\n'
                        'pad_left(NoFacture, 5, "0") -> extensions.other\n', "c.map", registry,
                        run=False)
    messages = [(f.problem.line, f.problem.column, f.problem.message) for f in report.findings
                if "argument" in f.problem.message]
    assert [(line, column) for line, column, _ in messages] == [(2, 21), (3, 21)]
    assert messages[0][2].startswith("argument 2 of `pad_left` must be an integer, but this "
                                     "is a decimal")
    assert messages[1][2].startswith("argument 2 of `pad_left` must be an integer, but this "
                                     "is a string")
