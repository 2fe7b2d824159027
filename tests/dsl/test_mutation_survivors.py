"""Tests written against mutants of dsl/ and engine/ that outlived the suite in the sampled
mutation run (benchmarks/mutation_sample.py, BENCHMARKS.md): each pins the behaviour the
mutant changed, and was checked by hand to fail with the mutant applied."""

from __future__ import annotations

from typing import Any

import pytest

from passeur import FieldSpec, FieldType, Level, load_registry
from passeur.checking import check_text
from passeur.dsl.coverage import measure

LAYER = "mapping acomba.invoice <-> vosfactures.invoice\nextends route\n"


@pytest.fixture(scope="module")
def registry() -> Any:
    return load_registry()


def _messages(text: str, registry: Any) -> list[str]:
    report = check_text(text, "layer.map", registry, run=False)
    return [f"{f.problem.line}: {f.problem.message}" for f in report.findings
            if f.level is Level.ERROR]


def test_a_forward_drop_in_a_block_names_a_field_of_the_right_items(registry: Any) -> None:
    # checker._check_drops: inside `each LigneFacture <-> positions`, `drop quantity` is a
    # VosFactures position's field (the right side, forward); QteFacture is Acomba's
    ok = LAYER + "each LigneFacture <-> positions\n  drop quantity\nend\n"
    assert _messages(ok, registry) == []
    wrong = LAYER + "each LigneFacture <-> positions\n  drop QteFacture\nend\n"
    messages = _messages(wrong, registry)
    assert messages == ["4: unknown field `QteFacture` in vosfactures.invoice (inside "
                        "`positions`)"]


def test_a_backward_drop_in_a_block_names_a_field_of_the_left_items(registry: Any) -> None:
    ok = LAYER + "each LigneFacture <-> positions\n  drop <- QteFacture\nend\n"
    assert _messages(ok, registry) == []
    wrong = LAYER + "each LigneFacture <-> positions\n  drop <- quantity\nend\n"
    messages = _messages(wrong, registry)
    assert messages == ["4: unknown field `quantity` in acomba.invoice (inside "
                        "`LigneFacture`)"]


def test_reading_an_object_carries_every_field_under_it() -> None:
    # dsl/coverage.py measure: a rule that reads `Client` (an object) carries Client.Nom and
    # Client.Adresse.Ville; one that reads `Lignes.Qte` carries that leaf only
    fields = (FieldSpec("Client", FieldType.OBJECT, fields=(
                  FieldSpec("Nom"), FieldSpec("Adresse", FieldType.OBJECT, fields=(
                      FieldSpec("Ville"),)))),
              FieldSpec("Lignes", FieldType.LIST, fields=(FieldSpec("Qte"), FieldSpec("Prix"))),
              FieldSpec("Note"))
    got = measure("forward", "a", "b", fields, [("Client",), ("Lignes", "Qte")])
    assert (got.carried, got.dropped) == (("Client.Nom", "Client.Adresse.Ville", "Lignes[].Qte"),
                                          ("Lignes[].Prix", "Note"))
    deep = measure("forward", "a", "b", fields, [("Client", "Adresse")])
    assert deep.carried == ("Client.Adresse.Ville",)


def test_set_path_writes_the_value_and_makes_the_objects_on_its_way() -> None:
    # dsl/values.py set_path (the runtime's write at a dotted path)
    from passeur.dsl.values import set_path

    out: dict[str, Any] = {"a": "text", "keep": 1}
    set_path(out, ("a", "b", "c"), 5)
    set_path(out, ("top",), [1])
    assert out == {"a": {"b": {"c": 5}}, "keep": 1, "top": [1]}


def test_the_function_table_says_which_are_lossy_and_shows_each_doc() -> None:
    # docs/mapping-functions.md against the declarations: a function declared lossy needs
    # `keep` in a <-> rule, and its doc opens the table's last column (a
    # mutant that changed `max`'s lossy flag or `pad_left`'s doc outlived the suite)
    import re
    from pathlib import Path

    from passeur.dsl.functions import builtin_functions

    doc = (Path(__file__).resolve().parents[2] / "docs" / "mapping-functions.md").read_text(
        encoding="utf-8")
    rows = {m.group(1): (m.group(2), m.group(3)) for m in re.finditer(
        r"^\| `(\w+)\(.*?\) -> \w+` \| .*? \| (.*?) \| (.*) \|$", doc, re.M)}
    functions = builtin_functions()
    assert set(rows) == set(functions)
    for name, function in functions.items():
        both, text = rows[name]
        assert ("(lossy)" in both) is function.lossy, name
        # the rows open with the doc; some reword or extend it after that
        assert text[:30] == function.doc[:30], name
