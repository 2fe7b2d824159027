"""Every hook is documented in the plugin author's guide, called by passeur, and
implemented by a plugin of the test suite (a hook nobody tests is a hook that may not work:
datasette's habit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from passeur import hookspecs
from passeur.plugins import iter_hook_names

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugins.md"
CORE = ROOT / "core" / "passeur"
HOOKS = list(iter_hook_names())


def _texts(folder: Path, skip: Path | None = None) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.py")) if p != skip]


def test_every_hook_is_listed() -> None:
    assert sorted(["passeur_after_write", "passeur_before_write",
                            "passeur_detect_format", "passeur_register_commands",
                            "passeur_register_formats", "passeur_register_functions",
                            "passeur_register_mapping_dirs", "passeur_register_sync_flows",
                            "passeur_register_systems"]) == HOOKS


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_documented(name: str) -> None:
    assert (getattr(hookspecs, name).__doc__ or "").strip(), f"{name} has no docstring"
    assert f"`{name}(" in GUIDE.read_text(encoding="utf-8"), f"{name} missing from docs"


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_called_by_passeur(name: str) -> None:
    """The host calls it (`hook.NAME`) or collects it by name (`"NAME"`)."""
    core = _texts(CORE, skip=CORE / "hookspecs.py")
    assert any(f"hook.{name}" in text or f'"{name}"' in text for text in core), name


@pytest.mark.parametrize("name", HOOKS)
def test_hook_is_implemented_by_a_test_plugin(name: str) -> None:
    here = Path(__file__)
    tests = _texts(ROOT / "tests", skip=here)
    assert any(f"def {name}(" in text for text in tests), f"no test plugin implements {name}"


def test_hookspecs_fit_on_one_screen() -> None:
    source = Path(hookspecs.__file__).read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 60


PUBLIC_MODULES = ["passeur", "passeur.sync", "passeur.sandbox", "passeur.testing", "passeur.dsl",
                  "passeur.checking",
                  "passeur.http", "passeur.model"]


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_every_public_name_is_in_the_guide(module: str) -> None:
    """Each name of a public module's `__all__` is named in docs/plugins.md."""
    import importlib
    import re

    names = importlib.import_module(module).__all__
    guide = GUIDE.read_text(encoding="utf-8")
    missing = [n for n in names if not re.search(rf"(?<!\w){re.escape(n)}(?!\w)", guide)]
    assert not missing, f"{module}: not in docs/plugins.md: {missing}"
