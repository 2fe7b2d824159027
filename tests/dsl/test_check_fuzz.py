"""Whatever a consultant types, `passeur check` answers with findings, never a traceback:
random edits of the shipped mappings are checked without raising."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import passeur
from passeur.checking import check_text
from passeur.plugins import Registry

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
TEXTS = {p.name: p.read_text(encoding="utf-8") for p in sorted(MAPPINGS.rglob("*.map"))}
PIECES = ["<->", "->", "<-", ".", "(", ")", '"', "`", "end", "each ", "x", " via t", "\n",
          " when ", " default 1", " keep", "sum(", "count(", "{", "#", "1.5", "*", "null"]

REGISTRY: Registry | None = None


def registry() -> Registry:
    global REGISTRY
    if REGISTRY is None:
        REGISTRY = passeur.load_registry()
    return REGISTRY


@st.composite
def edited(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(sorted(TEXTS)))
    text = TEXTS[name]
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:at] + draw(st.sampled_from(PIECES)) + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 12)):]
    return name, text


@pytest.mark.skipif(not TEXTS, reason="no shipped mapping")
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited(), st.booleans())
def test_edited_mappings_give_findings_not_exceptions(case: tuple[str, str], run: bool) -> None:
    name, text = case
    report = check_text(text, name, registry(), run=run)
    for finding in report.findings:
        problem = finding.problem
        assert problem.line >= 1 and problem.column >= 1, finding.render()
        assert problem.message and "Traceback" not in problem.message
