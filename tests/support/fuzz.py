"""The fuzzing budget every fuzz test shares (tests/fuzz/, and the sandbox fuzz tests).

The default suite runs each fuzz test with a few examples, so it stays fast; the long run
sets PASSEUR_FUZZ_EXAMPLES (`nox -s fuzz` runs `pytest -m fuzz` with 10,000 per test, or
`nox -s fuzz -- 50000`). Every fuzz test carries the `fuzz` marker and takes its settings
from `fuzz_settings()`.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings

#: Examples per fuzz test: small by default, set by the long run.
EXAMPLES = int(os.environ.get("PASSEUR_FUZZ_EXAMPLES", "25"))


def fuzz_settings(scale: float = 1.0, **overrides: Any) -> settings:
    """Hypothesis settings for one fuzz test; `scale` < 1 for the expensive ones (a CLI run,
    a real socket) so that a long run spends its time evenly."""
    return settings(max_examples=max(1, int(EXAMPLES * scale)), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much,
                                           HealthCheck.function_scoped_fixture],
                    print_blob=True, **overrides)
