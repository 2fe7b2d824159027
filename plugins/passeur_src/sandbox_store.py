"""The SRC sandbox's data: Sage 100-like accounting entries, the documents sent for them, and
every upload, so tests can count how many times each entry was sent.

An entry is keyed by its invoice identifier (the Sage 100 piece number: "the invoice
identifier is the matching key on the SRC side"). A document sent again replaces the one
before (there is no delete); `uploads` keeps the history all the same.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from decimal import Decimal
from typing import Any

import attrs

__all__ = ["Entry", "SrcState", "Upload", "seed"]


@attrs.define
class Entry:
    """One accounting entry (an invoice or a credit note of a debtor)."""

    id: str
    customer_code: str
    issue_date: datetime.date
    due_date: datetime.date
    amount: Decimal
    currency: str = "EUR"
    may_have_documents: bool = True
    document: bytes | None = None

    def wire(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.id, "customerCode": self.customer_code,
                "issueDate": self.issue_date.isoformat(),
                "dueDate": self.due_date.isoformat(), "amount": self.amount,
                "currency": self.currency, "mayHaveDocuments": self.may_have_documents,
                "hasDocument": self.document is not None}


@attrs.frozen
class Upload:
    """One document accepted from one archive."""

    archive: int
    invoice_id: str
    sha256: str
    overwrote: bool


@attrs.define
class SrcState:
    login: str
    password: str
    entries: dict[str, Entry] = attrs.field(factory=dict)
    uploads: list[Upload] = attrs.field(factory=list)
    archives: int = 0
    tokens: dict[str, str] = attrs.field(factory=dict)
    rng: random.Random = attrs.field(factory=lambda: random.Random(0))

    def add(self, entry: Entry) -> Entry:
        self.entries[entry.id] = entry
        return entry

    def store(self, archive: int, invoice_id: str, data: bytes) -> bool:
        """Keep `data` as the entry's document; True when it replaced one."""
        entry = self.entries[invoice_id]
        overwrote = entry.document is not None
        entry.document = data
        self.uploads.append(Upload(archive, invoice_id, hashlib.sha256(data).hexdigest(),
                                   overwrote))
        return overwrote

    def sent(self, invoice_id: str) -> int:
        """How many times a document was accepted for `invoice_id`."""
        return sum(1 for u in self.uploads if u.invoice_id == invoice_id)

    def debtor(self, customer_code: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.customer_code == customer_code]


def seed(state: SrcState, *, invoices: int, customers: int, with_documents: int,
         excluded: int, today: datetime.date) -> None:
    """`invoices` entries numbered FA000001... over `customers` debtors CLI001...; every
    `with_documents`-th already holds a document and every `excluded`-th is excluded
    (0: none); every tenth is a credit note (AV..., a negative amount)."""
    from passeur.sandbox import tiny_pdf

    rng = state.rng
    for n in range(1, invoices + 1):
        credit = n % 10 == 0
        number = f"{'AV' if credit else 'FA'}{n:06d}"
        issued = today - datetime.timedelta(days=3 * (invoices - n) + 5)
        cents = rng.randint(5_000, 500_000)
        amount = Decimal(cents).scaleb(-2) * (-1 if credit else 1)
        entry = state.add(Entry(number, f"CLI{(n - 1) % customers + 1:03d}", issued,
                                issued + datetime.timedelta(days=30), amount))
        if with_documents and n % with_documents == 0:
            entry.document = tiny_pdf([f"Facture {number}", f"Client {entry.customer_code}",
                                       f"Montant {amount} EUR"])
        if excluded and n % excluded == 0 and entry.document is None:
            entry.may_have_documents = False
