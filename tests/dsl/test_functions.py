"""The built-in mapping functions: exact results, exact error messages, inverse laws."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import passeur
from passeur.dsl.functions import (
    FunctionError,
    MappingFunction,
    builtin_functions,
    check_inverses,
    type_accepts,
)

F = builtin_functions()


def call(name: str, *args: Any) -> Any:
    return F[name].impl(*args)


def error_of(name: str, *args: Any) -> str:
    with pytest.raises(FunctionError) as info:
        call(name, *args)
    return str(info.value)


# --- the contract ------------------------------------------------------------------------


def test_core_registers_every_builtin_through_the_hook() -> None:
    registry = passeur.load_registry(entry_points=False)
    assert set(registry.functions) == set(F)
    assert registry.functions["date"] is F["date"]


def test_declared_inverses_exist_and_take_the_same_arguments() -> None:
    assert check_inverses(F.values()) == []
    for function in F.values():
        # integer's inverse is text, whose own inverse is the more general number
        if function.inverse is not None and not function.lossy and function.name != "integer":
            assert F[function.inverse].inverse == function.name, function.name


def test_every_builtin_is_documented_and_typed() -> None:
    for function in F.values():
        assert function.doc, function.name
        assert function.returns in {"string", "decimal", "integer", "date", "boolean",
                                    "list", "any"}


def test_arity_reads_optional_and_variadic_suffixes() -> None:
    assert F["date"].arity() == (1, 2)
    assert F["concat"].arity() == (0, None)
    assert F["replace"].arity() == (3, 3)
    assert F["date"].param_type(1) == "string"
    assert F["concat"].param_type(5) == "any"
    assert F["replace"].arity_problem(2) == "replace() takes 3 arguments, got 2"
    assert F["date"].arity_problem(3) == "date() takes 1 to 2 arguments, got 3"
    assert F["upper"].arity_problem(0) == "upper() takes 1 argument, got 0"
    assert F["date"].signature() == "date(any, string?) -> date"


def test_bad_declarations_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown parameter type 'text'"):
        MappingFunction("f", ("text",), "string", str)
    with pytest.raises(ValueError, match="only the last parameter can be variadic"):
        MappingFunction("f", ("any...", "string"), "string", str)
    with pytest.raises(ValueError, match="required parameter 'string' after an optional"):
        MappingFunction("f", ("string?", "string"), "string", str)


def test_type_accepts_widens_integer_to_decimal_only() -> None:
    assert type_accepts("decimal", "integer")
    assert not type_accepts("integer", "decimal")
    assert not type_accepts("date", "string")
    assert type_accepts("date", "any") and type_accepts("any", "list")


def test_null_passes_through_unchanged() -> None:
    for name in ("number", "text", "date", "format_date", "upper", "trim", "vat", "iban",
                 "money", "split"):
        args = [None] + [{"split": ";"}.get(name, "x")] * (F[name].arity()[0] - 1)
        assert call(name, *args) is None, name


# --- numbers -------------------------------------------------------------------------------


def test_number_reads_exact_decimals() -> None:
    assert call("number", "12.50") == Decimal("12.50")
    assert str(call("number", "12.50")) == "12.50"
    assert call("number", 7) == Decimal(7)
    assert call("number", "-0.001") == Decimal("-0.001")


@pytest.mark.parametrize(("value", "message"), [
    ("12,50", 'value "12,50" is not a number (it has a decimal comma; read it with '
              "decimal_comma())"),
    (" 12.50", 'value " 12.50" is not a number (it has spaces around it; trim() it first)'),
    ("1 234.50", 'value "1 234.50" is not a number (it has thousands separators)'),
    ("abc", 'value "abc" is not a number'),
    ("", 'value "" is not a number'),
    ("1e5", 'value "1e5" is not a number written plainly (write 100000)'),
    ("+5", 'value "+5" is not a number written plainly (write 5)'),
    ("1_000", 'value "1_000" is not a number'),
    (True, "value true is not a number"),
    (Decimal("NaN"), "value NaN is not a finite number"),
    (1.5, "value 1.5 is a float; money and quantities must be read as Decimal "
          "(json.loads(..., parse_float=Decimal))"),
])
def test_number_errors_say_what_is_wrong(value: Any, message: str) -> None:
    assert error_of("number", value) == message


def test_decimal_comma_is_explicit() -> None:
    assert call("decimal_comma", "12,50") == Decimal("12.50")
    assert call("decimal_comma_text", Decimal("12.50")) == "12,50"
    assert error_of("decimal_comma", "1.234,50") == (
        'value "1.234,50" is not a number written with a decimal comma (like "12,50")')


def test_money_and_decimal_round_explicitly() -> None:
    assert call("money", "2.675") == Decimal("2.68")
    assert call("money", "2.665", 2, "half_even") == Decimal("2.66")
    assert call("money", "10") == Decimal("10.00")
    assert call("decimal", "1.23456", 3, "down") == Decimal("1.234")
    assert call("round", Decimal("2.5")) == Decimal("3")
    assert call("round", Decimal("-2.5"), 0, "half_even") == Decimal("-2")
    assert call("round", Decimal("1.21"), 1, "ceiling") == Decimal("1.3")


def test_rounding_errors() -> None:
    assert error_of("money", "1", 2, "bankers") == (
        'unknown rounding mode "bankers"; use one of: half_up, half_even, half_down, up, '
        "down, ceiling, floor")
    assert error_of("money", "1", -1) == "scale -1 is not a whole number from 0 to 18"


def test_integer_text_negate_boolean() -> None:
    assert call("integer", "42") == 42
    assert call("integer", Decimal("3.0")) == 3
    assert error_of("integer", "4.5") == 'value "4.5" is not a whole number'
    assert call("text", Decimal("1E+3")) == "1000"
    assert call("text", datetime.date(2024, 1, 5)) == "2024-01-05"
    assert call("text", False) == "false"
    assert call("negate", Decimal("-3.10")) == Decimal("3.10")
    assert call("abs", Decimal("-3.10")) == Decimal("3.10")
    assert call("boolean", "O", "O", "N") is True
    assert call("boolean_text", False, "O", "N") == "N"
    assert error_of("boolean", "X", "O", "N") == 'value "X" is neither "O" nor "N"'


plain_numbers = st.from_regex(r"-?(0|[1-9][0-9]{0,12})(\.[0-9]{1,6})?", fullmatch=True)
finite_decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None)


@given(plain_numbers)
def test_law_text_of_number_gives_back_the_text(text: str) -> None:
    assert call("text", call("number", text)) == text


@given(finite_decimals)
def test_law_number_of_text_gives_back_the_decimal(value: Decimal) -> None:
    assert call("number", call("text", value)) == value


@given(plain_numbers)
def test_law_decimal_comma_round_trips(text: str) -> None:
    comma = text.replace(".", ",")
    assert call("decimal_comma_text", call("decimal_comma", comma)) == comma
    assert call("decimal_comma", call("decimal_comma_text", Decimal(text))) == Decimal(text)


@given(finite_decimals)
def test_law_negate_is_its_own_inverse(value: Decimal) -> None:
    assert call("negate", call("negate", value)) == value
    assert str(call("negate", call("negate", value))) == str(value)  # not even rounded


def test_large_amounts_round_exactly() -> None:
    big = Decimal("123456789012345678901234567890.125")
    assert call("money", big) == Decimal("123456789012345678901234567890.13")
    import decimal

    with decimal.localcontext(prec=5):  # an embedding application's narrow context
        assert call("money", "123456.789") == Decimal("123456.79")
    assert error_of("money", "1", 2, ["half_up"]) == (
        'unknown rounding mode [\'half_up\']; use one of: half_up, half_even, half_down, up, '
        "down, ceiling, floor")


@given(finite_decimals, st.integers(0, 6), st.sampled_from(["half_up", "half_even", "down"]))
def test_rounding_is_idempotent_and_never_float(value: Decimal, scale: int, mode: str) -> None:
    once = call("decimal", value, scale, mode)
    assert isinstance(once, Decimal)
    assert call("decimal", once, scale, mode) == once
    assert -once.as_tuple().exponent == scale  # type: ignore[operator]


# --- dates ---------------------------------------------------------------------------------


def test_date_parses_and_formats_with_one_pattern() -> None:
    assert call("date", "15/01/2024", "DD/MM/YYYY") == datetime.date(2024, 1, 15)
    assert call("format_date", datetime.date(2024, 1, 15), "DD/MM/YYYY") == "15/01/2024"
    assert call("date", "2024-01-15") == datetime.date(2024, 1, 15)
    assert call("format_date", datetime.date(2024, 3, 5), "D.M.YY") == "5.3.24"
    assert call("date", "2024-01-15T00:00:00", "YYYY-MM-DDTHH:mm:ss") == datetime.date(
        2024, 1, 15)
    assert call("format_date", datetime.date(2024, 1, 15), "YYYY-MM-DDTHH:mm:ss") == (
        "2024-01-15T00:00:00")


@pytest.mark.parametrize(("args", "message"), [
    (("15/01/2024",), 'value "15/01/2024" is not a date like "YYYY-MM-DD"'),
    (("31/02/2024", "DD/MM/YYYY"), 'value "31/02/2024" is not a real date (pattern '
                                   '"DD/MM/YYYY")'),
    (("2024-01-15T10:30:00", "YYYY-MM-DDTHH:mm:ss"),
     'value "2024-01-15T10:30:00" has a time of day (10:30:00); date() keeps only '
     "midnight, use datetime_date() to drop it"),
    (("2024", "YYYY"), 'date pattern "YYYY" needs a year (YYYY or YY), a month (MM or M) '
                       "and a day (DD or D)"),
    ((20240115,), "value 20240115 is not a date"),
])
def test_date_errors(args: tuple[Any, ...], message: str) -> None:
    assert error_of("date", *args) == message


def test_two_digit_years_are_refused_outside_their_century() -> None:
    assert error_of("format_date", datetime.date(1999, 1, 1), "DD/MM/YY") == (
        "date 1999-01-01 cannot be written with a two-digit year (YY means 2000 to 2099)")


def test_datetime_strings() -> None:
    assert call("datetime_date", "2024-01-15T10:30:00") == datetime.date(2024, 1, 15)
    assert call("datetime_date", "2024-01-15T10:30:00.123+02:00") == datetime.date(2024, 1, 15)
    assert call("datetime_date", "2024-01-15") == datetime.date(2024, 1, 15)
    assert call("date_datetime", datetime.date(2024, 1, 15)) == "2024-01-15T00:00:00"
    assert error_of("datetime_date", "15/01/2024") == (
        'value "15/01/2024" is not a date and time like "2024-01-15T10:30:00"')


@given(st.from_regex(r"[0-9+ W-]{4}-[0-9 W]{2}-[0-9 ]{2}", fullmatch=True)
       | st.dates().map(lambda d: d.isoformat()))
def test_iso_fast_path_agrees_with_the_codec(text: str) -> None:
    from passeur.dsl.functions_dates import ISO, compile_pattern

    try:
        expected: Any = compile_pattern(ISO).parse(text)
    except FunctionError as exc:
        expected = str(exc)
    try:
        got: Any = call("date", text)
    except FunctionError as exc:
        got = str(exc)
    assert got == expected


PATTERNS = ["YYYY-MM-DD", "DD/MM/YYYY", "D/M/YYYY", "MM-DD-YY", "YYYYMMDD",
            "YYYY-MM-DDTHH:mm:ss", "DD.MM.YYYY"]


@given(st.dates(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)),
       st.sampled_from(PATTERNS))
def test_law_date_of_format_date_is_the_date(value: datetime.date, pattern: str) -> None:
    assert call("date", call("format_date", value, pattern), pattern) == value


@given(st.dates(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)),
       st.sampled_from(PATTERNS))
def test_law_format_date_of_date_is_the_text(value: datetime.date, pattern: str) -> None:
    text = call("format_date", value, pattern)
    assert call("format_date", call("date", text, pattern), pattern) == text


# --- text ----------------------------------------------------------------------------------


def test_string_functions() -> None:
    assert call("upper", "éa") == "ÉA"
    assert call("lower", "ÉA") == "éa"
    assert call("trim", "  a b ") == "a b"
    assert call("concat", "F-", 12, None, Decimal("1.50")) == "F-121.50"
    assert call("split", "a;b;;c", ";") == ["a", "b", "", "c"]
    assert call("split", "", ";") == []
    assert call("join", ["a", "b"], ";") == "a;b"
    assert call("substring", "ABCDEF", 2, 3) == "BCD"
    assert call("substring", "ABCDEF", 4) == "DEF"
    assert call("pad_left", 7, 5, "0") == "00007"
    assert call("pad_right", "ab", 4) == "ab  "
    assert call("replace", "a-b-c", "-", "/") == "a/b/c"
    assert call("length", "abc") == 3


def test_string_errors() -> None:
    assert error_of("upper", 12) == "value 12 is not a text"
    assert error_of("split", "a", "") == 'separator "" must be a non-empty text'
    assert error_of("substring", "abc", 0) == "start 0 must be a position from 1"
    assert error_of("pad_left", "a", 3, "00") == 'fill "00" must be exactly one character'


@given(st.lists(st.text(alphabet="abc,", min_size=0, max_size=5)))
def test_law_split_of_join_is_the_list_when_items_hold_no_separator(items: list[str]) -> None:
    items = [i.replace(";", "") for i in items]
    if items == [""]:
        return  # one empty item and no item both join to ""; join is declared lossy
    assert call("split", call("join", items, ";"), ";") == items


@given(st.text(alphabet="ab;"))
def test_law_join_of_split_is_the_text(text: str) -> None:
    assert call("join", call("split", text, ";"), ";") == text


def test_coalesce_skips_null_but_keeps_empty_text() -> None:
    assert call("coalesce", None, "", "x") == ""
    assert call("coalesce", None, None, "x") == "x"
    assert call("coalesce", None, None) is None
    assert F["coalesce"].accepts_absent


# --- identifiers ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("vat", "FR 40 303 265 045", "FR40303265045"),
    ("vat", "be0403.019.261", "BE0403019261"),
    ("siren", "732 829 320", "732829320"),
    ("siret", "732 829 320 00074", "73282932000074"),
    ("bce", "BE 0403.019.261", "0403019261"),
    ("iban", "be71 0961 2345 6769", "BE71096123456769"),
    ("iban_format", "FR7630006000011234567890189", "FR76 3000 6000 0112 3456 7890 189"),
    ("bic", "gebabebb", "GEBABEBB"),
    ("ogm", "+++010/8068/17183+++", "010806817183"),
    ("ogm_format", "010806817183", "+++010/8068/17183+++"),
])
def test_identifiers_are_normalised(name: str, value: str, expected: str) -> None:
    assert call(name, value) == expected


@pytest.mark.parametrize(("name", "value", "message"), [
    ("vat", "FR40303265046", 'value "FR40303265046" is not a valid European VAT number: '
                             "its check digits are wrong"),
    ("siren", "12345678", 'value "12345678" is not a valid SIREN: it has the wrong length'),
    ("iban", "BE71096123456768", 'value "BE71096123456768" is not a valid IBAN: its check '
                                 "digits are wrong"),
    ("ogm", "+++010/8068/17180+++", 'value "+++010/8068/17180+++" is not a valid Belgian '
                                    "structured communication: its check digits are wrong"),
    ("bce", 403019261, "value 403019261 is not a valid Belgian enterprise number"),
])
def test_identifier_errors(name: str, value: Any, message: str) -> None:
    assert error_of(name, value) == message


@given(st.integers(0, 10**10 - 1))
def test_ogm_format_then_ogm_gives_back_the_compact_form(base: int) -> None:
    digits = f"{base:010d}"
    check = base % 97 or 97
    compact = f"{digits}{check:02d}"
    assert call("ogm", call("ogm_format", compact)) == compact


def test_day_arithmetic() -> None:
    day = datetime.date(2024, 1, 30)
    assert call("add_days", day, 30) == datetime.date(2024, 2, 29)
    assert call("sub_days", day, Decimal("30")) == datetime.date(2023, 12, 31)
    assert call("days_between", day, datetime.date(2024, 3, 1)) == 31
    assert call("days_between", day, None) is None
    assert error_of("add_days", day, Decimal("1.5")) == "number of days 1.5 is not a whole number"
    assert error_of("add_days", datetime.date(9999, 12, 31), 1) == (
        "date 9999-12-31 plus 1 days is out of range")


@given(st.dates(), st.integers(-3000, 3000))
def test_law_sub_days_undoes_add_days(day: datetime.date, days: int) -> None:
    try:
        later = call("add_days", day, days)
    except FunctionError:
        return  # beyond year 9999 or before year 1
    assert call("sub_days", later, days) == day


def test_predicates_for_guards() -> None:
    assert call("starts_with", "AV-12", "AV") is True
    assert call("ends_with", "AV-12", "AV") is False
    assert call("contains", "Quincaillerie", "caill") is True
    assert call("contains", ["a", "b"], "b") is True
    assert [call("is_empty", v) for v in (None, "", [], 0, False, " ")] == [
        True, True, True, False, False, False]
    from passeur.dsl.values import ABSENT

    assert call("is_empty", ABSENT) is True
    assert F["is_empty"].accepts_absent


def test_min_and_max_are_exact() -> None:
    assert call("min", Decimal("2.50"), "2.5", 3) == Decimal("2.50")
    assert call("max", Decimal("0.1"), None, "0.10000000000000000000000000001") == Decimal(
        "0.10000000000000000000000000001")
    assert call("max", None, None) is None
