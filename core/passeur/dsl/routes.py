"""How to convert A to B: a direct pair mapping when one exists, else A -> passeur -> B.

Mapping files come from the directories plugins register (each built-in plugin registers
its folder of the top-level `mappings/`). Only their headers are read to choose a route;
the chosen files are compiled.
A side written with a variant (`acomba.invoice`) is preferred over the generic system
(`erpconnector.invoice`) when both exist.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from passeur.canonical import CANONICAL
from passeur.errors import InputError, MappingError, PasseurError, UsageError

if TYPE_CHECKING:
    from passeur.dsl.compiled import CompiledMapping
    from passeur.dsl.values import Side
    from passeur.plugins import Registry

__all__ = ["SEARCH_PATH_ENV", "MappingHeader", "Route", "find_named", "find_route",
           "mapping_dirs", "route_under", "scan_mappings", "search_path"]


@attrs.frozen
class MappingHeader:
    """A mapping file as routes see it: its path, its two sides, whether it extends."""

    path: Path
    left: Side
    right: Side
    extends: bool
    rank: int = 0  # the folder's place in `mapping_dirs` (0: the most specific)
    extends_route: bool = False
    #: `path` resolved (links followed), read once by the scan: routes compare files by it
    resolved: Path | None = None

    @property
    def real(self) -> Path:
        return self.resolved if self.resolved is not None else self.path.resolve()


@attrs.define
class Route:
    """The mappings to run, in order, each in one direction."""

    source: str
    target: str
    doctype: str
    kind: str  # "direct", "via passeur", "identity"
    steps: list[tuple[CompiledMapping, str]]

    @property
    def files(self) -> list[Path]:
        """Every file involved, the routes that pair mappings extend included."""
        found: list[Path] = []
        for mapping, _ in self.steps:
            found.extend(m.path for m, _ in mapping.base if m.path is not None)
            if mapping.path is not None:
                found.append(mapping.path)
        return found

    def describe(self) -> str:
        """One line for the chain and one per file (a layer's base indented under it), for
        `passeur route`."""
        chain = [self._name(self.steps[0], first=True)] if self.steps else [self.source]
        for step in self.steps:
            chain.append(self._name(step, first=False))
        lines = [f"{' -> '.join(chain)}  ({self.kind})"]
        for number, (mapping, direction) in enumerate(self.steps, start=1):
            lines.extend(_describe_step(mapping, direction, f"{number}.", "  ", ""))
        return "\n".join(lines)

    @staticmethod
    def _name(step: tuple[CompiledMapping, str], first: bool) -> str:
        mapping, direction = step
        side = (mapping.left if direction == "forward" else mapping.right) if first else (
            mapping.right if direction == "forward" else mapping.left)
        return str(side)

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source, "target": self.target, "doctype": self.doctype,
            "kind": self.kind,
            "steps": [_step_json(m, d) for m, d in self.steps],
        }


def _step_json(mapping: CompiledMapping, direction: str) -> dict[str, Any]:
    return {"file": str(mapping.path or mapping.file), "direction": direction,
            "left": str(mapping.left), "right": str(mapping.right),
            "extends": mapping.extends,
            "extends_what": _extends_what(mapping) if mapping.extends else None,
            "route": [_step_json(b, bd) for b, bd in mapping.base]}


#: Folders of the consultant's own mapping files, searched before the shipped ones.
SEARCH_PATH_ENV = "PASSEUR_MAPPING_PATH"


def search_path(registry: Registry, environ: Mapping[str, str] | None = None) -> list[Path]:
    """The consultant's folders: `--mapping-dir` ones first, then $PASSEUR_MAPPING_PATH
    (separated like $PATH)."""
    env = os.environ if environ is None else environ
    found = [Path(d) for d in getattr(registry, "search_path", ())]
    found += [Path(d) for d in env.get(SEARCH_PATH_ENV, "").split(os.pathsep) if d]
    return found


def _extends_what(mapping: CompiledMapping) -> str:
    return mapping.facts.extends_what or "the route"


def _describe_step(mapping: CompiledMapping, direction: str, label: str, indent: str,
                   role: str) -> list[str]:
    """A file of a route, then (indented) the base it is a layer on, recursively."""
    extends = f", extends {_extends_what(mapping)}" if mapping.extends else ""
    lines = [f"{indent}{label} {mapping.path or mapping.file} ({direction}{role}{extends})"]
    inner = indent + " " * (len(label) + 1)
    what = _extends_what(mapping)
    for letter, (base, base_direction) in zip("abcdefghij", mapping.base, strict=False):
        base_role = ", the route it extends" if what == "the route" else ", what it extends"
        lines.extend(_describe_step(base, base_direction, f"{letter}.", inner, base_role))
    return lines


def mapping_dirs(registry: Registry) -> list[Path]:
    """Where route files come from, most specific first: the search path, then the folders
    the loaded plugins register (`passeur_register_mapping_dirs`: each built-in registers
    its mappings/<system>/ folder, so a disabled plugin's mappings are not there). Each is
    read on its own level (never recursively): a file counts only where it was put on
    purpose."""
    found: list[Path] = search_path(registry)
    found.extend(Path(d) for d in registry.mapping_dirs)
    unique: list[Path] = []
    seen: set[Path] = set()
    for directory in found:
        real = directory.resolve()
        if real not in seen:
            seen.add(real)
            unique.append(directory)
    return unique


def scan_mappings(registry: Registry, dirs: Iterable[Path] | None = None) -> list[MappingHeader]:
    """Every mapping file with a header directly in the folders (libraries are skipped).

    A file there that cannot be read or parsed is an error, not skipped: it may be the very
    mapping the user meant, and a route chosen without it would silently be another.
    """
    from passeur.dsl.ast import SideRef
    from passeur.dsl.cache import read_header  # a file parsed before is not parsed again
    from passeur.dsl.loader import _side

    headers: list[MappingHeader] = []
    for rank, directory in enumerate(dirs if dirs is not None else mapping_dirs(registry)):
        for path in sorted(Path(directory).glob("*.map")):
            try:
                header = read_header(path)
            except UnicodeDecodeError as exc:
                from passeur.dsl.loader import not_utf8

                bad = not_utf8(str(path), path.read_bytes(), exc)
                raise InputError(f"{bad.position}: {bad.message}, or move it out of "
                                 f"{directory} (passeur reads routes from there)") from None
            except OSError as exc:
                raise InputError(f"cannot read mapping file {path}: "
                                 f"{exc.strerror or exc}") from None
            except MappingError as exc:
                raise MappingError(f"mapping file {path} (in {directory}, which passeur "
                                   f"reads routes from) does not parse: {exc}") from None
            if header is None:
                continue
            headers.append(MappingHeader(path, _side(registry, SideRef(*header.left)),
                                         _side(registry, SideRef(*header.right)),
                                         header.extends, rank, header.extends_route,
                                         path.resolve()))
    return headers


def _score(registry: Registry, side: Side, name: str, doctype: str | None) -> int:
    """2: exact (variant) match, 1: the generic system, 0: no match."""
    if doctype is not None and side.doctype != doctype:
        return 0
    try:
        spec, variant = registry.resolve(name)
        system = spec.name
    except PasseurError:
        system, variant = name, None
    if side.system != system:
        return 0
    if side.variant is None:
        return 1
    return 2 if side.variant == variant else 0


def _canonical_doctype(registry: Registry, name: str, doctype: str) -> str:
    try:
        return registry.document_type(name, doctype).canonical or doctype
    except PasseurError:
        return doctype


def _best(registry: Registry, headers: list[MappingHeader], a: str, a_doctype: str | None,
          b: str, b_doctype: str | None, *, extends: bool | None = None,
          ) -> tuple[MappingHeader, str] | None:
    """The most specific mapping joining a and b, and the direction that goes a -> b."""
    best: tuple[int, int, MappingHeader, str] | None = None
    for order, header in enumerate(headers):
        if extends is not None and header.extends != extends:
            continue
        for direction, (one, two) in (("forward", (header.left, header.right)),
                                      ("backward", (header.right, header.left))):
            score = (_score(registry, one, a, a_doctype)
                     * _score(registry, two, b, b_doctype))
            if score and (best is None or score > best[0]):
                best = (score, order, header, direction)
    return (best[2], best[3]) if best else None


def _load(registry: Registry, header: MappingHeader,
          stack: tuple[Path, ...] = ()) -> CompiledMapping:
    from passeur.dsl.loader import load_mapping

    return load_mapping(header.path, registry, stack=stack)


def _via_canonical(registry: Registry, headers: list[MappingHeader], source: str, target: str,
                   doctype: str) -> list[tuple[MappingHeader, str]]:
    hub = _canonical_doctype(registry, source, doctype) if source != CANONICAL else doctype
    steps: list[tuple[MappingHeader, str]] = []
    missing: list[str] = []
    if source != CANONICAL:
        found = _best(registry, headers, source, doctype, CANONICAL, hub, extends=False)
        if found is None:
            missing.append(f"{source}.{doctype} <-> {CANONICAL}.{hub}")
        else:
            steps.append(found)
    if target != CANONICAL:
        target_doctype = None  # the target's own document type is whatever maps to the hub
        found = _best(registry, headers, CANONICAL, hub, target, target_doctype, extends=False)
        if found is None:
            missing.append(f"{CANONICAL}.{hub} <-> {target}")
        else:
            steps.append(found)
    if missing:
        raise UsageError(f"no route from {source}.{doctype} to {target}: no mapping file for "
                         f"{' nor '.join(missing)} (looked in: "
                         f"{', '.join(str(d) for d in mapping_dirs(registry)) or 'nowhere'})")
    return steps


def _route(registry: Registry, headers: list[MappingHeader], source: str, target: str,
           doctype: str, stack: tuple[Path, ...] = (), below: int = -1) -> Route:
    """The best route from the headers: a pair mapping ranked after `below` when one joins
    the two systems, else through the canonical model."""
    if source == target:
        return Route(source, target, doctype, "identity", [])
    if CANONICAL not in (source, target):
        pairs = [h for h in headers if h.rank > below and h.real not in stack]
        direct = _best(registry, pairs, source, doctype, target, None)
        if direct is not None:
            header, direction = direct
            return Route(source, target, doctype, "direct",
                         [(_load(registry, header, stack), direction)])
    usable = [h for h in headers if h.real not in stack] if stack else headers
    steps = _via_canonical(registry, usable, source, target, doctype)
    kind = "direct" if len(steps) == 1 else f"via {CANONICAL}"
    return Route(source, target, doctype, kind,
                 [(_load(registry, header, stack), direction) for header, direction in steps])


#: The folders' headers read by the `find_route` call under way, as (registry, folders,
#: headers): a pair mapping that `extends route` asks for the route under it while it is
#: being loaded, and reads them from here instead of scanning every folder again.
_SCANNED: contextvars.ContextVar[tuple[Registry, list[Path], list[MappingHeader]] | None] = (
    contextvars.ContextVar("passeur_scanned_mappings", default=None))


def find_route(registry: Registry, source: str, target: str, doctype: str = "invoice",
               dirs: Iterable[Path] | None = None) -> Route:
    """A direct pair mapping if one exists, otherwise source -> passeur -> target; the most
    specific folder of `mapping_dirs` wins. The compiled route is cached, keyed by every
    file it was built from (`passeur.dsl.route_cache`)."""
    from passeur.dsl.route_cache import cached_route

    folders = list(dirs) if dirs is not None else mapping_dirs(registry)

    def build() -> Route:
        headers = scan_mappings(registry, folders)
        token = _SCANNED.set((registry, folders, headers))
        try:
            return _route(registry, headers, source, target, doctype)
        finally:
            _SCANNED.reset(token)

    # a warm start reads the whole route from the cache: no file is analysed
    return cached_route(registry, folders, source, target, doctype, build)


def _headers(registry: Registry) -> list[MappingHeader]:
    """The headers of `mapping_dirs`: those the `find_route` under way read when it read
    the same folders (one scan per route), else read now."""
    folders = mapping_dirs(registry)
    scanned = _SCANNED.get()
    if scanned is not None and scanned[0] is registry and scanned[1] == folders:
        return scanned[2]
    return scan_mappings(registry, folders)


def route_under(registry: Registry, left: Side, right: Side, own: Path | None,
                stack: tuple[Path, ...] = ()) -> Route:
    """What `extends route` in the file `own` builds on: the route passeur would take
    without it, from the folders ranked after its own (a file given by path, in no folder,
    builds on the whole route). `stack` holds the files being loaded, to refuse cycles."""
    headers = _headers(registry)
    resolved = own.resolve() if own is not None else None
    rank = next((h.rank for h in headers if h.real == resolved), -1)
    exclude = (*stack, resolved) if resolved is not None else stack
    return _route(registry, headers, left.variant or left.system,
                  right.variant or right.system, left.doctype, exclude, rank)


def find_named(registry: Registry, name: str, own: Path | None) -> Path | None:
    """The file `extends NAME` names: NAME.map next to the extending file, else in the
    folders of `mapping_dirs`, in order."""
    candidates = [own.parent] if own is not None else []
    for directory in [*candidates, *mapping_dirs(registry)]:
        path = Path(directory) / f"{name}.map"
        if path.is_file() and (own is None or path.resolve() != own.resolve()):
            return path
    return None
