"""The CodaBox sandbox's data: offices (fiduciaries), their logins (pod clients), one feed per
client with its entries and offsets, and the one-time onboarding tokens.

A feed is an ordered list of entries with an offset: entries after it are served by the feed,
entries up to it by the redownload feed, which has an offset of its own. Acknowledging moves
an offset forward only (acknowledging an entry already behind it changes nothing), which is
what makes the PUT idempotent.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from passeur_codabox.coda_text import CodaTemplate, chain

__all__ = ["DEFAULT_ALLOWED_FORMATS", "Account", "CodaBoxState", "Entry", "Feed", "Office",
           "belgian_iban", "belgian_vat"]

#: What the sandbox's logins may download, per document model (seed of the issue; CODA-XML
#: is not produced by the sandbox, so `xml` is not allowed for `coda`: docs/sandboxes.md).
DEFAULT_ALLOWED_FORMATS: dict[str, list[str]] = {
    "coda": ["cod", "pdf"], "purchase_invoice": ["pdf", "xml"],
    "sales_invoice": ["pdf", "xml"], "soda": [], "expense": []}


def belgian_vat(rng: random.Random) -> str:
    """A Belgian VAT number with valid check digits: BE0 + 7 digits + 97 - (first 8 mod 97)."""
    body = f"0{rng.randrange(2000000, 9999999):07d}"
    return f"BE{body}{97 - int(body) % 97:02d}"


def belgian_iban(rng: random.Random, bank_code: str) -> str:
    """A Belgian IBAN: bank code, 7 digits, national check (mod 97, 97 for 0), IBAN check."""
    national = f"{bank_code}{rng.randrange(10**7):07d}"
    check = int(national) % 97 or 97
    bban = f"{national}{check:02d}"
    digits = "".join(str(int(c, 36)) for c in bban + "BE00")
    return f"BE{98 - int(digits) % 97:02d}{bban}"


@attrs.define
class Entry:
    """One document of a feed: its index (a uuid), model, metadata and downloadable files."""

    feed_index: str
    document_model: str
    metadata: dict[str, Any]
    files: dict[str, bytes]

    def wire(self) -> dict[str, Any]:
        return {"feed_index": self.feed_index, "document_model": self.document_model,
                "metadata": dict(self.metadata)}


@attrs.define
class Account:
    """A bank account of a client, and where its statement chain stands."""

    iban: str
    bic: str
    holder: str
    next_number: int = 1
    balance: Decimal = Decimal("0.00")
    date: datetime.date = datetime.date(2025, 1, 2)
    template: int = 0


@attrs.define
class Feed:
    """The feed of one client (its id is the feed client's `id`)."""

    id: int
    client: dict[str, Any]
    accounts: list[Account] = attrs.field(factory=list)
    entries: list[Entry] = attrs.field(factory=list)
    offset: int = 0  # entries[:offset] are acknowledged
    redownload_offset: int = 0  # entries[:redownload_offset] are acknowledged again

    def position(self, feed_index: str) -> int | None:
        for i, entry in enumerate(self.entries):
            if entry.feed_index == feed_index:
                return i
        return None


@attrs.define
class Office:
    """An accounting office (fiduciary) and its CodaBox login (its pod client)."""

    fiduciary_id: str
    name: str
    vat: str
    pod_id: int
    username: str
    password: str
    feeds: list[Feed] = attrs.field(factory=list)

    def feed(self, feed_id: int) -> Feed | None:
        return next((f for f in self.feeds if f.id == feed_id), None)


_BANKS = (("001", "GEBABEBB"), ("734", "KREDBEBB"), ("310", "BBRUBEBB"), ("068", "GKCCBEBB"))


class CodaBoxState:
    """Everything the sandbox serves; `mailbox` holds the e-mails CodaBox would send."""

    def __init__(self, software_company: str, fetch_delay: int,
                 allowed_formats: Mapping[str, list[str]] | None = None,
                 random_seed: int = 0) -> None:
        self.software_company = software_company
        self.fetch_delay = fetch_delay
        self.allowed_formats = {k: list(v) for k, v in
                                (allowed_formats or DEFAULT_ALLOWED_FORMATS).items()}
        self.rng = random.Random(random_seed)
        self.offices: list[Office] = []
        self.tokens: dict[str, Office] = {}
        #: (to VAT number, token) of every onboarding e-mail "sent"
        self.mailbox: list[tuple[str, str]] = []
        self.templates: list[CodaTemplate] = []
        self._next_feed = 277
        self._next_pod = 66

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    # -- people ------------------------------------------------------------------------

    def add_office(self, name: str, vat: str | None = None, username: str | None = None,
                   password: str | None = None) -> Office:
        office = Office(fiduciary_id=self.uuid(), name=name, vat=vat or belgian_vat(self.rng),
                        pod_id=self._next_pod,
                        username=username or f"pod{self._next_pod}",
                        password=password or f"sandbox-{self._next_pod}")
        self._next_pod += 1
        self.offices.append(office)
        return office

    def add_client(self, office: Office, name: str, code: str) -> Feed:
        vat = belgian_vat(self.rng)
        client = {"id": self._next_feed, "client_id": self.uuid(), "client_name": name,
                  "client_code": code, "fiduciary_id": office.fiduciary_id,
                  "client_vat": vat}
        feed = Feed(self._next_feed, client)
        self._next_feed += 1
        office.feeds.append(feed)
        return feed

    def add_account(self, feed: Feed, bank: int = 0,
                    opening: Decimal = Decimal("1000.00")) -> Account:
        code, bic = _BANKS[bank % len(_BANKS)]
        account = Account(belgian_iban(self.rng, code), bic, feed.client["client_name"],
                          balance=opening, template=len(feed.accounts))
        feed.accounts.append(account)
        return account

    # -- documents ---------------------------------------------------------------------

    def add_statements(self, feed: Feed, account: Account, count: int = 1,
                       skip: int = 0) -> list[Entry]:
        """The next `count` statements of `account` as entries of `feed` (after leaving out
        `skip` numbers: a gap in the sequence, as a bank that lost one would leave)."""
        account.next_number += skip
        made = chain(self.templates, iban=account.iban, bic=account.bic,
                     holder=account.holder, count=count, first_number=account.next_number,
                     opening=account.balance, first_date=account.date,
                     start=account.template)
        entries = []
        for statement in made:
            metadata = {"movement_count": statement.movement_count,
                        "first_statement_number": statement.number,
                        "last_statement_number": statement.number,
                        "new_balance_date": statement.new_date.isoformat(),
                        "bank_id": statement.bic, "currency": statement.currency,
                        "iban": statement.iban}
            pdf = _pdf([f"CODA statement {statement.number} of {statement.iban}",
                        f"New balance {statement.new_balance} {statement.currency} on "
                        f"{statement.new_date.isoformat()}"])
            entries.append(self._add(feed, "coda", metadata,
                                     {"cod": statement.data, "pdf": pdf}))
        if made:
            account.next_number = made[-1].number + 1
            account.balance = made[-1].new_balance
            account.date = made[-1].new_date
            account.template += len(made)
        return entries

    def add_invoice(self, feed: Feed, model: str, xml: bytes,
                    metadata: Mapping[str, Any]) -> Entry:
        """An electronic invoice (`purchase_invoice` or `sales_invoice`) with its UBL."""
        pdf = _pdf([f"{model.replace('_', ' ')} {metadata.get('document_number', '')}"])
        return self._add(feed, model, dict(metadata), {"xml": xml, "pdf": pdf})

    def _add(self, feed: Feed, model: str, metadata: dict[str, Any],
             files: dict[str, bytes]) -> Entry:
        entry = Entry(self.uuid(), model, metadata, files)
        feed.entries.append(entry)
        return entry

    # -- onboarding --------------------------------------------------------------------

    def office_by_vat(self, vat: str) -> Office | None:
        return next((o for o in self.offices if o.vat == vat), None)

    def issue_token(self, office: Office) -> str:
        token = f"{self.rng.getrandbits(128):032x}"
        self.tokens[token] = office
        self.mailbox.append((office.vat, token))
        return token

    def redeem(self, token: str) -> Office | None:
        """The office a one-time token was issued for, with a new password; None if the
        token is unknown or was used already."""
        office = self.tokens.pop(token, None)
        if office is not None:
            office.password = f"{self.rng.getrandbits(96):024x}"
        return office

    # -- lookups -----------------------------------------------------------------------

    def login(self, username: str) -> Office | None:
        return next((o for o in self.offices if o.username == username), None)

    def entry(self, office: Office, feed_index: str) -> tuple[Feed, int] | None:
        for feed in office.feeds:
            position = feed.position(feed_index)
            if position is not None:
                return feed, position
        return None

    def feed_entries(self) -> dict[int, Feed]:
        return {f.id: f for o in self.offices for f in o.feeds}


def _pdf(lines: list[str]) -> bytes:
    from passeur.sandbox import tiny_pdf

    return tiny_pdf(lines)
