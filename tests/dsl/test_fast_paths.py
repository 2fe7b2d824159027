"""The compiled forward fast paths keep every outcome: a plain copy rule runs without a
`try` of its own (passeur.dsl.codegen_plain), `date(x)` calls the ISO parser directly on a
text of the form YYYY-MM-DD, and type tests read `type(x)`. A document whose values
contradict the schema's types (text or a boolean in a decimal field, a list where an
object is declared, a date in another format) gets exactly the issues and the output it got
before these paths existed; the explain variant (which keeps every `try` and the generic
path) is the reference for the rest."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from passeur.dsl import compile_text
from passeur.dsl.codegen_plain import cannot_raise

MAPPING = """\
mapping acomba.invoice <-> passeur.invoice

table doc_kind
  "FACTURES"    <-> "invoice"
  "SOUMISSIONS" <-> "quote"
end

NoFacture <-> number
date(DateFacture) <-> issue_date
date(DateEcheance, "YYYY-MM-DD") -> due_date
TypeDoc <-> kind via doc_kind
InfoClientFacturerA.NomClient <-> buyer.name
"CAD" -> currency
FraisDeTransport -> totals.charges default 0
sum(LigneFacture, QteFacture * PrixFinal) -> totals.line_net

each LigneFacture <-> lines key strNoProduit = product_code
  strNoProduit <-> product_code
  QteFacture <-> quantity
  PrixFinal <-> unit_price_net
  QteFacture * PrixFinal -> net_amount
end
"""


def _mapping(registry: Any) -> Any:
    return compile_text(MAPPING, "fast.map", registry)


def _line(code: str, quantity: Any, price: Any) -> dict[str, Any]:
    return {"strNoProduit": code, "QteFacture": quantity, "PrixFinal": price}


def test_values_that_contradict_the_schema_types_get_the_same_issues(registry: Any) -> None:
    doc = {
        "NoFacture": 10045, "DateFacture": "24/04/2024", "DateEcheance": "2024-13-01",
        "TypeDoc": "AUTRE", "InfoClientFacturerA": ["not", "an", "object"],
        "FraisDeTransport": None,
        "LigneFacture": [_line("A", "deux", Decimal("1.15")), _line("B", 2, True),
                         "not a line", _line("D", 2.5, Decimal("3.75")),
                         _line("E", 3, Decimal("1.15"))],
    }
    result = _mapping(registry).forward(doc)
    assert [(i.path, i.message) for i in result.issues] == [
        ("DateFacture", 'value "24/04/2024" at DateFacture is not a date like "YYYY-MM-DD"'),
        ("DateEcheance", 'value "2024-13-01" at DateEcheance is not a date like "YYYY-MM-DD"'),
        ("TypeDoc", 'value "AUTRE" at TypeDoc is not in table doc_kind'),
        ("LigneFacture[0].QteFacture",
         'value "deux" at LigneFacture[0].QteFacture is not a number'),
        ("LigneFacture[0].QteFacture",
         'value "deux" at LigneFacture[0].QteFacture is not a number'),
        ("LigneFacture[1].PrixFinal", "value true at LigneFacture[1].PrixFinal is not a number"),
        ("LigneFacture[2]", 'value "not a line" at LigneFacture[2] is not an object'),
        ("LigneFacture[3].QteFacture", "value 2.5 at LigneFacture[3].QteFacture is not a number"),
    ]
    assert result.value == {
        "number": 10045, "currency": "CAD", "totals": {"charges": Decimal("0")},
        "lines": [
            {"product_code": "A", "quantity": "deux", "unit_price_net": Decimal("1.15")},
            {"product_code": "B", "quantity": 2, "unit_price_net": True},
            {"product_code": "D", "quantity": 2.5, "unit_price_net": Decimal("3.75")},
            {"product_code": "E", "quantity": 3, "unit_price_net": Decimal("1.15"),
             "net_amount": Decimal("3.45")},
        ],
    }


@pytest.mark.parametrize(("value", "written", "message"), [
    ("2024-04-24", datetime.date(2024, 4, 24), None),
    (datetime.date(2024, 1, 2), datetime.date(2024, 1, 2), None),
    (None, None, None),
    ("2024-13-01", None, 'value "2024-13-01" at DateFacture is not a date like "YYYY-MM-DD"'),
    ("2024-02-30", None,
     'value "2024-02-30" at DateFacture is not a real date (pattern "YYYY-MM-DD")'),
    ("20240424", None, 'value "20240424" at DateFacture is not a date like "YYYY-MM-DD"'),
    ("２０２４-04-24", None,
     'value "２０２４-04-24" at DateFacture is not a date like "YYYY-MM-DD"'),
    (20240424, None, "value 20240424 at DateFacture is not a date"),
    (Decimal("2024"), None, "value 2024 at DateFacture is not a date"),
])
def test_the_iso_date_fast_path_reads_and_refuses_as_date_does(
        registry: Any, value: Any, written: Any, message: str | None) -> None:
    result = _mapping(registry).forward({"DateFacture": value})
    assert [i.message for i in result.issues] == ([message] if message else [])
    assert result.value.get("issue_date", "absent") == (
        "absent" if message else written)


def test_the_fast_path_agrees_with_the_explain_variant(registry: Any) -> None:
    mapping = _mapping(registry)
    docs = [
        {"NoFacture": "1", "DateFacture": "2024-04-24", "TypeDoc": "FACTURES",
         "InfoClientFacturerA": {"NomClient": "Beaulieu"}, "FraisDeTransport": Decimal("5"),
         "LigneFacture": [_line("A", 2, Decimal("1.15")), _line("B", Decimal("0.5"), 7)]},
        {"LigneFacture": {"not": "a list"}, "InfoClientFacturerA": "text"},
        {"LigneFacture": [None, 3, _line("A", None, None)], "DateFacture": ["x"]},
        {"LigneFacture": None, "TypeDoc": None, "FraisDeTransport": False},
    ]
    for doc in docs:
        fast = mapping.forward(doc)
        explained, _ = mapping.explain_forward(doc)
        assert fast.value == explained.value
        assert [(i.path, i.message, i.mapping) for i in fast.issues] == [
            (i.path, i.message, i.mapping) for i in explained.issues]


def test_plain_copies_lose_their_try_and_a_failing_rule_keeps_it(registry: Any) -> None:
    forward = _mapping(registry).source.split("\ndef backward")[0]
    assert "\n    _at = -1\n    _t1 = src.get('NoFacture', _A)\n    if _t1 is not _A:\n" \
        "        out['number'] = _t1\n    try:\n        _t2 = src.get('DateFacture', _A)\n" \
        in forward
    assert "\n    out['currency'] = 'CAD'\n    _t" in forward
    assert "\n                _t" in forward  # a line's plain copies, out of any try
    # the date rule, the table lookup, the sum and the product can fail: they keep theirs
    for site in ("_f_date(_t2)", "_lookup(", "_arith('*', _t"):
        before = forward[:forward.index(site)]
        opened = before.count("try:") - before.count("try: _")  # not the one-line tries
        assert opened > before.count("except Exception as _e:\n"), site


def test_a_body_that_can_raise_is_not_plain() -> None:
    dicts = {"src", "out"}
    assert cannot_raise(["_t1 = src.get('a', _A)", "if _t1 is not _A:",
                         "    out['b'] = _t1"], dicts)
    assert not cannot_raise(["_t1 = orig.get('a', _A)"], dicts)  # not known to be a dict
    assert not cannot_raise(["_t1 = src.get('a', _A)", "_p2['b'] = _t1"], dicts)
    assert not cannot_raise(["_t1 = src.get('a', _A)", "_t1 = _f_date(_t1)"], dicts)
    assert not cannot_raise(["_p2 = src.get('a')", "_p2['b'] = 1"], dicts)
    assert cannot_raise(["_p2 = out.get('a')", "if type(_p2) is not dict: _p2 = out['a'] = {}",
                         "_p2['b'] = 1"], dicts)
