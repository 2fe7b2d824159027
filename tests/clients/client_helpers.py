"""Shared by the client tests: the sandbox token and fast, reproducible HTTP settings."""

from __future__ import annotations

import random
from typing import Any

from passeur.http import HttpSettings, RetryPolicy

TOKEN = "sandbox-token-0123456789"


def fast_settings(**kw: Any) -> HttpSettings:
    """Quick retries (tests must stay fast) with a reproducible jitter."""
    retry = RetryPolicy(max_attempts=kw.pop("max_attempts", 6), base_delay=0.01,
                        max_delay=0.05, rng=random.Random(7))
    return HttpSettings(retry=retry, **kw)
