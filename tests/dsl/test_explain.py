"""Formatting and filtering of explain traces (the compiler's explain variant feeds them)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from passeur.dsl.explain import (
    TraceStep,
    field_matches,
    filter_steps,
    format_steps,
    normalise,
    steps_json,
    value_at,
)

STEPS = [
    TraceStep("number", "10044", "a.map:9:1", "NoFacture <-> number"),
    TraceStep("currency", "CAD", "a.map:12:1", 'Devise -> currency default "CAD"',
              default=True),
    TraceStep("direction", "sale", "a.map:15:1",
              'if TotalFacture > 0 then "sale" else "purchase" -> direction', branch="then"),
    TraceStep("lines[0].quantity", Decimal("3"), "a.map:20:3", "QteFacture <-> quantity"),
    TraceStep("lines[1].quantity", Decimal("1.5"), "a.map:20:3", "QteFacture <-> quantity"),
    TraceStep("notes", None, "a.map:13:1", 'Description -> notes when Description != ""',
              skipped="guard is false"),
]


def test_format_shows_value_origin_branch_and_default() -> None:
    assert format_steps(STEPS[:3]) == "\n".join([
        'number = "10044"',
        "  from a.map:9:1  NoFacture <-> number",
        'currency = "CAD"',
        '  from a.map:12:1  Devise -> currency default "CAD"',
        "  default fired",
        'direction = "sale"',
        '  from a.map:15:1  if TotalFacture > 0 then "sale" else "purchase" -> direction',
        "  branch: then",
    ])
    assert format_steps(STEPS[5:]) == (
        "notes: not written (guard is false)\n"
        '  from a.map:13:1  Description -> notes when Description != ""')


@pytest.mark.parametrize(("path", "wanted", "matches"), [
    ("lines[0].quantity", "lines.quantity", True),
    ("lines[0].quantity", "lines[].quantity", True),
    ("lines[0].quantity", "lines[0].quantity", True),
    ("lines[1].quantity", "lines[0].quantity", False),
    ("lines[0].quantity", "lines", True),
    ("totals.net", "totals", True),
    ("totals_x", "totals", False),
    ("number", "", True),
])
def test_field_matches(path: str, wanted: str, matches: bool) -> None:
    assert field_matches(path, wanted) is matches


def test_filter_keeps_the_field_and_what_lies_under_it() -> None:
    assert [s.path for s in filter_steps(STEPS, "lines.quantity")] == [
        "lines[0].quantity", "lines[1].quantity"]
    assert filter_steps(STEPS, None) == STEPS


def test_json_form_is_plain_data() -> None:
    assert steps_json(STEPS[3:4]) == [{
        "path": "lines[0].quantity", "value": "3", "position": "a.map:20:3",
        "rule": "QteFacture <-> quantity", "branch": None, "default": False,
        "skipped": None, "overridden": None, "final": True, "document": "",
        "note": None}]


def test_normalise_reads_dicts_and_position_objects() -> None:
    class Position:
        file, line, column = "b.map", 4, 7

    step = normalise({"target": "x", "value": 1, "position": Position(), "rule": "a -> x",
                      "default_fired": True, "branch": "else"})
    assert step == TraceStep("x", 1, "b.map:4:7", "a -> x", branch="else", default=True)


def test_values_missing_from_the_trace_are_read_from_the_output() -> None:
    class Entry:  # the compiler's TraceEntry carries no value
        path, rule, position = "lines[1].qty", "a <-> qty", "m:3:3"
        branch, default_fired = None, False

    output = {"lines": [{"qty": Decimal("1")}, {"qty": Decimal("2.5")}]}
    assert normalise(Entry(), output).value == Decimal("2.5")
    assert value_at(output, "lines[5].qty") is None
    assert value_at(output, "lines") == output["lines"]
