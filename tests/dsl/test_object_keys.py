"""Renaming an object's keys: `each key, value in LEFT <-> RIGHT via TABLE` (docs,
"Renaming an object's keys"): both laws hold, a non-bijective table is refused for `<->`."""

from __future__ import annotations

from typing import Any

import pytest

from passeur.checking import check_text
from passeur.dsl import compile_text

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"
TABLE = ('table names\n  "NoVendeurExterne" <-> "seller_ref"\n  "Entrepot" <-> "warehouse"\n'
         "end\n")
RULE = "each key, value in ExtendedProperties <-> extensions via names\n"


def _mapping(registry: Any, text: str = TABLE + RULE) -> Any:
    return compile_text(HEADER + text, "k.map", registry, use_cache=False)


def _errors(registry: Any, text: str) -> list[str]:
    return [f.render().split("\n")[0] for f in check_text(HEADER + text, "k.map",
                                                          registry).findings
            if "is never written" not in f.problem.message]


def test_keys_renamed_forward_and_back_values_as_they_are(registry: Any) -> None:
    mapping = _mapping(registry)
    left = {"NoFacture": "F1",
            "ExtendedProperties": {"NoVendeurExterne": "V-12", "Entrepot": {"code": 3}}}
    forward = mapping.forward(left)
    assert (forward.value, forward.issues) == (
        {"extensions": {"seller_ref": "V-12", "warehouse": {"code": 3}}}, [])
    back = mapping.backward(forward.value, left)
    assert (back.value, back.issues) == (left, [])  # put(get(s), s) == s
    view = {"extensions": {"warehouse": "B"}}
    back = mapping.backward(view, left)
    assert back.value == {"NoFacture": "F1", "ExtendedProperties": {"Entrepot": "B"}}
    assert mapping.forward(back.value).value == view  # get(put(v, s)) == v


def test_absent_and_null_objects(registry: Any) -> None:
    mapping = _mapping(registry)
    assert mapping.forward({}).value == {}
    assert mapping.forward({"ExtendedProperties": None}).value == {"extensions": None}
    back = mapping.backward({}, {"NoFacture": "F1", "ExtendedProperties": {"Entrepot": 1}})
    assert back.value == {"NoFacture": "F1"}  # absent in the view: absent when written


def test_an_unknown_key_or_a_non_object_is_an_error(registry: Any) -> None:
    mapping = _mapping(registry)
    result = mapping.forward({"ExtendedProperties": {"Entrepot": 1, "X": 2}})
    assert (result.value, [(i.path, i.message) for i in result.issues]) == ({}, [
        ("ExtendedProperties.X", 'value "X" at ExtendedProperties.X is not in table names')])
    result = mapping.forward({"ExtendedProperties": [1]})
    assert [i.message for i in result.issues] == [
        "value [1] at ExtendedProperties is not an object, so its keys cannot be renamed"]


def test_without_via_the_keys_are_kept(registry: Any) -> None:
    mapping = _mapping(registry, "each key, value in ExtendedProperties <-> extensions\n")
    left = {"ExtendedProperties": {"a": 1, "b": [2]}}
    assert mapping.forward(left).value == {"extensions": {"a": 1, "b": [2]}}
    assert mapping.backward({"extensions": {"a": 1, "b": [2]}}, left).value == left


def test_one_way_renaming_two_keys_to_one_is_an_error(registry: Any) -> None:
    text = ('table names\n  "A" -> "x"\n  else -> "other"\nend\n'
            "each key, value in ExtendedProperties -> extensions via names\n")
    result = _mapping(registry, text).forward({"ExtendedProperties": {"A": 1, "B": 2,
                                                                      "C": 3}})
    assert [(i.path, i.message) for i in result.issues] == [(
        "ExtendedProperties.C", 'value "C" at ExtendedProperties.C is renamed "other", '
        'like the key "B" before it: one of the two values would be lost')]


@pytest.mark.parametrize(("table", "reason"), [
    ('table names\n  "A" <-> "x"\n  else -> "y"\nend\n', "it has an `else` fallback"),
    ('table names\n  "A" <-> "x"\n  "B" -> "x"\nend\n', "some entries work only one way"),
    ('table names\n  "A" <-> "x"\n  "A" <- "y"\nend\n', "some entries work only one way"),
])
def test_a_table_that_is_not_a_bijection_is_refused_for_both_ways(
        registry: Any, table: str, reason: str) -> None:
    column = 1 + len("each key, value in ExtendedProperties <-> extensions ")
    line = table.count("\n") + 2
    assert (f"k.map:{line}:{column}: error: table names is not one-to-one ({reason}), so "
            "the keys it renames cannot be renamed back: give each key one name each way, "
            "or write `->` (and a separate `<-` line)") in _errors(registry, table + RULE)


def test_both_sides_must_be_objects(registry: Any) -> None:
    assert _errors(registry, TABLE + RULE.replace("ExtendedProperties", "NoFacture")) == [
        "k.map:6:20: error: `each key, value in` needs an object, but `NoFacture` of "
        "acomba.invoice is a string"]


def test_the_printer_keeps_the_line(registry: Any) -> None:
    from passeur.dsl.printer import format_text

    text = HEADER + "\n" + RULE + "\nNoFacture <-> number\n"
    assert format_text(text.replace("key, value", "key,value")) == text


AS_PREFIX = 'each key, value in ExtendedProperties <-> extensions as prefix(key, "acomba_")\n'


def test_keys_renamed_by_a_function_with_an_inverse(registry: Any) -> None:
    mapping = _mapping(registry, AS_PREFIX)
    left = {"ExtendedProperties": {"Entrepot": 3, "acomba_x": None}}
    forward = mapping.forward(left)
    assert (forward.value, forward.issues) == (
        {"extensions": {"acomba_Entrepot": 3, "acomba_acomba_x": None}}, [])
    assert mapping.backward(forward.value, {}).value == left
    back = mapping.backward({"extensions": {"acomba_a": 1, "b": 2}}, {})
    assert (back.value, [(i.path, i.message) for i in back.issues]) == ({}, [
        ("extensions.b", 'value "b" at extensions.b does not start with "acomba_"')])


@pytest.mark.parametrize(("rename", "message"), [
    ('prefix(nom, "a")', 'k.map:2:64: error: a key renaming reads the name `key`, not `nom`: '
     'as prefix(key, "x_")'),
    # a key renaming has no `keep` and no separate `<-` rule: its one-way form is `->`
    ("upper(key)", "k.map:2:57: error: `upper` loses information, so the keys it renames "
     "cannot be renamed back; write `each key, value in ExtendedProperties -> extensions as "
     "upper(key)` (forward only), or rename through a one-to-one table (`via TABLE`)"),
    ("text(key)", "k.map:2:57: error: `text` does not give back exactly what it read (\"007\" "
     "is read as 7 and written back as \"7\"), so the keys it renames cannot be renamed back; "
     "write `each key, value in ExtendedProperties -> extensions as text(key)` (forward "
     "only), or rename through a one-to-one table (`via TABLE`)"),
    ('concat("x_", key)', "k.map:2:70: error: a key renaming gives `concat` the name `key` "
     "first and constants after it, not `key` (it would differ from one key to the next): "
     'as concat(key, "x_")'),
])
def test_a_renaming_that_cannot_go_back_is_refused(registry: Any, rename: str,
                                                   message: str) -> None:
    text = AS_PREFIX.replace('prefix(key, "acomba_")', rename)
    assert message in _errors(registry, text)


def test_the_printer_keeps_a_renaming(registry: Any) -> None:
    from passeur.dsl.printer import format_text

    assert format_text(HEADER + AS_PREFIX.replace(", value", ",value")) == HEADER + AS_PREFIX


FORWARD_ONLY = "each key, value in ExtendedProperties -> extensions as {}\n"


def test_a_forward_renaming_needs_no_inverse(registry: Any) -> None:
    """`->` renames nothing back, so any function giving a text will do (it was refused with
    the `<->` message, which asked for the `->` it already had); two keys renamed alike
    stay an error."""
    mapping = _mapping(registry, FORWARD_ONLY.format("upper(before(key, \"_\"))"))
    forward = mapping.forward({"ExtendedProperties": {"ab_1": 1, "c": None}})
    assert (forward.value, forward.issues) == ({"extensions": {"AB": 1, "C": None}}, [])
    forward = mapping.forward({"ExtendedProperties": {"a_1": 1, "A_2": 2}})
    assert [(i.path, i.message) for i in forward.issues] == [
        ("ExtendedProperties.A_2", 'value "A_2" at ExtendedProperties.A_2 is renamed "A", '
         'like the key "a_1" before it: one of the two values would be lost')]


@pytest.mark.parametrize(("arrow", "rename", "message"), [
    ("->", "number(key)", "k.map:2:56: error: `number` gives a decimal, and an object's key is "
     "a text: as text(number(key))"),
    ("->", "concat(key, value)", "k.map:2:68: error: a key renaming gives `concat` the name "
     "`key` first and constants after it, not `value` (it would differ from one key to the "
     'next): as concat(key, "x_")'),
    ("<-", "upper(key)", "k.map:2:56: error: `upper` loses information, so the keys it "
     "renames cannot be renamed back; rename through a table (`via TABLE`)"),
])
def test_a_one_way_renaming_refused_says_why(registry: Any, arrow: str, rename: str,
                                             message: str) -> None:
    text = f"each key, value in ExtendedProperties {arrow} extensions as {rename}\n"
    assert message in _errors(registry, text)


def test_a_key_that_cannot_be_renamed_forward_is_named(registry: Any) -> None:
    """The error is at the key (it named the whole object)."""
    text = 'each key, value in ExtendedProperties <-> extensions as unprefix(key, "p_")\n'
    forward = _mapping(registry, text).forward({"ExtendedProperties": {"p_a": 1, "b": 2}})
    assert [(i.path, i.message) for i in forward.issues] == [
        ("ExtendedProperties.b", 'value "b" at ExtendedProperties.b does not start with "p_"')]
