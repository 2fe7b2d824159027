"""`let NAME = EXPR`: a named value per scope, read by the rules after it; its side comes
from the rules that read it; what it cannot do is refused at line:col."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from passeur.checking import check_text
from passeur.dsl import compile_text, format_text
from passeur.dsl.parser import parse_text
from passeur.dsl.problems import MappingSyntaxError

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"


def _errors(body: str, registry: Any) -> list[str]:
    report = check_text(HEADER + body, "t.map", registry)
    return [f"{f.problem.line}:{f.problem.column}: {f.problem.message}"
            for f in report.findings if f.problem.code in ("let", "path", "lens", "lossy")]


def test_a_let_is_read_forward_in_its_scope_and_inner_blocks(registry: Any) -> None:
    mapping = compile_text(HEADER + "let twice = TotalFacture * 2\n"
                           "twice + 1 -> totals.gross\n"
                           "each LigneFacture -> lines\n"
                           "  let net = QteFacture * PrixFinal\n"
                           "  net -> net_amount\n"
                           "  net + twice -> gross_amount\n"
                           "end\n", "t.map", registry, use_cache=False)
    result = mapping.forward({"TotalFacture": D(3), "LigneFacture": [
        {"QteFacture": D(2), "PrixFinal": D("1.5")}, {"QteFacture": D(1), "PrixFinal": D(4)}]})
    assert result.issues == []
    assert result.value == {"totals": {"gross": D(7)}, "lines": [
        {"net_amount": D("3.0"), "gross_amount": D("9.0")},
        {"net_amount": D(4), "gross_amount": D(10)}]}


def test_a_let_read_by_backward_rules_runs_backward_on_the_right(registry: Any) -> None:
    mapping = compile_text(
        HEADER + "each LigneFacture <-> lines\n"
        "  let computed = net_amount = quantity * unit_price_net\n"
        "  ExtendedProperties.a <- text(net_amount) when not computed\n"
        "  ExtendedProperties.b <- text(quantity) when not computed\n"
        "end\n", "t.map", registry, use_cache=False)
    result = mapping.backward({"lines": [
        {"net_amount": D(5), "quantity": D(2), "unit_price_net": D(2)},
        {"net_amount": D(4), "quantity": D(2), "unit_price_net": D(2)}]}, {})
    assert result.issues == []
    assert result.value == {"LigneFacture": [{"ExtendedProperties": {"a": "5", "b": "2"}}, {}]}
    assert mapping.forward({"LigneFacture": [{}]}).value == {"lines": [{}]}


def test_a_failing_let_is_one_error_and_its_readers_write_nothing(registry: Any) -> None:
    mapping = compile_text(HEADER + "let net = TotalFacture * 2\nnet -> totals.net\n"
                           "net -> totals.gross\nNoFacture <-> number\n", "t.map", registry,
                           use_cache=False)
    result = mapping.forward({"TotalFacture": "douze", "NoFacture": "F1"})
    assert result.value == {"number": "F1"}
    assert [str(i) for i in result.issues] == [
        'error [mapping-runtime]: TotalFacture: value "douze" at TotalFacture is not a '
        "number (in `let net`) at t.map:2:1"]


def test_what_a_let_cannot_do_is_refused(registry: Any) -> None:
    assert _errors("let h = TotalFacture + 1\nh -> totals.net\nTotalFacture <- h\n",
                   registry) == [
        "2:9: unknown field `TotalFacture` in passeur.invoice",  # read on the right too
        "4:17: `h` is read on the right side here and on the left side by an earlier rule; "
        "a `let` reads one document: give each side its own `let`"]
    assert _errors("let h = TotalFacture + 1\nh <-> totals.net\n", registry) == [
        "3:1: `h` is a `let` name: a `<->` rule cannot write it back; use it in a one-way "
        "rule (`->` or `<-`)"]
    assert _errors("let NoFacture = 3\nNoFacture -> totals.net\n", registry) == [
        "2:5: `let NoFacture` hides the field `NoFacture` of acomba.invoice; choose another "
        "name"]
    assert _errors("let x = PrixFinale\nx -> totals.net\n", registry) == [
        "2:9: unknown field `PrixFinale` in acomba.invoice"]
    with pytest.raises(MappingSyntaxError) as info:
        parse_text(HEADER + "let x = 1\nlet x = 2\n", "t.map")
    assert str(info.value).splitlines()[0] == (
        "t.map:3:1: `x` is already given by the `let` at line 2; choose another name")


def test_the_written_side_is_never_a_let_name(registry: Any) -> None:
    # `net` on the right of `->` is the field written, not the name
    mapping = compile_text("mapping acomba.invoice <-> passeur.invoice\n"
                           "each LigneFacture -> lines\n  let net_amount = QteFacture * 2\n"
                           "  net_amount -> net_amount\nend\n", "t.map", registry,
                           use_cache=False)
    assert mapping.forward({"LigneFacture": [{"QteFacture": D(2)}]}).value == {
        "lines": [{"net_amount": D(4)}]}


def test_fmt_prints_a_let_in_canonical_form() -> None:
    text = HEADER + "let   net=QteFacture*PrixFinal   # a name\nnet -> totals.net\n"
    assert format_text(text) == (HEADER + "let net = QteFacture * PrixFinal  # a name\n"
                                 "net -> totals.net\n")


def test_a_let_no_rule_reads_is_a_warning(registry: Any) -> None:
    report = check_text(HEADER + "let unused = TotalFacture * 2\nlet used = TotalFacture\n"
                        "used -> totals.net\n", "t.map", registry, run=False)
    assert [(f.problem.line, str(f.level), f.problem.message) for f in report.findings
            if f.problem.code == "let"] == [(2, "warning", "`let unused` is never read")]
