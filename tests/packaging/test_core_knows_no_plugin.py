"""Core names no built-in system: a check over its source, and every command run with each
built-in plugin disabled in turn.

Documentation is allowed to use the built-ins as examples (docstrings, comments, `--help`
text); code is not: no identifier and no string literal the code acts on names a system,
a variant or a plugin package.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from passeur import load_registry

CORE = Path(__file__).resolve().parents[2] / "core" / "passeur"


def _builtin_names() -> list[str]:
    registry = load_registry()
    builtin = [r for r in registry.plugins if r.distribution == "passeur"]
    names = {n for r in builtin for n in r.systems}
    names |= {v for n in set(names) for v in registry.systems[n].variants}
    names |= {r.module for r in builtin}
    return sorted(names)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value,
                                                                     ast.Constant):
                found.add(id(body[0].value))
    return found


def _help_texts(tree: ast.AST) -> set[int]:
    """Strings that are help text: help=/short_help= arguments, *HELP constants, epilogs."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in ("help", "short_help", "epilog"):
            found |= {id(n) for n in ast.walk(node.value)}
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id.endswith("HELP") for t in node.targets):
            found |= {id(n) for n in ast.walk(node.value)}
    return found


#: Known exceptions, each with the issue that removes it.
KNOWN = {
    # issue 14: the table of XML syntaxes (UBL, CII, camt...) belongs to the plugins that
    # read them, through passeur_detect_format
    "xml.py",
}


def offenders(names: list[str]) -> list[str]:
    pattern = re.compile(r"(?<![a-z0-9])(" + "|".join(map(re.escape, names)) + r")(?![a-z0-9])",
                         re.IGNORECASE)
    found = []
    for path in sorted(CORE.rglob("*.py")):
        if str(path.relative_to(CORE)) in KNOWN:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skip = _docstrings(tree) | _help_texts(tree)
        for node in ast.walk(tree):
            text = None
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in skip:
                text = node.value
            elif isinstance(node, ast.Name):
                text = node.id
            elif isinstance(node, ast.Attribute):
                text = node.attr
            elif isinstance(node, ast.alias):
                text = node.name
            elif isinstance(node, ast.FunctionDef | ast.ClassDef | ast.arg):
                text = getattr(node, "name", None) or getattr(node, "arg", None)
            if text and pattern.search(text):
                line = getattr(node, "lineno", 0)
                found.append(f"{path.relative_to(CORE)}:{line}: {text[:60]!r}")
    return found


def test_core_source_names_no_builtin_system() -> None:
    names = _builtin_names()
    assert {"vosfactures", "erpconnector", "acomba", "passeur_vosfactures"} <= set(names)
    assert offenders(names) == []


# --- each built-in disabled in turn: every command still works for the others -------------

BUILTINS = sorted(r.name for r in load_registry().plugins if r.distribution == "passeur")


def _run(registry: Any, *args: str) -> Any:
    from click.testing import CliRunner

    from passeur.cli import _load_commands, cli
    from passeur.cli.app import State

    _load_commands()
    return CliRunner().invoke(cli, list(args), obj=State(registry))


@pytest.mark.parametrize("disabled", BUILTINS)
def test_every_command_works_without_one_builtin(disabled: str) -> None:
    from engine.test_convert_matrix import SAMPLES

    from passeur.engine.convert import Converter, parse_endpoint

    registry = load_registry(environ={"PASSEUR_DISABLE_PLUGINS": disabled})
    assert disabled not in {r.name for r in registry.plugins}
    assert [r.error for r in registry.plugins if r.error] == []
    gone = {n for n, owner in load_registry().system_plugin.items() if owner == disabled}
    assert gone and not gone & set(registry.systems)
    # every command answers --help, and the registry-wide ones run
    from passeur.cli import _load_commands, cli

    _load_commands()
    for name in sorted(cli.commands):
        result = _run(registry, name, "--help")
        assert result.exit_code == 0, (name, result.output)
    for args in (("plugins", "--json"), ("systems", "--json"), ("check",)):
        result = _run(registry, *args)
        assert result.exit_code == 0, (args, result.output)
    # every remaining format converts its sample to the hub
    for name, fmt in sorted(registry.formats.items()):
        canonical = registry.document_type(fmt.system, fmt.doctype).canonical
        converter = Converter(registry, parse_endpoint(registry, name),
                              parse_endpoint(registry, f"passeur.{canonical}"))
        outcome = converter.convert(SAMPLES[name]())
        assert outcome.output is not None, (disabled, name, outcome.issues)
