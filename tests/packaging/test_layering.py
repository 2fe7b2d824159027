"""Layering: core never imports a plugin; plugins import only the public passeur API.
And every public module's `__all__` is complete and sorted."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORE = REPO / "core" / "passeur"
PLUGINS = REPO / "plugins"
PUBLIC_MODULES = ("passeur", "passeur.model", "passeur.serialize", "passeur.http",
                  "passeur.sandbox", "passeur.testing", "passeur.dsl",
                  "passeur.xml", "passeur.xmldata", "passeur.sync", "passeur.archives",
                  "passeur.checking")


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def plugin_packages() -> list[str]:
    return sorted(p.name for p in PLUGINS.iterdir() if (p / "__init__.py").exists())


@pytest.mark.parametrize("path", sorted(CORE.rglob("*.py")),
                         ids=lambda p: str(p.relative_to(CORE)))
def test_core_never_imports_a_plugin(path: Path) -> None:
    plugins = plugin_packages()
    bad = {n for n in imports_of(path) if n.split(".")[0] in plugins}
    assert not bad, f"{path} imports plugin modules {sorted(bad)}"


@pytest.mark.parametrize("path", sorted(PLUGINS.rglob("*.py")),
                         ids=lambda p: str(p.relative_to(PLUGINS)))
def test_plugins_import_only_the_public_api(path: Path) -> None:
    own = path.relative_to(PLUGINS).parts[0]
    bad = {n for n in imports_of(path)
           if n.split(".")[0] == "passeur" and n not in PUBLIC_MODULES}
    others = {n for n in imports_of(path)
              if n.split(".")[0] in plugin_packages() and n.split(".")[0] != own}
    assert not bad, f"{path} imports private passeur modules {sorted(bad)}"
    assert not others, f"{path} imports another plugin {sorted(others)}"


def existing_public_modules() -> list[str]:
    found = []
    for name in PUBLIC_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        found.append(name)
    return found


def isort_key(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps: CONSTANTS, then Classes, then functions."""
    if name.isupper() or (name.upper() == name and "_" in name):
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


def defined_public_names(module: object, name: str) -> set[str]:
    """Public names defined in `name`, or (for a package) in its own submodules."""
    is_package = hasattr(module, "__path__")
    found = set()
    for attr, value in vars(module).items():
        if attr.startswith("_") or isinstance(value, type(importlib)):
            continue
        origin = getattr(value, "__module__", None)
        if origin == name or (is_package and origin and origin.startswith(name + ".")):
            found.add(attr)
    return found


@pytest.mark.parametrize("name", existing_public_modules())
def test_all_is_complete_and_sorted(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=isort_key), f"{name}.__all__ is not sorted"
    missing = defined_public_names(module, name) - set(exported)
    assert not missing, f"{name} defines public names missing from __all__: {sorted(missing)}"
    for exported_name in exported:
        assert hasattr(module, exported_name), f"{name}.__all__ names missing {exported_name}"
