"""`passeur_register_systems = registers(SYSTEM)` is a hook implementation like a function
written out: it hands each declaration to `register`, in order, every time it is called, and
a plugin module declaring its hooks that way is loaded like any other."""

from __future__ import annotations

import types
from typing import Any

from passeur import DocumentType, SystemSpec, load_registry, registers

SPEC = SystemSpec(name="tinyerp", title="Tiny ERP", document_types=(
    DocumentType(name="invoice", fields=()),))


def test_each_item_is_registered_in_order_at_each_call() -> None:
    seen: list[Any] = []
    hook = registers("a", "b", "c")
    hook(seen.append)
    hook(seen.append)
    assert seen == ["a", "b", "c", "a", "b", "c"]
    registers()(seen.append)
    assert len(seen) == 6


def test_a_module_whose_hook_is_registers_provides_its_system() -> None:
    module = types.ModuleType("tiny_plugin")
    module.passeur_register_systems = registers(SPEC)  # type: ignore[attr-defined]
    registry = load_registry(entry_points=False, plugins=[("tiny_plugin", module)])
    assert registry.systems["tinyerp"] is SPEC
    assert [r.name for r in registry.errors] == []
