"""The kit compares as a test must: a Decimal's scale counts, types count, and every
difference is named by its path."""

from __future__ import annotations

from decimal import Decimal

from passeur.testing import same_value, value_differences


def test_scale_counts() -> None:
    assert Decimal("0.30") == Decimal("0.3")  # why == is not enough
    assert not same_value(Decimal("0.30"), Decimal("0.3"))
    assert same_value(Decimal("0.30"), Decimal("0.30"))
    assert value_differences({"a": [Decimal("1.0")]}, {"a": [Decimal("1.00")]}) == [
        "$.a[0]: expected Decimal('1.0'), got Decimal('1.00')"]


def test_types_count() -> None:
    assert not same_value(1, True)
    assert not same_value(Decimal(1), 1)
    assert not same_value("1", 1)


def test_missing_extra_and_lengths_are_named() -> None:
    assert value_differences({"a": 1, "b": {"c": "x"}}, {"b": {"c": "y"}, "d": 2}) == [
        "$.a: missing (expected 1)", "$.b.c: expected 'x', got 'y'", "$.d: unexpected 2"]
    assert value_differences([1, 2], [1]) == ["$: expected 2 items, got 1"]
