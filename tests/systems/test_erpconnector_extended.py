"""The `passeur.*` values kept in ERP Connector's ExtendedProperties: exact text, read back
as written, and anything passeur did not write refused rather than guessed at."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passeur.dsl import ABSENT, FunctionError
from passeur_erpconnector.extended import erp_own_properties, erp_taxes, erp_taxes_text


def test_quebec_taxes_are_written_compactly_in_a_fixed_order() -> None:
    taxes = [{"scheme": "TPS", "rate": D("5"), "code": "T.P.S. 100%"},
             {"compound": True, "rate": D("9.5"), "scheme": "TVQ"}]
    text = erp_taxes_text(taxes)
    assert text == ('[{"scheme":"TPS","rate":"5","code":"T.P.S. 100%"},'
                    '{"scheme":"TVQ","rate":"9.5","compound":true}]')
    assert erp_taxes(text) == [{"scheme": "TPS", "rate": D("5"), "code": "T.P.S. 100%"},
                               {"scheme": "TVQ", "rate": D("9.5"), "compound": True}]


def test_a_tax_without_scheme_is_vat_and_a_disabled_one_keeps_its_category() -> None:
    assert erp_taxes_text([{"disabled": True, "category": "O"}]) == (
        '[{"scheme":"VAT","category":"O","disabled":true}]')
    assert erp_taxes_text([]) == "[]"
    assert erp_taxes_text(None) is None


@pytest.mark.parametrize(("text", "message"), [
    ('[{"rate":"23"}]', "passeur.taxes '[{\"rate\":\"23\"}]' is not in the form passeur "
     'writes ([{"scheme":"VAT","rate":"23"}])'),
    ("23", "passeur.taxes '23' is not a list of taxes"),
    ("TVA 20", "passeur.taxes 'TVA 20' is not the JSON passeur writes"),
    ('[{"scheme":"VAT","rate":"x"}]', "tax rate 'x' is not a number"),
    ('[{"scheme":"VAT","rat":"5"}]', "unknown tax field 'rat'"),
    ('[{"scheme":"VAT","rate":"5","compound":"yes"}]',
     "tax compound must be true or false, got 'yes'"),
])
def test_text_passeur_did_not_write_is_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(FunctionError) as failure:
        erp_taxes(text)
    assert str(failure.value) == message


def test_the_erps_own_properties_are_kept_and_passeurs_left_out() -> None:
    assert erp_own_properties({"passeur.kind": "proforma", "Projet": "A1"}) == {"Projet": "A1"}
    assert erp_own_properties({"passeur.taxes": "[]"}) is ABSENT
    assert erp_own_properties({}) == {}
    assert erp_own_properties(None) is None


_TAX = st.fixed_dictionaries(
    {"scheme": st.sampled_from(["VAT", "TPS", "TVQ", "TVH"])},
    optional={"rate": st.decimals(min_value=0, max_value=100, places=3, allow_nan=False),
              "category": st.sampled_from(["S", "Z", "E", "O"]),
              "code": st.text(max_size=8), "registration": st.text(max_size=8),
              "compound": st.just(True), "disabled": st.just(True)})


@given(st.lists(_TAX, max_size=3))
def test_taxes_read_back_as_written(taxes: list[dict[str, Any]]) -> None:
    text = erp_taxes_text(taxes)
    assert erp_taxes(text) == taxes
    assert erp_taxes_text(erp_taxes(text)) == text
