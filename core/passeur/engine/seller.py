"""The seller configuration: who issues the invoices, for systems whose documents do not say.

EN 16931 requires the seller's name, postal address with its country and an identifier
(BT-27, BG-5, BT-40, BT-29/30/31). An invoice read from VosFactures carries them
(`seller_*` fields); an Acomba invoice read through ERP Connector does not: the company is
the ERP's own, not a field of its documents. A **seller file** gives that party once, in
the canonical form of `passeur.model.Party` (TOML or JSON), and `fill_seller` completes a
sale invoice with it. Nothing is invented: the document's own seller wins field by field,
a document whose seller is another company is left alone (and said so), and every field
taken from the file is reported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from passeur.engine.settingfile import file_or_table, read_setting_file
from passeur.errors import InputError, StructureError
from passeur.issues import Issue, Level
from passeur.model.common import Address, Contact, Party
from passeur.model.invoice import Direction, Invoice
from passeur.serialize import structure

__all__ = ["SellerConfig", "fill_seller", "load_seller", "seller_from_data", "seller_setting"]

#: the seller fields a file may complete, each taken whole (an address is never assembled
#: from the document's city and the file's street)
_FIELDS = ("name", "legal_name", "identifiers", "address", "contact", "bank_accounts")


@attrs.frozen
class SellerConfig:
    """A configured seller and the file it was read from (named in every report)."""

    party: Party
    origin: str


def load_seller(path: str | Path) -> SellerConfig:
    """The seller party of a TOML or JSON file (the canonical Party form); a file that
    cannot be read, or is not a party, is an InputError naming the file and the field."""
    path = Path(path)
    return seller_from_data(read_setting_file(path, "seller"), str(path), str(path))


def seller_from_data(data: Any, origin: str, where: str) -> SellerConfig:
    """The seller party of a seller file's content or of a connection or sync file's
    `[seller]` table; `where` (file or file:line) starts each refusal (an InputError)."""
    if not isinstance(data, dict):
        raise InputError(f"{where}: a seller is a table of the seller's fields (name, "
                         f"identifiers, address...), not {type(data).__name__}")
    try:
        party = structure(data, Party)
    except StructureError as exc:
        raise InputError(f"{where}: not a seller party: " + "; ".join(exc.problems)) from None
    missing = [what for what, present in (
        ("name", party.name or party.legal_name),
        ("address.country", party.address is not None and party.address.country))
        if not present]
    if missing:
        raise InputError(f"{where}: the seller has no {' nor '.join(missing)} "
                         "(EN 16931 BT-27, BT-40)")
    return SellerConfig(party, origin)


def seller_setting(value: Any, where: str, base: Path | None, origin: str) -> SellerConfig:
    """A connection or sync file's `seller`: a seller file's path (relative to `base`, the
    folder of the file that names it) or the party's fields inline (a `[seller]` table,
    `origin` then naming that file)."""
    return file_or_table(value, where, base, origin, key="seller", what="seller",
                         example="our-company.toml", fields="the party's fields",
                         load=load_seller, from_data=seller_from_data)


def _empty(value: Any) -> bool:
    if value is None or value == "" or value == ():
        return True
    if isinstance(value, (Address, Contact)):
        return all(_empty(getattr(value, f.name)) for f in attrs.fields(type(value)))
    return False


def _same_company(a: str | None, b: str | None) -> bool:
    return " ".join((a or "").split()).casefold() == " ".join((b or "").split()).casefold()


def fill_seller(invoice: Invoice, config: SellerConfig) -> tuple[Invoice, list[Issue]]:
    """The sale invoice with what its seller lacks taken from the configured seller.

    A purchase (an expense: the seller is a supplier) is left alone, and so is a seller
    the document names as another company than the configured one (a warning says so)."""
    if invoice.direction is not Direction.SALE:
        return invoice, []
    party = config.party
    own = invoice.seller
    if own is None:
        return attrs.evolve(invoice, seller=party), [Issue(
            Level.INFO, f"the seller (BG-4) is taken from the seller file {config.origin}",
            "seller.configured", "$.seller")]
    names = (own.legal_name or own.name, party.legal_name or party.name)
    if not _empty(names[0]) and not any(
            _same_company(n, m) for n in (own.name, own.legal_name) if n
            for m in (party.name, party.legal_name) if m):
        return invoice, [Issue(
            Level.WARNING, f"the document's seller {names[0]!r} is not the configured seller "
            f"{names[1]!r} ({config.origin}): nothing is taken from the seller file",
            "seller.other", "$.seller.name")]
    taken = {f: getattr(party, f) for f in _FIELDS
             if _empty(getattr(own, f)) and not _empty(getattr(party, f))}
    if not taken:
        return invoice, []
    return attrs.evolve(invoice, seller=attrs.evolve(own, **taken)), [Issue(
        Level.INFO, f"the seller's {', '.join(taken)} taken from the seller file "
        f"{config.origin}", "seller.configured", "$.seller")]
