"""Where every output value came from: the traces of the compiler's explain variant, shaped
for people (`passeur explain`) and for tools (`--json`).

The fast compiled path records nothing; the explain variant records, for each field it
writes, the rule (file:line:col), the branch taken and whether a default fired. This module
only reads those records, filters them by field and formats them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from passeur.dsl import ast
from passeur.dsl.functions import show

__all__ = ["TraceStep", "field_matches", "filter_steps", "format_steps", "normalise",
           "silent_rules", "steps_json", "value_at"]


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

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "value": _jsonable(self.value), "position": self.position,
                "rule": self.rule, "branch": self.branch, "default": self.default,
                "skipped": self.skipped, "overridden": self.overridden}


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


def value_at(document: Any, path: str) -> Any:
    """The value at a data path such as `lines[2].quantity`, or None when there is none."""
    current = document
    for name, index in _PART.findall(path):
        if index:
            if not isinstance(current, list) or int(index) >= len(current):
                return None
            current = current[int(index)]
        else:
            if not isinstance(current, dict) or name not in current:
                return None
            current = current[name]
    return current


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
    for step in steps:
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
