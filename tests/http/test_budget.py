"""The token bucket: reservations, refill, pause on 429, sharing across threads/tasks."""

from __future__ import annotations

import asyncio
import threading

import pytest

from passeur.http import TokenBucket, budget_for, reset_budgets


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_reservations_borrow_from_the_future() -> None:
    clock = Clock()
    bucket = TokenBucket(10, burst=2, clock=clock)
    assert [bucket.reserve() for _ in range(4)] == pytest.approx([0, 0, 0.1, 0.2])
    clock.now += 1.0  # 10 tokens refilled, capped at the burst
    assert [bucket.reserve() for _ in range(3)] == pytest.approx([0, 0, 0.1])


def test_pause_holds_every_later_reservation() -> None:
    clock = Clock()
    bucket = TokenBucket(10, clock=clock)
    assert bucket.reserve() == 0
    bucket.pause(3.0)
    assert bucket.reserve() == pytest.approx(3.0)
    clock.now += 3.0
    assert bucket.reserve() == pytest.approx(0.1)


def test_invalid_budgets_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenBucket(0)
    with pytest.raises(ValueError, match="burst"):
        TokenBucket(1, burst=0)


def test_one_budget_per_account() -> None:
    reset_budgets()
    a = budget_for("vosfactures:acme", 10)
    assert budget_for("vosfactures:acme", 10) is a
    assert budget_for("vosfactures:other", 10) is not a


def test_thread_and_task_reservations_never_overlap() -> None:
    """N concurrent takers get N distinct slots spaced by 1/rate, whoever they are."""
    clock = Clock()
    bucket = TokenBucket(100, clock=clock)
    waits: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(25):
            w = bucket.reserve()
            with lock:
                waits.append(w)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()

    async def tasks() -> None:
        async def one() -> None:
            w = bucket.reserve()
            with lock:
                waits.append(w)
            await asyncio.sleep(0)

        await asyncio.gather(*(one() for _ in range(20)))

    asyncio.run(tasks())
    for t in threads:
        t.join()
    assert sorted(round(w, 6) for w in waits) == [round(i / 100, 6) for i in range(120)]


def test_acquire_sleeps_for_its_reservation_and_aacquire_awaits_it() -> None:
    """The blocking forms a plugin can use directly: each takes a slot and waits for it."""
    bucket = TokenBucket(100, clock=Clock())  # frozen clock: slots 0, 0.01, 0.02 s ahead
    slept: list[float] = []
    assert bucket.acquire(slept.append) == 0
    assert bucket.acquire(slept.append) == pytest.approx(0.01)
    assert slept == [pytest.approx(0.01)]  # nothing slept for a slot that is free now
    assert asyncio.run(bucket.aacquire()) == pytest.approx(0.02)
