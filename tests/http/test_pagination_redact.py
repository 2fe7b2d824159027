"""Pagination helpers, the retry policy's delays and the redactor."""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from passeur.http import (
    MASK,
    RateLimited,
    Redactor,
    Retryable,
    RetryPolicy,
    Uncertain,
    aiter_pages,
    aiter_skip_top,
    dumps_json,
    iter_pages,
    iter_skip_top,
    loads_json,
)


@settings(deadline=None)  # pure and fast, but a loaded CI machine can pause
@given(total=st.integers(0, 350), per_page=st.integers(1, 100))
def test_pages_until_a_short_page_yield_everything_once(total: int, per_page: int) -> None:
    data = list(range(total))
    asked: list[int] = []

    def fetch(page: int, size: int) -> list[int]:
        asked.append(page)
        return data[(page - 1) * size: page * size]

    assert list(iter_pages(fetch, per_page)) == data
    assert asked == list(range(1, total // per_page + 2))

    def fetch_skip(skip: int, top: int) -> list[int]:
        return data[skip: skip + top]

    assert list(iter_skip_top(fetch_skip, per_page)) == data


def test_async_pagination() -> None:
    data = list(range(7))

    async def fetch(page: int, size: int) -> list[int]:
        return data[(page - 1) * size: page * size]

    async def fetch_skip(skip: int, top: int) -> list[int]:
        return data[skip: skip + top]

    async def collect() -> tuple[list[int], list[int]]:
        a = [x async for x in aiter_pages(fetch, 3)]
        b = [x async for x in aiter_skip_top(fetch_skip, 2)]
        return a, b

    assert asyncio.run(collect()) == (data, data)


@settings(deadline=None)  # pure and fast, but a loaded CI machine can pause
@given(attempt=st.integers(1, 12), seed=st.integers(0, 1000))
def test_backoff_full_jitter_stays_under_the_exponential_ceiling(attempt: int, seed: int) -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=30, rng=random.Random(seed))
    delay = policy.delay(Retryable("x"), attempt)
    assert 0 <= delay <= min(30, 0.5 * 2 ** (attempt - 1))


def test_retry_decisions() -> None:
    policy = RetryPolicy(max_attempts=3, max_retry_after=60)
    assert policy.should_retry(Retryable("x"), 1)
    assert not policy.should_retry(Retryable("x"), 3)
    assert not policy.should_retry(Uncertain("x"), 1)
    assert policy.delay(RateLimited("x", retry_after=7.5), 1) == 7.5
    assert not policy.should_retry(RateLimited("x", retry_after=61), 1)


def test_redactor_masks_keys_values_and_userinfo() -> None:
    r = Redactor(secrets=["tok-123456"])
    assert r.url("http://u:p@h.test/a.json?api_token=zz&page=2&kinds[]=vat") == \
        f"http://{MASK}@h.test/a.json?api_token={MASK}&page=2&kinds[]=vat"
    assert r.headers({"Authorization": "Basic abc", "X-Note": "tok-123456"}) == \
        {"Authorization": MASK, "X-Note": MASK}
    assert r.data({"api_token": "x", "client": {"password": "p", "name": "tok-123456 here"},
                   "list": [{"secret_key": "s"}]}) == \
        {"api_token": MASK, "client": {"password": MASK, "name": f"{MASK} here"},
         "list": [{"secret_key": MASK}]}


@settings(deadline=None)  # pure and fast, but a loaded CI machine can pause
@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_goes_out_and_comes_back_exactly(value: Decimal) -> None:
    """Never through float: the value and, for fractions, every written digit survive."""
    back = loads_json(dumps_json({"amount": value, "list": [value]}))
    assert back["amount"] == value and back["list"] == [value]
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < 0:
        assert isinstance(back["amount"], Decimal)
        assert back["amount"].as_tuple().exponent == exponent
