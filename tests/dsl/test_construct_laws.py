"""The lens laws over generated uses of the constructs that run both ways with a summary or
a renaming: `each key, value in` over random one-to-one tables and objects, and a `group`
beside its `each` block (the summary is computed forward and checked backward).

put(get(s), s) == s for any source, and get(put(v, s)) == v for any view put accepts; what
put cannot write so that it reads back the same must be an issue, never a silent change.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from passeur import load_registry
from passeur.dsl import compile_text
from passeur.dsl.printer import literal_text

REGISTRY = load_registry()
LAWS = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

names = st.text(alphabet="abcXY_", min_size=1, max_size=4)
values = st.one_of(st.none(), st.booleans(), st.text(max_size=4), st.integers(-99, 99),
                   st.decimals(-1000, 1000, places=2, allow_nan=False),
                   st.lists(st.integers(0, 9), max_size=2),
                   st.dictionaries(names, st.integers(0, 9), max_size=2))


@st.composite
def bijections(draw: Any) -> dict[str, str]:
    """A one-to-one renaming: distinct left names onto distinct right names."""
    left = draw(st.lists(names, min_size=1, max_size=5, unique=True))
    right = draw(st.lists(names, min_size=len(left), max_size=len(left), unique=True))
    return dict(zip(left, right, strict=True))


def _keys_mapping(table: dict[str, str]) -> Any:
    entries = "".join(f"  {literal_text(a)} <-> {literal_text(b)}\n" for a, b in table.items())
    text = ("mapping acomba.invoice <-> passeur.invoice\n"
            f"table names\n{entries}end\n"
            "each key, value in ExtendedProperties <-> extensions via names\n")
    return compile_text(text, "keys.map", REGISTRY, use_cache=False)


@LAWS
@given(data=st.data(), table=bijections())
def test_renamed_keys_obey_both_laws(data: Any, table: dict[str, str]) -> None:
    mapping = _keys_mapping(table)
    known = st.sampled_from(sorted(table))
    source = {"NoFacture": "F1", "ExtendedProperties": data.draw(
        st.dictionaries(known, values, max_size=4))}
    view = mapping.forward(source)
    assert view.issues == []
    back = mapping.backward(view.value, source)
    assert (back.value, back.issues) == (source, []), "put(get(s), s) != s"
    other = {"extensions": data.draw(st.dictionaries(
        st.one_of(st.sampled_from(sorted(table.values())), names), values, max_size=4))}
    written = mapping.backward(other, source)
    assume(not written.issues)  # a key the table does not know: an issue, checked below
    again = mapping.forward(written.value)
    assert (again.value, again.issues) == (other, []), "get(put(v, s)) != v"


@LAWS
@given(table=bijections(), key=names)
def test_a_key_the_table_does_not_know_is_an_issue_both_ways(table: dict[str, str],
                                                             key: str) -> None:
    mapping = _keys_mapping(table)
    if key not in table:
        assert [i.path for i in mapping.forward(
            {"ExtendedProperties": {key: 1}}).issues] == [f"ExtendedProperties.{key}"]
    if key not in table.values():
        assert [i.path for i in mapping.backward(
            {"extensions": {key: 1}}, {}).issues] == [f"extensions.{key}"]


GROUPED = compile_text(
    "mapping vosfactures.invoice <-> passeur.invoice\n"
    "each positions <-> lines\n"
    "  total_price_net <-> net_amount\n"
    "  tax <-> extensions.vat\n"
    "end\n"
    "group positions -> tax_breakdown by tax\n"
    "  tax -> code\n"
    "  sum(total_price_net) -> taxable_amount\n"
    "  count() -> rate\n"
    "end\n", "group.map", REGISTRY, use_cache=False)
lines = st.lists(st.fixed_dictionaries({
    "total_price_net": st.one_of(st.none(), st.integers(-50, 50),
                                 st.decimals(-1000, 1000, places=2, allow_nan=False)),
    "tax": st.sampled_from(["21", "6", "0"])}), max_size=5)


@LAWS
@given(source=lines, other=lines)
def test_a_group_beside_its_lines_obeys_both_laws(source: list[Any],
                                                  other: list[Any]) -> None:
    original = {"positions": source}
    view = GROUPED.forward(original)
    assert view.issues == []
    back = GROUPED.backward(view.value, original)
    assert (back.value, back.issues) == (original, []), "put(get(s), s) != s"
    # any view whose summary is the one its lines give is written, and reads back the same
    other_view = GROUPED.forward({"positions": other}).value
    written = GROUPED.backward(other_view, original)
    assert written.issues == []
    assert GROUPED.forward(written.value).value == other_view, "get(put(v, s)) != v"


@LAWS
@given(source=lines, delta=st.decimals(Decimal("0.01"), 100, places=2, allow_nan=False))
def test_a_summary_edited_alone_is_an_issue_never_lost(source: list[Any],
                                                       delta: Decimal) -> None:
    assume(source)
    original = {"positions": source}
    view = GROUPED.forward(original).value
    view["tax_breakdown"][0]["taxable_amount"] += delta
    written = GROUPED.backward(view, original)
    assert [i.path for i in written.issues] == ["tax_breakdown[0].taxable_amount"]


PREFIXED = compile_text("mapping acomba.invoice <-> passeur.invoice\n"
                        'each key, value in ExtendedProperties <-> extensions as '
                        'prefix(key, "p_")\n', "keys.map", REGISTRY, use_cache=False)


@LAWS
@given(source=st.dictionaries(names, values, max_size=4),
       view=st.dictionaries(st.one_of(names.map(lambda n: "p_" + n), names), values,
                            max_size=4))
def test_keys_renamed_by_prefix_obey_both_laws(source: dict[str, Any],
                                               view: dict[str, Any]) -> None:
    original = {"ExtendedProperties": source}
    got = PREFIXED.forward(original)
    assert got.issues == []
    back = PREFIXED.backward(got.value, original)
    assert (back.value, back.issues) == (original, []), "put(get(s), s) != s"
    written = PREFIXED.backward({"extensions": view}, original)
    if any(not k.startswith("p_") for k in view):
        assert written.issues != []  # refused, never silently renamed
        return
    assert written.issues == []
    again = PREFIXED.forward(written.value)
    assert (again.value, again.issues) == ({"extensions": view}, []), "get(put(v, s)) != v"
