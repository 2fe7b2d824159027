"""The converter a pair mapping's examples run through when `passeur check` runs them: the
one `convert --mapping` builds, so an example's right side is what convert writes. It lives
in the engine and is handed to the checker (passeur.checking), which keeps the mapping
language free of the engine."""

from __future__ import annotations

from typing import Any

from passeur.canonical import CANONICAL
from passeur.dsl.ast import MappingFile
from passeur.engine.convert import Converter, MappingStep, parse_endpoint
from passeur.errors import PasseurError
from passeur.plugins import Registry

__all__ = ["example_pipeline"]


def example_pipeline(registry: Registry, tree: MappingFile, compiled: Any) -> Any:
    """For a mapping between two systems (no canonical side), the converter `convert
    --mapping` builds with it: an example's right side is then what convert writes (a
    layer's route runs with the hub between its steps, the target's writer rounds and
    formats). None for a mapping with a canonical side: its examples show what the mapping
    writes, before the hub completes the document."""
    header = tree.header
    assert header is not None
    try:
        if any(registry.resolve(ref.system)[0].name == CANONICAL
               for ref in (header.left, header.right)):
            return None
        left = parse_endpoint(registry, header.left.text)
        right = parse_endpoint(registry, header.right.text)
        return Converter(registry, left, right, source_label="<example>",
                         steps=[MappingStep(compiled, "forward", False)])
    except PasseurError:
        return None
