"""Where passeur keeps what it caches (compiled mappings, parsed files, the plugins found):
one folder, $PASSEUR_CACHE_DIR when set. A top-level module of its own, so that the plugin
host finds it without importing the mapping language."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir"]


def cache_dir() -> Path:
    """$PASSEUR_CACHE_DIR, else the user cache directory (XDG or ~/.cache) + passeur."""
    explicit = os.environ.get("PASSEUR_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "passeur" / "mappings"
