"""A line total computed in the loop of the block after it (passeur.dsl.codegen_fuse) gives
what the two rules give apart: the same output in the same key order, the same issues in
the same order, the same exception under `strict`, on any document. The reference is the
same mapping compiled with fusion turned off."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passeur import load_registry
from passeur.dsl import MappingRuleError, codegen, compile_text

REGISTRY = load_registry()

#: the total creates `totals` (nothing before it does): its key must stay before `lines`
MAPPING = """\
mapping acomba.invoice <-> passeur.invoice

NoFacture <-> number
sum(LigneFacture, QteFacture * PrixFinal) -> totals.line_net

each LigneFacture <-> lines key strNoProduit = product_code
  strNoProduit <-> product_code
  upper(DescriptionLigne) -> description
  QteFacture <-> quantity
  PrixFinal <-> unit_price_net
  QteFacture * PrixFinal -> net_amount
end
"""

HUGE = Decimal("9E+999999999999999999")  # the exact context's largest exponent


@contextmanager
def _unfused() -> Iterator[None]:
    saved = codegen.find_fusions
    codegen.find_fusions = lambda items: {}  # type: ignore[assignment]
    try:
        yield
    finally:
        codegen.find_fusions = saved


def _pair(text: str) -> tuple[Any, Any]:
    fused = compile_text(text, "fused.map", REGISTRY, use_cache=False)
    with _unfused():
        alone = compile_text(text, "fused.map", REGISTRY, use_cache=False)
    return fused, alone


FUSED, ALONE = _pair(MAPPING)


def _shape(value: Any) -> Any:
    """A value with every object's key order made visible."""
    if isinstance(value, dict):
        return [(k, _shape(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return (type(value).__name__, value)


def _outcome(mapping: Any, doc: dict[str, Any], strict: bool) -> Any:
    try:
        result = mapping.forward(doc, strict=strict)
    except MappingRuleError as exc:
        return ("raised", str(exc))
    return (_shape(result.value),
            [(i.path, i.message, i.mapping) for i in result.issues])


def test_the_pair_is_fused_and_the_reference_is_not() -> None:
    assert "_fz" in FUSED.source.split("\ndef backward")[0]
    assert "_fz" not in ALONE.source


def test_an_exact_document_gives_the_total_before_the_lines() -> None:
    doc = {"NoFacture": "1", "LigneFacture": [
        {"strNoProduit": "A", "QteFacture": 2, "PrixFinal": Decimal("1.15")},
        "not a line",
        {"strNoProduit": "B", "QteFacture": Decimal("0.5"), "PrixFinal": Decimal("7")}]}
    result = FUSED.forward(doc)
    assert list(result.value) == ["number", "totals", "lines"]
    assert result.value["totals"] == {"line_net": Decimal("5.80")}
    assert [i.message for i in result.issues] == [
        'value "not a line" at LigneFacture[1] is not an object']
    assert _outcome(FUSED, doc, False) == _outcome(ALONE, doc, False)


def test_a_line_the_sum_refuses_gives_the_sums_issue_first() -> None:
    doc = {"NoFacture": "1", "LigneFacture": [
        {"strNoProduit": "A", "DescriptionLigne": 3, "QteFacture": 2,
         "PrixFinal": Decimal("1")},
        {"strNoProduit": "B", "DescriptionLigne": "b", "QteFacture": "deux",
         "PrixFinal": Decimal("1")}]}
    fused = FUSED.forward(doc)
    assert "totals" not in fused.value
    assert [i.path for i in fused.issues] == [
        "LigneFacture[1].QteFacture",  # the sum's, at the sum's place
        "LigneFacture[0].DescriptionLigne", "LigneFacture[1].QteFacture"]
    assert [i.mapping.line for i in fused.issues] == [4, 8, 11]
    assert _outcome(FUSED, doc, False) == _outcome(ALONE, doc, False)
    assert _outcome(FUSED, doc, True) == _outcome(ALONE, doc, True)
    assert _outcome(FUSED, doc, True)[0] == "raised"


def test_an_addition_the_context_refuses_is_the_sums_error_and_the_lines_still_written(
        ) -> None:
    doc = {"LigneFacture": [{"QteFacture": 1, "PrixFinal": HUGE},
                            {"QteFacture": 1, "PrixFinal": HUGE}]}
    fused = FUSED.forward(doc)
    assert [line["net_amount"] for line in fused.value["lines"]] == [HUGE, HUGE]
    assert "totals" not in fused.value
    assert [i.mapping.line for i in fused.issues] == [4]
    assert _outcome(FUSED, doc, False) == _outcome(ALONE, doc, False)


def test_a_product_the_context_refuses_fails_both_rules() -> None:
    doc = {"LigneFacture": [{"QteFacture": HUGE, "PrixFinal": HUGE}]}
    fused = FUSED.forward(doc)
    assert [i.mapping.line for i in fused.issues] == [4, 11]
    assert fused.value == {"lines": [{"quantity": HUGE, "unit_price_net": HUGE}]}
    assert _outcome(FUSED, doc, False) == _outcome(ALONE, doc, False)


def test_a_block_that_fails_as_a_whole_still_gets_its_total(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing a document holds makes the block's own `try` fail once the list is a list;
    an issue list that refuses one append stands in for such a failure."""

    class Refusing(list):  # type: ignore[type-arg]
        refused = False

        def append(self, item: Any) -> None:
            if not Refusing.refused:
                Refusing.refused = True
                raise RuntimeError("refused")
            super().append(item)

    doc = {"LigneFacture": [{"QteFacture": 2, "PrixFinal": Decimal("3")}, "x"]}
    out: dict[str, Any] = {}
    issues = Refusing()
    FUSED._forward(doc, out, issues, False, None)
    assert out == {"totals": {"line_net": Decimal("6")}}  # the block wrote no list
    assert [i.mapping.line for i in issues] == [6]  # the block's failure


amounts = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from(["2", "deux", "", "1,5"]),
    st.decimals(-100, 100, places=2, allow_nan=False), st.just(HUGE),
    st.just(Decimal("-9E+999999999999999999")),
    st.floats(-5, 5, allow_nan=False), st.just([1]))
lines = st.one_of(
    st.fixed_dictionaries({}, optional={
        "strNoProduit": st.sampled_from(["A", "B"]),
        "DescriptionLigne": st.one_of(st.text(max_size=3), st.integers(0, 3)),
        "QteFacture": amounts, "PrixFinal": amounts}),
    st.sampled_from([None, 3, "text", []]))
documents = st.fixed_dictionaries({}, optional={
    "NoFacture": st.sampled_from(["1", 2]),
    "LigneFacture": st.one_of(st.lists(lines, max_size=5), st.none(),
                              st.dictionaries(st.sampled_from(["a", "b"]), lines,
                                              max_size=2))})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents, strict=st.booleans())
def test_fused_and_apart_agree_on_any_document(doc: dict[str, Any], strict: bool) -> None:
    assert _outcome(FUSED, doc, strict) == _outcome(ALONE, doc, strict)


@pytest.mark.parametrize("text", [
    # a rule between the two: its write would move
    MAPPING.replace("\neach", '\n"CAD" -> currency\neach'),
    MAPPING.replace("= product_code", "= product_code where QteFacture > 0"),
    MAPPING.replace("-> totals.line_net", "-> totals.line_net when NoFacture = \"1\""),
    MAPPING.replace("  QteFacture * PrixFinal -> net_amount",
                    "  QteFacture * PrixFinal -> net_amount when PrixFinal > 0"),
    MAPPING.replace("  QteFacture * PrixFinal -> net_amount", "  PrixFinal * QteFacture "
                    "-> net_amount"),
    MAPPING.replace("QteFacture * PrixFinal)", "QteFacture * 1.0)").replace(
        "  QteFacture * PrixFinal -> net_amount", "  QteFacture * 1 -> net_amount"),
], ids=["rule-between", "where", "sum-when", "line-when", "other-term", "literal-exponent"])
def test_what_could_tell_is_not_fused(text: str) -> None:
    mapping = compile_text(text, "apart.map", REGISTRY, use_cache=False)
    assert "_fz" not in mapping.source


def test_a_literal_of_the_same_exponent_is_fused_and_agrees() -> None:
    text = MAPPING.replace("QteFacture * PrixFinal)", "QteFacture * 1.10)").replace(
        "  QteFacture * PrixFinal -> net_amount", "  QteFacture * 1.10 -> net_amount")
    fused, alone = _pair(text)
    assert "_fz" in fused.source
    doc = {"LigneFacture": [{"QteFacture": 2}, {"QteFacture": Decimal("0.5")}]}
    assert fused.forward(doc).value["totals"] == {"line_net": Decimal("2.7500")}
    assert _outcome(fused, doc, False) == _outcome(alone, doc, False)
