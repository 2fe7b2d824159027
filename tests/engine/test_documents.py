"""Readers and writers over bytes: JSON, CSV, fixed-width, XML, binary; detection in convert."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import passeur.cli.convert_cmd  # noqa: F401  (registers the command)
from passeur import load_registry
from passeur.cli import cli
from passeur.cli.app import State
from passeur.engine.documents import (
    BinaryReader,
    BinaryWriter,
    CsvReader,
    CsvWriter,
    FixedWidthField,
    FixedWidthReader,
    InputProblem,
    JsonReader,
    JsonWriter,
    RawDocument,
    XmlReader,
    XmlWriter,
    read_all,
    write_all,
)
from passeur.engine.wire import WireFormat
from passeur.schema import Capabilities, DocumentType, FieldSpec, FieldType, SystemSpec


def test_json_reader_is_the_streamed_json_reader() -> None:
    forms: list[str] = []
    docs = list(JsonReader().read(__import__("io").BytesIO(b'{"a": 1.50}\n{"a": 2}\nx\n'),
                                  "in.ndjson", forms.append))
    assert forms == ["ndjson"]
    assert docs[:2] == [RawDocument(1, {"a": Decimal("1.50")}, 1), RawDocument(2, {"a": 2}, 2)]
    assert isinstance(docs[2], InputProblem) and docs[2].index == 3


@pytest.mark.parametrize(("form", "expected"), [
    ("single", b'{\n  "a": 1.50\n}\n'),
    ("array", b'[\n  {\n    "a": 1.50\n  }\n]\n'),
    ("ndjson", b'{"a":1.50}\n'),
])
def test_json_writer_mirrors_the_form(form: Any, expected: bytes) -> None:
    assert write_all(JsonWriter, [{"a": Decimal("1.50")}], form) == expected


CSV = (b"Piece;Ligne;Article;Montant\r\n"
       b"F001;1;A;10.00\r\n"
       b"F001;2;B;5.50\r\n"
       b"F002;1;\"C; large\";7\r\n")


def test_csv_rows_grouped_into_documents_by_a_column() -> None:
    reader = CsvReader(delimiter=";", group_by="Piece")
    assert read_all(reader, CSV) == [
        RawDocument(1, [{"Piece": "F001", "Ligne": "1", "Article": "A", "Montant": "10.00"},
                        {"Piece": "F001", "Ligne": "2", "Article": "B", "Montant": "5.50"}], 2),
        RawDocument(2, [{"Piece": "F002", "Ligne": "1", "Article": "C; large",
                         "Montant": "7"}], 4),
    ]


def test_csv_bad_row_fails_its_document_only() -> None:
    data = b"Piece;Montant\nF1;1\nF1;2;extra\nF2;3\n"
    docs = read_all(CsvReader(delimiter=";", group_by="Piece"), data)
    assert docs == [InputProblem(1, "line 3 has 3 fields; the header has 2", 3, 1),
                    RawDocument(2, [{"Piece": "F2", "Montant": "3"}], 4)]


def test_csv_missing_group_column_is_refused_with_the_columns() -> None:
    assert read_all(CsvReader(group_by="Piece"), b"A,B\n1,2\n") == [
        InputProblem(1, "the header line has no column Piece (columns: A, B)", 1, 1)]


def test_csv_not_utf8_says_so() -> None:
    [problem] = read_all(CsvReader(), b"A\n\xe9t\xe9\n")
    assert isinstance(problem, InputProblem)
    assert problem.message == ("the input is not utf-8-sig text (byte 0xe9 cannot be read); "
                               "save it as utf-8-sig")


def test_csv_writer_writes_exact_cells_and_refuses_unknown_columns() -> None:
    make = CsvWriter.factory(["Piece", "Montant", "Date"], delimiter=";")
    out = write_all(make, [[{"Piece": "F1", "Montant": Decimal("10.50"),
                             "Date": datetime.date(2024, 1, 5)}, {"Piece": "F1"}]])
    assert out == b"Piece;Montant;Date\r\nF1;10.50;2024-01-05\r\nF1;;\r\n"
    with pytest.raises(ValueError, match="no CSV column for Other"):
        write_all(make, [{"Other": 1}])
    # what it writes reads back
    assert read_all(CsvReader(delimiter=";", group_by="Piece"), out) == [
        RawDocument(1, [{"Piece": "F1", "Montant": "10.50", "Date": "2024-01-05"},
                        {"Piece": "F1", "Montant": "", "Date": ""}], 2)]


def test_fixed_width_records_grouped_by_their_starting_type() -> None:
    layouts = {"0": [FixedWidthField("date", 2, 6)],
               "1": [FixedWidthField("amount", 2, 5)],
               "9": [FixedWidthField("count", 2, 2)]}
    reader = FixedWidthReader(layouts, starts={"0"}, line_length=7)
    data = b"0240105\n100012 \n9010000\n0240106\n1000aa \nX123456\n"
    docs = read_all(reader, data)
    assert docs[0] == RawDocument(1, [("0", {"date": "240105"}, 1),
                                      ("1", {"amount": "00012"}, 2),
                                      ("9", {"count": "01"}, 3)], 1)
    assert docs[1] == InputProblem(2, "line 6 is a record of unknown type 'X'", 6, 1)
    assert read_all(reader, b"012\n") == [
        InputProblem(1, "line 1 has 3 characters; records have 7", 1, 1)]


def test_xml_whole_document_and_streamed_elements() -> None:
    data = b'<?xml version="1.0"?>\n<Batch>\n<Inv n="1"/>\n<Inv n="2"/>\n</Batch>\n'
    [whole] = read_all(XmlReader(), data)
    assert isinstance(whole, RawDocument) and whole.value.tag == "Batch"
    docs = read_all(XmlReader(document_tag="Inv"), data)
    assert [(d.index, d.line) for d in docs if isinstance(d, RawDocument)] == [(1, 3), (2, 4)]
    [bad] = read_all(XmlReader(), b"<a>\n<b></a>")
    assert isinstance(bad, InputProblem) and bad.message.startswith("malformed XML: ")
    assert bad.line == 2


def test_xml_reader_does_not_expand_entities() -> None:
    data = (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<a>&x;</a>")
    [doc] = read_all(XmlReader(), data)
    assert isinstance(doc, RawDocument) and "root" not in (doc.value.text or "")


def test_xml_and_binary_writers_hold_one_document() -> None:
    from lxml import etree

    out = write_all(XmlWriter, [etree.fromstring(b"<a><b>1</b></a>")])
    assert out.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<a>")
    with pytest.raises(ValueError, match="one document"):
        write_all(XmlWriter, [b"<a/>", b"<b/>"])
    assert write_all(BinaryWriter, [b"%PDF-1.7"]) == b"%PDF-1.7"
    assert read_all(BinaryReader(), b"%PDF-1.7") == [RawDocument(1, b"%PDF-1.7", 1)]
    assert read_all(BinaryReader(max_size=3), b"%PDF") == [
        InputProblem(1, "the input is larger than 3 bytes")]


# --- a CSV system end to end through convert, found by detection ---------------------------

TINY = SystemSpec(name="tinycsv", title="Tiny CSV", document_types=(DocumentType(
    name="invoice", canonical="invoice", capabilities=Capabilities(),
    fields=(FieldSpec("Piece", FieldType.STRING, required=True),
            FieldSpec("Total", FieldType.DECIMAL))),))


def _read(value: Any, source: str) -> tuple[dict[str, Any] | None, list[Any]]:
    return {"Piece": value[0]["Piece"], "Total": Decimal(value[0]["Total"])}, []


def _write(plain: dict[str, Any]) -> Any:
    return [{"Piece": plain["Piece"], "Total": plain["Total"]}]


class TinyPlugin:
    @staticmethod
    def passeur_register_systems(register: Any) -> None:
        register(TINY)

    @staticmethod
    def passeur_register_formats(register: Any) -> None:
        register(WireFormat(name="tinycsv.invoice", system="tinycsv", doctype="invoice",
                            read=_read, write=_write,
                            reader=CsvReader(delimiter=";", group_by="Piece"),
                            writer=CsvWriter.factory(["Piece", "Total"], delimiter=";")))

    @staticmethod
    def passeur_detect_format(name: str, head: bytes) -> str | None:
        return "tinycsv.invoice" if head.startswith(b"Piece;Total") else None


def _run(*args: str) -> Any:
    state = State(load_registry(plugins=[("tinycsv", TinyPlugin())]))
    return CliRunner().invoke(cli, ["convert", *args], obj=state)


def test_detect_format_asks_the_plugins() -> None:
    registry = load_registry(plugins=[("tinycsv", TinyPlugin())])
    assert registry.detect_format("x.csv", b"Piece;Total\r\n") == "tinycsv.invoice"
    assert registry.detect_format("x.json", b"{}") is None


def test_convert_without_from_uses_the_detected_reader(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_bytes(b"Piece;Total\r\nF1;10.50\r\nF2;3\r\n")
    out = tmp_path / "out.csv"
    result = _run(str(source), "--to", "tinycsv", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == b"Piece;Total\r\nF1;10.50\r\nF2;3\r\n"


def test_convert_from_csv_to_canonical_json(tmp_path: Path) -> None:
    source = tmp_path / "export.csv"
    source.write_bytes(b"Piece;Total\r\nF1;10.50\r\n")
    result = _run(str(source), "--from", "tinycsv", "--to", "passeur", "--mapping",
                  str(_tiny_mapping(tmp_path)), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [o["number"] for o in report["outputs"]] == ["F1"]


def _tiny_mapping(tmp_path: Path) -> Path:
    path = tmp_path / "tinycsv-invoice.map"
    path.write_text("mapping tinycsv.invoice <-> passeur.invoice\nPiece <-> number\n",
                    encoding="utf-8")
    return path


def test_convert_of_an_input_no_plugin_recognises(tmp_path: Path) -> None:
    source = tmp_path / "mystery.bin"
    source.write_bytes(b"\x00\x01")
    result = _run(str(source), "--to", "passeur")
    assert result.exit_code == 2, result.output
    assert ("cannot tell which system " + str(source) + " comes from (no plugin recognises "
            "it); give --from SYSTEM[.DOCTYPE]") in result.output
