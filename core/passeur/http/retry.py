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
    wait we accept before giving up (a day-long Retry-After is an answer, not a delay).

    A 429 that says how long to wait (`Retry-After`) is the server pacing us, not a failure:
    it does not use up an attempt, so a long run that is told to slow down keeps all its
    attempts for real failures. `max_rate_wait` bounds the seconds one call may spend in
    such waits in all."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 300.0
    max_rate_wait: float = 900.0
    rng: random.Random = attrs.field(factory=random.Random, eq=False, repr=False)

    def is_pacing(self, error: TransportError) -> bool:
        """A 429 with an acceptable Retry-After: waited for, never counted as an attempt."""
        return (isinstance(error, RateLimited) and error.retry_after is not None
                and error.retry_after <= self.max_retry_after)

    def should_retry(self, error: TransportError, attempt: int,
                     rate_waited: float = 0.0) -> bool:
        """Whether to try again after failing `attempt` (1-based, pacing not counted) with
        `error`, having already waited `rate_waited` seconds on Retry-After."""
        if self.is_pacing(error):
            assert isinstance(error, RateLimited) and error.retry_after is not None
            return rate_waited + error.retry_after <= self.max_rate_wait
        if not isinstance(error, Retryable) or attempt >= self.max_attempts:
            return False
        return not (isinstance(error, RateLimited) and error.retry_after is not None)

    def delay(self, error: TransportError, attempt: int) -> float:
        """Seconds to wait before attempt `attempt + 1`."""
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return error.retry_after
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self.rng.uniform(0.0, ceiling)


NO_RETRY = RetryPolicy(max_attempts=1)
