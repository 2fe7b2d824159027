"""A sandbox factory that a plugin names by "module:function" and that loads on first use.

Plugins declare `SystemSpec.sandbox_factory` at import time, but a sandbox pulls in the
ASGI stack (starlette, uvicorn); naming it keeps every other `passeur` command from paying
for that import. Its signature is the real one, so `passeur sandbox` can still check options.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["LazyFactory"]


class LazyFactory:
    """Calls `module:function`, importing it the first time (a SystemSpec can name its client
    and sandbox factories without importing httpx servers, or itself, at plugin load)."""

    def __init__(self, target: str) -> None:
        module, sep, name = target.partition(":")
        if not sep or not module or not name:
            raise ValueError(f"expected 'module:function', got {target!r}")
        self.target = target
        self._function: Callable[..., Any] | None = None

    def load(self) -> Callable[..., Any]:
        if self._function is None:
            module, _, name = self.target.partition(":")
            function = getattr(importlib.import_module(module), name)
            if not callable(function):
                raise TypeError(f"{self.target} is not callable")
            self._function = function
        return self._function

    @property
    def __signature__(self) -> inspect.Signature:
        return inspect.signature(self.load())

    def __call__(self, *args: Any, **options: Any) -> Any:
        return self.load()(*args, **options)

    def __repr__(self) -> str:
        return f"LazyFactory({self.target!r})"
