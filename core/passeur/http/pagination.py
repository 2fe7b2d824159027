"""Walking a listing to its end: page/per_page (VosFactures) and $skip/$top (OData).

Both stop on a short page: the real APIs do not say how many items exist.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import TypeVar

__all__ = ["aiter_pages", "aiter_skip_top", "iter_pages", "iter_skip_top"]

T = TypeVar("T")

#: A guard against a server that ignores paging and returns the same full page forever.
MAX_PAGES = 100_000


def _check(per_page: int) -> None:
    if per_page < 1:
        raise ValueError(f"page size must be at least 1, got {per_page}")


def iter_pages(fetch: Callable[[int, int], Sequence[T]], per_page: int,
               first_page: int = 1) -> Iterator[T]:
    """Items of `fetch(page, per_page)` for page = 1, 2... until a page shorter than asked."""
    _check(per_page)
    for page in range(first_page, first_page + MAX_PAGES):
        items = fetch(page, per_page)
        yield from items
        if len(items) < per_page:
            return


def iter_skip_top(fetch: Callable[[int, int], Sequence[T]], top: int,
                  skip: int = 0) -> Iterator[T]:
    """Items of `fetch(skip, top)` for skip = 0, top, 2*top... until a short page."""
    _check(top)
    for _ in range(MAX_PAGES):
        items = fetch(skip, top)
        yield from items
        if len(items) < top:
            return
        skip += top


async def aiter_pages(fetch: Callable[[int, int], Awaitable[Sequence[T]]], per_page: int,
                      first_page: int = 1) -> AsyncIterator[T]:
    """`iter_pages` for an async fetch."""
    _check(per_page)
    for page in range(first_page, first_page + MAX_PAGES):
        items = await fetch(page, per_page)
        for item in items:
            yield item
        if len(items) < per_page:
            return


async def aiter_skip_top(fetch: Callable[[int, int], Awaitable[Sequence[T]]], top: int,
                         skip: int = 0) -> AsyncIterator[T]:
    """`iter_skip_top` for an async fetch."""
    _check(top)
    for _ in range(MAX_PAGES):
        items = await fetch(skip, top)
        for item in items:
            yield item
        if len(items) < top:
            return
        skip += top
