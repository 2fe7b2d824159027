"""Value tables read from CSV files (`table clients from "clients.csv" NoClient -> Nom`):
a consultant's list exported from a spreadsheet becomes the entries of a value table, so
`via` translates through it like any table (an unknown value is an error unless the table
has an `else`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from passeur.dsl import ast, reads
from passeur.dsl.problems import MappingSyntaxError, Problem

__all__ = ["read_csv_table"]


def _error(file: str, source: str, meta: Any, message: str) -> MappingSyntaxError:
    return MappingSyntaxError(Problem(file, meta.line, meta.column, message, "table", source))


def read_csv_table(file: str, source: str, meta: Any, path: str, left: str, arrow: str,
                   right: str) -> Iterator[ast.TableEntry]:
    """The entries of a CSV table: one per row with a left value (texts, as the file holds
    them; a `;` separator, as French spreadsheets write, is recognised)."""
    target = (Path(file).parent if not file.startswith("<") else Path()) / path
    try:
        text = reads.read_text(target)  # noted: caches built from it check it
    except OSError:
        raise _error(file, source, meta, f'table file "{path}" not found') from None
    except UnicodeDecodeError:
        raise _error(file, source, meta, f'table file "{path}" is not UTF-8 text; save '
                     "it as CSV UTF-8") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise _error(file, source, meta, f'table file "{path}" is empty')
    header = rows[0]
    for column in (left, right):
        if column not in header:
            raise _error(file, source, meta, f'table file "{path}" has no column '
                         f'"{column}" (its columns: {", ".join(header)})')
    at_left, at_right = header.index(left), header.index(right)
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(at_left, at_right):
            raise _error(file, source, meta, f'table file "{path}", line {number}: the row '
                         f"has {len(row)} cells, fewer than the columns it needs")
        yield ast.TableEntry(ast.LiteralValue(row[at_left], line=meta.line,
                                              column=meta.column), arrow,
                             ast.LiteralValue(row[at_right], line=meta.line,
                                              column=meta.column),
                             line=meta.line, column=meta.column, end_line=meta.line)
