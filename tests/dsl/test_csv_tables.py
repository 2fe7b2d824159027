"""Value tables read from a CSV file: rows become entries; unknown keys are errors unless
the table has an `else`; a bad file is an error at the `table` line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from passeur.dsl import format_file, load_mapping, parse_file
from passeur.dsl.problems import MappingSyntaxError

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"
RULES = ('table clients from "clients.csv" NoClient <-> Nom\n'
         'table villes from "clients.csv" NoClient -> "Ville du client" else "?"\n'
         "InfoClientFacturerA.NoClient <-> buyer.name via clients\n"
         "InfoClientFacturerA.NoClient -> buyer.address.city via villes\n")


def _write(tmp_path: Path, csv: str, rules: str = RULES) -> Path:
    (tmp_path / "clients.csv").write_text(csv, encoding="utf-8")
    path = tmp_path / "t.map"
    path.write_text(HEADER + rules, encoding="utf-8")
    return path


def test_rows_translate_both_ways_and_unknown_keys_are_errors(tmp_path: Path,
                                                             registry: Any) -> None:
    path = _write(tmp_path, "\ufeffNoClient;Nom;Ville du client\nC1;ACME;Laval\n\n"
                            "C2;Béton Inc;Québec\n")
    mapping = load_mapping(path, registry, use_cache=False)
    known = mapping.forward({"InfoClientFacturerA": {"NoClient": "C2"}})
    assert (known.value, known.issues) == (
        {"buyer": {"name": "Béton Inc", "address": {"city": "Québec"}}}, [])
    unknown = mapping.forward({"InfoClientFacturerA": {"NoClient": "C9"}})
    assert unknown.value == {"buyer": {"address": {"city": "?"}}}
    assert [str(i) for i in unknown.issues] == [
        'error [mapping-runtime]: InfoClientFacturerA.NoClient: value "C9" at '
        f"InfoClientFacturerA.NoClient is not in table clients at {path}:4:1"]
    assert mapping.backward({"buyer": {"name": "ACME"}}, {}).value == {
        "InfoClientFacturerA": {"NoClient": "C1"}}
    assert format_file(parse_file(path)) == HEADER + RULES


@pytest.mark.parametrize(("csv", "message"), [
    ("Code,Nom\nC1,ACME\n", 'table file "clients.csv" has no column "NoClient" (its '
                            "columns: Code, Nom)"),
    ("NoClient,Nom,Ville du client\nC1\n", 'table file "clients.csv", line 2: the row has '
                                            "1 cells, fewer than the columns it needs"),
])
def test_a_bad_file_is_an_error_at_the_table_line(tmp_path: Path, csv: str,
                                                  message: str) -> None:
    path = _write(tmp_path, csv)
    with pytest.raises(MappingSyntaxError) as info:
        parse_file(path)
    assert str(info.value).splitlines()[0] == f"{path}:2:1: {message}"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "t.map"
    path.write_text(HEADER + 'table t from "absent.csv" a -> b\n', encoding="utf-8")
    with pytest.raises(MappingSyntaxError) as info:
        parse_file(path)
    assert str(info.value).splitlines()[0] == f'{path}:2:1: table file "absent.csv" not found'
