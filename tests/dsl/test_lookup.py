"""A join of two lists by key: lookup(LIST, "KEY", VALUE, "FIELD" [, DEFAULT])."""

from __future__ import annotations

from typing import Any

from passeur.dsl import compile_text

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"
DOC = {"ExtendedProperties": {"produits": [{"Code": "A", "Nom": "Scie"},
                                           {"Code": 3, "Nom": "Vis"}, "not an item"]},
       "LigneFacture": [{"strNoProduit": "A"}, {"strNoProduit": "3"},
                        {"strNoProduit": "Z"}]}


def test_lookup_joins_by_key_and_an_unknown_key_is_an_error(registry: Any) -> None:
    mapping = compile_text(HEADER + "each LigneFacture -> lines\n"
                           '  lookup($.ExtendedProperties.produits, "Code", strNoProduit, '
                           '"Nom") -> name\nend\n', "t.map", registry, use_cache=False)
    result = mapping.forward(DOC)
    assert result.value == {"lines": [{"name": "Scie"}, {"name": "Vis"}, {}]}
    assert [str(i) for i in result.issues] == [
        "error [mapping-runtime]: ExtendedProperties.produits: no item of the list has Code "
        '"Z" (give a default as fifth argument) (at ExtendedProperties.produits) at '
        "t.map:3:3"]


def test_a_default_replaces_the_error(registry: Any) -> None:
    mapping = compile_text(HEADER + "each LigneFacture -> lines\n"
                           '  lookup($.ExtendedProperties.produits, "Code", strNoProduit, '
                           '"Nom", "?") -> name\nend\n', "t.map", registry, use_cache=False)
    result = mapping.forward(DOC)
    assert (result.value, result.issues) == (
        {"lines": [{"name": "Scie"}, {"name": "Vis"}, {"name": "?"}]}, [])
