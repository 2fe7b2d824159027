"""Finer points of the semantics: nested blocks, keep with a default, one-way rules inside
blocks, division, comparisons, guards on `<-`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from passeur.dsl import compile_text

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"


def compile_rules(rules: str, registry: Any) -> Any:
    return compile_text(HEADER + rules, "sem.map", registry)


def test_nested_blocks_both_ways(registry: Any) -> None:
    mapping = compile_rules(
        "each Lignes <-> lines key Code = product_code\n"
        "  Code <-> product_code\n"
        "  each Taxes <-> taxes key Nom = scheme\n"
        "    Nom <-> scheme\n"
        "    Taux <-> rate\n"
        "  end\n"
        "end\n", registry)
    source = {"Lignes": [
        {"Code": "A", "Taxes": [{"Nom": "TPS", "Taux": Decimal("5"), "Compte": "2100"},
                                {"Nom": "TVQ", "Taux": Decimal("9.975"), "Compte": "2110"}]},
    ]}
    view = mapping.forward(source).value
    assert view == {"lines": [{"product_code": "A", "taxes": [
        {"scheme": "TPS", "rate": Decimal("5")}, {"scheme": "TVQ", "rate": Decimal("9.975")}]}]}
    assert mapping.backward(view, source).value == source
    swapped = {"lines": [{"product_code": "A", "taxes": [
        {"scheme": "TVQ", "rate": Decimal("10")}, {"scheme": "TPS", "rate": Decimal("5")}]}]}
    assert mapping.backward(swapped, source).value == {"Lignes": [
        {"Code": "A", "Taxes": [{"Nom": "TVQ", "Taux": Decimal("10"), "Compte": "2110"},
                                {"Nom": "TPS", "Taux": Decimal("5"), "Compte": "2100"}]}]}


def test_runtime_path_in_nested_block_names_both_indexes(registry: Any) -> None:
    mapping = compile_rules(
        "each Lignes -> lines\n  each Taxes -> taxes\n    Taux * 2 -> rate\n  end\nend\n",
        registry)
    result = mapping.forward({"Lignes": [{"Taxes": []}, {"Taxes": [{"Taux": 1},
                                                                   {"Taux": "x"}]}]})
    assert [(i.path, i.message, str(i.mapping)) for i in result.issues] == [
        ("Lignes[1].Taxes[1].Taux", 'value "x" at Lignes[1].Taxes[1].Taux is not a number',
         "sem.map:4:5")]


def test_keep_with_default(registry: Any) -> None:
    mapping = compile_rules('Devise <-> currency default "CAD" keep\n', registry)
    assert mapping.forward({}).value == {"currency": "CAD"}
    assert mapping.backward({"currency": "CAD"}, {}).value == {}
    assert mapping.backward({"currency": "USD"}, {}).value == {"Devise": "USD"}
    assert mapping.backward({"currency": "CAD"}, {"Devise": "USD"}).value == {
        "Devise": "CAD"}


def test_one_way_rules_inside_a_two_way_block(registry: Any) -> None:
    mapping = compile_rules(
        "each Lignes <-> lines\n"
        "  Qte <-> quantity\n"
        "  Qte * Prix -> net_amount\n"
        "  Prix <- net_amount / quantity when quantity != 0\n"
        "end\n", registry)
    view = mapping.forward({"Lignes": [{"Qte": 2, "Prix": Decimal("1.5")}]}).value
    assert view == {"lines": [{"quantity": 2, "net_amount": Decimal("3.0")}]}
    back = mapping.backward({"lines": [{"quantity": 4, "net_amount": Decimal("10")}]})
    assert back.value == {"Lignes": [{"Qte": 4, "Prix": Decimal("2.5")}]}
    zero = mapping.backward({"lines": [{"quantity": 0, "net_amount": Decimal("10")}]})
    assert zero.value == {"Lignes": [{"Qte": 0}]}


def test_division_by_zero_is_reported_on_the_divisor(registry: Any) -> None:
    mapping = compile_rules("Total / Qte -> unit\n", registry)
    result = mapping.forward({"Total": 5, "Qte": 0})
    assert [i.message for i in result.issues] == [
        "value 0 at Qte is zero and cannot divide"]
    assert result.value == {}


def test_comparisons_mix_numbers_and_text(registry: Any) -> None:
    mapping = compile_rules(
        'if Prix >= "10.00" then "big" else "small" -> size\n'
        'Code = "A" -> is_a\n', registry)
    assert mapping.forward({"Prix": Decimal("10"), "Code": "A"}).value == {
        "size": "big", "is_a": True}
    assert mapping.forward({"Prix": 9}).value == {"size": "small", "is_a": False}
    result = mapping.forward({"Prix": [1]})
    assert [i.message for i in result.issues] == [
        'value [1] cannot be compared with "10.00"']


def test_a_null_list_stays_null_and_an_absent_one_absent(registry: Any) -> None:
    mapping = compile_rules("each L <-> lines\n  A <-> a\nend\n", registry)
    assert mapping.forward({"L": None}).value == {"lines": None}
    assert mapping.forward({}).value == {}
    assert mapping.backward({"lines": None}, {"L": [{"A": 1}]}).value == {"L": None}
    assert mapping.backward({}, {"L": [{"A": 1}], "B": 2}).value == {"B": 2}


def test_explain_backward_through_an_extends_route_is_the_same_as_backward(
        registry: Any) -> None:
    mapping = compile_rules('if Total > 0 then "sale" else "purchase" -> direction\n'
                            'Total <- 1 when direction = "sale"\n', registry)
    result, trace = mapping.explain_backward({"direction": "sale"}, {"Total": 5})
    assert result.value == mapping.backward({"direction": "sale"}, {"Total": 5}).value
    assert [(t.path, t.branch) for t in trace] == [("Total", "when")]


def test_field_names_with_braces_cannot_inject_code(registry: Any) -> None:
    mapping = compile_rules(
        "each L -> lines\n"
        "  `{__import__('os').getcwd()}` * 2 -> `{_i0}`\n"
        "end\n", registry)
    record = {"L": [{"{__import__('os').getcwd()}": "x"}]}
    result = mapping.forward(record)
    assert [i.path for i in result.issues] == ["L[0].{__import__('os').getcwd()}"]
    ok = {"L": [{"{__import__('os').getcwd()}": 2}]}
    _, trace = mapping.explain_forward(ok)
    assert [t.path for t in trace] == ["lines[0].{_i0}"]


def test_functions_are_not_called_on_absent_unless_they_accept_it(registry: Any) -> None:
    mapping = compile_rules("t_cents(Prix) -> cents\nt_presence(Prix) -> seen\n", registry)
    assert mapping.forward({}).value == {"seen": "absent"}  # t_cents would have failed
    assert mapping.forward({"Prix": None}).value == {"cents": None, "seen": "null"}
    assert mapping.forward({"Prix": Decimal("1.5")}).value == {"cents": 150,
                                                               "seen": "present"}
