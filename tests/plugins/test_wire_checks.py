"""The shape checks every JSON reader shares say what was expected and what came, with one
code per kind of problem, at the path and source given."""

from __future__ import annotations

from decimal import Decimal

from passeur import (
    WRONG_SYSTEM,
    Issue,
    Level,
    expect_list,
    expect_object,
    not_this_system,
    wire_error,
)
from passeur.wire_checks import describe


def test_what_came_is_said_in_words() -> None:
    assert [describe(v) for v in (None, True, {}, [], "x", 1, 1.5, Decimal("2"), b"x")] == [
        "null", "true or false", "an object", "a list", "a string", "a number", "a number",
        "a number", "bytes"]


def test_expect_object_and_list() -> None:
    assert expect_object({}, "a Sage 100 invoice") is None
    assert expect_object([1], "a Sage 100 invoice", "f.json", "$.doc") == Issue(
        Level.ERROR, "expected a Sage 100 invoice object, got a list", "wire.form", "$.doc",
        "f.json")
    assert expect_list([], "lines") is None
    assert expect_list({"a": 1}, "lines", "", "$.Lignes") == Issue(
        Level.ERROR, "expected a list of lines, got an object", "wire.form", "$.Lignes", None)


def test_errors_and_the_wrong_system() -> None:
    assert wire_error("bad", source="") == Issue(Level.ERROR, "bad", "wire.form", "$", None)
    assert not_this_system("Sage 100 invoice", "$", "x.csv", "DO_Piece, DO_Date") == Issue(
        Level.ERROR, "no Sage 100 invoice field found (expected DO_Piece, DO_Date)",
        WRONG_SYSTEM, "$", "x.csv")
    assert not_this_system("Sage 100 invoice").message == "no Sage 100 invoice field found"
    assert WRONG_SYSTEM == "wire.wrong_system"
