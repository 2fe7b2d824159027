"""Messages that say the fix: foreign arrows, duplicated table entries, include cycles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from passeur.checking import check_file, check_text
from passeur.dsl import MappingSyntaxError, parse_text

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"


@pytest.mark.parametrize(("arrow", "meant"), [("=>", "->"), ("<=>", "<->"), ("→", "->"),
                                              ("←", "<-")])
def test_an_arrow_from_another_language_says_which_to_write(arrow: str, meant: str) -> None:
    with pytest.raises(MappingSyntaxError) as info:
        parse_text(HEADER + f"NoFacture {arrow} number\n", "a.map")
    assert str(info.value).splitlines()[0] == (
        f"a.map:2:11: syntax error: `{arrow}` is not an arrow of the mapping language; write "
        f"`{meant}` (or `<->` both ways, `->` left to right, `<-` right to left)")


def test_a_duplicated_table_entry_is_refused(registry: Any) -> None:
    report = check_text(HEADER + 'table k\n  "FACTURES" <-> "invoice"\n  "FACTURES" -> "quote"\n'
                        "end\nTypeDoc -> kind via k\n", "t.map", registry)
    found = [f.problem for f in report.findings if f.problem.code == "duplicate-entry"]
    assert [(p.line, p.column, p.message) for p in found] == [
        (4, 3, 'table k already translates "FACTURES" forward at line 3; remove one of the '
         "two entries")]


def test_an_include_cycle_is_reported_as_a_cycle(registry: Any, tmp_path: Path) -> None:
    (tmp_path / "lib.map").write_text('table k\n  "A" -> "invoice"\nend\ninclude "main.map"\n',
                                      encoding="utf-8")
    main = tmp_path / "main.map"
    main.write_text(HEADER + 'include "lib.map"\nTypeDoc -> kind via k\n', encoding="utf-8")
    messages = [f.problem.message for f in check_file(main, registry).findings]
    assert "include cycle: main.map includes itself (directly or through other files)" in \
        messages
    assert not any("defined twice" in m for m in messages)
