"""The two pagination styles the sandboxes speak: page/per_page and $skip/$top.

Both clamp rather than refuse, as real APIs do: a client asking for 500 rows gets the
maximum, which is exactly what a client that forgets to paginate must discover in tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

__all__ = ["page_window", "parse_int", "skip_top_window"]

T = TypeVar("T")


def parse_int(value: str | None, default: int) -> int:
    """An integer query parameter, or `default` when absent or not an integer."""
    if value is None:
        return default
    try:
        return int(value.strip())
    except ValueError:
        return default


def page_window(items: Sequence[T], page: str | None, per_page: str | None,
                default: int = 25, maximum: int = 100) -> list[T]:
    """The items of one page: pages count from 1, `per_page` is clamped to 1..maximum."""
    size = parse_int(per_page, default)
    size = default if size < 1 else min(size, maximum)
    number = max(1, parse_int(page, 1))
    start = (number - 1) * size
    return list(items[start:start + size])


def skip_top_window(items: Sequence[T], skip: int | None, top: int | None,
                    maximum: int | None = None) -> list[T]:
    """Items after skipping `skip`, at most `top` (and at most `maximum` when set)."""
    start = max(0, skip or 0)
    limit = top if top is not None else maximum
    if maximum is not None and limit is not None:
        limit = min(limit, maximum)
    end = None if limit is None else start + max(0, limit)
    return list(items[start:end])
