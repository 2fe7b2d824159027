"""The ClearFacts sandbox's data: administrations (one per client company of the office),
their journals, customers and archive categories, and the documents uploaded to them.

Uploaded documents are kept in `documents` in upload order: the inbox that a test (or
`GET /_sandbox/inbox`) lists, since the real API only finds a document by its uuid. Nothing
refuses a second upload of the same file: the real API does not either (issue 15), so a
test that finds one file twice has found a duplicate made by the client.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import uuid
from collections.abc import Iterable
from typing import Any

import attrs

__all__ = ["Administration", "ClearFactsState", "StoredDocument", "company_number"]


def company_number(rng: random.Random) -> str:
    """A Belgian company number (10 digits, check 97 - first 8 mod 97), without `BE`."""
    body = f"0{rng.randrange(2000000, 9999999):07d}"
    return f"{body}{97 - int(body) % 97:02d}"


@attrs.define
class Administration:
    name: str
    company_number: str
    emails: list[dict[str, str]]
    journals: list[dict[str, Any]]
    customers: list[dict[str, Any]]
    categories: list[dict[str, str]]

    def wire(self) -> dict[str, Any]:
        return {"name": self.name, "companyNumber": self.company_number,
                "emails": [dict(e) for e in self.emails], "address": None}


@attrs.frozen
class StoredDocument:
    """A document in an administration's inbox (`kind` "invoice") or archive ("archive")."""

    uuid: str
    company_number: str
    kind: str
    filename: str
    type: str  # PURCHASE / SALE for invoices, the archive type otherwise
    category: str | None
    date: str
    pages: int
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def wire(self) -> dict[str, Any]:
        if self.kind == "invoice":
            return {"__typename": "InvoiceDocument", "id": self.uuid, "date": self.date,
                    "filename": self.filename, "type": self.type, "paymentState": "UNPAID"}
        return {"__typename": "ArchiveDocument", "id": self.uuid, "date": self.date,
                "filename": self.filename, "type": self.type, "category": self.category}

    def listed(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "companyNumber": self.company_number, "kind": self.kind,
                "filename": self.filename, "type": self.type, "category": self.category,
                "date": self.date, "amountOfPages": self.pages, "sha256": self.sha256,
                "size": len(self.data)}


_JOURNALS = (("AAN", "Achats", False, "PURCHASE"), ("AAN-NC", "Notes de crédit achats", True,
             "PURCHASE"), ("VER", "Ventes", False, "SALE"),
             ("VER-NC", "Notes de crédit ventes", True, "SALE"))
_CATEGORIES = (("CODA", "Extraits bancaires (CODA)", "FINANCIAL"),
               ("BANK", "Documents bancaires", "FINANCIAL"),
               ("CONTRACTS", "Contrats", "PERMANENT"), ("OTHER", "Divers", "GENERAL"))
_CUSTOMER_STEMS = ("Boulangerie", "Garage", "Brasserie", "Atelier", "Imprimerie",
                   "Transports", "Studio", "Pépinière", "Menuiserie", "Librairie")
_CUSTOMER_NAMES = ("Dubois", "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems",
                   "Claes", "Goossens", "Wouters", "Lambert", "Dumont")


class ClearFactsState:
    """Everything the sandbox serves."""

    def __init__(self, token: str, today: datetime.date, random_seed: int = 0) -> None:
        self.token = token
        self.today = today
        self.rng = random.Random(random_seed)
        self.administrations: dict[str, Administration] = {}
        self.documents: list[StoredDocument] = []
        self.uploads = 0  # upload operations received (the faults count them)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def add_administration(self, name: str, number: str | None = None,
                           customers: int = 0) -> Administration:
        number = number or company_number(self.rng)
        slug = "".join(c for c in name.lower() if c.isalnum())[:20] or "admin"
        people = [{"id": f"C{i + 1:04d}",
                   "name": f"{self.rng.choice(_CUSTOMER_STEMS)} "
                           f"{self.rng.choice(_CUSTOMER_NAMES)}",
                   "companyNumber": (cn := company_number(self.rng)),
                   "vatNumber": f"BE{cn}"} for i in range(customers)]
        administration = Administration(
            name=name, company_number=number,
            emails=[{"type": "PURCHASE", "emailAddress": f"{slug}.purchase@inbox.example"},
                    {"type": "SALE", "emailAddress": f"{slug}.sale@inbox.example"}],
            journals=[{"id": code, "name": label, "creditNote": credit, "type": kind}
                      for code, label, credit, kind in _JOURNALS],
            customers=people,
            categories=[{"id": cid, "name": label, "type": kind}
                        for cid, label, kind in _CATEGORIES])
        self.administrations[number] = administration
        return administration

    def store(self, company: str, kind: str, filename: str, type_: str,
              category: str | None, pages: int, data: bytes) -> StoredDocument:
        document = StoredDocument(self.uuid(), company, kind, filename, type_, category,
                                  self.today.isoformat(), pages, data)
        self.documents.append(document)
        return document

    def document(self, uuid_: str) -> StoredDocument | None:
        return next((d for d in self.documents if d.uuid == uuid_), None)

    def inbox(self, company: str | None = None,
              kinds: Iterable[str] = ("invoice", "archive")) -> list[StoredDocument]:
        wanted = set(kinds)
        return [d for d in self.documents if d.kind in wanted
                and (company is None or d.company_number == company)]
