"""The whole compiled route on disk: what `find_route` builds (each step's generated code
and the plain facts it runs with, `passeur.dsl.runtime`), so that a warm start neither
imports the syntax tree, the IR nor the checker, nor analyses any file.

An entry is found by a key over what choosing the route depends on besides files: the
request (source, target, document type), the folders searched (as given, and the current
folder), the registry's systems and functions, the compiler's own source and Python's
version. It is used only while every file the build read (each mapping file scanned or
loaded, included files, CSV tables) holds the same bytes and every folder it looked through
lists the same mapping files (`passeur.dsl.reads`); any change builds the route again.
Anything that needs a step's syntax tree or IR (`--explain`, `passeur check`) analyses that
file again on first use. A cache that cannot be read or written is skipped.
"""

from __future__ import annotations

import functools
import hashlib
import json
import marshal
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from passeur.cachedir import cache_dir
from passeur.dsl import cache, reads

if TYPE_CHECKING:
    from passeur.dsl.compiled import CompiledMapping
    from passeur.dsl.routes import Route
    from passeur.plugins import Registry

__all__ = ["cached_route", "route_key"]

#: Bump when an entry's shape changes.
VERSION = "1"


@functools.cache
def _dsl_fingerprint() -> str:
    """A hash of every source file of the mapping language (and its grammar): whatever
    parses, checks, compiles or runs a route."""
    digest = hashlib.sha256(VERSION.encode())
    here = Path(__file__).parent
    for path in [*sorted(here.glob("*.py")), here / "mapping.lark"]:
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:  # pragma: no cover - a zipped install: the version must do
            digest.update(path.name.encode())
    return digest.hexdigest()


def _registry_part(registry: Registry) -> list[Any]:
    """What loading a route reads of the registry: how names resolve to systems and
    variants, document types and their hub types, schema versions, and the functions."""
    systems = sorted((s.name, s.schema_version, list(s.variants), list(s.aliases),
                      [(d.name, d.canonical) for d in s.document_types])
                     for s in registry.systems.values())
    functions = sorted((name, str(getattr(f, "inverse", None)), bool(getattr(f, "lossy", False)),
                        getattr(f, "put", None) is not None)
                       for name, f in registry.functions.items())
    return [systems, functions]


def _cwd() -> str:
    """The current folder (relative folders and files are read from it), or "" when it was
    removed: a route given by absolute folders is still found then."""
    try:
        return os.getcwd()
    except OSError:
        return ""


def route_key(registry: Registry, folders: list[Path], source: str, target: str,
              doctype: str) -> str:
    payload = json.dumps([VERSION, _dsl_fingerprint(), sys.version_info[:2],
                          _registry_part(registry), [str(f) for f in folders], _cwd(),
                          source, target, doctype], ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def _node(mapping: CompiledMapping) -> dict[str, Any]:
    return {"file": mapping.file, "path": None if mapping.path is None else str(mapping.path),
            "left": mapping.left, "right": mapping.right, "facts": mapping.facts,
            "generated": mapping.generated, "code": marshal.dumps(mapping.code_object),
            "base": [(_node(m), d) for m, d in mapping.base]}


def _store(key: str, route: Route, read: reads.Reads) -> None:
    entry = {"route": (route.source, route.target, route.doctype, route.kind),
             "steps": [(_node(m), d) for m, d in route.steps],
             "files": read.files, "folders": read.folders}
    try:
        data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # pragma: no cover - facts are plain data
        return
    cache._write(f"{key}.route", data)


def _mapping(node: dict[str, Any], registry: Registry) -> CompiledMapping:
    from passeur.dsl.compiled import CompiledMapping

    path = None if node["path"] is None else Path(node["path"])
    facts = node["facts"]
    functions = {name: registry.functions[name] for name in facts.functions}
    again = _analysis(path, registry)

    def explain_factory() -> Any:
        from passeur.dsl.loader import _build

        analysis = again.analysis()
        generated, code, _ = _build(analysis, registry, True, True)
        return generated, code

    compiled = CompiledMapping(
        file=node["file"], path=path, left=node["left"], right=node["right"], facts=facts,
        generated=node["generated"], code=marshal.loads(node["code"]), functions=functions,
        explain_factory=explain_factory, cache_hit=True, analysis=again.tree_and_ir)
    compiled.base = [(_mapping(n, registry), d) for n, d in node["base"]]
    return compiled


class _analysis:
    """The file analysed again, once, for whatever needs its syntax tree or IR."""

    def __init__(self, path: Path | None, registry: Registry) -> None:
        self.path = path
        self.registry = registry
        self._found: Any = None

    def analysis(self) -> Any:
        if self._found is None:
            from passeur.dsl.loader import analyze_file

            assert self.path is not None  # a route's files are files
            self._found = analyze_file(self.path, self.registry)
        return self._found

    def tree_and_ir(self) -> Any:
        found = self.analysis()
        return found.mapping, found.ir


def cached_route(registry: Registry, folders: list[Path], source: str, target: str,
                 doctype: str, build: Callable[[], Route]) -> Route:
    """The route from the cache when nothing it was built from changed, else `build()`
    (its reads recorded) stored for next time."""
    key = route_key(registry, folders, source, target, doctype)
    try:
        entry = pickle.loads((cache_dir() / f"{key}.route").read_bytes())
        if reads.unchanged(entry["files"], entry["folders"]):
            from passeur.dsl.routes import Route

            source_, target_, doctype_, kind = entry["route"]
            return Route(source_, target_, doctype_, kind,
                         [(_mapping(n, registry), d) for n, d in entry["steps"]])
    except Exception:  # missing, unreadable, stale or from another version: build
        pass
    with reads.recording() as read:
        for folder in folders:
            reads.note_folder(folder)
        route = build()
    _store(key, route, read)
    return route
