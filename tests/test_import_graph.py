"""No cycle between passeur's sub-packages and top-level modules, counting every import:
at the top of a file, inside a function (an import moved into a function still makes a
cycle, it only hides it from the interpreter) and `importlib.import_module("passeur.x")`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "core" / "passeur"



def _unit(module: str) -> str | None:
    """`passeur.dsl.loader` -> `dsl`; `passeur.errors` -> `errors`; `passeur` -> None."""
    parts = module.split(".")
    return parts[1] if parts[0] == "passeur" and len(parts) > 1 else None


def _imports(tree: ast.AST) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node.lineno
            if node.module == "passeur":  # from passeur import dsl
                yield from ((f"passeur.{a.name}", node.lineno) for a in node.names)
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            yield node.args[0].value, node.lineno


def graph() -> dict[str, dict[str, str]]:
    """unit -> {unit it imports: the first place it does}."""
    edges: dict[str, dict[str, str]] = {}
    for path in sorted(CORE.rglob("*.py")):
        parts = path.relative_to(CORE.parent).with_suffix("").parts
        source = _unit(".".join(parts).removesuffix(".__init__"))
        if source is None:
            continue
        for module, line in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            target = _unit(module)
            if target is not None and target != source and (
                    (CORE / target).is_dir() or (CORE / f"{target}.py").exists()):
                edges.setdefault(source, {}).setdefault(
                    target, f"{path.relative_to(CORE.parent)}:{line}")
    return edges


def cycles(edges: dict[str, dict[str, str]]) -> list[list[str]]:
    """Each cycle found by a depth-first search, as the units along it."""
    found: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(unit: str, path: list[str]) -> None:
        state[unit] = 1
        for nxt in sorted(edges.get(unit, {})):
            if state.get(nxt) == 1:
                found.append([*path[path.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[unit] = 2

    for unit in sorted(edges):
        if unit not in state:
            visit(unit, [unit])
    return found


def test_the_graph_is_read() -> None:
    edges = graph()
    assert "dsl" in edges["cli"] and "engine" in edges["cli"]
    assert "dsl" in edges["engine"]  # convert loads the compiler (importlib) when it maps


def test_no_cycle_between_sub_packages() -> None:
    edges = graph()
    found = cycles(edges)
    described = [" -> ".join(c) + " (" + ", ".join(edges[a][b] for a, b in pairwise(c)) + ")"
                 for c in found]
    assert not found, "import cycles:\n  " + "\n  ".join(described)


def test_the_language_knows_no_engine() -> None:
    """`passeur check` runs pair examples through convert's converter: passeur.checking, above
    both, hands it to the language's checker (the cycle dsl <-> engine this closed is gone)."""
    edges = graph()
    assert "engine" not in edges["dsl"], edges["dsl"].get("engine")
    assert {"dsl", "engine"} <= set(edges["checking"])


def test_a_cycle_is_found() -> None:
    assert cycles({"a": {"b": "x"}, "b": {"c": "y"}, "c": {"a": "z"}}) == [["a", "b", "c", "a"]]
