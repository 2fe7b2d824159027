"""A rate budget per account, shared by every request and every worker using that account.

A token bucket (in its GCRA form) that hands out *reservations*: taking a slot never blocks
while holding the lock, it returns how long the caller must wait. The same bucket therefore
serves threads (`acquire`) and asyncio tasks (`aacquire`) at once, never blocking the event
loop.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["Budget", "TokenBucket", "budget_for", "reset_budgets", "share_budgets"]


class Budget(Protocol):
    """What a client needs of a rate budget: a slot (seconds to wait) and a pause."""

    rate: float
    burst: int

    def reserve(self) -> float: ...

    def pause(self, seconds: float) -> None: ...


class TokenBucket:
    """`rate` requests per second on average, at most `burst` at once."""

    def __init__(self, rate: float, burst: int = 1,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if rate <= 0:
            raise ValueError(f"a rate budget must be positive, got {rate}")
        if burst < 1:
            raise ValueError(f"a burst must be at least 1, got {burst}")
        self.rate = float(rate)
        self.burst = burst
        self._clock = clock
        self._lock = threading.Lock()
        self._interval = 1.0 / self.rate
        self._tolerance = (burst - 1) * self._interval
        self._tat = clock()  # "theoretical arrival time" of the next request (GCRA)

    def reserve(self) -> float:
        """Take the next slot (possibly in the future); seconds to wait before using it."""
        with self._lock:
            now = self._clock()
            self._tat = max(self._tat, now)
            wait = max(0.0, self._tat - self._tolerance - now)
            self._tat += self._interval
            return wait

    def pause(self, seconds: float) -> None:
        """The server said "wait": no slot before `seconds` from now, and no burst after."""
        with self._lock:
            self._tat = max(self._tat, self._clock() + seconds + self._tolerance)

    def acquire(self, sleep: Callable[[float], None] = time.sleep) -> float:
        wait = self.reserve()
        if wait > 0:
            sleep(wait)
        return wait

    async def aacquire(self) -> float:
        wait = self.reserve()
        if wait > 0:
            await asyncio.sleep(wait)
        return wait


_budgets: dict[str, Budget] = {}
_budgets_lock = threading.Lock()


def _local(account: str, rate: float, burst: int) -> Budget:
    return TokenBucket(rate, burst)


_factory: Callable[[str, float, int], Budget] = _local


def budget_for(account: str, rate: float, burst: int = 1) -> Budget:
    """The bucket of one account (e.g. "vosfactures:moncompte"), created on first use, so
    two clients of the same account in one process share one budget (and every process,
    once `share_budgets` installed a budget kept in a shared store)."""
    with _budgets_lock:
        bucket = _budgets.get(account)
        if bucket is None or bucket.rate != float(rate) or bucket.burst != burst:
            bucket = _factory(account, float(rate), burst)
            _budgets[account] = bucket
        return bucket


def share_budgets(factory: Callable[[str, float, int], Budget] | None) -> None:
    """Make every budget created from now on with `factory(account, rate, burst)` (a
    distributed worker: budgets kept in the store, shared by all workers); None goes back
    to budgets local to this process."""
    global _factory
    with _budgets_lock:
        _factory = factory or _local
        _budgets.clear()


def reset_budgets() -> None:
    """Forget every shared budget (tests)."""
    with _budgets_lock:
        _budgets.clear()
