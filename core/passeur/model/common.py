"""Parts shared by every document: where a record came from, parties and their identifiers."""

from __future__ import annotations

import datetime
import enum
from typing import Any

import attrs

from passeur.frozen import FrozenDict, frozen_mapping

__all__ = [
    "Address",
    "Attachment",
    "BankAccount",
    "Contact",
    "Identifier",
    "IdentifierScheme",
    "Note",
    "Party",
    "PartyRole",
    "Reference",
    "ReferenceKind",
    "Source",
]


@attrs.frozen
class Source:
    """Where a record was read: the system, its id there, and a location (file:line, URL)."""

    system: str
    id: str | None = None
    location: str | None = None


class IdentifierScheme(enum.Enum):
    """What kind of number an identifier is; `SYSTEM` is a customer number in one system."""

    VAT = "vat"  # intra-community VAT number (BT-31 / BT-48)
    SIREN = "siren"  # France, company
    SIRET = "siret"  # France, establishment
    BCE = "bce"  # Belgium, Banque-Carrefour des Entreprises / KBO number
    NEQ = "neq"  # Québec enterprise number
    BN = "bn"  # Canada Revenue Agency business number
    GST = "gst"  # Canada GST/HST (TPS) registration
    QST = "qst"  # Québec QST (TVQ) registration
    GLN = "gln"
    LEI = "lei"
    SYSTEM = "system"  # an id in the system named by Identifier.system
    OTHER = "other"


@attrs.frozen
class Identifier:
    """An identifier and its scheme; `system` names the system for SYSTEM identifiers."""

    value: str
    scheme: IdentifierScheme = IdentifierScheme.OTHER
    system: str | None = None


@attrs.frozen
class Address:
    """A postal address (EN 16931 BG-5 / BG-8); `country` is ISO 3166-1 alpha-2."""

    lines: tuple[str, ...] = ()
    city: str | None = None
    postal_code: str | None = None
    subdivision: str | None = None  # province, state, département
    country: str | None = None


@attrs.frozen
class Contact:
    """A person or service to reach at a party (BG-6 / BG-9)."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    mobile: str | None = None
    fax: str | None = None
    website: str | None = None


@attrs.frozen
class BankAccount:
    """A payment account (BG-17): IBAN or a national number, with its BIC and bank."""

    iban: str | None = None
    bic: str | None = None
    number: str | None = None  # a non-IBAN account number
    holder: str | None = None
    bank_name: str | None = None


class PartyRole(enum.Enum):
    CLIENT = "client"
    SUPPLIER = "supplier"
    BOTH = "both"


@attrs.frozen
class Party:
    """A seller, buyer or standalone client/supplier record.

    `is_company` is None when the source does not say. Identifiers keep their scheme so a VAT
    number is never taken for a SIREN.
    """

    name: str | None = None
    legal_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    is_company: bool | None = None
    identifiers: tuple[Identifier, ...] = ()
    address: Address | None = None
    delivery_address: Address | None = None
    contact: Contact | None = None
    bank_accounts: tuple[BankAccount, ...] = ()
    role: PartyRole | None = None
    language: str | None = None
    note: str | None = None
    extensions: dict[str, Any] = attrs.field(factory=FrozenDict, converter=frozen_mapping)
    source: Source | None = None

    def identifier(self, scheme: IdentifierScheme, system: str | None = None) -> str | None:
        """The first identifier of a scheme (and system, for SYSTEM ids), or None."""
        for ident in self.identifiers:
            if ident.scheme is scheme and (system is None or ident.system == system):
                return ident.value
        return None


class ReferenceKind(enum.Enum):
    ORDER = "order"  # BT-13 purchase order
    SALES_ORDER = "sales_order"  # BT-14
    QUOTE = "quote"
    ORIGINAL_INVOICE = "original_invoice"  # BG-3, the invoice a credit note corrects
    CONTRACT = "contract"  # BT-12
    PROJECT = "project"  # BT-11
    DELIVERY = "delivery"  # BT-16 despatch advice
    BUYER_REFERENCE = "buyer_reference"  # BT-10
    OTHER = "other"


@attrs.frozen
class Reference:
    """A link to another document (its number, and its id in a system when known)."""

    kind: ReferenceKind
    value: str
    date: datetime.date | None = None
    system_id: str | None = None


@attrs.frozen
class Note:
    """Free text on a document (BT-22), with an optional subject code (BT-21)."""

    text: str
    subject: str | None = None


@attrs.frozen
class Attachment:
    """A supporting document (BG-24): by reference (a URI or an id), or embedded.

    `content` is the embedded file as the standards carry it, base64 text (BT-125: the PDF
    inside a UBL.BE invoice), so it survives a round trip and can be extracted; `type_code`
    is the UNTDID 1001 code of the referenced document when the source gives one (130:
    an invoiced object identifier, BT-18).
    """

    id: str | None = None
    filename: str | None = None
    mime_type: str | None = None
    uri: str | None = None
    description: str | None = None
    content: str | None = None
    type_code: str | None = None
