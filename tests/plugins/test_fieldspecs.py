"""The field-declaring helpers plugins' schema modules use build exactly the FieldSpec the
long spelling would: a helper that dropped a flag would change what every system declares."""

from __future__ import annotations

from passeur import FieldSpec, FieldType, field, fields, read_only, read_only_fields


def test_field_passes_every_setting_through() -> None:
    child = FieldSpec("x")
    assert field("NoClient") == FieldSpec("NoClient", FieldType.STRING)
    assert field("qty", FieldType.DECIMAL, "quantity", required=True, allowed=("a",),
                 fields=(child,), required_in=["acomba"], generated_in=("quickbooks",)) == \
        FieldSpec("qty", FieldType.DECIMAL, required=True, allowed=("a",), fields=(child,),
                  description="quantity", required_in=frozenset({"acomba"}),
                  generated_in=frozenset({"quickbooks"}))
    assert field("id", read_only=True).read_only is True


def test_read_only_marks_the_field_and_keeps_its_children() -> None:
    child = FieldSpec("Taxe_Numero")
    made = read_only("ListeDesTaxes", FieldType.LIST, "taxes", fields=(child,))
    assert made == FieldSpec("ListeDesTaxes", FieldType.LIST, read_only=True, fields=(child,),
                             description="taxes")
    assert read_only("kind", FieldType.ENUM, allowed=("a", "b")).allowed == ("a", "b")
    assert read_only("id").required is False


def test_several_fields_of_one_type_keep_their_order() -> None:
    assert fields(FieldType.INTEGER, "b", "a") == (FieldSpec("b", FieldType.INTEGER),
                                                   FieldSpec("a", FieldType.INTEGER))
    assert read_only_fields(FieldType.DATE, "created", "updated") == (
        FieldSpec("created", FieldType.DATE, read_only=True),
        FieldSpec("updated", FieldType.DATE, read_only=True))
    assert fields(FieldType.STRING) == ()
