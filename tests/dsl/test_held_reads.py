"""A field read again in the forward fast path reuses its first read only where that read
surely ran and still holds what it read (passeur.dsl.codegen_reads). Each case below would
write a wrong value, or fail with an unbound variable, if the reuse ignored one of those
conditions; the explain variant (which reads every field where it uses it) agrees."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from passeur.dsl import compile_text

HEAD = "mapping acomba.invoice <-> passeur.invoice\n\n"


def _run(registry: Any, rules: str, doc: dict[str, Any]) -> tuple[Any, list[str]]:
    mapping = compile_text(HEAD + rules, "held.map", registry)
    fast = mapping.forward(doc)
    explained, _ = mapping.explain_forward(doc)
    assert fast.value == explained.value
    assert [i.message for i in fast.issues] == [i.message for i in explained.issues]
    return fast.value, [i.message for i in fast.issues]


def _forward_source(registry: Any, rules: str) -> str:
    return compile_text(HEAD + rules, "held.map", registry).source.split("\ndef backward")[0]


def _reads(source: str, key: str) -> int:
    """How many times the source reads `key` from a dict (`dict.get`)."""
    return len(re.findall(rf"\.get\({key!r}, _A\)", source))


def test_a_line_read_twice_is_read_once(registry: Any) -> None:
    rules = ("each LigneFacture -> lines\n  QteFacture -> quantity\n  PrixFinal -> unit_price_net\n"
             "  QteFacture * PrixFinal -> net_amount\nend\n")
    source = _forward_source(registry, rules)
    assert _reads(source, "QteFacture") == 1
    assert _reads(source, "PrixFinal") == 1
    # the product reads the variables of the first reads themselves: no copy for an operand
    found = re.search(r"\n +_o\d+\['quantity'\] = (_t\d+)\n(?:.*\n)*? +"
                      r"_o\d+\['unit_price_net'\] = (_t\d+)\n(?:.*\n)*? +"
                      r"_t\d+ = \1 \* \2 if ", source)
    assert found, source
    value, issues = _run(registry, rules, {"LigneFacture": [
        {"QteFacture": 2, "PrixFinal": Decimal("1.15")},
        {"QteFacture": "deux", "PrixFinal": Decimal("3")}, {"PrixFinal": Decimal("4")}]})
    assert value == {"lines": [
        {"quantity": 2, "unit_price_net": Decimal("1.15"), "net_amount": Decimal("2.30")},
        {"quantity": "deux", "unit_price_net": Decimal("3")}, {"unit_price_net": Decimal("4")}]}
    assert issues == ['value "deux" at LigneFacture[1].QteFacture is not a number']


def test_a_value_changed_in_place_is_read_again(registry: Any) -> None:
    # the lens parses the date into the variable it read (`_t1 = _fromiso(_t1)`)
    rules = "date(DateFacture) <-> issue_date\nDateFacture -> extensions.raw_date\n"
    source = _forward_source(registry, rules)
    assert re.search(r"(_t\d+) = _fromiso\(\1\)", source)
    assert _reads(source, "DateFacture") == 2
    value, issues = _run(registry, rules, {"DateFacture": "2024-04-24"})
    assert value["extensions"] == {"raw_date": "2024-04-24"}
    assert issues == []


def test_a_first_read_shared_by_an_operand_is_copied_where_a_rule_changes_it(
        registry: Any) -> None:
    # the date lens parses its value in place: it gets a copy of the first read, which the
    # operand of `+` and the last rule read as it was
    rules = ("DateFacture -> extensions.raw\ndate(DateFacture) <-> issue_date\n"
             "DateFacture + \"!\" -> extensions.marked\nDateFacture -> extensions.again\n")
    source = _forward_source(registry, rules)
    assert _reads(source, "DateFacture") == 1
    assert re.search(r"\n +(_t\d+) = _t\d+\n(?:.*\n)*?.* \1 = _fromiso\(\1\)", source), source
    value, issues = _run(registry, rules, {"DateFacture": "2024-04-24"})
    assert value == {"extensions": {"raw": "2024-04-24", "marked": "2024-04-24!",
                                    "again": "2024-04-24"},
                     "issue_date": datetime.date(2024, 4, 24)}
    assert issues == []


def test_a_read_in_a_branch_that_did_not_run_is_read_again(registry: Any) -> None:
    rules = ('if FraisDeTransport > 0 then NoFacture else "none" -> extensions.ref\n'
             "NoFacture -> number\n")
    value, issues = _run(registry, rules, {"FraisDeTransport": 0, "NoFacture": "F7"})
    assert value == {"extensions": {"ref": "none"}, "number": "F7"}
    assert issues == []


def test_a_read_after_a_failing_call_is_read_again(registry: Any) -> None:
    rules = ("number(TypeDoc) * FraisDeTransport -> extensions.c\n"
             "FraisDeTransport -> totals.charges\n")
    value, issues = _run(registry, rules, {"TypeDoc": "FACTURES",
                                           "FraisDeTransport": Decimal("5")})
    assert value == {"totals": {"charges": Decimal("5")}}
    assert len(issues) == 1 and "FACTURES" in issues[0]


def test_a_read_inside_a_block_is_forgotten_after_it(registry: Any) -> None:
    rules = ("each LigneFacture -> lines\n  $.NoFacture -> product_code\nend\n"
             "NoFacture -> number\n")
    for lines in ([], [{"QteFacture": 1}]):
        value, issues = _run(registry, rules, {"NoFacture": "F7", "LigneFacture": lines})
        assert value == {"lines": [{"product_code": "F7"} for _ in lines], "number": "F7"}
        assert issues == []


def test_a_read_of_the_document_before_a_block_is_reused_inside_it(registry: Any) -> None:
    rules = ("NoFacture -> number\neach LigneFacture -> lines\n  $.NoFacture -> product_code\n"
             "end\n")
    assert _reads(_forward_source(registry, rules), "NoFacture") == 1
    value, issues = _run(registry, rules, {"NoFacture": "F7", "LigneFacture": [{}, {}]})
    assert value == {"number": "F7", "lines": [{"product_code": "F7"}, {"product_code": "F7"}]}
    assert issues == []


def test_a_read_in_a_rule_of_a_group_is_not_reused_after_it(registry: Any) -> None:
    # the group's rules run once per group, none for an empty list: their reads of the
    # document are at a rule's first line, but not at the document's own level
    rules = ("group LigneFacture -> tax_breakdown by PrixFinal\n  $.NoFacture -> code\nend\n"
             "NoFacture -> number\n")
    for lines, summary in (([], []), ([{"PrixFinal": Decimal("2")}], [{"code": "F7"}])):
        value, issues = _run(registry, rules, {"NoFacture": "F7", "LigneFacture": lines})
        assert value == {"tax_breakdown": summary, "number": "F7"}
        assert issues == []
