"""`^.FIELD` (the enclosing item) and `$.FIELD` (the document) inside `each` blocks: read on
the side the rule reads, checked from the scope they name, never written."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from passeur.checking import check_text
from passeur.dsl import compile_text, format_text

HEADER = "mapping acomba.invoice <-> passeur.invoice\n"

MAPPING = HEADER + """NoFacture <-> number
each LigneFacture <-> lines
  QteFacture <-> quantity
  concat($.NoFacture, "/", text(QteFacture)) -> description
  ^.DateFacture -> extensions.invoice_date
  ExtendedProperties.invoice <- ^.number when $.number != "X"
  QteFacture * ^.TotalFacture -> extensions.weighted
end
"""


def test_parent_and_root_are_read_forward_and_backward(registry: Any) -> None:
    mapping = compile_text(MAPPING, "t.map", registry, use_cache=False)
    result = mapping.forward({"NoFacture": "F1", "DateFacture": "2024-01-02",
                              "TotalFacture": D(2),
                              "LigneFacture": [{"QteFacture": D(3)}, {"QteFacture": D(1)}]})
    assert result.issues == []
    assert result.value == {"number": "F1", "lines": [
        {"quantity": D(3), "description": "F1/3",
         "extensions": {"invoice_date": "2024-01-02", "weighted": D(6)}},
        {"quantity": D(1), "description": "F1/1",
         "extensions": {"invoice_date": "2024-01-02", "weighted": D(2)}}]}
    back = mapping.backward({"number": "F2", "lines": [{"quantity": D(1)}]}, {})
    assert back.value == {"NoFacture": "F2", "LigneFacture": [
        {"QteFacture": D(1), "ExtendedProperties": {"invoice": "F2"}}]}


def test_a_bad_parent_value_is_named_at_the_parent(registry: Any) -> None:
    mapping = compile_text(MAPPING, "t.map", registry, use_cache=False)
    result = mapping.forward({"NoFacture": "F1", "TotalFacture": "deux",
                              "LigneFacture": [{"QteFacture": D(3)}]})
    assert [str(i) for i in result.issues] == [
        'error [mapping-runtime]: TotalFacture: value "deux" at TotalFacture is not a number '
        "at t.map:8:3"]


def test_scoped_paths_are_checked_against_the_schema_and_never_written(
        registry: Any) -> None:
    body = ("each LigneFacture <-> lines\n"
            "  ^.DateFactur -> extensions.date\n"
            "  QteFacture -> ^.number\n"
            "  ^.^.NoFacture -> extensions.y\n"
            "end\n"
            "^.NoFacture -> number\n")
    report = check_text(HEADER + body, "t.map", registry)
    found = [f"{f.problem.line}:{f.problem.column}: {f.problem.message}"
             for f in report.findings if f.problem.code in ("path", "scope")]
    assert found == [
        "3:5: unknown field `DateFactur` in acomba.invoice; did you mean `DateFacture`?",
        "4:17: `^.number` reads a field outside this item and cannot be written (every item "
        "would write it); read it in a one-way rule (`->` or `<-`)",
        "5:3: `^.^.NoFacture` goes 2 levels up, but this rule is inside 1 `each` block",
        "7:1: `^.NoFacture` goes 1 level up, but this rule is outside any `each` block"]


def test_fmt_keeps_scoped_paths() -> None:
    text = HEADER + "each LigneFacture -> lines\n  ^.  DateFacture -> extensions.d\n" \
        "  $.NoFacture -> extensions.n\nend\n"
    assert format_text(text) == HEADER + "each LigneFacture -> lines\n" \
        "  ^.DateFacture -> extensions.d\n  $.NoFacture -> extensions.n\nend\n"


def test_position_numbers_the_items_of_the_list_read(registry: Any) -> None:
    mapping = compile_text(HEADER + "each LigneFacture <-> lines\n"
                           "  QteFacture <-> quantity\n"
                           "  text(position()) -> extensions.line_number\n"
                           "  NoLigneFacture <- position() * 10\n"
                           "  each Taxes -> taxes\n    position() -> rate\n  end\n"
                           "end\n", "t.map", registry, use_cache=False)
    forward = mapping.forward({"LigneFacture": [
        {"QteFacture": D(3), "Taxes": [{}, {}]}, {"QteFacture": D(1)}]})
    assert forward.issues == []
    assert forward.value == {"lines": [
        {"quantity": D(3), "extensions": {"line_number": "1"},
         "taxes": [{"rate": 1}, {"rate": 2}]},
        {"quantity": D(1), "extensions": {"line_number": "2"}}]}
    back = mapping.backward({"lines": [{"quantity": D(1)}, {"quantity": D(2)}]}, {})
    assert back.value == {"LigneFacture": [{"QteFacture": D(1), "NoLigneFacture": D(10)},
                                           {"QteFacture": D(2), "NoLigneFacture": D(20)}]}


def test_position_outside_a_block_or_both_ways_is_refused(registry: Any) -> None:
    report = check_text(HEADER + "text(position()) -> number\n"
                        "each LigneFacture <-> lines\n  position() <-> quantity\nend\n",
                        "t.map", registry)
    found = [f"{f.problem.line}:{f.problem.column}: {f.problem.message}"
             for f in report.findings if f.problem.code in ("function", "lossy")]
    assert found == [
        "2:6: position() is the number of the current item of an `each` block; this rule "
        "is outside any",
        "4:3: the aggregate `position` cannot be solved backward, so this rule cannot work "
        "both ways; write `position() -> quantity` and a separate `position() <- quantity` "
        "rule"]


FILTER = HEADER + """each LigneFacture <-> lines key NoLigneFacture = id where QteFacture > 0
  text(NoLigneFacture) -> id
  QteFacture <-> quantity
  DescriptionLigne <-> name
end
"""
ORIGINAL = {"LigneFacture": [
    {"NoLigneFacture": 1, "QteFacture": D(2), "DescriptionLigne": "a"},
    {"NoLigneFacture": 2, "QteFacture": D(0), "DescriptionLigne": "note"},
    {"NoLigneFacture": 3, "QteFacture": D(1), "DescriptionLigne": "c", "X": 1}]}


def test_a_filter_leaves_items_out_forward_and_keeps_them_backward(registry: Any) -> None:
    mapping = compile_text(FILTER, "t.map", registry, use_cache=False)
    view = mapping.forward(ORIGINAL)
    assert view.issues == []
    assert view.value == {"lines": [{"id": "1", "quantity": D(2), "name": "a"},
                                    {"id": "3", "quantity": D(1), "name": "c"}]}
    back = mapping.backward(view.value, ORIGINAL)
    assert (back.value, back.issues) == (ORIGINAL, [])
    # line 1 deleted, line 3 edited: the left-out note stays, untouched
    edited = mapping.backward({"lines": [{"id": "3", "quantity": D(5), "name": "c"}]},
                              ORIGINAL)
    assert edited.value == {"LigneFacture": [
        {"NoLigneFacture": 3, "QteFacture": D(5), "DescriptionLigne": "c", "X": 1},
        {"NoLigneFacture": 2, "QteFacture": D(0), "DescriptionLigne": "note"}]}


def test_a_view_item_the_filter_would_drop_is_an_error_not_written(registry: Any) -> None:
    mapping = compile_text(FILTER, "t.map", registry, use_cache=False)
    result = mapping.backward({"lines": [{"id": "1", "quantity": D(2), "name": "a"},
                                         {"id": "9", "quantity": D(0), "name": "zero"}]},
                              ORIGINAL)
    assert [len(result.value["LigneFacture"])] == [2]  # line 1 and the kept note
    assert [str(i) for i in result.issues] == [
        'error [mapping-runtime]: lines[1]: value {"id": "9", "quantity": "0", "name": '
        '"zero"} at lines[1] cannot be written back: the item written would be left out by '
        "the block's `where` when read again at t.map:2:1"]


def test_the_filter_is_checked_against_the_item(registry: Any) -> None:
    report = check_text(HEADER + "each LigneFacture <-> lines where QteFactur > 0\n"
                        "  QteFacture <-> quantity\nend\n", "t.map", registry, run=False)
    assert [f"{f.problem.line}:{f.problem.column}: {f.problem.message}"
            for f in report.findings if f.problem.code == "path"] == [
        "2:35: unknown field `QteFactur` in acomba.invoice (inside `LigneFacture`); did you "
        "mean `QteFacture`?"]
    assert format_text(HEADER + "each LigneFacture <-> lines   where  QteFacture>0\nend\n") \
        == HEADER + "each LigneFacture <-> lines where QteFacture > 0\nend\n"


KEYED = HEADER + """each LigneFacture <-> lines key NoLigneFacture = id where QteFacture > 0
  NoLigneFacture <-> id
  QteFacture <-> quantity
end
"""


def test_a_view_item_with_the_key_of_a_filtered_line_is_written_over_it(registry: Any) -> None:
    """A keyed view item finds its original line even when the filter hid it (it started
    empty beside it: two lines with one key, the new one without the unmapped fields)."""
    mapping = compile_text(KEYED, "t.map", registry, use_cache=False)
    original = {"LigneFacture": [{"NoLigneFacture": 1, "QteFacture": 0, "Note": "n"},
                                 {"NoLigneFacture": 2, "QteFacture": 2}]}
    back = mapping.backward({"lines": [{"id": 1, "quantity": 5}]}, original)
    assert (back.value, back.issues) == (
        {"LigneFacture": [{"NoLigneFacture": 1, "QteFacture": 5, "Note": "n"}]}, [])
    back = mapping.backward({"lines": [{"id": 1, "quantity": 0}, {"id": 2, "quantity": 3}]},
                            original)  # the hidden line shown as it is: still left out
    assert back.value == {"LigneFacture": [{"NoLigneFacture": 1, "QteFacture": 0, "Note": "n"},
                                           {"NoLigneFacture": 2, "QteFacture": 3}]}
    assert [(i.path, i.message) for i in back.issues] == [
        ("lines[0]", 'value {"id": 1, "quantity": 0} at lines[0] cannot be written back: the '
         "item written would be left out by the block's `where` when read again")]
