"""The JSON wire format: exact round trips and data paths in errors."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from passeur.errors import StructureError
from passeur.model import MODEL_CLASSES, Invoice, Line, Money, Payment
from passeur.serialize import dumps, loads, structure, to_plain, unstructure
from support.strategies import model


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model(Invoice))
def test_invoice_round_trips_through_json_text(invoice: Invoice) -> None:
    assert loads(dumps(invoice), Invoice) == invoice


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model(Invoice))
def test_invoice_round_trips_through_plain_data(invoice: Invoice) -> None:
    assert structure(to_plain(invoice), Invoice) == invoice


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda c: c.__name__)
def test_every_model_class_round_trips(cls: type) -> None:
    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(model(cls))
    def round_trip(value: object) -> None:
        assert structure(unstructure(value), cls) == value
        assert loads(dumps(value), cls) == value

    round_trip()


def test_decimal_is_a_string_and_date_iso_on_the_wire() -> None:
    invoice = Invoice(number="F1", issue_date=datetime.date(2024, 4, 24),
                      lines=(Line(quantity=Decimal("4"), unit_price_net=Decimal("122.00")),),
                      payments=(Payment(amount=Money(Decimal("500.00"), "CAD")),))
    assert json.loads(dumps(invoice)) == {
        "number": "F1", "issue_date": "2024-04-24",
        "lines": [{"quantity": "4", "unit_price_net": "122.00"}],
        "payments": [{"amount": {"amount": "500.00", "currency": "CAD"}}],
    }


def test_structuring_errors_name_every_data_path() -> None:
    data = {"kind": "bogus", "lines": [{}, {}, {"quantity": "12,50", "colour": "red"}],
            "payments": [{"date": "2024-13-01"}]}
    with pytest.raises(StructureError) as info:
        structure(data, Invoice)
    assert info.value.problems == (
        "'bogus' is not a valid DocumentKind @ $.kind",
        'value "12,50" is not a number (it has a decimal comma) @ $.lines[2].quantity',
        "unknown field(s): colour @ $.lines[2]",
        "required field missing @ $.payments[0].amount",
        "month must be in 1..12 @ $.payments[0].date",
    )


def test_floats_are_refused_where_money_is_expected() -> None:
    with pytest.raises(StructureError) as info:
        structure({"lines": [{"unit_price_net": 12.5}]}, Invoice)
    assert info.value.problems == (
        "expected a decimal written as a string or an integer, got 12.5 "
        "@ $.lines[0].unit_price_net",)
