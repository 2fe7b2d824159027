"""The `passeur` system is derived from the model, so the checker and the model agree."""

from __future__ import annotations

from passeur import FieldType, load_registry
from passeur.canonical import canonical_system
from passeur.testing import assert_system_conforms, system_problems


def test_canonical_invoice_schema_follows_the_model() -> None:
    invoice = canonical_system().document_type("invoice")
    assert invoice is not None
    kind = invoice.field("kind")
    assert kind is not None and kind.type is FieldType.ENUM
    assert {"invoice", "credit_note", "quote", "order", "proforma"} <= set(kind.allowed)
    taxes = invoice.resolve(["lines", "taxes"])
    assert taxes is not None and taxes.type is FieldType.LIST
    assert [f.name for f in taxes.fields][:3] == ["scheme", "rate", "category"]
    rate = invoice.resolve(["lines", "taxes", "rate"])
    assert rate is not None and rate.type is FieldType.DECIMAL
    amount = canonical_system().document_type("payment").resolve(["amount", "amount"])
    assert amount is not None and amount.required and amount.type is FieldType.DECIMAL


def test_the_canonical_system_conforms() -> None:
    # the plugins' declarations are checked by check_plugin (tests/plugins/test_builtin_kit.py)
    assert_system_conforms(load_registry().system("passeur"))


def test_conformance_kit_names_problems() -> None:
    from passeur import ConfigField, DocumentType, FieldSpec, SystemSpec
    spec = SystemSpec(
        name="Bad-Name", title="x",
        document_types=(DocumentType("invoice", canonical="bill",
                                     fields=(FieldSpec("a", FieldType.ENUM),
                                             FieldSpec("a"))),),
        config=(ConfigField("api_token"),))
    assert system_problems(spec) == [
        "system name 'Bad-Name' must be lower-case letters, digits, _",
        "Bad-Name.invoice: canonical type 'bill' does not exist "
        "(known: invoice, party, product, payment, bank_statement)",
        "Bad-Name.invoice.a: enum field without allowed values",
        "Bad-Name.invoice.a: field declared twice",
        "setting 'api_token' looks like a secret but is not flagged",
    ]
