"""The built-in functions inside compiled mappings: inverses run backward with the same
extra arguments, so `<->` rules over them obey both lens laws on generated documents."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import passeur
import passeur.dsl as dsl

MAPPING = """\
mapping vosfactures.invoice <-> passeur.invoice
date(issue_date, "DD/MM/YYYY") <-> issue_date
negate(decimal_comma(price_net)) <-> totals.net keep
text(number(price_gross)) <-> totals.gross keep
add_days(date(payment_to, "YYYYMMDD"), 30) <-> due_date
upper(buyer_name) -> buyer.name
ogm_format(description) -> extensions.ogm when starts_with(description, "0")
"""


@pytest.fixture(scope="module")
def compiled() -> Any:
    return dsl.compile_text(MAPPING, "functions.map", passeur.load_registry())


def test_forward_through_functions(compiled: Any) -> None:
    result = compiled.forward({
        "issue_date": "05/03/2024", "price_net": "12,50", "price_gross": "15.00",
        "payment_to": "20240305", "buyer_name": "acme", "description": "010806817183"})
    assert result.issues == []
    assert result.value == {
        "issue_date": datetime.date(2024, 3, 5),
        "totals": {"net": Decimal("-12.50"), "gross": "15.00"},
        "due_date": datetime.date(2024, 4, 4),
        "buyer": {"name": "ACME"},
        "extensions": {"ogm": "+++010/8068/17183+++"},
    }


def test_a_function_error_names_rule_and_path(compiled: Any) -> None:
    result = compiled.forward({"price_net": "12.50"})
    [issue] = result.issues
    assert issue.message == ('value "12.50" at price_net is not a number written with a '
                             'decimal comma (like "12,50")')
    assert str(issue.mapping) == "functions.map:3:1"


sources = st.fixed_dictionaries({
    "issue_date": st.dates(datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)).map(
        lambda d: d.strftime("%d/%m/") + f"{d.year:04}"),
    "price_net": st.from_regex(r"-?(0|[1-9][0-9]{0,8})(,[0-9]{1,4})?", fullmatch=True)
    | st.sampled_from(["-0", "-0,00", "0,0"]),
    "price_gross": st.from_regex(r"-?(0|[1-9][0-9]{0,8})(\.[0-9]{1,4})?", fullmatch=True),
    "payment_to": st.dates(datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)).map(
        lambda d: f"{d.year:04}{d.month:02}{d.day:02}"),
})


@settings(max_examples=60, deadline=None)
@given(sources)
def test_law_put_get_gives_back_the_source(compiled: Any, source: dict[str, Any]) -> None:
    view = compiled.forward(source).value
    back = compiled.backward(view, source)
    assert back.issues == []
    assert back.value == source


views = st.fixed_dictionaries({
    "issue_date": st.dates(datetime.date(1000, 1, 1), datetime.date(9999, 12, 31)),
    "totals": st.fixed_dictionaries({
        "net": st.decimals(allow_nan=False, allow_infinity=False, places=4,
                           min_value=-10**9, max_value=10**9),
        "gross": st.from_regex(r"-?(0|[1-9][0-9]{0,8})(\.[0-9]{1,4})?", fullmatch=True)}),
    "due_date": st.dates(datetime.date(1000, 2, 1), datetime.date(9999, 12, 31)),
})


@settings(max_examples=60, deadline=None)
@given(views)
def test_law_get_put_gives_back_the_view(compiled: Any, view: dict[str, Any]) -> None:
    written = compiled.backward(view, {})
    assert written.issues == []
    assert compiled.forward(written.value).value == view
