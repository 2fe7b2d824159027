"""`passeur check mappings/` passes on every shipped mapping, and a misspelled field in a
copy of any of them is caught at its line with a suggestion (the issue's "done when")."""

from __future__ import annotations

from pathlib import Path

import pytest

import passeur
from passeur.checking import check_file, check_text
from passeur.dsl import ast
from passeur.dsl.parser import parse_file
from passeur.plugins import Registry

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
SHIPPED = sorted(MAPPINGS.rglob("*.map"))


@pytest.fixture(scope="module")
def registry() -> Registry:
    return passeur.load_registry()


def test_mappings_are_shipped() -> None:
    assert SHIPPED, f"no mapping file in {MAPPINGS}"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_every_shipped_mapping_passes(path: Path, registry: Registry) -> None:
    report = check_file(path, registry)
    assert report.ok, "\n".join(f.render() for f in report.findings)
    assert report.rules > 0


def _first_plain_path(path: Path) -> ast.Path:
    tree = parse_file(path)
    for scoped in ast.iter_rules(tree):
        left = scoped.rule.left
        if isinstance(left, ast.Path) and len(left.parts[0]) > 3:
            return left
    raise AssertionError(f"{path.name} has no rule with a plain path on the left")


def _has_own_rules(path: Path) -> bool:
    """A mapping with a header and rules of its own (not a library, nor a file that only
    includes one): a copy of it can be checked alone."""
    tree = parse_file(path)
    return tree.header is not None and any(True for _ in ast.iter_rules(tree))


#: Library files (no header) are checked through the files that include them.
STANDALONE = [p for p in SHIPPED if _has_own_rules(p)]


def test_most_shipped_mappings_are_standalone() -> None:
    assert len(STANDALONE) >= len(SHIPPED) - 3, sorted(set(SHIPPED) - set(STANDALONE))


@pytest.mark.parametrize("path", STANDALONE, ids=[p.name for p in STANDALONE])
def test_a_misspelled_copy_fails_at_the_line_with_a_suggestion(
        path: Path, registry: Registry) -> None:
    target = _first_plain_path(path)
    name = target.parts[0]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line = lines[target.line - 1]
    start = target.column - 1
    if line[start] == "`":  # a quoted name: keep the quotes
        start += 1
    assert line[start:start + len(name)] == name
    lines[target.line - 1] = line[:start] + name[:-1] + line[start + len(name):]
    copy = path.parent / f"misspelled-{path.name}"
    report = check_text("".join(lines), str(copy), registry, run=False)
    assert not report.ok
    found = [f.problem for f in report.findings if f.problem.line == target.line]
    assert found, "\n".join(f.render() for f in report.findings)
    assert found[0].column == target.column
    assert found[0].message.startswith(f"unknown field `{name[:-1]}` in ")
    assert found[0].message.endswith(f"; did you mean `{name}`?")
