"""The fuzzing budget every fuzz test shares (tests/fuzz/).

PASSEUR_FUZZ_EXAMPLES is a base budget N; each fuzz test runs N x its `scale` examples, the
scale set by what one example costs, so that a long run spends its time evenly and counts
many cheap inputs (a reader given a few bytes) as well as fewer dear ones (a sandbox request
followed by five listings, a whole CLI run). The default suite runs N = 25 (a few seconds
each test); `nox -s fuzz` runs N = 2,000: about 100,000 inputs in tests/fuzz (readers,
conversions, mapping parser and checker, connection and sync files, redactor, sandboxes),
about 3,600 more in the other folders' fuzz tests (`nox -s fuzz -- 500` for a shorter run,
`nox -s fuzz -- 2000 tests/fuzz/test_fuzz_files.py` for one file). Every fuzz test carries
the `fuzz` marker and takes its settings from `fuzz_settings()`; hypothesis' statistics
(`--hypothesis-show-statistics`, which the nox session passes) give each test's count.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings

#: The base budget: small by default, set by the long run.
EXAMPLES = int(os.environ.get("PASSEUR_FUZZ_EXAMPLES", "25"))


def fuzz_settings(scale: float = 1.0, minimum: int = 1, **overrides: Any) -> settings:
    """Hypothesis settings for one fuzz test: EXAMPLES x `scale` examples (at least
    `minimum`); `overrides` go to hypothesis as they are."""
    options: dict[str, Any] = {
        "deadline": None, "print_blob": True,
        "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large,
                                  HealthCheck.filter_too_much,
                                  HealthCheck.function_scoped_fixture]}
    options.update(overrides)
    return settings(max_examples=max(minimum, int(EXAMPLES * scale)), **options)
