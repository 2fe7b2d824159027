"""Which installed system a document that its reader refused looks like, from the registry.

A reader that finds none of its fields in an object says so (`wire.wrong_system`); the
engine then compares the object's keys, and those of the objects it wraps one level down
(`{"Facture": {...}}`), with every other system's declared fields, and names the best
match: "this looks like a VosFactures invoice (it has `positions`, `buyer_name`); read it
with --from vosfactures". Nothing here names a system: a third-party plugin's documents are
recognised the moment it is installed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from passeur.issues import Issue, Level
from passeur.wire_checks import WRONG_SYSTEM

if TYPE_CHECKING:
    from passeur.plugins import Registry
    from passeur.schema import SystemSpec

__all__ = ["MIN_KEYS", "looks_like", "with_hint"]

#: keys of another system a document must have before it is said to look like it
MIN_KEYS = 2
#: keys named in the hint
SHOWN = 3


def _objects(value: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The document and the objects it wraps one level down, with their key prefix."""
    yield "", value
    for key, inner in value.items():
        if isinstance(inner, dict):
            yield f"{key}.", inner


def _field_names(system: SystemSpec) -> frozenset[str]:
    return frozenset(spec.name for doctype in system.document_types for spec in doctype.fields)


def _short(system: SystemSpec) -> str:
    return system.title.split(" (")[0]


def _article(words: str) -> str:
    return "an" if words[:1].lower() in "aeio" else "a"


def looks_like(registry: Registry, value: Any, besides: str) -> str | None:
    """The hint for a document the `besides` system refused, or None when no other system's
    document type has at least MIN_KEYS of its keys that `besides` does not declare. The
    keys named first are those the fewest systems declare (`positions` before `id`)."""
    if not isinstance(value, dict) or besides not in registry.systems:
        return None
    own = _field_names(registry.systems[besides])
    declared = Counter(key for system in registry.systems.values()
                       for key in _field_names(system))
    best: tuple[int, str, str, list[str]] | None = None
    for name in sorted(registry.systems):
        system = registry.systems[name]
        if name == besides:
            continue
        for doctype in system.document_types:
            theirs = frozenset(spec.name for spec in doctype.fields) - own
            for prefix, inner in _objects(value):
                matched = [key for key in inner if key in theirs]
                if len(matched) >= MIN_KEYS and (best is None or len(matched) > best[0]):
                    what = f"{_short(system)} {doctype.name}"
                    telling = sorted(matched, key=lambda key: declared[key])  # stable
                    best = (len(matched), name, what, [f"{prefix}{key}" for key in telling])
    if best is None:
        return None
    _, name, what, matched = best
    keys = ", ".join(f"`{key}`" for key in matched[:SHOWN])
    return f"this looks like {_article(what)} {what} (it has {keys}); read it with --from {name}"


def with_hint(registry: Registry, value: Any, system: str,
              issues: Iterable[Issue]) -> list[Issue]:
    """`issues` with the first wrong-system error told which system the document looks like
    (the reader's own words kept before the hint)."""
    out = list(issues)
    for i, issue in enumerate(out):
        if issue.code == WRONG_SYSTEM and issue.level is Level.ERROR:
            hint = looks_like(registry, value, system)
            if hint is not None:
                out[i] = attrs.evolve(issue, message=f"{issue.message}: {hint}")
            break
    return out
