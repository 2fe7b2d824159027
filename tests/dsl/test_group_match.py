"""A summary's items are matched to the groups by their group, never by position
(docs/mapping-language.md, "Grouping and summaries"): a reordered summary agrees, an item
naming a rate no line has is an error at its field, and a summary written over the
original keeps, item by group, the fields no rule of the group writes."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from passeur.dsl import compile_text
from tests.dsl.test_group import POSITIONS, _mapping

D = Decimal
SUMMARY_OF_CHANGE = "a summary is computed from the items; change them, not the summary"


def _three_lines(registry: Any) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """The mapping, a document of three lines (rates 21, 6, 21) and its view."""
    mapping = _mapping(registry)
    left = {"positions": POSITIONS[:3]}
    return mapping, left, mapping.forward(left).value


def _issues(result: Any) -> list[tuple[str, str]]:
    return [(i.path, i.message) for i in result.issues]


def test_a_reordered_summary_agrees_with_the_lines(registry: Any) -> None:
    mapping, left, view = _three_lines(registry)
    assert [row["rate"] for row in view["tax_breakdown"]] == [D("21"), D("6")]
    view["tax_breakdown"].reverse()
    back = mapping.backward(view, left)
    assert (back.value, back.issues) == (left, [])
    # a reordered summary still compares each item with its own group
    view["tax_breakdown"][0]["taxable_amount"] = D("10.49")  # the 6 % item, now first
    assert _issues(mapping.backward(view, left)) == [(
        "tax_breakdown[0].taxable_amount",
        "value 10.49 at tax_breakdown[0].taxable_amount is not what the group gives from "
        f"the items written back (10.50): {SUMMARY_OF_CHANGE}")]


def test_a_rate_no_line_has_is_an_error_naming_its_field(registry: Any) -> None:
    mapping, left, view = _three_lines(registry)
    view["tax_breakdown"].insert(1, {"rate": D("12"), "taxable_amount": D("5.00")})
    back = mapping.backward(view, left)
    assert _issues(back) == [(
        "tax_breakdown[1].rate",
        f"value 12 at tax_breakdown[1].rate names no group of the items written back: "
        f"{SUMMARY_OF_CHANGE}")]
    assert back.value == left  # nothing of the summary is written


def test_a_group_summarised_twice_names_the_first_item(registry: Any) -> None:
    mapping, left, view = _three_lines(registry)
    view["tax_breakdown"].append({"rate": D("21.00")})  # 21.00 is the rate 21
    assert _issues(mapping.backward(view, left)) == [(
        "tax_breakdown[2].rate",
        "value 21.00 at tax_breakdown[2].rate names the group of summary item 1 again: a "
        f"summary has one item per group; {SUMMARY_OF_CHANGE}")]


def test_a_group_the_summary_leaves_out_is_an_error_on_the_list(registry: Any) -> None:
    mapping, left, view = _three_lines(registry)
    del view["tax_breakdown"][0]  # the 21 % group
    assert _issues(mapping.backward(view, left)) == [(
        "tax_breakdown",
        "value 1 at tax_breakdown is the number of items of the summary, but the items "
        f"written back make 2 groups: {SUMMARY_OF_CHANGE}")]
    view["tax_breakdown"].insert(0, 7)
    assert _issues(mapping.backward(view, left)) == [(
        "tax_breakdown[0]",
        "value 7 at tax_breakdown[0] is not an object, so it cannot be an item of a "
        "group's summary")]


def test_an_item_without_its_rate_is_the_group_left_over(registry: Any) -> None:
    """A field the view leaves out says nothing: an item without its rate is matched to
    the first group no other item names."""
    mapping, left, view = _three_lines(registry)
    view["tax_breakdown"] = [{"taxable_amount": D("10.50")},
                             {"rate": 21, "taxable_amount": D("130.00")}]
    assert mapping.backward(view, left).issues == []
    view["tax_breakdown"][0]["taxable_amount"] = D("130.00")
    assert [i.path for i in mapping.backward(view, left).issues] == [
        "tax_breakdown[0].taxable_amount"]


def test_without_a_field_written_from_by_items_are_matched_by_position(
        registry: Any) -> None:
    text = ("mapping vosfactures.invoice <-> passeur.invoice\n"
            "each positions <-> lines\n  total_price_net <-> net_amount\n"
            "  tax <-> extensions.vat\nend\n"
            "group positions -> tax_breakdown by tax\n"
            "  sum(total_price_net) -> taxable_amount\nend\n")
    mapping = compile_text(text, "g.map", registry, use_cache=False)
    left = {"positions": POSITIONS[:3]}
    view = mapping.forward(left).value
    assert view["tax_breakdown"] == [{"taxable_amount": D("130.00")},
                                     {"taxable_amount": D("10.50")}]
    assert mapping.backward(view, left).issues == []
    view["tax_breakdown"].reverse()  # nothing says which group an item is: by position
    assert [i.path for i in mapping.backward(view, left).issues] == [
        "tax_breakdown[0].taxable_amount"]


BACKWARD_GROUP = ("mapping passeur.invoice <-> vosfactures.invoice\n"
                  "each lines <-> positions\n  net_amount <-> total_price_net\n"
                  "  extensions.vat <-> tax\nend\n"
                  "group tax_breakdown <- positions by tax\n  rate <- number(tax)\n"
                  "  taxable_amount <- sum(total_price_net)\nend\n")


def test_a_summary_written_over_the_original_keeps_its_other_fields_by_group(
        registry: Any) -> None:
    mapping = compile_text(BACKWARD_GROUP, "g.map", registry, use_cache=False)
    original = {
        "lines": [{"net_amount": D("10.00"), "extensions": {"vat": "21"}},
                  {"net_amount": D("4.00"), "extensions": {"vat": "0"}}],
        # in another order than the lines give, with fields the group does not compute
        "tax_breakdown": [
            {"rate": D("0"), "taxable_amount": D("4.00"), "category": "E",
             "exemption_reason": "Article 44", "scheme": "VAT"},
            {"rate": D("21.00"), "taxable_amount": D("10.00"), "category": "S"}]}
    view = mapping.forward(original)
    assert (view.value, view.issues) == ({"positions": [
        {"total_price_net": D("10.00"), "tax": "21"},
        {"total_price_net": D("4.00"), "tax": "0"}]}, [])
    back = mapping.backward(view.value, original)
    # put(get(s), s) == s up to the summary's order, which the lines give
    assert (back.value, back.issues) == ({
        "lines": original["lines"],
        "tax_breakdown": [
            {"rate": D("21"), "taxable_amount": D("10.00"), "category": "S"},
            {"rate": D("0"), "taxable_amount": D("4.00"), "category": "E",
             "exemption_reason": "Article 44", "scheme": "VAT"}]}, [])
    assert mapping.forward(back.value).issues == []  # the kept fields are not lost
    edited = copy.deepcopy(view.value)
    edited["positions"][1]["total_price_net"] = D("6.00")  # a new base for 0 %
    edited["positions"].append({"total_price_net": 1, "tax": "6"})  # a new rate
    back = mapping.backward(edited, original)
    assert (back.value["tax_breakdown"], back.issues) == ([
        {"rate": D("21"), "taxable_amount": D("10.00"), "category": "S"},
        {"rate": D("0"), "taxable_amount": D("6.00"), "category": "E",
         "exemption_reason": "Article 44", "scheme": "VAT"},
        {"rate": D("6"), "taxable_amount": 1}], [])  # no original item: computed only
