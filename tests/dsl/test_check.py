"""The static checker: every problem of a mapping file in one run, each at file:line:col."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import passeur
import passeur.dsl
from passeur.checking import FileReport, check_file, check_text
from passeur.dsl.checker_examples import diff
from passeur.issues import Level
from passeur.plugins import Registry


@pytest.fixture(scope="module")
def registry() -> Registry:
    return passeur.load_registry()


HEADER = "mapping acomba.invoice <-> passeur.invoice\n"
# Writes every field Acomba requires, so tests see only the problem they plant.
REQUIRED = """\
NoFacture <-> number
date(DateFacture) <-> issue_date
InfoClientFacturerA.NoClient <-> buyer.name
each LigneFacture <-> lines key strNoProduit = product_code
  strNoProduit <-> product_code
end
"""


def check(registry: Registry, body: str, header: str = HEADER) -> FileReport:
    return check_text(header + textwrap.dedent(body), "invoice.map", registry, run=False)


def messages(report: FileReport) -> list[str]:
    return [f"{f.problem.line}:{f.problem.column}: {f.level}: {f.problem.message}"
            for f in report.findings]


def test_a_clean_mapping_passes(registry: Registry) -> None:
    report = check(registry, REQUIRED)
    assert messages(report) == []
    assert report.ok
    assert report.rules == 4


def test_unknown_field_names_the_system_and_suggests(registry: Registry) -> None:
    report = check(registry, REQUIRED + "NoFactur -> extensions.x\n")
    assert messages(report) == [
        "8:1: error: unknown field `NoFactur` in acomba.invoice; did you mean `NoFacture`?"]
    assert report.findings[0].render() == (
        "invoice.map:8:1: error: unknown field `NoFactur` in acomba.invoice; did you mean "
        "`NoFacture`?\n  NoFactur -> extensions.x\n  ^")
    assert not report.ok


def test_the_caret_points_at_the_wrong_part_of_a_dotted_path(registry: Registry) -> None:
    report = check(registry, REQUIRED + "InfoClientFacturerA.NoClien -> buyer.note\n")
    assert messages(report) == [
        "8:21: error: unknown field `NoClien` in acomba.invoice (inside "
        "`InfoClientFacturerA`); did you mean `NoClient`?"]


def test_paths_inside_blocks_and_on_the_canonical_side(registry: Registry) -> None:
    body = REQUIRED.replace("end\n", "  QteFactur <-> quantiy\nend\n")
    report = check(registry, body)
    assert messages(report) == [
        "7:3: error: unknown field `QteFactur` in acomba.invoice (inside `LigneFacture`); "
        "did you mean `QteFacture`?",
        "7:17: error: unknown field `quantiy` in passeur.invoice (inside `lines`); "
        "did you mean `quantity`?",
    ]


def test_every_problem_is_reported_in_one_run(registry: Registry) -> None:
    body = REQUIRED + textwrap.dedent("""\
        table kinds
          "FACTURES" <-> "invoice"
          else -> "other_invoice"
        end
        TypeDoc <-> kind via kinds
        TypeDoc -> kind via kindz
        upper(SousTotalFacture) -> extensions.a
        date(DateFacture, "DD/QQ/YYYY") -> extensions.b
        money(SousTotalFacture, 2, "bankers") -> extensions.c
        fo(NoFacture) -> extensions.d
        replace(NoFacture) -> extensions.e
        EstActif * 2 -> extensions.f
        EstActif <- true
    """)
    assert messages(check(registry, body)) == [
        "12:18: error: table `kinds` is used both ways but is not one-to-one: it has an "
        "`else` fallback; add `keep` or write two one-way rules",
        "13:17: error: unknown table `kindz`; did you mean `kinds`?",
        "14:7: error: argument 1 of `upper` must be a string, but this is a decimal "
        "(upper(string) -> string)",
        '15:19: error: date pattern "DD/QQ/YYYY" needs a year (YYYY or YY), a month (MM or '
        "M) and a day (DD or D)",
        '16:28: error: unknown rounding mode "bankers"; use one of: half_up, half_even, '
        "half_down, up, down, ceiling, floor",
        "17:1: error: unknown function `fo`",
        "18:1: error: replace() takes 3 arguments, got 1 (replace(string, string, string) "
        "-> string)",
        "19:1: error: `*` needs numbers, but this is a boolean",
        "20:1: error: field `EstActif` of acomba.invoice is read-only and cannot be written "
        "backward",
    ]


def test_suggestions_for_functions(registry: Registry) -> None:
    assert messages(check(registry, REQUIRED + "uper(NoFacture) -> extensions.a\n")) == [
        "8:1: error: unknown function `uper`; did you mean `upper`?"]


def test_read_only_in_a_two_way_rule_says_what_to_write(registry: Registry) -> None:
    assert messages(check(registry, REQUIRED + "EstActif <-> extensions.active\n")) == [
        "8:1: error: field `EstActif` of acomba.invoice is read-only and cannot be written "
        "backward; write `->` instead of `<->`"]


def test_required_fields_left_unmapped_per_direction(registry: Registry) -> None:
    report = check(registry, "NoFacture <-> number\nDateFacture -> extensions.d\n")
    assert messages(report) == [
        "1:9: error: required field `DateFacture` of acomba.invoice is never written "
        "backward (no rule writes it)",
        "1:9: error: required field `InfoClientFacturerA` of acomba.invoice is never "
        "written backward (no rule writes it)",
        "1:9: error: required field `LigneFacture` of acomba.invoice is never written "
        "backward (no rule writes it)",
    ]


def test_required_depends_on_the_variant(registry: Registry) -> None:
    # NoFacture is required for Acomba and generated by QuickBooks.
    body = REQUIRED.replace("NoFacture <-> number\n", "NoFacture -> number\n")
    acomba = check(registry, body)
    assert [m for m in messages(acomba) if "NoFacture" in m] == [
        "1:9: error: required field `NoFacture` of acomba.invoice is never written backward "
        "(no rule writes it)"]
    quickbooks = check(registry, body, "mapping quickbooks.invoice <-> passeur.invoice\n")
    assert messages(quickbooks) == []


def test_a_system_that_cannot_be_written_gets_a_warning(registry: Registry) -> None:
    report = check(registry, REQUIRED, "mapping avantage.invoice <-> passeur.invoice\n")
    assert messages(report) == [
        "1:9: warning: avantage.invoice (avantage) cannot be written, yet rules run backward"]
    assert report.ok  # a warning does not fail the check


def test_unknown_system_in_the_header(registry: Registry) -> None:
    report = check(registry, "", "mapping acombaa.invoice <-> passeur.invoice\n")
    [message] = messages(report)
    assert message.startswith("1:9: error: unknown system 'acombaa'; did you mean 'acomba'? "
                              "(known systems: ")
    assert "erpconnector, " in message


def test_syntax_errors_are_findings_not_exceptions(registry: Registry) -> None:
    report = check_text(HEADER + "NoFacture number\n", "bad.map", registry)
    assert len(report.findings) == 1
    assert report.findings[0].problem.line == 2
    assert report.findings[0].problem.code == "syntax"
    assert not report.ok


def test_includes_bring_tables_and_report_in_their_own_file(
        registry: Registry, tmp_path: Path) -> None:
    (tmp_path / "tables.map").write_text('table kinds\n  "FACTURES" <-> "invoice"\nend\n'
                                         "Bogus -> extensions.z\n", encoding="utf-8")
    main = tmp_path / "main.map"
    main.write_text(HEADER + 'include "tables.map"\n' + REQUIRED
                    + "TypeDoc <-> kind via kinds\n", encoding="utf-8")
    report = check_file(main, registry, run=False)
    assert [(Path(f.problem.file).name, f.problem.line, f.problem.message)
            for f in report.findings] == [
        ("tables.map", 4, "unknown field `Bogus` in acomba.invoice")]


def test_coverage_lists_carried_and_dropped_fields(registry: Registry) -> None:
    report = check(registry, REQUIRED)
    forward, backward = report.coverage
    assert (forward.direction, forward.source, forward.target) == (
        "forward", "acomba.invoice", "passeur.invoice")
    assert forward.carried == ("NoFacture", "DateFacture", "InfoClientFacturerA.NoClient",
                               "LigneFacture[].strNoProduit")
    assert "LigneFacture[].QteFacture" in forward.dropped
    assert forward.total == len(forward.carried) + len(forward.dropped)
    assert backward.carried == ("number", "issue_date", "buyer.name", "lines[].product_code")


# --- examples -----------------------------------------------------------------------------


def test_diff_names_each_differing_path() -> None:
    expected = {"a": Decimal("1.50"), "b": [{"c": "x"}, {"c": "y"}], "d": "gone"}
    got = {"a": Decimal("1.5"), "b": [{"c": "x"}, {"c": "z"}, {"c": "w"}], "e": None}
    assert diff(expected, got) == [
        'b[1].c: expected "y", got "z"',
        'b[2]: unexpected {"c": "w"}',
        'd: missing, expected "gone"',
        "e: unexpected null",
    ]
    assert diff("12.50", Decimal("12.50")) == ['(document): expected "12.50", got 12.50']


class _Result:
    def __init__(self, value: Any) -> None:
        self.value = value
        self.issues: list[Any] = []


class _Compiled:
    """Stands in for the compiler: copies NoFacture to number, and back."""

    def forward(self, record: dict[str, Any]) -> _Result:
        return _Result({"number": record["NoFacture"] + "-bug"})

    def backward(self, view: dict[str, Any], original: dict[str, Any] | None = None) -> _Result:
        return _Result({**(original or {}), "NoFacture": view["number"]})


def test_examples_run_both_ways_with_a_diff(
        registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passeur.dsl, "compile_analysis", lambda *a: _Compiled())
    text = HEADER + 'example "one"\n  left {"NoFacture": "1"}\n  right {"number": "1"}\nend\n'
    report = check_text(text, "ex.map", registry)
    example = [f for f in report.findings if f.problem.code == "example"]
    assert [(f.problem.line, f.problem.message, f.detail) for f in example] == [
        (2, 'example "one" fails forward', 'number: expected "1", got "1-bug"')]
    assert (report.examples, report.examples_failed) == (1, 1)
    assert example[0].render().endswith('  ^\n    number: expected "1", got "1-bug"')
    assert example[0].level is Level.ERROR


# --- examples through the real compiler -----------------------------------------------------

EXAMPLE = """\
example "one line"
  left {"NoFacture": "10044", "DateFacture": "2024-04-24",
        "InfoClientFacturerA": {"NoClient": "C-1"},
        "LigneFacture": [{"strNoProduit": "SCIE-10", "QteFacture": 3, "PrixFinal": 12.50}]}
  right {"number": "10044", "issue_date": "2024-04-24", "buyer": {"name": "C-1"},
         "totals": {"line_net": 37.50},
         "lines": [{"product_code": "SCIE-10", "quantity": 3, "unit_price_net": 12.50}]}
end
"""
WITH_LINES = REQUIRED.replace("end\n", "  QteFacture <-> quantity\n  PrixFinal <-> unit_price_net\n"
                              "end\nsum(LigneFacture, QteFacture * PrixFinal) -> "
                              "totals.line_net\n")


def test_a_true_example_passes_both_ways(registry: Registry) -> None:
    report = check_text(HEADER + WITH_LINES + EXAMPLE, "ok.map", registry)
    assert messages(report) == []
    assert (report.examples, report.examples_failed) == (1, 0)


def test_a_wrong_example_fails_with_a_diff(registry: Registry) -> None:
    wrong = EXAMPLE.replace('"line_net": 37.50', '"line_net": 37.49')
    report = check_text(HEADER + WITH_LINES + wrong, "bad.map", registry)
    assert [(f.problem.line, f.problem.message, f.detail) for f in report.findings] == [
        (11, 'example "one line" fails forward', "totals.line_net: expected 37.49, got 37.50")]


def test_a_runtime_failure_in_an_example_is_reported(registry: Registry) -> None:
    broken = EXAMPLE.replace('"PrixFinal": 12.50', '"PrixFinal": "12,50"')
    report = check_text(HEADER + WITH_LINES + broken, "bad.map", registry)
    [forward] = [f for f in report.findings if "forward" in f.problem.message]
    assert 'value "12,50" at LigneFacture[0].PrixFinal is not a number' in forward.detail


def test_compile_errors_join_the_checker_findings_once(registry: Registry) -> None:
    text = HEADER + REQUIRED + "trim(Description) <-> buyer.note\n" + EXAMPLE
    report = check_text(text, "lossy.map", registry)
    lossy = [f for f in report.findings if f.problem.line == 8]
    assert len(lossy) == 1
    assert "trim" in lossy[0].problem.message
    assert report.examples == 0  # nothing to run when the mapping does not compile


def test_values_outside_an_enum_are_caught_with_a_suggestion(registry: Registry) -> None:
    body = REQUIRED + textwrap.dedent("""\
        table kinds
          "FACTURES" <-> "invoce"
        end
        TypeDoc -> kind via kinds
        TypeDoc -> extensions.kind via kinds
        "sael" -> direction
    """)
    assert messages(check(registry, body)) == [
        '9:18: error: "invoce" is not allowed in `kind` of passeur.invoice; did you mean '
        '"invoice"? (allowed: invoice, credit_note, advance, final, quote, proforma, '
        "order, receipt, other_invoice, maintenance_request, payment_receipt, cash_in, "
        "cash_out, delivery_note)",
        '13:1: error: "sael" is not allowed in `direction` of passeur.invoice; did you '
        'mean "sale"? (allowed: sale, purchase)',
    ]


def test_a_table_used_as_a_value_points_to_via(registry: Registry) -> None:
    body = REQUIRED + 'table kinds\n  "FACTURES" <-> "invoice"\nend\nupper(kinds) -> buyer.note\n'
    assert messages(check(registry, body)) == [
        "11:7: error: `kinds` is a table, not a field; translate a value through it with "
        "`via kinds` at the end of the rule"]


def test_a_value_of_a_certain_type_must_fit_the_canonical_field(registry: Registry) -> None:
    body = REQUIRED + textwrap.dedent("""\
        upper(Description) -> notes
        format_date(DateFacture) -> due_date
        "12.50" -> totals.net
        Description -> buyer.note
        money(FraisDeTransport) -> totals.charges
    """)
    assert messages(check(registry, body)) == [
        "8:1: error: this gives a string, but `notes` of passeur.invoice holds a list",
        "9:1: error: this gives a string, but `due_date` of passeur.invoice holds a date",
        "10:1: error: this gives a string, but `totals.net` of passeur.invoice holds a decimal",
    ]


def test_example_keys_the_schema_does_not_know_are_warned(registry: Registry) -> None:
    example = EXAMPLE.replace('"NoFacture": "10044", "DateFacture"',
                              '"NoFactur": "10044", "DateFacture"')
    report = check_text(HEADER + WITH_LINES + example, "ex.map", registry, run=False)
    assert messages(report) == [
        '12:9: warning: example "one line": acomba.invoice has no field `NoFactur`; '
        "did you mean `NoFacture`?"]
    assert report.ok


def test_unknown_document_type_points_at_the_doctype(registry: Registry) -> None:
    report = check_text("mapping acomba.invoic <-> passeur.invoice\nNoFacture <-> number\n",
                        "h.map", registry)
    [message] = messages(report)
    assert message.startswith("1:16: error: system 'acomba' has no document type 'invoic'; "
                              "did you mean 'invoice'? (it has: invoice, ")


class _CrashingReader:
    """A third-party reader with a bug: it raises instead of reporting an issue."""

    name = "erpconnector.invoice"

    def read(self, document: Any, label: str) -> Any:
        raise KeyError("DO_Piece")


def test_a_plugin_reader_that_crashes_on_an_example_is_a_located_finding() -> None:
    registry = passeur.load_registry()
    assert "erpconnector.invoice" in registry.formats
    registry.formats["erpconnector.invoice"] = _CrashingReader()
    report = check_text(HEADER + WITH_LINES + EXAMPLE, "crash.map", registry)
    assert [(f.problem.line, f.problem.message, f.detail) for f in report.findings] == [
        (11, 'example "one line" cannot be read',
         "the reader of erpconnector.invoice failed on this example with KeyError: "
         "'DO_Piece' (a defect of the plugin that registers it: its read must refuse bad "
         "input with an issue)")]
    assert (report.examples, report.examples_failed) == (1, 1)
