"""When to try again and how long to wait: exponential backoff with full jitter, or exactly
what the server asked for in `Retry-After`.

Full jitter (a uniform draw between 0 and the exponential ceiling) spreads the retries of
many concurrent workers, so they do not hit a recovering server in lockstep.
"""

from __future__ import annotations

import random

import attrs

from passeur.errors import TransportError
from passeur.http.errors import RateLimited, Retryable

__all__ = ["RetryPolicy"]


@attrs.frozen
class RetryPolicy:
    """`max_attempts` counts the first try; `max_retry_after` is the longest server-requested
    wait we accept before giving up (a day-long Retry-After is an answer, not a delay)."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 300.0
    rng: random.Random = attrs.field(factory=random.Random, eq=False, repr=False)

    def should_retry(self, error: TransportError, attempt: int) -> bool:
        """Whether to try again after failing `attempt` (1-based) with `error`."""
        if not isinstance(error, Retryable) or attempt >= self.max_attempts:
            return False
        return not (isinstance(error, RateLimited) and error.retry_after is not None
                    and error.retry_after > self.max_retry_after)

    def delay(self, error: TransportError, attempt: int) -> float:
        """Seconds to wait before attempt `attempt + 1`."""
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return error.retry_after
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self.rng.uniform(0.0, ceiling)


NO_RETRY = RetryPolicy(max_attempts=1)
