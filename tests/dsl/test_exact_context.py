"""Compiled mappings compute with 200 digits whatever the caller's decimal context, and leave
that context as they found it."""

from __future__ import annotations

import decimal
from decimal import Decimal

from passeur.dsl import compile_text

MAPPING = """mapping acomba.invoice <-> passeur.invoice
FraisDeTransport * 3 -> extensions.frais
NoFacture <-> number
"""


def test_large_amounts_stay_exact_and_the_caller_context_is_restored() -> None:
    mapping = compile_text(MAPPING, "exact.map")
    with decimal.localcontext() as caller:
        caller.prec = 5
        result = mapping.forward({"FraisDeTransport": Decimal("1234567890123456789012345678.901"),
                                  "NoFacture": "F1"})
        assert decimal.getcontext().prec == 5
        assert decimal.getcontext() is caller
    assert result.value == {"extensions": {"frais": Decimal("3703703670370370367037037036.703")},
                            "number": "F1"}
    back = mapping.backward({"number": "F2"}, {"NoFacture": "F1", "FraisDeTransport": 1})
    assert back.value == {"NoFacture": "F2", "FraisDeTransport": 1}


def test_own_rules_over_a_route_are_exact_too() -> None:
    mapping = compile_text(MAPPING, "exact.map")
    result = mapping.forward_over({"FraisDeTransport": Decimal("9" * 40)}, {"kept": True})
    assert result.value["extensions"]["frais"] == Decimal("2" + "9" * 39 + "7")  # 3 x (10^40-1)
    assert result.value["kept"] is True


def test_a_mapping_never_modifies_the_document_it_converts() -> None:
    mapping = compile_text("""mapping acomba.invoice <-> passeur.invoice
ExtendedProperties <-> extensions
"x" -> extensions.added
Description <- extensions.note
Description.more <- number
""", "alias.map")
    source = {"ExtendedProperties": {"a": "1"}}
    result = mapping.forward(source)
    assert result.value == {"extensions": {"a": "1", "added": "x"}}
    assert source == {"ExtendedProperties": {"a": "1"}}  # "added" went into a copy
    view = {"extensions": {"note": {"k": "v"}}, "number": "F1"}
    back = mapping.backward(view, {})
    assert back.value["Description"] == {"k": "v", "more": "F1"}
    assert view == {"extensions": {"note": {"k": "v"}}, "number": "F1"}
