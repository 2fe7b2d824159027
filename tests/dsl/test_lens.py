"""`<->` rules are lenses: the round-trip laws, checked by hypothesis, and key matching."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passeur.dsl import compile_text

LENS_MAPPING = """\
mapping acomba.invoice <-> passeur.invoice

table kinds
  "FACTURES"    <-> "invoice"
  "SOUMISSIONS" <-> "quote"
  "DEVIS"        -> "quote"
end

NoFacture <-> number
InfoClient.NoClient <-> buyer.id
t_prefix(Ref, "R-") <-> extensions.reference
t_cents(Montant) <-> extensions.cents
TypeDoc <-> kind via kinds keep
t_shout(Nom) <-> buyer.name keep
each Lignes <-> lines key Code = product_code
  Code <-> product_code
  Qte <-> quantity
  Prix <-> unit_price_net
end
"""


@pytest.fixture(scope="module")
def lens(registry: Any) -> Any:
    return compile_text(LENS_MAPPING, "lens.map", registry)


texts = st.text(st.characters(codec="utf-8", blacklist_categories=("Cs",)), max_size=6)
maybe_text = st.one_of(texts, st.none())
amounts = st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False,
                      allow_infinity=False)


def optional(draw: Any, record: dict[str, Any], key: str, values: Any) -> None:
    if draw(st.booleans()):
        record[key] = draw(values)


@st.composite
def lines(draw: Any) -> dict[str, Any]:
    line: dict[str, Any] = {}
    optional(draw, line, "Code", st.one_of(st.sampled_from(["A", "B", "C", "D"]), st.none()))
    optional(draw, line, "Qte", st.one_of(st.integers(0, 50), amounts))
    optional(draw, line, "Prix", st.one_of(amounts, st.none()))
    optional(draw, line, "Entrepot", texts)  # not mapped: must survive a round trip
    return line


@st.composite
def sources(draw: Any) -> dict[str, Any]:
    record: dict[str, Any] = {}
    optional(draw, record, "NoFacture", maybe_text)
    optional(draw, record, "InfoClient", st.one_of(
        st.none(), st.fixed_dictionaries({}, optional={"NoClient": maybe_text})))
    optional(draw, record, "Ref", maybe_text)
    optional(draw, record, "Montant", st.one_of(amounts, st.none()))
    optional(draw, record, "TypeDoc", st.sampled_from(["FACTURES", "SOUMISSIONS", "DEVIS"]))
    optional(draw, record, "Nom", maybe_text)
    optional(draw, record, "Lignes", st.one_of(st.none(), st.lists(lines(), max_size=5)))
    optional(draw, record, "Autre", texts)
    return record


LAWS = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@LAWS
@given(sources())
def test_put_get_law(lens: Any, source: dict[str, Any]) -> None:
    """put(get(s), s) == s: reading then writing back unchanged gives the original."""
    view = lens.forward(source)
    assert view.issues == []
    back = lens.backward(view.value, source)
    assert back.issues == []
    assert back.value == source


@LAWS
@given(sources(), sources())
def test_get_put_law(lens: Any, source: dict[str, Any], other: dict[str, Any]) -> None:
    """get(put(v, s)) == v, for any view v the mapping can produce (here: other's)."""
    view = lens.forward(other).value
    written = lens.backward(view, source)
    assert written.issues == []
    assert lens.forward(written.value).value == view


def test_reordered_and_inserted_lines_keep_their_own_data(lens: Any) -> None:
    original = {"Lignes": [
        {"Code": "A", "Qte": 1, "Entrepot": "Montréal"},
        {"Code": "B", "Qte": 2, "Entrepot": "Québec"},
    ]}
    view = {"lines": [
        {"product_code": "B", "quantity": 5},
        {"product_code": "NEW", "quantity": 9},
        {"product_code": "A", "quantity": 1},
    ]}
    assert lens.backward(view, original).value == {"Lignes": [
        {"Code": "B", "Qte": 5, "Entrepot": "Québec"},
        {"Code": "NEW", "Qte": 9},
        {"Code": "A", "Qte": 1, "Entrepot": "Montréal"},
    ]}


def test_a_deleted_line_disappears_and_the_others_do_not_shift(lens: Any) -> None:
    original = {"Lignes": [{"Code": "A", "Entrepot": "1"}, {"Code": "B", "Entrepot": "2"},
                           {"Code": "C", "Entrepot": "3"}]}
    view = {"lines": [{"product_code": "A"}, {"product_code": "C"}]}
    assert lens.backward(view, original).value == {"Lignes": [
        {"Code": "A", "Entrepot": "1"}, {"Code": "C", "Entrepot": "3"}]}


def test_keep_writes_back_the_original_when_unchanged(lens: Any) -> None:
    original = {"Nom": "Acme inc.", "TypeDoc": "DEVIS"}
    view = lens.forward(original).value
    assert view == {"buyer": {"name": "ACME INC."}, "kind": "quote"}
    assert lens.backward(view, original).value == original
    changed = lens.backward({"buyer": {"name": "OTHER"}, "kind": "quote"}, original)
    assert changed.value == {"Nom": "OTHER", "TypeDoc": "DEVIS"}
    assert lens.backward({"kind": "invoice"}, original).value == {"TypeDoc": "FACTURES"}
    _, trace = lens.explain_backward(view, original)
    assert [(t.path, t.branch) for t in trace] == [("TypeDoc", "kept"), ("Nom", "kept")]


def test_without_key_lines_match_by_position(registry: Any) -> None:
    mapping = compile_text("mapping a.x <-> passeur.invoice\n"
                           "each L <-> lines\n  Q <-> quantity\nend\n", "p.map", registry)
    original = {"L": [{"Q": 1, "keep": "a"}, {"Q": 2, "keep": "b"}]}
    assert mapping.backward({"lines": [{"quantity": 3}]}, original).value == {
        "L": [{"Q": 3, "keep": "a"}]}


def test_money_stays_decimal_through_the_round_trip(lens: Any) -> None:
    source = {"Montant": Decimal("12.34"), "Lignes": [{"Code": "A", "Prix": Decimal("0.10")}]}
    view = lens.forward(source).value
    assert view["extensions"]["cents"] == 1234
    assert view["lines"][0]["unit_price_net"] == Decimal("0.10")
    back = lens.backward(view, {}).value
    assert back["Montant"] == Decimal("12.34") and isinstance(back["Montant"], Decimal)
