"""The canonical document model: the hub every system converts to and from.

Immutable attrs classes built on the EN 16931 business terms, with the extensions the
connected systems need (several taxes per line, line kinds, document kinds, standalone
parties, products, payments and bank statements). Money is `Decimal`, never float.
"""

from passeur.model.checks import check
from passeur.model.common import (
    Address,
    Attachment,
    BankAccount,
    Contact,
    Identifier,
    IdentifierScheme,
    Note,
    Party,
    PartyRole,
    Reference,
    ReferenceKind,
    Source,
)
from passeur.model.en16931 import complete_en16931, validate_en16931
from passeur.model.invoice import (
    AllowanceCharge,
    Direction,
    DocumentKind,
    Invoice,
    Line,
    LineKind,
    Payment,
    PaymentTerms,
    Tax,
    TaxSubtotal,
    Totals,
)
from passeur.model.money import CurrencyMismatchError, Money, Rounding, quantize, round_money
from passeur.model.records import BankStatement, Movement, Product
from passeur.model.totals import TaxRounding, recompute, tax_breakdown, with_computed_totals

#: The canonical document types, by the name mappings use (`passeur.invoice`...).
DOCUMENT_CLASSES: dict[str, type] = {
    "invoice": Invoice,
    "party": Party,
    "product": Product,
    "payment": Payment,
    "bank_statement": BankStatement,
}

#: Every model class, for serialization tests and the schema derivation.
MODEL_CLASSES: tuple[type, ...] = (
    Address, AllowanceCharge, Attachment, BankAccount, BankStatement, Contact, Identifier,
    Invoice, Line, Movement, Money, Note, Party, Payment, PaymentTerms, Product, Reference,
    Source, Tax, TaxSubtotal, Totals,
)

__all__ = [
    "DOCUMENT_CLASSES",
    "MODEL_CLASSES",
    "Address",
    "AllowanceCharge",
    "Attachment",
    "BankAccount",
    "BankStatement",
    "Contact",
    "CurrencyMismatchError",
    "Direction",
    "DocumentKind",
    "Identifier",
    "IdentifierScheme",
    "Invoice",
    "Line",
    "LineKind",
    "Money",
    "Movement",
    "Note",
    "Party",
    "PartyRole",
    "Payment",
    "PaymentTerms",
    "Product",
    "Reference",
    "ReferenceKind",
    "Rounding",
    "Source",
    "Tax",
    "TaxRounding",
    "TaxSubtotal",
    "Totals",
    "check",
    "complete_en16931",
    "quantize",
    "recompute",
    "round_money",
    "tax_breakdown",
    "validate_en16931",
    "with_computed_totals",
]
