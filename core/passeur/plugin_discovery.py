"""The plugins' entry points (`passeur` group), found once and remembered while the installed
distributions stay the same, so a start does not import `importlib.metadata` (with email,
zipfile and csv, about a fifteenth of a one-document convert) only to read the same list.

What is found depends only on the files of `sys.path`: the remembered list is keyed by the
entries, the names of the distribution folders in each (`*.dist-info`, `*.egg-info`) and the
size and time of their `entry_points.txt` (installing, removing or upgrading a distribution
changes them; a zip file on the path, by its own size and time). A finder on `sys.meta_path`
that finds distributions its own way (not from files on `sys.path`) turns the memory off; so
does a cache folder that cannot be read or written. The list is a plain JSON file next to the
compiled mappings.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from importlib.machinery import PathFinder
from typing import Any

from passeur.cachedir import cache_dir

__all__ = ["EntryPoint", "discover", "loader"]

#: (entry-point name, value "module:attr", distribution name, distribution version)
EntryPoint = tuple[str, str, str | None, str | None]

_DISTRIBUTION_FOLDERS = (".dist-info", ".egg-info")


def discover(group: str) -> list[EntryPoint]:
    """The group's entry points, sorted by name, remembered when the key can be computed."""
    key = _key(group)
    if key is not None:
        found = _read(key)
        if found is not None:
            return found
    found = _from_metadata(group)
    if key is not None:
        _write(key, found)
    return found


def loader(value: str) -> Callable[[], object]:
    """What `importlib.metadata.EntryPoint.load` does for `module[:attr.attr] [extras]`."""
    def load() -> object:
        module, _, attr = value.split("[", 1)[0].partition(":")
        found: object = importlib.import_module(module.strip())
        for part in filter(None, attr.strip().split(".")):
            found = getattr(found, part)
        return found
    return load


def _from_metadata(group: str) -> list[EntryPoint]:
    import importlib.metadata

    found: list[EntryPoint] = []
    for ep in sorted(importlib.metadata.entry_points(group=group), key=lambda e: e.name):
        dist = getattr(ep, "dist", None)
        name = dist.metadata["Name"] if dist is not None else None
        found.append((ep.name, ep.value, name, dist.version if dist is not None else None))
    return found


def _key(group: str) -> str | None:
    """A hash of what entry points are read from, or None when it cannot be known."""
    if any(hasattr(finder, "find_distributions") and finder is not PathFinder
           for finder in sys.meta_path):
        return None
    parts: list[Any] = [sys.version, group]
    for entry in sys.path:
        try:
            info = os.stat(entry or ".")
        except OSError:
            parts.append([entry])
            continue
        if not stat.S_ISDIR(info.st_mode):  # a zip file: its time and size say when it changed
            parts.append([entry, info.st_mtime_ns, info.st_size])
            continue
        # a folder: its distributions, not its time (a file written in the current folder,
        # which `python -m` puts on the path, changes nothing that is found)
        parts.append([entry])
        try:
            with os.scandir(entry or ".") as listing:
                names = sorted(e.name for e in listing if e.name.endswith(_DISTRIBUTION_FOLDERS))
        except OSError:
            return None
        for name in names:
            try:
                text = os.stat(os.path.join(entry or ".", name, "entry_points.txt"))
                parts.append([name, text.st_mtime_ns, text.st_size])
            except OSError:
                parts.append([name])
    payload = json.dumps(parts, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return hashlib.sha256(payload).hexdigest()


def _path(key: str) -> str:
    return os.path.join(cache_dir(), f"entry-points-{key}.json")


def _read(key: str) -> list[EntryPoint] | None:
    try:
        with open(_path(key), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(data, list) or not all(
            isinstance(row, list) and len(row) == 4 and all(
                isinstance(x, str) or (x is None and i >= 2) for i, x in enumerate(row))
            for row in data):
        return None
    return [(row[0], row[1], row[2], row[3]) for row in data]


def _write(key: str, found: list[EntryPoint]) -> None:
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump([list(row) for row in found], handle)
            os.replace(tmp, _path(key))
        except OSError:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # remembering only saves time
