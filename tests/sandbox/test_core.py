"""The shared sandbox pieces: exact JSON, paging, generated identifiers, loopback only."""

from __future__ import annotations

import base64
import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.fr import siren, tva

from passeur.errors import UsageError
from passeur.sandbox import (
    BadJSON,
    DataGenerator,
    FieldErrors,
    basic_matches,
    bind_loopback,
    dumps,
    loads,
    page_window,
    record_id,
    skip_top_window,
)
from passeur_erpconnector.sandbox_odata import QueryError, parse_filter

FIELDS = frozenset({"NoFacture", "Description", "TotalFacture", "EstActif", "DateFacture"})


def test_dumps_writes_decimals_as_exact_numbers():
    value = {"a": Decimal("561.322"), "b": Decimal("1E+2"), "c": [Decimal("0.10"), None, True],
             "d": "Scie 10\" é"}
    assert dumps(value) == '{"a":561.322,"b":100,"c":[0.10,null,true],"d":"Scie 10\\" é"}'


@settings(deadline=None)  # pure and fast, but a loaded CI machine can pause
@given(st.decimals(allow_nan=False, allow_infinity=False, places=4))
def test_dumps_loads_round_trip_keeps_every_decimal(number):
    assert loads(dumps({"x": number}).encode())["x"] == number


def test_loads_refuses_bad_json_and_reads_empty_as_none():
    assert loads(b"  ") is None
    with pytest.raises(BadJSON, match="invalid JSON: Expecting value: line 1 column 7"):
        loads(b'{"a": }')


def test_page_window_clamps_like_the_real_apis():
    items = list(range(250))
    assert page_window(items, None, "500") == items[:100]
    assert page_window(items, "3", "100") == items[200:]
    assert page_window(items, "0", "0") == items[:25]
    assert page_window(items, "x", "y") == items[:25]
    assert page_window(items, "99", None) == []
    assert skip_top_window(items, 245, 10) == items[245:]
    assert skip_top_window(items, None, None, maximum=3) == [0, 1, 2]


def test_generated_companies_have_valid_siren_and_vat_numbers():
    gen = DataGenerator(3, datetime.date(2025, 6, 15))
    companies = [gen.company() for _ in range(50)]
    assert all(siren.is_valid(c.siren) and tva.is_valid(c.tax_no) for c in companies)
    assert len({c.email for c in companies}) == 50
    again = DataGenerator(3, datetime.date(2025, 6, 15))
    assert [again.company() for _ in range(50)] == companies
    days = [gen.date_within(730) for _ in range(200)]
    assert min(days) >= datetime.date(2023, 6, 16) and max(days) <= datetime.date(2025, 6, 15)


def test_only_loopback_addresses_can_be_bound():
    with pytest.raises(UsageError, match=r"a sandbox only listens on a loopback address, not "
                                         r"'192\.168\.1\.5'"):
        bind_loopback("192.168.1.5")
    sock = bind_loopback("127.0.0.1", 0)
    try:
        assert sock.getsockname()[0] == "127.0.0.1" and sock.getsockname()[1] > 0
    finally:
        sock.close()


@pytest.mark.parametrize(("expression", "expected"), [
    ("Description eq 'l''atelier'", ["2"]),
    ("not (EstActif eq true) or TotalFacture lt 10", ["1", "3"]),
    ("(NoFacture eq '1' or NoFacture eq '2') and TotalFacture ge 10", ["2"]),
    ("DateFacture gt '2024-01-15' and DateFacture le 2024-03-01", ["2"]),
    ("Description eq null", ["3"]),
    ("Description ne null", ["1", "2"]),
])
def test_odata_filter_semantics(expression, expected):
    records = [
        {"NoFacture": "1", "Description": "a", "TotalFacture": Decimal("5"), "EstActif": True,
         "DateFacture": "2024-01-15T00:00:00"},
        {"NoFacture": "2", "Description": "l'atelier", "TotalFacture": Decimal("10"),
         "EstActif": True, "DateFacture": "2024-03-01T00:00:00"},
        {"NoFacture": "3", "Description": None, "TotalFacture": Decimal("99"),
         "EstActif": False, "DateFacture": "2024-05-01T00:00:00"},
    ]
    predicate = parse_filter(expression, FIELDS)
    assert [r["NoFacture"] for r in records if predicate(r)] == expected


def test_odata_filter_errors_say_where():
    with pytest.raises(QueryError, match=r"\$filter: unexpected '\)' at character 18"):
        parse_filter("NoFacture eq '1' )", FIELDS)
    with pytest.raises(QueryError, match=r"\$filter: '2024-02-30' at character 16 is not a "
                                         "date"):
        parse_filter("DateFacture ge 2024-02-30", FIELDS)


def test_public_names_all_resolve_and_nothing_else():
    import passeur.sandbox as package

    assert sorted(package.__all__) == sorted(package._WHERE)
    for name in package.__all__:
        value = getattr(package, name)
        if name.isupper():  # a constant
            assert isinstance(value, int | str)
        else:
            assert value.__name__ == name
    with pytest.raises(AttributeError, match=r"module 'passeur\.sandbox' has no attribute 'nope'"):
        package.nope  # noqa: B018


def test_lazy_factory_imports_on_first_use_and_shows_the_real_signature():
    import inspect
    import subprocess
    import sys

    from passeur.sandbox import LazyFactory

    factory = LazyFactory("passeur_vosfactures.sandbox:create_app")
    assert "token" in inspect.signature(factory).parameters
    assert len(factory(token="x", seed=3).state.invoices) == 3
    with pytest.raises(ValueError, match="expected 'module:function', got 'nocolon'"):
        LazyFactory("nocolon")
    # Declaring one costs nothing: the ASGI stack is not imported until it is used.
    probe = ("import sys; from passeur.sandbox import LazyFactory; "
             "LazyFactory('passeur_vosfactures.sandbox:create_app'); "
             "print('starlette' in sys.modules, 'uvicorn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.stdout.split() == ["False", "False"], out.stderr


def _basic(text: str) -> str:
    return "Basic " + base64.b64encode(text.encode()).decode()


def test_basic_matches_only_the_exact_user_and_password():
    assert basic_matches(_basic("LIC-1:s3cr:et"), "LIC-1", "s3cr:et")  # ':' in a password
    assert basic_matches(_basic("élan:mot"), "élan", "mot")
    assert basic_matches("bAsIc " + _basic("u:p")[6:], "u", "p")
    assert not basic_matches(_basic("u:p2"), "u", "p")
    assert not basic_matches(_basic("u2:p"), "u", "p")
    assert not basic_matches("Bearer " + _basic("u:p")[6:], "u", "p")
    assert not basic_matches("Basic %%%", "u", "p")
    assert not basic_matches("Basic " + base64.b64encode(b"\xff:p").decode(), "u", "p")
    assert not basic_matches("", "u", "p")


def test_field_errors_number_keeps_exact_decimals_and_names_every_refusal():
    errors = FieldErrors()
    assert errors.number("30.0100225", "a", "nan") == Decimal("30.0100225")
    assert errors.number(Decimal("1.10"), "b", "nan") == Decimal("1.10")
    assert errors.number(4, "c", "nan") == 4
    assert not errors
    for field, value in (("d", True), ("e", "douze"), ("f", "NaN"), ("g", "Infinity"),
                         ("h", [1])):
        assert errors.number(value, field, "n'est pas un nombre") is None
    assert errors.fields == {k: ["n'est pas un nombre"] for k in "defgh"}


def test_record_id_reads_ids_as_clients_send_them_and_nothing_else():
    assert [record_id(v) for v in (12, "12", " 12 ", Decimal("12"), Decimal("12.0"), 0)] == [
        12, 12, 12, 12, 12, 0]
    assert [record_id(v) for v in (True, False, Decimal("12.7"), -3, "-3", "12a", "", None,
                                   12.0, [12], Decimal("NaN"))] == [None] * 11
