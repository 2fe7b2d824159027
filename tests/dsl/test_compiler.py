"""The compiler: golden pairs (snippet -> output), absent/null/empty, errors, refusals."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from passeur.dsl import ABSENT, MappingCompileError, MappingRuleError, compile_text
from passeur.issues import Level

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"


def compile_rules(rules: str, registry: Any) -> Any:
    return compile_text(HEADER + rules, "invoice.map", registry)


def forward(rules: str, record: dict[str, Any], registry: Any) -> dict[str, Any]:
    result = compile_rules(rules, registry).forward(record)
    assert result.issues == []
    return result.value


GOLDEN = [
    ("NoFacture <-> number", {"NoFacture": "10044"}, {"number": "10044"}),
    ("InfoClientFacturerA.NoClient <-> buyer.id",
     {"InfoClientFacturerA": {"NoClient": "C1"}}, {"buyer": {"id": "C1"}}),
    ("Devise -> currency default \"CAD\"", {}, {"currency": "CAD"}),
    ("Devise -> currency default \"CAD\"", {"Devise": None}, {"currency": "CAD"}),
    ("Devise -> currency default \"CAD\"", {"Devise": ""}, {"currency": ""}),
    ("Qte * Prix -> total", {"Qte": 3, "Prix": Decimal("12.50")}, {"total": Decimal("37.50")}),
    ("Qte * Prix -> total", {"Qte": "3", "Prix": "0.10"}, {"total": Decimal("0.30")}),
    ("Prix / 3 -> third", {"Prix": Decimal("1")},
     {"third": Decimal("0." + "3" * 200)}),  # 200 digits, until the mapping rounds it
    ("Prix * 3 -> x", {"Prix": Decimal("1234567890123456789012345678.901")},
     {"x": Decimal("3703703670370370367037037036.703")}),  # exact, not 28 digits
    ("Prix - 0.1 - 0.2 -> x", {"Prix": Decimal("0.3")}, {"x": Decimal("0.0")}),
    ("-Prix -> x", {"Prix": Decimal("2.5")}, {"x": Decimal("-2.5")}),
    ("Qte * Prix -> total", {"Qte": 3}, {}),
    ("Qte * Prix -> total", {"Qte": 3, "Prix": None}, {"total": None}),
    ("if Total > 0 then \"sale\" else \"purchase\" -> direction", {"Total": 5},
     {"direction": "sale"}),
    ("if Total > 0 then \"sale\" else \"purchase\" -> direction", {"Total": "-5"},
     {"direction": "purchase"}),
    ("if Total > 0 then \"sale\" else \"purchase\" -> direction", {},
     {"direction": "purchase"}),
    ("\"purchase\" -> direction when TypeDoc = \"ACHATS\"", {"TypeDoc": "FACTURES"}, {}),
    ("\"purchase\" -> direction when TypeDoc = \"ACHATS\"", {"TypeDoc": "ACHATS"},
     {"direction": "purchase"}),
    ("Prix = 12.5 and not (Qte != 1) or false -> flag", {"Prix": "12.50", "Qte": 1},
     {"flag": True}),
    ("sum(Lignes.Montant) -> total",
     {"Lignes": [{"Montant": Decimal("1.10")}, {}, {"Montant": Decimal("2.20")}]},
     {"total": Decimal("3.30")}),
    ("sum(Lignes, Qte * Prix) -> total",
     {"Lignes": [{"Qte": 2, "Prix": Decimal("1.25")}, {"Qte": 1, "Prix": Decimal("0.5")}]},
     {"total": Decimal("3.00")}),
    ("sum(Lignes.Montant) -> total", {"Lignes": []}, {"total": 0}),
    ("sum(Lignes.Montant) -> total", {}, {}),
    ("count(Lignes) -> n", {"Lignes": [{}, {}, {}]}, {"n": 3}),
    ("t_cents(Prix) <-> cents", {"Prix": Decimal("12.34")}, {"cents": 1234}),
    ("Prix <-> t_cents(cents)", {"Prix": 1234}, {"cents": Decimal("12.34")}),
    ("t_prefix(No, \"F-\") <-> number", {"No": "12"}, {"number": "F-12"}),
    ("`Date de facture` <-> issue_date", {"Date de facture": "x"}, {"issue_date": "x"}),
]


@pytest.mark.parametrize(("rules", "record", "expected"), GOLDEN)
def test_golden_forward(rules: str, record: dict[str, Any], expected: dict[str, Any],
                        registry: Any) -> None:
    assert forward(rules, record, registry) == expected


def test_golden_backward_writes_over_the_original(registry: Any) -> None:
    mapping = compile_rules(
        "NoFacture <-> number\n"
        "t_prefix(Client, \"C-\") <-> buyer.id\n"
        "Devise <- currency when currency != \"CAD\"\n", registry)
    original = {"NoFacture": "1", "Client": "7", "Kept": [1, 2]}
    result = mapping.backward({"number": "2", "buyer": {"id": "C-8"}, "currency": "USD"},
                              original)
    assert result.value == {"NoFacture": "2", "Client": "8", "Kept": [1, 2], "Devise": "USD"}
    assert original == {"NoFacture": "1", "Client": "7", "Kept": [1, 2]}  # not modified


def test_absent_null_and_empty_are_kept_apart_both_ways(registry: Any) -> None:
    mapping = compile_rules("A <-> a\nB <-> b\nC <-> c\n", registry)
    record = {"B": None, "C": ""}
    view = mapping.forward(record).value
    assert view == {"b": None, "c": ""}
    assert "a" not in view
    assert mapping.backward(view, {"A": "old", "B": 1}).value == {"B": None, "C": ""}


def test_real_date_function_round_trips(registry: Any) -> None:
    mapping = compile_rules('date(DateFacture, "DD/MM/YYYY") <-> issue_date\n', registry)
    view = mapping.forward({"DateFacture": "24/04/2024"}).value
    assert view == {"issue_date": datetime.date(2024, 4, 24)}
    assert mapping.backward(view).value == {"DateFacture": "24/04/2024"}


def test_value_table_with_fallbacks_one_way(registry: Any) -> None:
    mapping = compile_rules(
        "table kinds\n"
        '  "FACTURES" <-> "invoice"\n'
        '  "DEVIS" -> "quote"\n'
        '  "SOUMISSIONS" <-> "quote"\n'
        '  else -> "other_invoice"\n'
        "end\n"
        "TypeDoc -> kind via kinds\n"
        "TypeDoc <- kind via kinds\n", registry)
    assert [mapping.forward({"TypeDoc": t}).value["kind"]
            for t in ("FACTURES", "DEVIS", "SOUMISSIONS", "XYZ")] == [
        "invoice", "quote", "quote", "other_invoice"]
    assert mapping.backward({"kind": "quote"}).value == {"TypeDoc": "SOUMISSIONS"}
    result = mapping.backward({"kind": "receipt"})
    assert [i.message for i in result.issues] == [
        'value "receipt" at kind is not in table kinds']


def test_runtime_error_names_file_line_column_path_and_value(registry: Any) -> None:
    padding = "".join(f"# line {n}\n" for n in range(2, 20))
    text = (HEADER + padding
            + "each LigneFacture -> lines\n"
            + "    PrixFinal * Qte -> net_amount\n"
            + "end\n")
    mapping = compile_text(text, "invoice.map", registry)
    lines = [{"PrixFinal": Decimal(n), "Qte": 1} for n in range(3)] + [
        {"PrixFinal": "12,50", "Qte": 1}, {"PrixFinal": Decimal(5), "Qte": 2}]
    result = mapping.forward({"LigneFacture": lines})
    assert [str(i.mapping) for i in result.issues] == ["invoice.map:21:5"]
    issue = result.issues[0]
    assert issue.level is Level.ERROR
    assert issue.path == "LigneFacture[3].PrixFinal"
    assert issue.message == 'value "12,50" at LigneFacture[3].PrixFinal is not a number'
    # one bad line never hides the others
    assert [line.get("net_amount") for line in result.value["lines"]] == [
        Decimal(0), Decimal(1), Decimal(2), None, Decimal(10)]
    with pytest.raises(MappingRuleError) as info:
        mapping.forward({"LigneFacture": lines}, strict=True)
    error = info.value
    assert str(error) == ('invoice.map:21:5: value "12,50" at LigneFacture[3].PrixFinal is '
                          "not a number\n  rule: PrixFinal * Qte -> net_amount")
    assert (error.path, error.value, error.rule) == (
        "LigneFacture[3].PrixFinal", "12,50", "PrixFinal * Qte -> net_amount")


def test_function_errors_get_the_data_path(registry: Any) -> None:
    mapping = compile_rules('t_unprefix(Numero, "F-") <-> number\n', registry)
    result = mapping.forward({"Numero": "X-1"})
    assert [str(i) for i in result.issues] == [
        'error [mapping-runtime]: Numero: value "X-1" at Numero does not start with "F-" '
        "at invoice.map:2:1"]


def test_not_a_list_and_not_an_object(registry: Any) -> None:
    mapping = compile_rules("each L -> lines\n  A -> a\nend\n", registry)
    assert [i.message for i in mapping.forward({"L": "x"}).issues] == [
        'value "x" at L is not a list']
    result = mapping.forward({"L": [{"A": 1}, 7]})
    assert [i.message for i in result.issues] == ["value 7 at L[1] is not an object"]
    assert result.value == {"lines": [{"a": 1}]}


def refusal(rules: str, registry: Any) -> list[str]:
    with pytest.raises(MappingCompileError) as info:
        compile_rules(rules, registry)
    return [f"{p.position}: {p.message}" for p in info.value.problems]


def test_lossy_function_in_both_ways_rule_is_refused(registry: Any) -> None:
    assert refusal("t_shout(Nom) <-> name\n", registry) == [
        "invoice.map:2:1: `t_shout` loses information, so `<->` cannot write it back; write "
        "`t_shout(Nom) -> name` and a separate `Nom <- name` rule, or add `keep` to write "
        "back the original value when it did not change"]


def test_function_without_inverse_is_refused(registry: Any) -> None:
    assert refusal("a <-> t_noinverse(b)\n", registry) == [
        "invoice.map:2:7: `t_noinverse` has no inverse, so `<->` cannot write it back; "
        "write `a -> b` and a separate `a <- t_noinverse(b)` rule, or add `keep` to write "
        "back the original value when it did not change"]


def test_arithmetic_and_aggregates_cannot_be_both_ways(registry: Any) -> None:
    assert refusal("Qte * Prix <-> net_amount\nsum(L.M) <-> total\n", registry) == [
        "invoice.map:2:5: arithmetic (`*`) cannot be solved backward, so this rule cannot "
        "work both ways; write `Qte * Prix -> net_amount` and a separate "
        "`Qte * Prix <- net_amount` rule",
        "invoice.map:3:1: the aggregate `sum` cannot be solved backward, so this rule cannot "
        "work both ways; write `sum(L.M) -> total` and a separate `sum(L.M) <- total` rule"]


def test_default_guard_and_table_refusals_are_all_reported(registry: Any) -> None:
    problems = refusal(
        "table kinds\n"
        '  "A" <-> "a"\n'
        '  else -> "z"\n'
        "end\n"
        'Devise <-> currency default "CAD"\n'
        'Prix <-> price when Prix != 0\n'
        "TypeDoc <-> kind via kinds\n", registry)
    assert problems == [
        "invoice.map:6:29: a default loses information (the value it fills in cannot be "
        "told from a real one), so `<->` cannot write it back; write "
        '`Devise -> currency default "CAD"` and a separate `Devise <- currency` rule, or '
        "add `keep`",
        "invoice.map:7:26: a guard (`when`) makes a rule one-way; write "
        "`Prix -> price when ...` and `Prix <- price when ...`",
        "invoice.map:8:18: table kinds is not one-to-one (it has an `else` fallback), so "
        "`<->` cannot write it back; write `TypeDoc -> kind via kinds` and a separate "
        "`TypeDoc <- kind via kinds` rule, or add `keep`"]


def test_names_and_shapes_are_checked_together(registry: Any) -> None:
    problems = refusal(
        "dat(X) -> y\n"
        "A -> b via nope\n"
        "A -> b + 1\n"
        "A -> b keep\n"
        "sum(L) -> t\n", registry)
    assert problems == [
        "invoice.map:2:1: unknown function `dat`; did you mean 'date'?",
        "invoice.map:3:8: unknown table nope",
        "invoice.map:4:8: the right side of `->` is the field it writes and must be a path, "
        "not `b + 1`",
        "invoice.map:5:1: `keep` only applies to `<->` rules (it says what to write back)",
        "invoice.map:6:1: sum() takes a list and a field or an expression: "
        "sum(LigneFacture.PrixFinal) or sum(LigneFacture, QteFacture * PrixFinal)"]


def test_missing_header_and_misplaced_extends(registry: Any) -> None:
    with pytest.raises(MappingCompileError) as info:
        compile_text("A -> b\nextends route\n", "lib.map", registry)
    assert [f"{p.position}: {p.message}" for p in info.value.problems] == [
        "lib.map:1:1: a mapping file starts with a header such as "
        "`mapping SYSTEM.DOCTYPE <-> passeur.DOCTYPE`",
        "lib.map:2:1: `extends route` must come right after the header"]
    assert str(info.value).splitlines()[1:3] == ["  A -> b", "  ^"]


def test_sides_are_resolved_through_the_registry(registry: Any) -> None:
    mapping = compile_rules("A <-> b\n", registry)
    assert (mapping.left.system, mapping.left.variant, mapping.left.doctype) == (
        "erpconnector", "acomba", "invoice")
    assert (mapping.right.system, mapping.right.variant) == ("passeur", None)
    assert str(mapping.left) == "acomba.invoice"


def test_explain_records_rule_branch_and_default(registry: Any) -> None:
    mapping = compile_rules(
        "NoFacture <-> number\n"
        'Devise -> currency default "CAD"\n'
        'if Total > 0 then "sale" else "purchase" -> direction\n'
        "each L <-> lines\n"
        "  Q <-> quantity\n"
        "end\n", registry)
    result, trace = mapping.explain_forward(
        {"NoFacture": "1", "Total": -1, "L": [{"Q": 1}, {"Q": 2}]})
    assert result.value == mapping.forward(
        {"NoFacture": "1", "Total": -1, "L": [{"Q": 1}, {"Q": 2}]}).value
    assert [(t.path, t.position, t.branch, t.default_fired) for t in trace] == [
        ("number", "invoice.map:2:1", None, False),
        ("currency", "invoice.map:3:1", None, True),
        ("direction", "invoice.map:4:1", "else", False),
        ("lines[0].quantity", "invoice.map:6:3", None, False),
        ("lines[1].quantity", "invoice.map:6:3", None, False),
    ]
    assert trace[1].rule == 'Devise -> currency default "CAD"'
    _, back = mapping.explain_backward({"number": "2", "lines": [{"quantity": 3}]})
    assert [(t.path, t.position) for t in back] == [
        ("NoFacture", "invoice.map:2:1"), ("L[0].Q", "invoice.map:6:3")]
    assert "_tr.append" not in mapping.source  # the fast path does not trace


def test_generated_lines_map_back_to_rules(registry: Any) -> None:
    mapping = compile_rules("A <-> a\nB * 2 -> b\n", registry)
    lines = mapping.source.splitlines()
    number = next(n for n, line in enumerate(lines, 1) if "_arith(" in line)
    position = mapping.position_of(number)
    assert position is not None
    assert (position.line, position.column, position.rule) == (3, 1, "B * 2 -> b")


def test_absent_constant_is_never_written(registry: Any) -> None:
    assert ABSENT is not None and not ABSENT
    assert repr(ABSENT) == "ABSENT"
