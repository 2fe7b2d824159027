"""Two language defects of issue 9's list: `$.X + "-" + text(x)` was compiled as arithmetic
(a `+` joined texts only beside a literal), and a `let` of an included library was not seen
by the rules after the `include` (its name read as a field)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from passeur.checking import check_file, check_text
from passeur.dsl import compile_text, load_mapping

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"


def test_a_join_of_joins_and_text_calls_is_text(registry: Any) -> None:
    mapping = compile_text(HEADER + (
        "each LigneFacture -> lines\n"
        '  $.NoFacture + "-" + text(QteFacture) -> name\n'
        "  $.NoFacture + text(QteFacture) -> description\n"
        "  QteFacture + PrixFinal -> quantity\n"
        "end\n"), "j.map", registry, use_cache=False)
    result = mapping.forward({"NoFacture": "F7", "LigneFacture": [
        {"QteFacture": 3, "PrixFinal": Decimal("2.50")}, {"PrixFinal": 1}]})
    assert (result.value, result.issues) == ({"lines": [
        {"name": "F7-3", "description": "F73", "quantity": Decimal("5.50")}, {}]}, [])


def test_check_types_a_join_as_text(registry: Any) -> None:
    report = check_text(HEADER + "each LigneFacture -> lines\n"
                        '  $.NoFacture + "-" + text(QteFacture) -> quantity\nend\n',
                        "j.map", registry)
    assert [f.render().split("\n")[0] for f in report.findings
            if "never written" not in f.problem.message] == [
        "j.map:3:21: error: this gives a string, but `quantity` of passeur.invoice holds a "
        "decimal"]


def _library(tmp_path: Path) -> Path:
    (tmp_path / "lib.map").write_text("let net = SousTotalFacture - FraisDeTransport\n",
                                      encoding="utf-8")
    main = tmp_path / "main.map"
    main.write_text(HEADER + 'NoFacture <-> number\ninclude "lib.map"\nnet -> totals.net\n'
                    '\nexample "a let from a library"\n'
                    '  left {"NoFacture": "F1", "SousTotalFacture": 12.50, '
                    '"FraisDeTransport": 2.50}\n'
                    '  right {"number": "F1", "totals": {"net": 10.00}}\nend\n',
                    encoding="utf-8")
    return main


def test_a_library_let_is_seen_after_the_include(registry: Any, tmp_path: Path) -> None:
    mapping = load_mapping(_library(tmp_path), registry, use_cache=False)
    result = mapping.forward({"SousTotalFacture": Decimal("12.50"),
                              "FraisDeTransport": Decimal("2.50")})
    assert (result.value, result.issues) == ({"totals": {"net": Decimal("10.00")}}, [])


def test_check_sees_a_library_let_and_runs_the_example(registry: Any,
                                                       tmp_path: Path) -> None:
    report = check_file(_library(tmp_path), registry)
    assert [f.problem.message for f in report.findings
            if "never written" not in f.problem.message] == []
    assert (report.examples, report.examples_failed) == (1, 0)


def test_the_file_own_let_still_hides_the_library_one(registry: Any,
                                                      tmp_path: Path) -> None:
    main = _library(tmp_path)
    main.write_text(main.read_text(encoding="utf-8").replace(
        "net -> totals.net\n", "net -> totals.net\nlet net = SousTotalFacture\n"
        "net -> totals.line_net\n"), encoding="utf-8")
    mapping = load_mapping(main, registry, use_cache=False)
    result = mapping.forward({"SousTotalFacture": Decimal("12.50"),
                              "FraisDeTransport": Decimal("2.50")})
    assert (result.value, result.issues) == (
        {"totals": {"net": Decimal("10.00"), "line_net": Decimal("12.50")}}, [])


def test_two_text_fields_added_say_how_to_join_them(registry: Any) -> None:
    mapping = compile_text(HEADER + "InfoClientFacturerA.NomClient + NoFacture -> buyer.name\n"
                           "SousTotalFacture + NoFacture -> totals.net\n",
                           "j.map", registry, use_cache=False)
    result = mapping.forward({"InfoClientFacturerA": {"NomClient": "Dupont"},
                              "NoFacture": "12", "SousTotalFacture": "3.50"})
    assert result.value == {"totals": {"net": Decimal("15.50")}}  # "12" reads as a number
    assert [i.message for i in result.issues] == [
        'value "Dupont" at InfoClientFacturerA.NomClient is not a number, and `+` between '
        "two fields adds numbers: to join texts write concat(a, b), or put a text between "
        'them (a + " " + b)']
