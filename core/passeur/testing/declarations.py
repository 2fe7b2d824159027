"""Checks of a `SystemSpec` alone, and a throwaway plugin distribution for tests.

`system_problems(spec)` lists what is wrong with a `SystemSpec` (empty when it conforms);
`assert_system_conforms(spec)` is the one-line pytest form. `installed_distribution(...)`
puts a real distribution (dist-info with entry points) on `sys.path` for the duration of a
test, so discovery goes through `importlib.metadata` exactly as after `pip install`.
"""

from __future__ import annotations

import contextlib
import importlib
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from passeur.model import DOCUMENT_CLASSES
from passeur.schema import FieldSpec, FieldType, SystemSpec

__all__ = ["assert_system_conforms", "installed_distribution", "system_problems"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SECRET_WORDS = ("token", "secret", "password", "licence", "license", "api_key", "apikey")


def _field_problems(fields: tuple[FieldSpec, ...], where: str) -> list[str]:
    problems = []
    seen: set[str] = set()
    for spec in fields:
        path = f"{where}.{spec.name}"
        if spec.name in seen:
            problems.append(f"{path}: field declared twice")
        seen.add(spec.name)
        if spec.type is FieldType.ENUM and not spec.allowed:
            problems.append(f"{path}: enum field without allowed values")
        if spec.allowed and spec.type not in (FieldType.ENUM, FieldType.STRING):
            problems.append(f"{path}: allowed values on a {spec.type.value} field")
        if spec.fields and spec.type not in (FieldType.OBJECT, FieldType.LIST):
            problems.append(f"{path}: nested fields on a {spec.type.value} field")
        if spec.type is FieldType.OBJECT and not spec.fields:
            problems.append(f"{path}: object field without nested fields (use ANY)")
        if spec.required and spec.read_only:
            problems.append(f"{path}: required and read-only at once")
        problems += _field_problems(spec.fields, path)
    return problems


def system_problems(spec: SystemSpec) -> list[str]:
    """Everything that makes a system declaration unusable or misleading."""
    problems = []
    if not _NAME.match(spec.name):
        problems.append(f"system name {spec.name!r} must be lower-case letters, digits, _")
    names = [d.name for d in spec.document_types]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"document type {name!r} declared twice")
    for doctype in spec.document_types:
        where = f"{spec.name}.{doctype.name}"
        if not _NAME.match(doctype.name):
            problems.append(f"{where}: document type names are lower-case identifiers")
        if doctype.canonical is not None and doctype.canonical not in DOCUMENT_CLASSES:
            problems.append(f"{where}: canonical type {doctype.canonical!r} does not exist "
                            f"(known: {', '.join(DOCUMENT_CLASSES)})")
        for variant in doctype.variant_capabilities:
            if variant not in spec.variants:
                problems.append(f"{where}: capabilities for unknown variant {variant!r}")
        problems += _field_problems(doctype.fields, where)
    for config in spec.config:
        lowered = config.name.lower()
        if any(word in lowered for word in _SECRET_WORDS) and not config.secret:
            problems.append(f"setting {config.name!r} looks like a secret but is not flagged")
    if spec.variant_setting and spec.variant_setting not in {c.name for c in spec.config}:
        problems.append(f"variant setting {spec.variant_setting!r} is not a declared setting")
    return problems


def assert_system_conforms(spec: SystemSpec) -> None:
    """Fail with every problem listed when `spec` does not conform."""
    problems = system_problems(spec)
    assert not problems, "system declaration problems:\n  " + "\n  ".join(problems)


@contextlib.contextmanager
def installed_distribution(
    root: Path,
    name: str,
    version: str,
    modules: Mapping[str, str],
    entry_points: Mapping[str, str],
    group: str = "passeur",
) -> Iterator[Path]:
    """A distribution installed under `root` (a temporary directory) while the block runs.

    `modules` maps module names to their source; `entry_points` maps entry-point names to
    module paths in `group`. The modules are forgotten afterwards so tests stay isolated.
    """
    root.mkdir(parents=True, exist_ok=True)
    for module, source in modules.items():
        (root / f"{module}.py").write_text(source, encoding="utf-8")
    dist_info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir(exist_ok=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    lines = [f"[{group}]"] + [f"{ep} = {target}" for ep, target in entry_points.items()]
    (dist_info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.path.insert(0, str(root))
    importlib.invalidate_caches()
    try:
        yield root
    finally:
        sys.path.remove(str(root))
        for module in modules:
            sys.modules.pop(module, None)
        importlib.invalidate_caches()
