"""`example` blocks run by `passeur check`: forward and backward, with a readable diff.

An example is documentation and a test at once: a left document and the right document the
mapping must give. Both are JSON, so before comparing, dates are compared as ISO text and
numbers exactly (12.50 equals 12.5; "12.50" as text does not equal the number).
"""

from __future__ import annotations

import contextlib
import datetime
import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import attrs

from passeur.canonical import CANONICAL
from passeur.dsl import ast
from passeur.dsl.functions import show
from passeur.dsl.problems import Problem
from passeur.errors import MappingError, PasseurError, PluginError
from passeur.issues import Level
from passeur.plugins import Registry
from passeur.schema import FieldSpec, FieldType

__all__ = ["ExampleOutcome", "diff", "run_examples"]

DIRECTIONS = ("forward", "backward")

MAX_DIFF_LINES = 20


def _normal(value: Any) -> Any:
    """Example JSON and mapping output compared alike: dates as ISO text, numbers exact."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normal(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 60 else text[:57] + "..."
    return show(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return type(a) is type(b) and a == b


def diff(expected: Any, got: Any, path: str = "") -> list[str]:
    """Readable differences between two documents, one line per differing data path."""
    where = path or "(document)"
    if isinstance(expected, dict) and isinstance(got, dict):
        lines: list[str] = []
        for key in expected:
            sub = f"{path}.{key}" if path else str(key)
            if key not in got:
                lines.append(f"{sub}: missing, expected {_show(expected[key])}")
            else:
                lines.extend(diff(expected[key], got[key], sub))
        lines.extend(f"{path}.{k}: unexpected {_show(got[k])}" if path
                     else f"{k}: unexpected {_show(got[k])}" for k in got if k not in expected)
        return lines
    if isinstance(expected, list) and isinstance(got, list):
        lines = []
        for index in range(max(len(expected), len(got))):
            sub = f"{path}[{index}]"
            if index >= len(got):
                lines.append(f"{sub}: missing, expected {_show(expected[index])}")
            elif index >= len(expected):
                lines.append(f"{sub}: unexpected {_show(got[index])}")
            else:
                lines.extend(diff(expected[index], got[index], sub))
        return lines
    if _same(expected, got):
        return []
    return [f"{where}: expected {_show(expected)}, got {_show(got)}"]


def _diff_text(expected: Any, got: Any) -> str:
    lines = diff(_normal(expected), _normal(got))
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... and {len(lines) - MAX_DIFF_LINES} more"]
    return "\n".join(lines)


def _compile(tree: ast.MappingFile, text: str, file: str, registry: Registry,
             outcome: ExampleOutcome, known: list[Problem]) -> Any:
    """The compiled mapping, or None after reporting every compile problem not in `known`.
    The tree the checker parsed is analysed and compiled as is (no second parse)."""
    import passeur.dsl as dsl

    try:
        return dsl.compile_analysis(dsl.analyze_mapping(tree, registry), registry)
    except MappingError as exc:
        problems = getattr(exc, "problems", None) or (
            Problem(file, 1, 1, str(exc), "compile", text),)
        outcome.problems.extend((p, Level.ERROR, "") for p in problems
                                if not _reported(p, known))
        return None


_SAME_KIND = ("unknown function", "unknown table", "unknown field", "one-to-one", "takes ")


def _reported(problem: Problem, mine: list[Problem]) -> bool:
    """Whether the checker already reported what the compiler found (same line and kind)."""
    for other in mine:
        if (other.file, other.line) != (problem.file, problem.line):
            continue
        if other.message == problem.message or any(
                k in other.message and k in problem.message for k in _SAME_KIND):
            return True
    return False


def _plain(value: Any, fields: tuple[FieldSpec, ...]) -> Any:
    """Example JSON of the canonical side in its plain form: ISO dates become date objects
    (numbers are already exact), as `passeur.serialize.to_plain` would give them."""
    if not isinstance(value, dict):
        return value
    out = dict(value)
    for spec in fields:
        if spec.name not in out:
            continue
        item = out[spec.name]
        if spec.type is FieldType.DATE and isinstance(item, str):
            with contextlib.suppress(ValueError):  # left as written: the mapping reports it
                out[spec.name] = datetime.date.fromisoformat(item)
        elif spec.type is FieldType.LIST and isinstance(item, list) and spec.fields:
            out[spec.name] = [_plain(i, spec.fields) for i in item]
        elif spec.type is FieldType.OBJECT and spec.fields:
            out[spec.name] = _plain(item, spec.fields)
    return out


def _canonical_fields(registry: Registry, ref: ast.SideRef) -> tuple[FieldSpec, ...] | None:
    try:
        spec, _variant = registry.resolve(ref.system)
        doctype = registry.document_type(ref.system, ref.doctype)
    except PasseurError:
        return None
    return doctype.fields if spec.name == CANONICAL else None


def _wire_reader(registry: Registry, ref: ast.SideRef) -> Any:
    """The reader `convert` uses for a system's side, or None (canonical, unregistered)."""
    try:
        spec, _variant = registry.resolve(ref.system)
    except PasseurError:
        return None
    if spec.name == CANONICAL:
        return None
    return registry.formats.get(f"{spec.name}.{ref.doctype}")


def _read(reader: Any, document: Any) -> Any:
    """An example document typed by the schema, as the wire reader types it; left as
    written when the reader refuses it (the run then reports what is wrong)."""
    read = getattr(reader, "read_fields_only", None) or getattr(reader, "read", None)
    if read is None or not isinstance(document, dict):
        return document
    try:
        plain, found = read(document, "<example>")
    except PasseurError:
        return document
    except Exception as exc:  # a plugin's reader that crashes: its author must hear of it
        name = getattr(reader, "name", None) or type(reader).__name__
        raise PluginError(f"the reader of {name} failed on this example with "
                          f"{type(exc).__name__}: {exc} (a defect of the plugin that "
                          "registers it: its read must refuse bad input with an issue)"
                          ) from exc
    if plain is None or any(getattr(i, "level", None) is Level.ERROR for i in found):
        return document
    return plain


def _forward(pipeline: Any, compiled: Any, raw: Any, source: Any, reader: Any
             ) -> tuple[Any, list[Any]]:
    """The example's left document run forward, as convert runs it when it can."""
    if pipeline is None or not isinstance(raw, dict):
        result = compiled.forward(source)
        return result.value, list(result.issues)
    outcome = pipeline.convert(raw)
    value = None if outcome.output is None else _read(reader, outcome.output)
    return value, list(outcome.issues)


def _issues_text(issues: Iterable[Any]) -> str:
    return "\n".join(str(i) for i in issues if getattr(i, "level", Level.ERROR) >= Level.ERROR)


@attrs.define
class ExampleOutcome:
    """What compiling and running the examples found: (problem, level, detail) triples."""

    problems: list[tuple[Problem, Level, str]] = attrs.field(factory=list)
    run: int = 0
    failed: int = 0
    compiled: Any = None  # the CompiledMapping, when the file compiles


#: Builds the converter a pair mapping's examples run through (`convert --mapping`'s): given
#: by the caller (passeur.checking passes the engine's), so the language knows no engine.
PipelineFactory = Callable[[Registry, ast.MappingFile, Any], Any]


def run_examples(tree: ast.MappingFile, text: str, file: str, registry: Registry,
                 known: list[Problem], pipeline: PipelineFactory | None = None
                 ) -> ExampleOutcome:
    """Compile the file and run each example forward and backward, reporting diffs.

    Compile problems already in `known` (found by the static checks) are not repeated.
    """
    outcome = ExampleOutcome()
    compiled = outcome.compiled = _compile(tree, text, file, registry, outcome, known)
    if compiled is None or tree.header is None:
        return outcome
    plain = {name: _canonical_fields(registry, ref) for name, ref in
             (("left", tree.header.left), ("right", tree.header.right))}
    readers = {name: _wire_reader(registry, ref) for name, ref in
               (("left", tree.header.left), ("right", tree.header.right))}
    converter = (pipeline(registry, tree, compiled)
                 if pipeline is not None and tree.examples else None)
    for example in tree.examples:
        outcome.run += 1
        failed = False
        left, right = example.left, example.right
        if plain["left"] is not None:
            left = _plain(left, plain["left"])
        if plain["right"] is not None:
            right = _plain(right, plain["right"])
        # a system's side is read as `convert` reads it (dates are dates, decimals typed)
        try:
            left = _read(readers["left"], left)
            right = _read(readers["right"], right)
        except PluginError as exc:
            outcome.failed += 1
            outcome.problems.append((
                Problem(file, example.line, example.column,
                        f'example "{example.name}" cannot be read', "example", text),
                Level.ERROR, str(exc)))
            continue
        for direction in DIRECTIONS:
            source, expected = (left, right) if direction == "forward" else (right, left)
            try:
                if direction == "forward":
                    value, issues = _forward(converter, compiled, example.left, source,
                                             readers["right"])
                else:
                    result = compiled.backward(source, left)
                    value, issues = result.value, list(result.issues)
            except PasseurError as exc:
                detail = str(exc)
            else:
                detail = _diff_text(expected, value) if value is not None else ""
                errors = _issues_text(issues)
                detail = "\n".join(t for t in (detail, errors) if t)
            if detail:
                failed = True
                outcome.problems.append((
                    Problem(file, example.line, example.column,
                            f'example "{example.name}" fails {direction}', "example", text),
                    Level.ERROR, detail))
        outcome.failed += failed
    return outcome
