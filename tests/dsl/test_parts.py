"""One field into two and back: `before(x, SEP) <-> a` and `after(x, SEP) <-> b` write their
parts into one field; both lens laws hold over any text (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from passeur import load_registry
from passeur.checking import check_text
from passeur.dsl import compile_text

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"
RULES = HEADER + ('before(InfoClientFacturerA.NomClient, " ") <-> buyer.name\n'
                  'after(InfoClientFacturerA.NomClient, " ") <-> buyer.extensions.last_name\n')
MAPPING = compile_text(RULES, "parts.map", load_registry(), use_cache=False)
texts = st.text(alphabet=st.sampled_from("ab -é"), max_size=8)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_get_put(name: str) -> None:
    source = {"InfoClientFacturerA": {"NomClient": name}}
    view = MAPPING.forward(source)
    assert view.issues == []
    back = MAPPING.backward(view.value, source)
    assert (back.value, back.issues) == (source, [])


@settings(max_examples=300, deadline=None)
@given(texts, texts, st.one_of(st.none(), texts))
def test_put_get(first: str, last: str, original: str | None) -> None:
    view = {"buyer": {"name": first, "extensions": {"last_name": last}}}
    source = {} if original is None else {"InfoClientFacturerA": {"NomClient": original}}
    written = MAPPING.backward(view, source)
    if written.issues:  # refused, never silently changed: the first part holds a space
        assert " " in first
        return
    again = MAPPING.forward(written.value)
    assert again.value == view


def test_the_other_part_is_kept_and_a_bad_part_is_an_error() -> None:
    source = {"InfoClientFacturerA": {"NomClient": "Jean Paul Dupont"}}
    assert MAPPING.backward({"buyer": {"name": "Luc", "extensions": {
        "last_name": "Paul Dupont"}}}, source).value == {
        "InfoClientFacturerA": {"NomClient": "Luc Paul Dupont"}}
    result = MAPPING.backward({"buyer": {"name": "Luc Y", "extensions": {
        "last_name": "Martin"}}}, source)
    assert result.value == {"InfoClientFacturerA": {"NomClient": "Jean Martin"}}
    assert [str(i) for i in result.issues] == [
        'error [mapping-runtime]: buyer.name: value "Luc Y" at buyer.name cannot be written '
        'back exactly: what this rule would write reads back as "Luc" at parts.map:2:1']


def test_a_part_on_the_right_side_is_refused(registry: Any) -> None:
    report = check_text(HEADER + 'Description <-> before(number, " ")\n', "t.map",
                        registry)
    assert [f"{f.problem.line}:{f.problem.column}: {f.problem.message}"
            for f in report.findings if f.problem.code == "lens"] == [
        '2:17: `before` reads a part of a left field: write it alone around the left path '
        'of a `<->` rule (`before(Nom, " ") <-> buyer.first_name`)']


def test_one_part_given_and_the_other_absent_loses_nothing() -> None:
    """The absent part would have dropped the whole field, and the given part with it: it
    is an error at the absent view field, and the field keeps what the given part wrote."""
    source = {"InfoClientFacturerA": {"NomClient": "Jean Dupont"}}
    back = MAPPING.backward({"buyer": {"name": "Luc"}}, source)
    assert back.value == {"InfoClientFacturerA": {"NomClient": "Luc Dupont"}}
    assert [str(i) for i in back.issues] == [
        'error [mapping-runtime]: buyer.extensions.last_name: value absent at '
        'buyer.extensions.last_name while the field it is a part of holds "Luc Dupont": give '
        'this part too ("" for an empty one); the field is left as it is at parts.map:3:1']
    other = MAPPING.backward({"buyer": {"extensions": {"last_name": "Martin"}}}, source)
    assert other.value == {"InfoClientFacturerA": {"NomClient": "Jean Martin"}}
    assert len(other.issues) == 1 and "value absent at buyer.name" in str(other.issues[0])
    assert MAPPING.backward({"buyer": {}}, {}).value == {}  # nothing to keep: no issue
    assert MAPPING.backward({"buyer": {}}, {}).issues == []
