"""Folders as systems: a connection that is a folder reads every file of its format and
writes one file per document, atomically, never over a different document."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import TESTDATA

from passeur import load_registry
from passeur.engine.connection import load_connection
from passeur.engine.folder import file_name
from passeur.errors import InputError, UsageError
from passeur.http import Conflict
from passeur.serialize import to_plain
from passeur_coda import read_statements
from support.plain import without_sources

MULTI = TESTDATA / "coda/copyleft/Coda_v2_3_multi_statements.txt"


def statements(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as f:
        return [to_plain(r.statement) for r in read_statements(f, path.name)
                if r.statement is not None]



@pytest.fixture
def connection(tmp_path: Path) -> Any:
    (tmp_path / "camt.toml").write_text(
        'system = "camt053"\n[folder]\npath = "out"\npattern = "{number}-{closing_date}.xml"\n',
        encoding="utf-8")
    return load_connection(tmp_path / "camt.toml", load_registry())


def test_one_file_per_document_named_by_the_pattern(connection: Any, tmp_path: Path) -> None:
    client = connection.client()
    docs = statements(MULTI)
    ids = [client.create_document("statement", d)["id"] for d in docs]
    assert ids == ["042-2009-03-05.xml", "053-2013-12-24.xml"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ids  # no temporary left
    back = list(client.iter_documents("statement"))
    assert [without_sources(b) for b in back] == [without_sources(d) for d in docs]


def test_the_same_document_again_is_not_a_second_file(connection: Any, tmp_path: Path) -> None:
    client = connection.client()
    [first, _second] = statements(MULTI)
    name = client.create_document("statement", first)["id"]
    assert asyncio.run(client.acreate_document("statement", first))["id"] == name
    assert len(list((tmp_path / "out").iterdir())) == 1


def test_a_different_document_with_the_same_name_is_never_overwritten(
        connection: Any, tmp_path: Path) -> None:
    client = connection.client()
    [first, _second] = statements(MULTI)
    client.create_document("statement", first)
    before = (tmp_path / "out" / "042-2009-03-05.xml").read_bytes()
    changed = {**first, "holder_name": "someone else"}
    with pytest.raises(Conflict, match="already holds a different document; it is not "
                       "overwritten"):
        client.create_document("statement", changed)
    assert (tmp_path / "out" / "042-2009-03-05.xml").read_bytes() == before
    assert len(list((tmp_path / "out").iterdir())) == 1


def test_a_folder_of_coda_files_reads_every_statement(tmp_path: Path) -> None:
    (tmp_path / "coda.toml").write_text(
        'system = "coda"\n[folder]\npath = "in"\npattern = "{number}.txt"\n', encoding="utf-8")
    (tmp_path / "in").mkdir()
    for path in (TESTDATA / "coda/CODA.txt", MULTI):
        (tmp_path / "in" / path.name).write_bytes(path.read_bytes())
    (tmp_path / "in" / "notes.md").write_text("not a statement", encoding="utf-8")
    client = load_connection(tmp_path / "coda.toml", load_registry()).client()
    assert [d["number"] for d in client.iter_documents("statement")] == ["001", "042", "053"]
    bad = TESTDATA / "coda/copyleft/Coda_faulty_version.txt"
    (tmp_path / "in" / "zz.txt").write_bytes(bad.read_bytes())
    with pytest.raises(InputError, match=r"zz.txt:1:128: CODA version 5 is not supported"):
        list(client.iter_documents("statement"))


def test_a_pattern_needs_its_fields() -> None:
    with pytest.raises(UsageError, match="needs 'number', which the document does not have"):
        file_name("{number}.xml", {"name": "x"})
    assert file_name("{number}.json", {"invoice": {"number": "13/2012"}}) == "13_2012.json"


def test_push_and_pull_through_a_folder(tmp_path: Path) -> None:
    (tmp_path / "camt.toml").write_text(
        'system = "camt053"\n[folder]\npath = "out"\npattern = "{number}.xml"\n',
        encoding="utf-8")
    docs = tmp_path / "docs.json"
    run = subprocess.run([sys.executable, "-m", "passeur", "convert", str(MULTI), "--from",
                          "coda", "--to", "passeur", "-o", str(docs)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    push = subprocess.run([sys.executable, "-m", "passeur", "push", str(tmp_path / "camt.toml"),
                           "statement", str(docs), "--json"],
                          capture_output=True, text=True, check=False)
    assert push.returncode == 0, push.stderr + push.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["042.xml", "053.xml"]
    pull = subprocess.run([sys.executable, "-m", "passeur", "pull", str(tmp_path / "camt.toml"),
                           "statement"], capture_output=True, text=True, check=False)
    assert pull.returncode == 0, pull.stderr
    pulled = [json.loads(line, parse_float=Decimal) for line in pull.stdout.splitlines()]
    assert [d["closing_balance"]["amount"] for d in pulled] == [Decimal("0.00"),
                                                                 Decimal("10807.81")]


def test_a_folder_of_ubl_files_reads_one_invoice_per_file(tmp_path: Path) -> None:
    folder = TESTDATA / "ubl" / "peppol"
    (tmp_path / "ubl.toml").write_text(
        f'system = "ubl"\n[folder]\npath = "{folder}"\npattern = "{{ID}}.xml"\n',
        encoding="utf-8")
    client = load_connection(tmp_path / "ubl.toml", load_registry()).client()
    documents = list(client.iter_documents("invoice"))
    assert len(documents) == len(list(folder.glob("*.xml"))) == 9


def test_a_json_folder_keeps_the_systems_own_documents(tmp_path: Path) -> None:
    (tmp_path / "vf.toml").write_text(
        'system = "vosfactures"\n[folder]\npath = "out"\npattern = "{number}.json"\n',
        encoding="utf-8")
    client = load_connection(tmp_path / "vf.toml", load_registry()).client()
    body = {"invoice": {"number": "FV 2024/7", "buyer_name": "ACME",
                        "positions": [{"name": "x", "total_price_gross": Decimal("12.30")}]}}
    assert client.create_document("invoice", body)["id"] == "FV_2024_7.json"
    assert list(client.iter_documents("invoice")) == [body]


def test_a_sync_from_a_coda_folder_to_a_camt_folder(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.cod").write_bytes(MULTI.read_bytes())
    (tmp_path / "coda.toml").write_text(
        'system = "coda"\n[folder]\npath = "in"\npattern = "{number}-{closing_date}.cod"\n',
        encoding="utf-8")
    (tmp_path / "camt.toml").write_text(
        'system = "camt053"\n[folder]\npath = "out"\npattern = "{number}-{closing_date}.xml"\n',
        encoding="utf-8")
    (tmp_path / "sync.toml").write_text(
        'store = "state.db"\ndoctypes = ["statement"]\n[source]\nconnection = "coda.toml"\n'
        '[target]\nconnection = "camt.toml"\n', encoding="utf-8")

    def sync() -> list[str]:
        run = subprocess.run([sys.executable, "-m", "passeur", "sync",
                              str(tmp_path / "sync.toml"), "--json"],
                             capture_output=True, text=True, check=False)
        assert run.returncode == 0, run.stderr + run.stdout
        summary = json.loads(run.stdout, parse_float=Decimal)["summary"]
        return sorted((k, v) for k, v in summary.items() if v)

    first = sync()
    assert ("created", 2) in first
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "042-2009-03-05.xml", "053-2013-12-24.xml"]
    assert ("unchanged", 2) in sync()  # nothing written twice
    (tmp_path / "in" / "b.cod").write_bytes((TESTDATA / "coda/CODA.txt").read_bytes())
    third = sync()
    assert ("created", 1) in third and ("unchanged", 2) in third
    assert len(list((tmp_path / "out").iterdir())) == 3
