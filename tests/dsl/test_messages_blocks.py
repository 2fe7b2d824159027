"""An `example` or a `table` without `end` names the open block and its line, wherever the
parser stops (at the end of the file, or at the next rule)."""

from __future__ import annotations

import pytest

from passeur.dsl import MappingSyntaxError, parse_text

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"
EXAMPLE = 'example "x"\n  left {"NoFacture": "1"}\n  right {"number": "1"}\n'


def _first_line(text: str) -> str:
    with pytest.raises(MappingSyntaxError) as info:
        parse_text(HEADER + text, "a.map")
    return str(info.value).splitlines()[0]


@pytest.mark.parametrize("after", ["", "NoFacture <-> number\n"])
def test_an_example_without_end(after: str) -> None:
    assert _first_line(EXAMPLE + after) == (
        "a.map:4:9: syntax error: the `example` block opened at line 2 has no `end` (write "
        "`end` on its own line after the `right` document)")


def test_a_table_without_end_before_a_rule() -> None:
    assert _first_line('table t\n  "a" <-> "b"\nNoFacture <-> number\n') == (
        'a.map:4:1: syntax error: unexpected name "NoFacture": the `table` block opened at '
        "line 2 has no `end` (a table holds only entries: write `end` on the line before)")


def test_a_closed_example_parses() -> None:
    assert len(parse_text(HEADER + EXAMPLE + "end\n", "a.map").examples) == 1
