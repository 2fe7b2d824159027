"""Where every output value came from: the traces of the compiler's explain variant, shaped
for people (`passeur explain`) and for tools (`--json`).

The fast compiled path records nothing; the explain variant records, for each field it
writes, the rule (file:line:col), the branch taken and whether a default fired. This module
only reads those records, filters them by field and formats them.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from passeur.dsl import ast
from passeur.dsl.functions import show

__all__ = ["TraceStep", "field_matches", "filter_steps", "format_steps", "has_path",
           "normalise", "same_value", "silent_rules", "steps_json", "value_at"]


@attrs.frozen
class TraceStep:
    """One output field: its data path, the value written and the rule that wrote it."""

    path: str
    value: Any
    position: str
    rule: str = ""
    branch: str | None = None
    default: bool = False
    skipped: str | None = None  # why a rule wrote nothing (guard false, source absent)
    overridden: str | None = None  # the layer rule that replaced this value
    #: the field is in the document handed to the target's writer (not a route's
    #: intermediate document)
    final: bool = True
    document: str = ""  # the step that wrote it, when a route has several ("file (forward)")
    note: str | None = None  # what became of the value after the rule wrote it

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "value": _jsonable(self.value), "position": self.position,
                "rule": self.rule, "branch": self.branch, "default": self.default,
                "skipped": self.skipped, "overridden": self.overridden,
                "final": self.final, "document": self.document, "note": self.note}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _get(entry: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if isinstance(entry, Mapping) and name in entry:
            return entry[name]
        if not isinstance(entry, Mapping) and hasattr(entry, name):
            return getattr(entry, name)
    return default


_MISSING = object()
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _walk(current: Any, parts: list[tuple[str, str]]) -> Any:
    """The value at `parts`, or _MISSING. A key may hold dots (ERP Connector's
    `ExtendedProperties.passeur.currency` is the key `passeur.currency`), so names that are
    not keys are tried joined with the names after them."""
    if not parts:
        return current
    name, index = parts[0]
    if index:
        if not isinstance(current, list) or int(index) >= len(current):
            return _MISSING
        return _walk(current[int(index)], parts[1:])
    if not isinstance(current, dict):
        return _MISSING
    key, rest = name, parts[1:]
    while True:
        if key in current:
            found = _walk(current[key], rest)
            if found is not _MISSING:
                return found
        if not rest or rest[0][1]:
            return _MISSING
        key, rest = f"{key}.{rest[0][0]}", rest[1:]


def value_at(document: Any, path: str) -> Any:
    """The value at a data path such as `lines[2].quantity`, or None when there is none."""
    found = _walk(document, _PART.findall(path))
    return None if found is _MISSING else found


def has_path(document: Any, path: str) -> bool:
    """Whether the data path is present in the document (a null value counts)."""
    return _walk(document, _PART.findall(path)) is not _MISSING


def same_value(a: Any, b: Any) -> bool:
    """The same value once written: numbers by value (26.09 is 26.090), dates as ISO text."""
    a, b = (v.isoformat() if isinstance(v, (datetime.date, datetime.datetime)) else v
            for v in (a, b))
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b or a == b
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return bool(_jsonable(a) == _jsonable(b))
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except InvalidOperation:
        return str(a) == str(b)


def normalise(entry: Any, output: Any = None) -> TraceStep:
    """A TraceStep from one record of the compiler's trace (an object or a dict); when the
    record does not carry the value written, it is read from `output` at the record's path."""
    if isinstance(entry, TraceStep):
        return entry
    position = _get(entry, "position", "mapping", "where", default="")
    if not isinstance(position, str):
        file = _get(position, "file", default="")
        line = _get(position, "line", default=0)
        column = _get(position, "column", default=0)
        position = f"{file}:{line}:{column}"
    rule = _get(entry, "rule_text", "rule", default="") or ""
    if not isinstance(rule, str):
        rule = str(_get(rule, "text", default=rule))
    branch = _get(entry, "branch")
    path = str(_get(entry, "path", "target", default=""))
    value = _get(entry, "value", default=_MISSING)
    if value is _MISSING or _get(entry, "recorded", default=True) is False:
        value = value_at(output, path)
    return TraceStep(
        path=path,
        value=value,
        position=position,
        rule=rule,
        branch=None if branch is None else str(branch),
        default=bool(_get(entry, "default", "default_fired", default=False)),
        skipped=_get(entry, "skipped", "reason"),
        overridden=_get(entry, "overridden_by", "overridden"),
    )


_INDEX = re.compile(r"\[\d*\]")


def field_matches(path: str, wanted: str) -> bool:
    """Whether `path` is the field `wanted` or lies under it; list indexes are optional in
    `wanted` (`lines.quantity` and `lines[].quantity` match `lines[2].quantity`)."""
    if not wanted:
        return True
    if re.search(r"\[\d+\]", wanted):  # a precise index: compare the paths as written
        candidate, target = path, wanted
    else:
        candidate, target = _INDEX.sub("", path), _INDEX.sub("", wanted)
    return candidate == target or candidate.startswith((target + ".", target + "["))


def filter_steps(steps: Iterable[TraceStep], wanted: str | None) -> list[TraceStep]:
    return [s for s in steps if field_matches(s.path, wanted or "")]


def format_steps(steps: Iterable[TraceStep]) -> str:
    """One block per output field: `path = value`, then where it came from."""
    out = []
    document = ""
    for step in steps:
        if step.document and step.document != document:
            document = step.document
            what = "the output" if step.final else "a document on the way"
            out.append(f"-- {document}: {what} --")
        if step.skipped:
            out.append(f"{step.path}: not written ({step.skipped})")
        else:
            out.append(f"{step.path} = {_short(step.value)}")
        origin = f"  from {step.position}"
        if step.rule:
            origin += f"  {step.rule}"
        out.append(origin)
        notes = []
        if step.branch:
            notes.append(f"branch: {step.branch}")
        if step.default:
            notes.append("default fired")
        if step.overridden:
            notes.append(f"overridden by the layer rule {step.overridden}")
        if step.note:
            notes.append(step.note)
        if notes:
            out.append("  " + "; ".join(notes))
    return "\n".join(out)


def _short(value: Any) -> str:
    if isinstance(value, (dict, list)):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 70 else text[:67] + "..."
    return show(value)


def steps_json(steps: Iterable[TraceStep]) -> list[dict[str, Any]]:
    return [s.as_json() for s in steps]


def silent_rules(mapping: ast.MappingFile, direction: str, wanted: str,
                 steps: Iterable[TraceStep], issues: Iterable[Any] = ()) -> list[TraceStep]:
    """The rules that could write the field `wanted` in this direction but wrote nothing,
    so "why is this field empty?" gets an answer too (a failure, a guard, a missing source).
    """
    fired = {s.position for s in steps}
    failures: dict[str, str] = {}
    for issue in issues:
        where = getattr(issue, "mapping", None)
        if where is not None:
            failures.setdefault(str(where), str(getattr(issue, "message", issue)))
    silent = []
    for scoped in ast.iter_rules(mapping):
        if direction not in scoped.directions:
            continue
        rule = scoped.rule
        target = rule.right if direction == "forward" else rule.left
        prefix = scoped.right_prefix if direction == "forward" else scoped.left_prefix
        position = f"{rule.file or mapping.file}:{rule.line}:{rule.column}"
        if position in fired:
            continue
        for path in ast.iter_paths(target):
            written = ".".join((*prefix, *path.parts))
            if field_matches(written, wanted) or field_matches(wanted, written):
                if position in failures:
                    reason = f"it failed: {failures[position]}"
                elif rule.when is not None:
                    reason = "its guard was false, or its source was absent"
                else:
                    reason = "its source was absent"
                silent.append(TraceStep(written, None, position, rule.text, skipped=reason))
                break
    return silent
