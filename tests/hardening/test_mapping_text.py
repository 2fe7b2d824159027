"""Mapping text given as a Python string (the API, not a file) may hold what no UTF-8 file
can: a lone surrogate. It is a located error, never a traceback from a path or the compile
cache (issue 12; found by the fuzz run of the checker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from passeur import load_registry
from passeur.checking import check_text
from passeur.dsl import MappingSyntaxError, parse_text
from passeur.dsl.cache import cache_key

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "mappings" / "erpconnector" / "acomba-vosfactures-invoice.map"


def _with_surrogate(text: str, after: str) -> tuple[str, int, int]:
    at = text.index(after) + len(after)
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return text[:at] + "\ud800" + text[at:], line, column


@pytest.mark.parametrize("after", ["as a cons", "include \"c"])
def test_a_lone_surrogate_is_a_located_finding_of_the_checker(after: str) -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    if after not in text:  # the include case: a file of its own
        text = 'include "c' + 'ii-rules.map"\n' + text
    hostile, line, column = _with_surrogate(text, after)
    for run in (False, True):
        report = check_text(hostile, "a.map", load_registry(), run=run)
        messages = [(f.problem.line, f.problem.column, f.problem.message)
                    for f in report.findings]
        assert messages == [(line, column, "syntax error: U+D800 is a lone surrogate, not a "
                             "character (the text is not valid Unicode)")]


def test_the_parser_names_line_and_column() -> None:
    with pytest.raises(MappingSyntaxError) as caught:
        parse_text("# a comment\n# caf\udfff\n", "x.map")
    assert str(caught.value).startswith("x.map:2:6: syntax error: U+DFFF is a lone surrogate")


def test_a_cache_key_is_a_hash_of_any_text() -> None:
    assert len(cache_key(["\ud800"])) == 64
    assert cache_key(["\ud800"]) != cache_key(["\ud801"])
