"""Hook bodies for plugins whose registration hooks only hand over declarations.

Most `passeur_register_*` hooks are a loop calling `register` on constants the plugin
defines; `passeur_register_systems = registers(SYSTEM)` says the same in one line, and is a
hook implementation like a written-out function (passeur treats every `passeur_*` function
of a plugin module as one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["registers"]


def registers(*items: object) -> Callable[[Any], None]:
    """A registration hook that calls `register(item)` for each of `items`, in order."""
    declared = tuple(items)

    def register_each(register: Any) -> None:
        for item in declared:
            register(item)

    register_each.__doc__ = f"Registers {len(declared)} declaration(s) given to registers()."
    return register_each
