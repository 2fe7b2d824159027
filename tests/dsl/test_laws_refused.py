"""`<->` rules that would break a lens law: refused by `check` at line:col with the fix, or
(where only a value can tell) refused at run time with an error naming the view's field.

Each case is one the issue saw accepted: the expected messages are written by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

from passeur.checking import check_text
from passeur.dsl import compile_text

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"


def _errors(body: str, registry: Any) -> list[str]:
    report = check_text(HEADER + body, "t.map", registry)
    return [f"{f.problem.line}:{f.problem.column}: {f.problem.message}"
            for f in report.findings if f.problem.line > 1]


def test_number_round_trip_needs_keep(registry: Any) -> None:
    assert _errors("number(NoFacture) <-> totals.net\n", registry) == [
        '2:1: `number` does not give back exactly what it read ("007" is read as 7 and '
        'written back as "7"), so `<->` would change the document it writes back to; add '
        "`keep` (the original is written back when the value did not change), or write "
        "`number(NoFacture) -> totals.net` and a separate `NoFacture <- totals.net` rule"]
    assert _errors("number(NoFacture) <-> totals.net keep\n", registry) == []


@pytest.mark.parametrize("function", ["integer", "text", "decimal_comma"])
def test_other_normalising_functions_need_keep(function: str, registry: Any) -> None:
    errors = _errors(f"{function}(NoFacture) <-> extensions.reference\n", registry)
    assert any(m.startswith(f"2:1: `{function}` does not give back exactly what it read")
               for m in errors), errors


def test_text_of_a_boolean_or_a_date_is_refused(registry: Any) -> None:
    assert _errors("Description <-> text(issue_date) keep\n", registry) == [
        "2:17: `text` of a date cannot be written back by `<->`: its inverse `number` gives "
        "a decimal, not a date; for a date write `format_date(...)`"]
    errors = _errors("text(EstActif) <-> extensions.paid keep\n", registry)
    assert ("2:1: `text` of a boolean cannot be written back by `<->`: its inverse `number` "
            "gives a decimal, not a boolean; for a boolean write `boolean_text(...)`"
            in errors)


def test_two_rules_writing_one_field_back_are_refused(registry: Any) -> None:
    assert _errors("NoFacture <-> number\nNoFacture <-> extensions.shortcut\n", registry) == [
        "3:1: `NoFacture` is already written backward by the `<->` rule at line 2 "
        "(`NoFacture <-> number`): backward, the last rule would silently win; make one of "
        "them one-way (`NoFacture -> extensions.shortcut`)"]
    both = "each LigneFacture <-> lines\n  QteFacture <-> quantity\n" \
           "  QteCommande <-> quantity\nend\n"
    assert _errors(both, registry) == [
        "4:19: `quantity` is already written forward by the `<->` rule at line 3 "
        "(`QteFacture <-> quantity`): forward, the last rule would silently win; make one "
        "of them one-way (`QteCommande <- quantity`)"]



def test_a_field_inside_a_blocks_list_is_refused(registry: Any) -> None:
    """Written before the block, the list replaces the object holding it; after it, the
    object replaces the list: either way one of them would be lost with no issue."""
    block = "each LigneFacture <-> lines\n  QteFacture <-> quantity\nend\n"
    assert _errors("sum(LigneFacture, QteFacture) -> lines.quantity\n" + block,
                   registry) == [
        "2:34: `lines.quantity` is inside the list `lines` that the block at line 3 "
        "(`each LigneFacture <-> lines`) writes forward: the one written last would "
        "silently replace the other; write it outside the list, or as a rule inside the "
        "block"]
    assert _errors(block + "LigneFacture.QteFacture <- number\n", registry) == [
        "5:1: `LigneFacture.QteFacture` is inside the list `LigneFacture` that the block at line 2 "
        "(`each LigneFacture <-> lines`) writes backward: the one written last would "
        "silently replace the other; write it outside the list, or as a rule inside the "
        "block"]
    # the same field as the list: the one-way fallback (the last present wins), allowed
    assert _errors("each LigneFacture -> lines\n  PrixFinal -> unit_price_net\nend\n"
                   + block, registry) == []

KINDS = """\
table kinds
  "FACTURES"    <-> "invoice"
  "SOUMISSIONS" <-> "quote"
  else -> "other_invoice"
  else <- "FACTURES"
end
"""


def test_keep_with_a_backward_fallback_is_refused(registry: Any) -> None:
    assert _errors(KINDS + "TypeDoc <-> kind via kinds keep\n", registry) == [
        '8:18: table kinds cannot be written back by `<->`: its `else <-` fallback writes '
        '"FACTURES" for any value it does not know, which reads back as something else; '
        "remove the `else <-` line (an unknown value is then reported), or write "
        "`TypeDoc -> kind via kinds` and a separate `TypeDoc <- kind via kinds` rule"]


def test_keep_with_an_entry_that_reads_back_otherwise_is_refused(registry: Any) -> None:
    table = 'table kinds\n  "FACTURES" <-> "invoice"\n  "FACTURES" <- "other_invoice"\nend\n'
    [message] = _errors(table + "TypeDoc <-> kind via kinds keep\n", registry)
    assert message == (
        '6:18: table kinds cannot be written back by `<->`: "other_invoice" is written back '
        'as "FACTURES", which reads back as "invoice"; make the entries agree, or write '
        "`TypeDoc -> kind via kinds` and a separate `TypeDoc <- kind via kinds` rule")


def test_keep_with_only_a_forward_fallback_is_lawful(registry: Any) -> None:
    table = KINDS.replace('  else <- "FACTURES"\n', "")
    mapping = compile_text(HEADER + table + "TypeDoc <-> kind via kinds keep\n", "t.map",
                           registry)
    original = {"TypeDoc": "BONS"}
    view = mapping.forward(original).value
    assert view == {"kind": "other_invoice"}
    assert mapping.backward(view, original).value == original  # kept
    lost = mapping.backward({"kind": "other_invoice"}, {})  # no original: reported
    assert lost.value == {}
    assert [i.message for i in lost.issues] == [
        'value "other_invoice" at kind is not in table kinds']


SPLIT = HEADER + 'split(Description, ", ") <-> buyer.address.lines\n'


def test_split_refuses_a_view_it_cannot_write_back(registry: Any) -> None:
    mapping = compile_text(SPLIT, "s.map", registry)
    bad = mapping.backward({"buyer": {"address": {"lines": ["1, rue X", "Paris"]}}}, {})
    assert bad.value == {}
    [issue] = bad.issues
    assert issue.path == "buyer.address.lines"
    assert issue.message == (
        'value ["1, rue X", "Paris"] at buyer.address.lines cannot be written back exactly: '
        'what this rule would write reads back as ["1", "rue X", "Paris"]')
    empty = mapping.backward({"buyer": {"address": {"lines": [""]}}}, {})
    assert [i.message for i in empty.issues] == [
        'value [""] at buyer.address.lines cannot be written back exactly: what this rule '
        "would write reads back as []"]
    good = mapping.backward({"buyer": {"address": {"lines": ["1 rue X", "Paris"]}}}, {})
    assert good.issues == [] and good.value == {"Description": "1 rue X, Paris"}


def test_keep_without_inverse_refuses_a_new_value_that_reads_otherwise(registry: Any) -> None:
    mapping = compile_text(HEADER + "upper(Description) <-> extensions.name keep\n", "u.map",
                           registry)
    kept = mapping.backward({"extensions": {"name": "ACME"}}, {"Description": "Acme"})
    assert kept.value == {"Description": "Acme"} and kept.issues == []
    new = mapping.backward({"extensions": {"name": "BETA"}}, {"Description": "Acme"})
    assert new.value == {"Description": "BETA"} and new.issues == []
    small = mapping.backward({"extensions": {"name": "beta"}}, {"Description": "Acme"})
    assert [i.message for i in small.issues] == [
        'value "beta" at extensions.name cannot be written back exactly: what this rule '
        'would write reads back as "BETA"']


def test_a_failing_inverse_names_the_view_field(registry: Any) -> None:
    mapping = compile_text(HEADER + 'date(DateFacture, "DD/MM/YYYY") <-> issue_date\n',
                           "d.map", registry)
    result = mapping.backward({"issue_date": "soon"}, {})
    [issue] = result.issues
    assert issue.path == "issue_date"
