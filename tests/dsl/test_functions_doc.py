"""docs/mapping-functions.md lists every built-in function exactly as it is declared."""

from __future__ import annotations

import re
from pathlib import Path

from passeur.dsl.functions import builtin_functions
from passeur.dsl.functions_numbers import ROUNDING_MODES

DOC = Path(__file__).resolve().parents[2] / "docs" / "mapping-functions.md"


def _rows() -> dict[str, tuple[str, str, str]]:
    rows = {}
    for match in re.finditer(r"^\| `(\w+)\((.*?)\) -> (\w+)` \| (.*?) \| (.*?) \|", DOC.read_text(
            encoding="utf-8"), re.M):
        name, params, returns, inverse, both = match.groups()
        rows[name] = (f"{name}({params}) -> {returns}", inverse, both)
    return rows


def test_every_builtin_is_documented_with_its_signature_and_inverse() -> None:
    rows = _rows()
    functions = builtin_functions()
    assert set(rows) == set(functions)
    for name, function in functions.items():
        signature, inverse, both = rows[name]
        assert signature == function.signature()
        assert inverse == (f"`{function.inverse}`" if function.inverse else "none")
        assert (both == "yes") is (function.inverse is not None and not function.lossy), name


def test_every_rounding_mode_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for mode in ROUNDING_MODES:
        assert f"`{mode}`" in text
