"""Every UBL file of the corpus reads with the MANIFEST's facts and survives a round trip."""

from __future__ import annotations

import pytest
from conftest import TESTDATA

from support.einvoice_corpus import assert_facts, comparable, converter, manifest, read

UBL = manifest("ubl-invoice", "ubl-creditnote")


def test_the_corpus_has_the_ubl_files_the_readme_lists() -> None:
    assert len(UBL) == 9 + 23 + 6 + 12 + 2  # peppol, en16931, ublbe, xrechnung, facturx


@pytest.mark.parametrize(("path", "facts"), UBL, ids=[p for p, _ in UBL])
def test_ubl_sample_matches_the_manifest(path: str, facts: dict[str, str]) -> None:
    outcome = read("ubl", TESTDATA / path)
    assert not outcome.failed, [str(i.message) for i in outcome.issues]
    assert_facts(outcome.output, facts)


@pytest.mark.parametrize(("path", "facts"), UBL, ids=[p for p, _ in UBL])
def test_ubl_canonical_ubl_keeps_every_business_term(path: str, facts: dict[str, str]) -> None:
    first = read("ubl", TESTDATA / path)
    written = converter("passeur", "ubl").convert(first.output)
    assert not written.failed, [i.message for i in written.issues]
    assert isinstance(written.output, bytes)
    again = converter("ubl", "passeur").convert(written.output)
    assert not again.failed
    assert comparable(again.output) == comparable(first.output)


def test_a_credit_note_is_written_back_as_a_credit_note() -> None:
    first = read("ubl", TESTDATA / "ubl/peppol/base-creditnote-correction.xml")
    written = converter("passeur", "ubl").convert(first.output).output
    assert b"<CreditNote " in written and b"<cac:CreditNoteLine>" in written
    assert b"<cbc:CreditedQuantity" in written and b"<cbc:CreditNoteTypeCode>381<" in written
