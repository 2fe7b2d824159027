"""docs/mapping-language.md stays true: its complete example compiles and its example block
holds both ways; every keyword it lists is one the printer quotes."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest

from passeur.dsl import load_mapping, parse_text
from passeur.dsl.printer import KEYWORDS, format_text

DOC = Path(__file__).resolve().parents[2] / "docs" / "mapping-language.md"


def blocks() -> list[str]:
    return re.findall(r"```\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_complete_example_runs_both_ways(tmp_path: Path, registry: Any) -> None:
    example = next(b for b in blocks() if b.startswith("# acomba-invoice.map"))
    (tmp_path / "quebec-tables.map").write_text('table modes\n  1 <-> "cash"\nend\n')
    path = tmp_path / "acomba-invoice.map"
    path.write_text(example, encoding="utf-8")
    mapping = load_mapping(path, registry)
    assert format_text(example) == example  # the doc shows the canonical layout
    (block,) = mapping.examples
    expected = dict(block.right, issue_date=datetime.date(2024, 4, 24))
    forward = mapping.forward(block.left)
    assert forward.issues == []
    assert forward.value == expected
    backward = mapping.backward(expected, block.left)
    assert backward.issues == []
    assert backward.value == block.left


def test_every_rule_snippet_in_the_doc_parses() -> None:
    for block in blocks():
        if re.search(r"<[a-z][a-z ]*>", block):  # a template such as <left system>
            continue
        if re.match(r"# \S+\.csv\n", block):  # a data file, not mapping text
            continue
        if re.search(r'^table \w+ from "', block, re.M):  # reads its CSV file (see
            continue  # tests/dsl/test_csv_tables.py)
        if block.startswith(("mapping", "table", "each", "example", "include", "#")):
            parse_text(block)


def test_keyword_list_matches_the_printer() -> None:
    text = DOC.read_text(encoding="utf-8")
    listed = text.split("## Keywords", 1)[1].split("`")[1].split()
    assert set(listed) == KEYWORDS


#: The constructs of issue 9, by the heading of their section: each has an example that runs.
CONSTRUCTS = (
    "Named values: `let`", "French numbers", "Tables from a CSV file",
    "One field into two and back: `before` and `after`", "Filters: `where`",
    "A join of two lists by key: `lookup`", "The item's number: `position()`",
    "Parent and root: `^.` and `$.`", "Grouping and summaries: `group`",
    "Renaming an object's keys: `each key, value in`",
)


def sections() -> dict[str, str]:
    """Each `##`/`###` section's text, by its heading."""
    parts = re.split(r"^#{2,3} (.+)$", DOC.read_text(encoding="utf-8"), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_construct_example_in_the_doc_holds_both_ways(
        registry: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each documented construct (a block with a header and an `example`) compiles, and its
    example gives its right document forward and its left document back, without issues;
    every construct of issue 9 has one."""
    monkeypatch.chdir(tmp_path)  # the printer reads a table's CSV file from here
    ran = 0
    done: set[str] = set()
    for block in blocks():
        if re.match(r"# \S+\.csv\n", block):  # a data file the mapping blocks read
            name, data = block.split("\n", 1)
            (tmp_path / name[2:]).write_text(data, encoding="utf-8")
    for heading, text in sections().items():
        for block in re.findall(r"```\n(.*?)```", text, re.S):
            if block.startswith("mapping") and "\nexample " in block:
                ran += _run_both_ways(block, registry, tmp_path)
                done.add(heading)
    assert [c for c in CONSTRUCTS if c not in done] == []
    assert ran >= len(CONSTRUCTS)


def _run_both_ways(block: str, registry: Any, tmp_path: Path) -> int:
    from passeur.checking import check_text
    from passeur.dsl import load_mapping

    ran = 0
    assert format_text(block) == block
    path = tmp_path / "doc.map"  # beside the data files the block may read
    path.write_text(block, encoding="utf-8")
    report = check_text(block, str(path), registry)
    # a snippet maps a few fields: only the required fields it leaves out may be said
    assert [f.render() for f in report.findings if "is never written" not in
            f.problem.message] == [], block
    assert report.examples_failed == 0
    mapping = load_mapping(path, registry, use_cache=False)
    for example in mapping.examples:
        forward = mapping.forward(example.left)
        assert (forward.value, forward.issues) == (example.right, []), example.name
        backward = mapping.backward(example.right, example.left)
        assert (backward.value, backward.issues) == (example.left, []), example.name
        ran += 1
    return ran
