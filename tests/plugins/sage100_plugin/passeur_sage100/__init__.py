"""Sage 100-style CSV exports of sales documents as a passeur system: the package the
plugin tutorial (docs/plugins.md) builds step by step, written with the public API only.

The export has one row per document line (`;`-separated, UTF-8, a header line); the
document's columns (`DO_*`, `CT_Intitule`) repeat on each of its rows, and consecutive rows
with the same `DO_Piece` are one document. Amounts are written with a decimal point.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from passeur import (
    Capabilities,
    CsvReader,
    CsvWriter,
    DocumentType,
    FieldSpec,
    FieldType,
    Issue,
    Level,
    SystemSpec,
    WireFormat,
    hookimpl,
    parse_decimal,
    read_fields,
    write_fields,
)

# --- step 2: the system and its fields, as the export names them ---------------------------

HEADER = ("DO_Type", "DO_Piece", "DO_Date", "DO_Tiers", "CT_Intitule", "DO_Devise")
LINE = ("AR_Ref", "DL_Design", "DL_Qte", "DL_PrixUnitaire", "DL_Taxe1", "DL_MontantHT")
COLUMNS = HEADER + LINE

INVOICE = DocumentType(
    name="invoice",
    canonical="invoice",
    # a file export: a [folder] connection lists the files and writes new ones
    capabilities=Capabilities(list=True, create=True, natural_keys=("DO_Piece",)),
    description="a sales document of the export: its rows with one DO_Piece",
    fields=(
        FieldSpec("DO_Type", FieldType.ENUM, required=True, allowed=("0", "1", "5", "6", "7"),
                  description="0 quote, 1 order, 5 credit note, 6 invoice, 7 posted invoice"),
        FieldSpec("DO_Piece", FieldType.STRING, required=True, description="document number"),
        FieldSpec("DO_Date", FieldType.DATE, required=True, description="document date"),
        FieldSpec("DO_Tiers", FieldType.STRING, description="customer account code"),
        FieldSpec("CT_Intitule", FieldType.STRING, description="customer name"),
        FieldSpec("DO_Devise", FieldType.STRING, description="currency (ISO 4217)"),
        FieldSpec("Lignes", FieldType.LIST, description="the document's rows", fields=(
            FieldSpec("AR_Ref", FieldType.STRING, description="item reference"),
            FieldSpec("DL_Design", FieldType.STRING, description="line text"),
            FieldSpec("DL_Qte", FieldType.DECIMAL, description="quantity"),
            FieldSpec("DL_PrixUnitaire", FieldType.DECIMAL, description="unit price, net"),
            FieldSpec("DL_Taxe1", FieldType.DECIMAL, description="VAT rate in percent"),
            FieldSpec("DL_MontantHT", FieldType.DECIMAL, description="line amount, net"),
        )),
    ),
)

SYSTEM = SystemSpec(name="sage100", title="Sage 100 (CSV export of sales documents)",
                    document_types=(INVOICE,),
                    description="The ;-separated export of Gestion commerciale documents.")


# --- step 3: reading and writing one document ------------------------------------------------

def read_invoice(rows: Any, source: str = "") -> tuple[dict[str, Any] | None, list[Issue]]:
    """The rows of one DO_Piece (as the CSV reader groups them) as one plain document; a
    document already in that shape (header columns and `Lignes`, as a mapping file's
    example writes it) is read as it is."""
    issues: list[Issue] = []
    if isinstance(rows, dict):
        return read_fields(rows, INVOICE.fields, "$", issues, source or None), issues
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        return None, [Issue(Level.ERROR, "expected the rows of one document", "wire.form",
                            "$", source or None)]
    first = rows[0]
    for i, row in enumerate(rows[1:], start=1):
        for column in HEADER:
            if row.get(column) != first.get(column):
                issues.append(Issue(Level.ERROR, f"{column} is {row.get(column)!r} on this "
                                    f"row but {first.get(column)!r} on the document's first row",
                                    "wire.value", f"$[{i}].{column}", source or None))
    record: dict[str, Any] = {c: first[c] for c in HEADER if first.get(c, "") != ""}
    record["Lignes"] = [{c: row[c] for c in LINE if row.get(c, "") != ""} for row in rows]
    return read_fields(record, INVOICE.fields, "$", issues, source or None), issues


def write_invoice(plain: dict[str, Any]) -> list[dict[str, Any]]:
    """One plain document as its rows (the header columns repeated on each)."""
    wire = write_fields(plain, INVOICE.fields, "string")
    header = {c: wire[c] for c in HEADER if wire.get(c) is not None}
    lines = wire.get("Lignes") or [{}]
    return [{**header, **{c: v for c, v in line.items() if v is not None}} for line in lines]


FORMAT = WireFormat(
    name="sage100.invoice", system="sage100", doctype="invoice",
    read=read_invoice, write=write_invoice,
    reader=CsvReader(delimiter=";", group_by="DO_Piece", required_columns=COLUMNS),
    writer=CsvWriter.factory(COLUMNS, delimiter=";"),
    tax_rounding="line", max_taxes_per_line=1, allowance_charges=False,
    description="Sage 100 CSV export, one row per line")


# --- step 4: a mapping function for the tax column -------------------------------------------

def vat_of(rate: Any) -> Any:
    """`20.00` -> one VAT of 20.00 % (an empty rate: no tax)."""
    if rate is None:
        return None
    if isinstance(rate, str):  # the reader types the column: text here is a mapping's mistake
        raise ValueError(f"a tax rate is a number, not the text {rate!r}")
    return [{"scheme": "VAT", "rate": parse_decimal(rate)}]


def rate_of(taxes: Any) -> Any:
    """The rate of a line's taxes (several: their sum, which `max_taxes_per_line` warns of)."""
    if not taxes:
        return None
    rates = [parse_decimal(t["rate"]) for t in taxes
             if isinstance(t, dict) and t.get("rate") is not None and not t.get("disabled")]
    return sum(rates, Decimal(0)) if rates else None


# --- the hooks: what passeur asks the plugin for --------------------------------------------

@hookimpl
def passeur_register_systems(register: Any) -> None:
    register(SYSTEM)


@hookimpl
def passeur_register_formats(register: Any) -> None:
    register(FORMAT)


@hookimpl
def passeur_register_functions(register: Any) -> None:
    from passeur.dsl import MappingFunction

    register(MappingFunction("sage_vat", ("decimal",), "list", vat_of, inverse="sage_rate",
                             doc="A DL_Taxe1 rate as the line's one VAT."))
    register(MappingFunction("sage_rate", ("list",), "decimal", rate_of, inverse="sage_vat",
                             inexact="several taxes are written as the sum of their rates",
                             doc="A line's taxes as one DL_Taxe1 rate."))


@hookimpl
def passeur_register_mapping_dirs(register: Any) -> None:
    register(Path(__file__).parent / "mappings")


@hookimpl
def passeur_detect_format(name: str, head: bytes) -> str | None:
    """`passeur convert ventes.csv` without --from: the export's header line says it."""
    first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].strip()
    return "sage100.invoice" if first.startswith(b"DO_Type;DO_Piece;") else None
