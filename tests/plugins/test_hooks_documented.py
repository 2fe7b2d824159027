"""Every hook has a docstring and a row in the plugin author's guide."""

from __future__ import annotations

from pathlib import Path

import pytest

from passeur import hookspecs
from passeur.plugins import iter_hook_names

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


@pytest.mark.parametrize("name", list(iter_hook_names()))
def test_hook_is_documented(name: str) -> None:
    assert (getattr(hookspecs, name).__doc__ or "").strip(), f"{name} has no docstring"
    assert f"`{name}(" in GUIDE.read_text(encoding="utf-8"), f"{name} missing from docs"


def test_hookspecs_fit_on_one_screen() -> None:
    source = Path(hookspecs.__file__).read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 60
