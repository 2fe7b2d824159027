"""A `let` behaves exactly as the expression it names, written in its place
(docs/mapping-language.md, "Named values: `let`"): the same value, the same absence, the
same issues. The one documented difference: a `let` is computed once per item of its
scope, so its error is reported once, however many rules read it."""

from __future__ import annotations

import itertools
import re
from decimal import Decimal as D
from typing import Any

import pytest

from passeur.checking import check_text
from passeur.dsl import compile_text

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"

#: expressions a `let` names, and rules reading them (`{x}`)
NAMED = ["Description", "number(Description)", "upper(Description)", "TotalFacture * 2"]
READERS = [
    'concat({x}, "x") -> extensions.description',
    'concat({x}) -> extensions.description',
    'coalesce({x}, "z") -> extensions.description',
    '"a" + {x} -> extensions.description',
    '{x} + "a" -> extensions.description',
    'upper({x}) -> extensions.description',
    'text({x}) -> extensions.description',
    'trim({x}) -> extensions.description',
    'number({x}) -> totals.net',
    '{x} * 2 -> totals.net',
    '{x} + 1 -> totals.net',
    '-{x} -> totals.net',
    'round({x}, 2) -> totals.net',
    '{x} -> extensions.description default "d"',
    'text({x}) -> extensions.description default "d"',
    'NoFacture -> extensions.description default {x}',
    'if {x} = "a" then "A" else "B" -> extensions.description',
    'if not ({x} = "a") then "A" else "B" -> extensions.description',
    'if {x} then "A" else "B" -> extensions.description',
    'if Description = "" then "e" else text({x}) -> extensions.description',
    'NoFacture -> extensions.description when {x} = "a"',
    'NoFacture -> extensions.description when not {x}',
    'NoFacture -> extensions.description when true or {x} > 1',
]
DOCUMENTS = [{}, {"Description": None}, {"Description": "a"}, {"Description": ""},
             {"Description": "12"}, {"Description": True}, {"TotalFacture": "zz"},
             {"TotalFacture": D("2")}, {"TotalFacture": None}]


def _outcome(registry: Any, body: str, document: dict[str, Any],
             explain: bool) -> tuple[Any, list[str]]:
    mapping = compile_text(HEADER + "NoFacture -> number\n" + body, "t.map", registry,
                           use_cache=False)
    document = {"NoFacture": "F1", **document}
    result = mapping.explain_forward(document)[0] if explain else mapping.forward(document)
    # the let's error is at the let's line and names it; the rest is the same
    issues = [re.sub(r" \(in `let t`\)", "", re.sub(r" at t\.map:\d+:\d+$", "", str(i)))
              for i in result.issues]
    return result.value, issues


@pytest.mark.parametrize(("reader", "named"), list(itertools.product(READERS, NAMED)))
def test_a_let_gives_what_its_expression_gives_in_its_place(
        registry: Any, reader: str, named: str) -> None:
    inline = reader.format(x=named if named.isidentifier() else f"({named})") + "\n"
    through_let = f"let t = {named}\n" + reader.format(x="t") + "\n"
    for document, explain in itertools.product(DOCUMENTS, (False, True)):
        assert _outcome(registry, through_let, document, explain) == \
            _outcome(registry, inline, document, explain), (document, explain)


def _run(registry: Any, body: str, document: dict[str, Any]) -> tuple[Any, list[str]]:
    mapping = compile_text(HEADER + body, "t.map", registry, use_cache=False)
    result = mapping.forward(document)
    explained, _trace = mapping.explain_forward(document)
    assert (explained.value, explained.issues) == (result.value, result.issues)
    return result.value, [str(i) for i in result.issues]


def test_concat_of_a_failed_let_writes_nothing_and_says_why_once(registry: Any) -> None:
    """Was: `concat(t, "x")` wrote "x" with the let's error beside it (the failed let read
    as absent, and concat skips absent parts)."""
    body = ('let t = number(Description)\nconcat(t, "x") -> extensions.description\n'
            'coalesce(t, "z") -> extensions.note\nt -> totals.net default 0\n')
    assert _run(registry, body, {"Description": "abc"}) == ({}, [
        'error [mapping-runtime]: Description: value "abc" at Description is not a number '
        "(in `let t`) at t.map:2:1"])
    # absent is absent, as in the expression's place: concat skips it, default fires
    assert _run(registry, body, {}) == (
        {"extensions": {"description": "x", "note": "z"}, "totals": {"net": 0}}, [])


def test_a_let_error_is_said_only_where_a_rule_reads_it(registry: Any) -> None:
    body = ('let t = number(Description)\n'
            'if Description = "" then "none" else text(t) -> extensions.description\n')
    assert _run(registry, body, {"Description": ""}) == (
        {"extensions": {"description": "none"}}, [])
    assert _run(registry, body, {"Description": "x"}) == ({}, [
        'error [mapping-runtime]: Description: value "x" at Description is not a number '
        "(in `let t`) at t.map:2:1"])


def test_a_bad_value_read_through_a_let_is_named_by_its_path(registry: Any) -> None:
    """Was `$: value true is not a text`: the data path was lost through the let."""
    body = "let t = Description\nupper(t) -> extensions.description\nt * 2 -> totals.net\n"
    assert _run(registry, body, {"Description": True}) == ({}, [
        "error [mapping-runtime]: Description: value true at Description is not a text "
        "at t.map:3:1",
        "error [mapping-runtime]: Description: value true at Description is not a number "
        "at t.map:4:1"])
    block = ("each LigneFacture -> lines\n  let d = DescriptionLigne\n"
             "  upper(d) -> description\nend\n")
    assert _run(registry, block, {"LigneFacture": [{"DescriptionLigne": "a"},
                                                   {"DescriptionLigne": 3}]}) == (
        {"lines": [{"description": "A"}, {}]}, [
            "error [mapping-runtime]: LigneFacture[1].DescriptionLigne: value 3 at "
            "LigneFacture[1].DescriptionLigne is not a text at t.map:4:3"])


def test_plus_of_a_text_let_joins_texts(registry: Any) -> None:
    """`upper(x) + 1` joins texts; through `let t = upper(x)` it added numbers."""
    body = "let t = upper(Description)\nt + 1 -> extensions.description\n"
    assert _run(registry, body, {"Description": "12"}) == (
        {"extensions": {"description": "121"}}, [])


def test_a_let_of_a_failed_let_fails_with_the_first_error(registry: Any) -> None:
    body = ('let t = number(Description)\nlet u = concat(t, "x")\n'
            "u -> extensions.description\n")
    assert _run(registry, body, {"Description": "abc"}) == ({}, [
        'error [mapping-runtime]: Description: value "abc" at Description is not a number '
        "(in `let t`) at t.map:2:1"])


def test_backward_a_failed_let_writes_nothing(registry: Any) -> None:
    mapping = compile_text(HEADER + 'let t = upper(number)\nDescription <- concat(t, "x")\n',
                           "t.map", registry, use_cache=False)
    for result in (mapping.backward({"number": 3}, {}),
                   mapping.explain_backward({"number": 3}, {})[0]):
        assert (result.value, [str(i) for i in result.issues]) == ({}, [
            "error [mapping-runtime]: number: value 3 at number is not a text (in `let t`) "
            "at t.map:2:1"])


def test_strict_raises_the_let_error_where_it_is_read(registry: Any) -> None:
    mapping = compile_text(HEADER + 'let t = number(Description)\n'
                           'if Description = "" then "e" else text(t) -> extensions.note\n',
                           "t.map", registry, use_cache=False)
    assert mapping.forward({"Description": ""}, strict=True).value == {
        "extensions": {"note": "e"}}
    with pytest.raises(Exception, match=r'value "x" at Description is not a number '
                                        r"\(in `let t`\)"):
        mapping.forward({"Description": "x"}, strict=True)


def test_a_where_cannot_read_a_let(registry: Any) -> None:
    """It read absent: the block silently wrote no line at all."""
    report = check_text(HEADER + "let t = number(Description)\n"
                        "each LigneFacture -> lines where t > 0\n  QteFacture -> quantity\n"
                        "end\n", "t.map", registry)
    assert [(f.problem.line, f.problem.column, f.problem.message) for f in report.findings
            if f.problem.code == "let"] == [
        (3, 34, "`t` is a `let` name, and a `where` cannot read one (a `where` is read in "
                "both directions, a `let` in one); write its expression in the `where`")]
