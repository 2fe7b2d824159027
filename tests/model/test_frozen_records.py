"""Canonical records are deeply immutable and hashable: their `extensions` (and what they
hold) refuse every change, and equal records hash equal."""

from __future__ import annotations

import copy
import pickle

import attrs
import pytest

from passeur.model import Invoice, Line, Party, Product
from passeur.serialize import to_plain, unstructure


@pytest.mark.parametrize("record", [Product(), Invoice(), Line(), Party()])
def test_extensions_refuse_changes(record: object) -> None:
    extensions = record.extensions  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="records are immutable"):
        extensions["x"] = 1
    with pytest.raises(TypeError):
        extensions.update(x=1)
    assert extensions == {}


def test_nested_values_are_frozen_too() -> None:
    product = Product(extensions={"erp": {"codes": ["A", "B"]}})
    with pytest.raises(TypeError):
        product.extensions["erp"]["codes"].append("C")
    with pytest.raises(TypeError):
        product.extensions["erp"]["other"] = 1
    assert product.extensions == {"erp": {"codes": ["A", "B"]}}


def test_the_caller_s_dict_is_not_shared() -> None:
    given = {"a": 1}
    product = Product(extensions=given)
    given["a"] = 2
    assert product.extensions == {"a": 1}


def test_equal_records_hash_equal() -> None:
    a = Invoice(number="F1", extensions={"k": ["v"]}, lines=(Line(name="x"),))
    b = Invoice(number="F1", extensions={"k": ["v"]}, lines=(Line(name="x"),))
    assert a == b and hash(a) == hash(b)
    assert len({a, b, attrs.evolve(a, number="F2")}) == 2


def test_copies_pickles_and_plain_data() -> None:
    product = Product(extensions={"a": {"b": [1]}})
    assert copy.deepcopy(product) == product
    assert pickle.loads(pickle.dumps(product)) == product
    for plain in (unstructure(product), to_plain(product)):
        assert type(plain["extensions"]) is dict
        assert type(plain["extensions"]["a"]["b"]) is list  # callers may build on it
