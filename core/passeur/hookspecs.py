"""The hooks a passeur plugin may implement: one screen, register-callback style.

A plugin is a module (or object) whose functions are named after these hooks; decorating
them with `passeur.hookimpl` is optional. Each `register` callback takes one declaration.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("passeur")
hookimpl = pluggy.HookimplMarker("passeur")


@hookspec
def passeur_register_systems(register: Any) -> None:
    """Call `register(SystemSpec(...))` once for each system this plugin provides."""


@hookspec
def passeur_register_functions(register: Any) -> None:
    """Call `register(MappingFunction(...))` for each function usable in mapping files."""


@hookspec
def passeur_register_formats(register: Any) -> None:
    """Call `register(WireFormat(...))` for each document type this plugin reads or writes."""


@hookspec
def passeur_register_mapping_dirs(register: Any) -> None:
    """Call `register(path)` for each directory of mapping files this plugin ships."""


@hookspec
def passeur_register_sync_flows(register: Any) -> None:
    """Call `register(SyncFlow(...))` for each sync flow (`flow = "NAME"` in a sync file)."""


@hookspec
def passeur_register_commands(cli: Any) -> None:
    """Add click commands to the `passeur` command group `cli`."""


@hookspec(firstresult=True)
def passeur_detect_format(name: str, head: bytes) -> str | None:
    """Name the format of an input from its file name and first bytes, or return None."""


@hookspec
def passeur_before_write(system: str, doctype: str, record: Any) -> list[Any] | None:
    """Inspect a record about to be written; return `Issue`s, an ERROR one vetoes the write."""


@hookspec
def passeur_after_write(system: str, doctype: str, record: Any, outcome: Any) -> None:
    """Observe the outcome of a write (audit trails, notifications)."""
