"""Shared by the client tests: the sandbox token and fast, reproducible HTTP settings."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from passeur.http import HttpSettings, RetryPolicy

TOKEN = "sandbox-token-0123456789"


def fast_settings(**kw: Any) -> HttpSettings:
    """Quick retries (tests must stay fast) with a reproducible jitter."""
    retry = RetryPolicy(max_attempts=kw.pop("max_attempts", 6), base_delay=0.01,
                        max_delay=0.05, rng=random.Random(7))
    return HttpSettings(retry=retry, **kw)


def eventually(condition: Callable[[], bool], within: float = 10.0) -> bool:
    """Whether `condition` holds now or becomes true within `within` seconds.

    A lost response's write is applied by the server's thread while the client is already
    giving up: on a loaded machine the client's timeout can fire first, so a test looks at
    the server's state once it has settled instead of at the instant the client raised.
    """
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
