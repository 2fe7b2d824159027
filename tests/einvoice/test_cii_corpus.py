"""Every CII file of the corpus reads with the MANIFEST's facts and survives a round trip;
each XRechnung UBL/CII pair gives one canonical document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import TESTDATA

from support.einvoice_corpus import assert_facts, comparable, converter, manifest, read

CII = manifest("cii")
PAIRS = sorted(p.name.removesuffix("_ubl.xml") for p in (TESTDATA / "xrechnung").glob("*_ubl.xml"))


def test_the_corpus_has_the_cii_files_the_readme_lists() -> None:
    assert len(CII) == 15 + 12 + 5  # cii/en16931, xrechnung, facturx XML


@pytest.mark.parametrize(("path", "facts"), CII, ids=[p for p, _ in CII])
def test_cii_sample_matches_the_manifest(path: str, facts: dict[str, str]) -> None:
    outcome = read("cii", TESTDATA / path)
    assert not outcome.failed, [str(i.message) for i in outcome.issues]
    assert_facts(outcome.output, facts)
    if "profile" in facts:
        assert outcome.output["extensions"]["customization_id"] == facts["profile"]


@pytest.mark.parametrize(("path", "facts"), CII, ids=[p for p, _ in CII])
def test_cii_canonical_cii_keeps_every_business_term(path: str, facts: dict[str, str]) -> None:
    first = read("cii", TESTDATA / path)
    written = converter("passeur", "cii").convert(first.output)
    assert not written.failed, [i.message for i in written.issues]
    again = converter("cii", "passeur").convert(written.output)
    assert not again.failed
    assert comparable(again.output) == comparable(first.output)


def _shared_terms(value: Any) -> Any:
    """A canonical document without what only one syntax carries (`ubl_*`, `cii_*`)."""
    if isinstance(value, dict):
        return {k: _shared_terms(v) for k, v in value.items()
                if not k.startswith(("ubl_", "cii_")) and k not in ("source", "computed_totals")}
    if isinstance(value, list):
        return [_shared_terms(v) for v in value]
    return value


@pytest.mark.parametrize("case", PAIRS)
def test_xrechnung_ubl_and_cii_give_the_same_canonical_document(case: str) -> None:
    folder: Path = TESTDATA / "xrechnung"
    ubl = read("ubl", folder / f"{case}_ubl.xml")
    cii = read("cii", folder / f"{case}_uncefact.xml")
    assert not ubl.failed and not cii.failed
    assert _shared_terms(ubl.output) == _shared_terms(cii.output)


def test_twelve_xrechnung_pairs() -> None:
    assert len(PAIRS) == 12
