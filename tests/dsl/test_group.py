"""Grouping and summaries: `group LIST -> SUMMARY by FIELD` (docs/mapping-language.md,
"Grouping and summaries"): one item per distinct `by` value, sum/count over the group,
one-way, checked backward against the items written back."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from passeur.checking import check_text
from passeur.dsl import compile_text
from passeur.dsl.printer import format_text

D = Decimal
HEADER = "mapping vosfactures.invoice <-> passeur.invoice\n"
LINES = ("each positions <-> lines\n"
         "  total_price_net <-> net_amount\n"
         "  tax <-> extensions.vat\n"
         "end\n")
GROUP = ("group positions -> tax_breakdown by tax\n"
         "  number(tax) -> rate\n"
         "  sum(total_price_net) -> taxable_amount\n"
         "  round(sum(total_price_net) * number(tax) / 100, 2) -> tax_amount\n"
         "  text(count()) -> code\n"
         "end\n")
POSITIONS = [{"total_price_net": D("100.00"), "tax": "21"},
             {"total_price_net": D("10.50"), "tax": "6"},
             {"total_price_net": 30, "tax": "21"},
             {"total_price_net": None, "tax": "6"}]


def _mapping(registry: Any, text: str = LINES + GROUP) -> Any:
    return compile_text(HEADER + text, "g.map", registry, use_cache=False)


def _errors(registry: Any, text: str) -> list[str]:
    return [f.render().split("\n")[0] for f in check_text(HEADER + text, "g.map",
                                                          registry).findings
            if "is never written" not in f.problem.message]


def test_one_summary_item_per_rate_in_order_of_first_appearance(registry: Any) -> None:
    result = _mapping(registry).forward({"positions": POSITIONS})
    assert result.issues == []
    summary = result.value["tax_breakdown"]
    assert summary == [
        {"rate": D("21"), "taxable_amount": D("130.00"), "tax_amount": D("27.30"),
         "code": "2"},
        {"rate": D("6"), "taxable_amount": D("10.50"), "tax_amount": D("0.63"), "code": "2"}]
    # money stays Decimal, exact, with the rounding the mapping says
    assert [type(v["taxable_amount"]) for v in summary] == [Decimal, Decimal]
    assert str(summary[0]["taxable_amount"]) == "130.00"


def test_equal_numbers_are_one_group_and_a_text_is_not_a_number(registry: Any) -> None:
    text = HEADER + ("group positions -> tax_breakdown by price_tax\n"
                     "  price_tax -> rate\n  count() -> code\n  position() -> taxable_amount\n"
                     "end\n")
    mapping = compile_text(text, "g.map", registry, use_cache=False)
    result = mapping.forward({"positions": [{"price_tax": D("20")}, {"price_tax": "20"},
                                            {"price_tax": D("20.00")}, {"price_tax": True},
                                            {}, {"price_tax": 1}]})
    assert result.issues == []
    assert result.value["tax_breakdown"] == [
        {"rate": D("20"), "code": 2, "taxable_amount": 1},
        {"rate": "20", "code": 1, "taxable_amount": 2},
        {"rate": True, "code": 1, "taxable_amount": 3},
        {"code": 1, "taxable_amount": 4},
        {"rate": 1, "code": 1, "taxable_amount": 5}]


def test_an_absent_list_writes_nothing_and_a_null_one_null(registry: Any) -> None:
    mapping = _mapping(registry, GROUP)
    assert mapping.forward({}).value == {}
    assert mapping.forward({"positions": None}).value == {"tax_breakdown": None}
    assert mapping.forward({"positions": []}).value == {"tax_breakdown": []}


def test_a_bad_value_is_an_error_naming_the_item(registry: Any) -> None:
    result = _mapping(registry, GROUP).forward(
        {"positions": [{"total_price_net": D("1"), "tax": "6"},
                       {"total_price_net": "abc", "tax": "6"}]})
    assert [i.message for i in result.issues] == [
        'value "abc" at positions[1].total_price_net is not a number',
        'value "abc" at positions[1].total_price_net is not a number']
    assert result.value == {"tax_breakdown": [{"rate": D("6"), "code": "2"}]}


def test_backward_the_view_summary_must_be_what_the_lines_give(registry: Any) -> None:
    mapping = _mapping(registry)
    left = {"positions": POSITIONS[:3]}
    view = mapping.forward(left).value
    back = mapping.backward(view, left)
    assert (back.value, back.issues) == (left, [])  # put(get(s), s) == s
    edited = copy.deepcopy(view)
    edited["tax_breakdown"][1]["taxable_amount"] = D("11.50")
    back = mapping.backward(edited, left)
    assert [(i.path, i.message) for i in back.issues] == [(
        "tax_breakdown[1].taxable_amount",
        "value 11.50 at tax_breakdown[1].taxable_amount is not what the group gives from "
        "the items written back (10.50): a summary is computed from the items; change "
        "them, not the summary")]
    assert back.value == left  # nothing of the summary is written
    edited = copy.deepcopy(view)
    edited["lines"][1]["extensions"]["vat"] = "21"  # the lines changed, the summary not
    back = mapping.backward(edited, left)
    assert [(i.path, i.message) for i in back.issues] == [(  # the view's 6 % has no line
        "tax_breakdown[1].rate",
        "value 6 at tax_breakdown[1].rate names no group of the items written back: a "
        "summary is computed from the items; change them, not the summary")]
    del edited["tax_breakdown"][1]  # one group, one summary item: only its sums differ
    back = mapping.backward(edited, left)
    assert [i.message for i in back.issues] == [
        "value 130.00 at tax_breakdown[0].taxable_amount is not what the group gives from "
        "the items written back (140.50): a summary is computed from the items; change "
        "them, not the summary"]


def test_backward_a_view_without_the_summary_or_a_field_of_it_is_not_checked(
        registry: Any) -> None:
    mapping = _mapping(registry)
    left = {"positions": POSITIONS[:3]}
    view = mapping.forward(left).value
    del view["tax_breakdown"][0]["code"]
    assert mapping.backward(view, left).issues == []
    del view["tax_breakdown"]
    assert mapping.backward(view, left).issues == []


@pytest.mark.parametrize(("text", "message"), [
    (GROUP.replace("->", "<->", 1),
     "g.map:2:1: error: a group is a summary computed from the items, so `<->` cannot "
     "write it back; write `->` (backward, the summary in the view is checked against the "
     "items written back)"),
    (GROUP.replace("sum(total_price_net) -> taxable_amount",
                   "total_price_net -> taxable_amount"),
     "g.map:4:3: error: `total_price_net` is a field of each item, not of the group: read "
     "it inside `sum(...)`, or add it to `by`"),
    (GROUP.replace("text(count())", "text(count(positions))"),
     "g.map:6:8: error: inside a `group`, count() takes no argument: it is the number of "
     "items in the group"),
    (GROUP.replace("sum(total_price_net) -> taxable_amount",
                   "sum(positions, total_price_net) -> taxable_amount"),
     "g.map:4:3: error: inside a `group`, sum() takes one expression, read on each item "
     "of the group: sum(QteFacture * PrixFinal)"),
    (GROUP.replace("text(count()) -> code", "number(tax) <-> rate"),
     "g.map:6:3: error: a rule inside a `group ->` block is one-way like it: write `->`"),
    (GROUP.replace("text(count()) -> code", "let n = count()"),
     "g.map:6:3: error: only rules may appear inside a `group` block, not `let`"),
    (GROUP.replace("by tax", "by taxe"),
     "g.map:2:37: error: unknown field `taxe` in vosfactures.invoice (inside `positions`); "
     "did you mean `tax`?"),
    (GROUP.replace("sum(total_price_net)", "sum(total_price_nt)", 1),
     "g.map:4:7: error: unknown field `total_price_nt` in vosfactures.invoice (inside "
     "`positions`); did you mean `total_price_net`?"),
    (GROUP.replace("sum(total_price_net) -> taxable_amount",
                   "sum(total_price_net / 3) -> taxable_amount"),
     "g.map:4:23: warning: this division is written with all its digits (1 / 3 gives 200 of "
     "them); round it: `round(..., 2)` or `money(...)`"),
    (GROUP.replace("positions ->", "number ->"),
     "g.map:2:7: error: `group` needs a list, but `number` of vosfactures.invoice is a "
     "string"),
])
def test_check_refuses_what_a_group_cannot_do(registry: Any, text: str,
                                              message: str) -> None:
    assert message in _errors(registry, text)


def test_the_printer_keeps_a_group(registry: Any) -> None:
    text = HEADER + "\n" + GROUP.replace("by tax", "by tax,  price_tax")
    assert format_text(text) == HEADER + "\n" + GROUP.replace("by tax", "by tax, price_tax")


def test_explain_names_each_summary_field(registry: Any) -> None:
    mapping = _mapping(registry, GROUP)
    _result, entries = mapping.explain_forward({"positions": POSITIONS[:2]})
    assert [e.path for e in entries] == [
        "tax_breakdown[0].rate", "tax_breakdown[0].taxable_amount",
        "tax_breakdown[0].tax_amount", "tax_breakdown[0].code",
        "tax_breakdown[1].rate", "tax_breakdown[1].taxable_amount",
        "tax_breakdown[1].tax_amount", "tax_breakdown[1].code"]


def test_a_backward_group_is_written_backward_and_checked_forward(registry: Any) -> None:
    text = ("mapping passeur.invoice <-> vosfactures.invoice\n"
            "each lines <-> positions\n  net_amount <-> total_price_net\n"
            "  extensions.vat <-> tax\nend\n"
            "group tax_breakdown <- positions by tax\n  rate <- number(tax)\n"
            "  taxable_amount <- sum(total_price_net)\nend\n")
    mapping = compile_text(text, "g.map", registry, use_cache=False)
    view = {"positions": [{"total_price_net": 1, "tax": "6"},
                          {"total_price_net": D("2.50"), "tax": "6"}]}
    back = mapping.backward(view, {})
    assert (back.value, back.issues) == ({
        "lines": [{"net_amount": 1, "extensions": {"vat": "6"}},
                  {"net_amount": D("2.50"), "extensions": {"vat": "6"}}],
        "tax_breakdown": [{"rate": D("6"), "taxable_amount": D("3.50")}]}, [])
    assert mapping.forward(back.value).value == view
    edited = dict(back.value, tax_breakdown=[{"rate": 6, "taxable_amount": 4}])
    assert [i.message for i in mapping.forward(edited).issues] == [
        "value 4 at tax_breakdown[0].taxable_amount is not what the group gives from the "
        "items written (3.50): a summary is computed from the items; change them, not the "
        "summary"]


def test_lines_grouped_by_their_list_of_taxes(registry: Any) -> None:
    """The canonical line holds its taxes as a list: lines with the same list (by content,
    keys in any order) are one group, and the group reads the list from its first line."""
    text = ("mapping passeur.invoice <-> passeur.invoice\n"
            "group lines -> tax_breakdown by taxes\n"
            "  sage_rate(taxes) -> rate\n  sum(net_amount) -> taxable_amount\nend\n")
    mapping = compile_text(text, "g.map", registry, use_cache=False)
    vat = [{"scheme": "VAT", "rate": D("21")}]
    result = mapping.forward({"lines": [
        {"net_amount": D("10.00"), "taxes": vat},
        {"net_amount": D("5.00"), "taxes": [{"rate": D("6"), "scheme": "VAT"}]},
        {"net_amount": D("2.50"), "taxes": [{"rate": D("21.0"), "scheme": "VAT"}]},
        {"net_amount": 1, "taxes": []}]})
    assert (result.value, result.issues) == ({"tax_breakdown": [
        {"rate": D("21"), "taxable_amount": D("12.50")},
        {"rate": D("6"), "taxable_amount": D("5.00")},
        {"rate": None, "taxable_amount": 1}]}, [])  # sage_rate of no tax: null


def test_where_leaves_items_out_before_grouping(registry: Any) -> None:
    text = (LINES.replace("end\n", "  quantity <-> quantity\nend\n")
            + "group positions -> tax_breakdown by tax where quantity > 0\n"
            "  tax -> code\n  sum(total_price_net) -> taxable_amount\nend\n")
    mapping = _mapping(registry, text)
    source = {"positions": [{"total_price_net": 1, "tax": "6", "quantity": 1},
                            {"total_price_net": 2, "tax": "6", "quantity": 0},
                            {"total_price_net": 4, "tax": "0", "quantity": 0},
                            {"total_price_net": 8, "tax": "21", "quantity": "x"}]}
    result = mapping.forward(source)
    assert result.value["tax_breakdown"] == [{"code": "6", "taxable_amount": 1}]
    assert [(i.path, i.message) for i in result.issues] == [
        ("positions[3]", 'value "x" at positions[3] is not a number')]
    del source["positions"][3]
    view = mapping.forward(source).value
    assert mapping.backward(view, source).issues == []  # the summary agrees with the lines
    assert format_text(HEADER + text) == HEADER + text
