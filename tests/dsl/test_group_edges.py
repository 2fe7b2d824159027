"""Edges of `group` (docs/mapping-language.md, "Grouping and summaries"): a null summary read
backward is checked like `[]`, and null and absent `by` values are one "no value" group."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.dsl.test_group import GROUP, POSITIONS, _mapping

D = Decimal


def test_a_null_summary_backward_is_checked_like_an_empty_one(registry: Any) -> None:
    mapping = _mapping(registry)
    left = {"positions": POSITIONS[:3]}
    view = mapping.forward(left).value
    view["tax_breakdown"] = None
    back = mapping.backward(view, left)
    assert [(i.path, i.message) for i in back.issues] == [(
        "tax_breakdown",
        "value null at tax_breakdown is a summary of no item, but the items written back "
        "make 2 groups: a summary is computed from the items; change them, not the "
        "summary")]
    assert back.value == left  # nothing of the summary is written
    # no items, or a null list: a null summary agrees with them
    for lines in ([], None):
        back = mapping.backward({"lines": lines, "tax_breakdown": None}, {})
        assert (back.value, back.issues) == ({"positions": lines}, [])


def test_null_and_absent_by_values_are_one_no_value_group(registry: Any) -> None:
    result = _mapping(registry, GROUP).forward({"positions": [
        {"tax": None, "total_price_net": D("1.00")}, {"total_price_net": 2},
        {"tax": "6", "total_price_net": 3}, {"tax": None, "total_price_net": D("0.50")}]})
    assert (result.value, result.issues) == ({"tax_breakdown": [
        # read on the group's first item (null here); every amount is in a group
        {"rate": None, "taxable_amount": D("3.50"), "tax_amount": None, "code": "3"},
        {"rate": D("6"), "taxable_amount": 3, "tax_amount": D("0.18"), "code": "1"}]}, [])


def test_a_summary_field_no_rule_writes_is_reported_backward(registry: Any) -> None:
    mapping = _mapping(registry)
    left = {"positions": POSITIONS[:3]}
    view = mapping.forward(left).value
    view["tax_breakdown"][1]["note"] = "exempt"
    view["tax_breakdown"][1]["extensions"] = {"k": 1}
    back = mapping.backward(view, left)
    assert [(i.path, i.message) for i in back.issues] == [(
        "tax_breakdown[1].note",
        'value "exempt" at tax_breakdown[1].note is in a field no rule of the group '
        "writes: it is not computed from the items written back, so it would be lost; "
        "compute it in the group, or leave it out of the view")]
    assert back.value == left
    del view["tax_breakdown"][1]["note"]
    assert [i.path for i in mapping.backward(view, left).issues] == [
        "tax_breakdown[1].extensions"]
