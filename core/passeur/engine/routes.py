"""How to convert A to B: a direct pair mapping when one exists, else A -> passeur -> B.

Mapping files come from the package's `mappings/` directory and from the directories plugins
register. Only their headers are read to choose a route; the chosen files are compiled.
A side written with a variant (`acomba.invoice`) is preferred over the generic system
(`erpconnector.invoice`) when both exist.
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from passeur.canonical import CANONICAL
from passeur.errors import MappingError, PasseurError, UsageError

if TYPE_CHECKING:
    from passeur.dsl.compiled import CompiledMapping
    from passeur.dsl.values import Side
    from passeur.plugins import Registry

__all__ = ["MappingHeader", "Route", "composed_route", "find_route", "mapping_dirs",
           "scan_mappings"]


@attrs.frozen
class MappingHeader:
    """A mapping file as routes see it: its path, its two sides, whether it extends."""

    path: Path
    left: Side
    right: Side
    extends: bool


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
        """One line for the chain and one per file, for `passeur route`."""
        chain = [self._name(self.steps[0], first=True)] if self.steps else [self.source]
        for step in self.steps:
            chain.append(self._name(step, first=False))
        lines = [f"{' -> '.join(chain)}  ({self.kind})"]
        for number, (mapping, direction) in enumerate(self.steps, start=1):
            extends = ", extends the route" if mapping.extends else ""
            lines.append(f"  {number}. {mapping.path or mapping.file} ({direction}{extends})")
            for letter, (base, base_direction) in zip("abcdefgh", mapping.base, strict=False):
                lines.append(f"     {letter}. {base.path or base.file} ({base_direction}, "
                             "the route it extends)")
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
            "steps": [{"file": str(m.path or m.file), "direction": d,
                       "left": str(m.left), "right": str(m.right), "extends": m.extends,
                       "route": [{"file": str(b.path or b.file), "direction": bd}
                                 for b, bd in m.base]}
                      for m, d in self.steps],
        }


def mapping_dirs(registry: Registry) -> list[Path]:
    """The package's mappings directory, then those plugins register."""
    found: list[Path] = []
    try:
        # resolved: in a source checkout this is the top-level mappings/ a consultant edits
        shipped = Path(str(importlib.resources.files("passeur") / "mappings")).resolve()
        if shipped.is_dir():
            found.append(shipped)
    except (ModuleNotFoundError, OSError):  # pragma: no cover - broken installs
        pass
    found.extend(Path(d) for d in registry.mapping_dirs)
    return found


def scan_mappings(registry: Registry, dirs: Iterable[Path] | None = None) -> list[MappingHeader]:
    """Every mapping file with a header under the directories (libraries are skipped, and so
    are files that do not parse: `passeur check` reports those)."""
    from passeur.dsl.loader import _side
    from passeur.dsl.parser import parse_file

    headers: list[MappingHeader] = []
    for directory in dirs if dirs is not None else mapping_dirs(registry):
        for path in sorted(Path(directory).rglob("*.map")):
            try:
                parsed = parse_file(path)
            except (MappingError, OSError):
                continue
            header = parsed.header
            if header is None:
                continue
            headers.append(MappingHeader(path, _side(registry, header.left),
                                         _side(registry, header.right), parsed.extends))
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


def _load(registry: Registry, header: MappingHeader) -> CompiledMapping:
    from passeur.dsl.loader import load_mapping

    return load_mapping(header.path, registry)


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


def find_route(registry: Registry, source: str, target: str, doctype: str = "invoice",
               dirs: Iterable[Path] | None = None) -> Route:
    """A direct pair mapping if one exists, otherwise source -> passeur -> target."""
    headers = scan_mappings(registry, dirs)
    if source == target:
        return Route(source, target, doctype, "identity", [])
    if CANONICAL not in (source, target):
        direct = _best(registry, headers, source, doctype, target, None)
        if direct is not None:
            header, direction = direct
            return Route(source, target, doctype, "direct",
                         [(_load(registry, header), direction)])
    steps = _via_canonical(registry, headers, source, target, doctype)
    kind = "direct" if len(steps) == 1 else f"via {CANONICAL}"
    return Route(source, target, doctype, kind,
                 [(_load(registry, header), direction) for header, direction in steps])


def composed_route(registry: Registry, left: Side, right: Side,
                   dirs: Iterable[Path] | None = None) -> Route:
    """The route an `extends` pair mapping starts from: left -> passeur -> right."""
    headers = scan_mappings(registry, dirs)
    source = left.variant or left.system
    target = right.variant or right.system
    steps = _via_canonical(registry, headers, source, target, left.doctype)
    return Route(source, target, left.doctype, f"via {CANONICAL}",
                 [(_load(registry, header), direction) for header, direction in steps])
