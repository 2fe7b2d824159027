"""What a plugin declares so that `passeur demo` can run a real sync with nothing set up.

Core names no system: a plugin's `SystemSpec.demo()` returns a `DemoScenario` saying which
two systems to start as sandboxes (by name, with their options), how to connect to each
(settings; secrets given as `{"env": NAME}` with their value in `environment`), how to fill
the source with realistic documents, and what a user changes between the two runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

__all__ = ["DemoScenario", "DemoSide"]


@attrs.frozen
class DemoSide:
    """One sandbox of the demo: `system` (or variant) name, `sandbox_factory` options, and
    the connection settings once it listens at a base URL."""

    system: str
    options: Mapping[str, Any]
    settings: Callable[[str], Mapping[str, Any]]


@attrs.frozen
class DemoScenario:
    """`seed(source_sandbox)` fills the source; `change(source_sandbox)` edits it between the
    runs and returns what it did, one line per change (a user at the ERP's screen)."""

    name: str
    title: str
    source: DemoSide
    target: DemoSide
    seed: Callable[[Any], int]
    change: Callable[[Any], list[str]]
    environment: Mapping[str, str] = attrs.field(factory=dict)
    doctypes: tuple[str, ...] = ("invoice",)
    expect_created: int = 1  # documents the second run must create
