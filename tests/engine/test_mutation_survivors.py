"""Tests written against mutants of engine/ that outlived the suite in the sampled mutation
run (benchmarks/mutation_sample.py, BENCHMARKS.md): each pins the behaviour the mutant
changed, and was checked by hand to fail with the mutant applied."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from passeur import UsageError, load_registry
from passeur.engine.connection import load_connection
from passeur.engine.convert import Converter, parse_endpoint
from passeur.engine.documents import XmlReader, read_all
from passeur.engine.io import InputProblem
from passeur.serialize import to_plain
from passeur_coda import read_statements

MULTI = (Path(__file__).resolve().parents[3] / "shared" / "testdata" / "coda" / "copyleft"
         / "Coda_v2_3_multi_statements.txt")


def test_a_folder_listing_since_a_day_reads_each_documents_own_date(tmp_path: Path) -> None:
    # engine/folder.py _day: an issue date written as exactly "YYYY-MM-DD" (10 characters)
    # or as a timestamp is the document's day; `since` keeps the documents on or after it
    (tmp_path / "vf.toml").write_text(
        'system = "vosfactures"\n[folder]\npath = "out"\npattern = "{number}.json"\n',
        encoding="utf-8")
    client = load_connection(tmp_path / "vf.toml", load_registry()).client()
    for number, day in (("A", "2024-01-14"), ("B", "2024-01-15"),
                        ("C", "2024-01-16T09:30:00"), ("D", None)):
        body = {"invoice": {"number": number, "buyer_name": "ACME"}}
        if day is not None:
            body["invoice"]["issue_date"] = day
        client.create_document("invoice", body)
    since = datetime.date(2024, 1, 15)
    kept = [d["invoice"]["number"] for d in client.iter_documents("invoice", since=since)]
    assert kept == ["B", "C", "D"]  # D has no date: kept, not silently dropped
    every = [d["invoice"]["number"] for d in client.iter_documents("invoice")]
    assert every == ["A", "B", "C", "D"]


def test_malformed_xml_is_a_problem_of_the_first_document() -> None:
    # engine/documents.py: a file that is not well-formed XML is one problem, document 1,
    # at the parser's line and column
    problems = read_all(XmlReader(), b"<Invoice>\n  <ID>1</ID>\n</Invoic>", "bad.xml")
    assert len(problems) == 1 and isinstance(problems[0], InputProblem)
    problem = problems[0]
    assert (problem.index, problem.line) == (1, 3)
    assert problem.message.startswith("malformed XML: ")


def test_a_mapping_file_for_one_erp_fits_that_erp_and_a_system_wide_one_fits_all() -> None:
    # engine/convert.py _orient: `acomba.invoice` in a header is Acomba's alone; a header
    # naming the system (`erpconnector.invoice`) fits every ERP behind it
    root = Path(__file__).resolve().parents[2]
    registry = load_registry()
    seed = json.loads((root / "tests/fixtures/golden/acomba_seed004/input.json").read_text(
        "utf-8"), parse_float=Decimal)
    acomba = root / "mappings/erpconnector/acomba-vosfactures-invoice.map"
    every = root / "mappings/erpconnector/erpconnector-invoice.map"

    def convert(source: str, target: str, mapping: Path) -> bool:
        return not Converter(registry, parse_endpoint(registry, source),
                             parse_endpoint(registry, target), mapping=mapping
                             ).convert(seed).failed

    assert convert("acomba", "vosfactures", acomba)
    with pytest.raises(UsageError, match=re.escape(
            "maps acomba.invoice <-> vosfactures.invoice, not quickbooks.invoice to "
            "vosfactures.invoice")):
        convert("quickbooks", "vosfactures", acomba)
    assert convert("acomba", "passeur", every) and convert("quickbooks", "passeur", every)


def test_a_folder_of_statements_listed_since_a_day_reads_their_closing_date(
        tmp_path: Path) -> None:
    # engine/folder.py _DATE_KEYS: a statement's day is its closing date (the corpus file's
    # statements 042 and 053 close on 2009-03-05 and 2013-12-24)
    (tmp_path / "camt.toml").write_text(
        'system = "camt053"\n[folder]\npath = "out"\npattern = "{number}.xml"\n',
        encoding="utf-8")
    client = load_connection(tmp_path / "camt.toml", load_registry()).client()
    with MULTI.open("rb") as f:
        for read in read_statements(f, MULTI.name):
            assert read.statement is not None
            client.create_document("statement", to_plain(read.statement))
    since = datetime.date(2010, 1, 1)
    assert [d["number"] for d in client.iter_documents("statement", since=since)] == ["053"]
