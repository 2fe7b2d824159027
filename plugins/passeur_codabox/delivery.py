"""What to do with each CodaBox feed entry, and how far a feed may be acknowledged: the
decisions of the CodaBox -> ClearFacts flow (issue 15), kept apart from any transport so a
sync can apply them and a test can check them on their own.

- A CODA statement is delivered only when its IBAN is a bank journal the office
  **activated**; otherwise it is *skipped* with the reason, never dropped: skipped entries
  stay readable from the redownload feed and are delivered once the journal is activated.
- An invoice is delivered as XML when the login may download XML, else as PDF.
- A feed is acknowledged up to the last entry of the unbroken run, from its start, of
  entries whose outcome is recorded (delivered or skipped): never past an entry whose
  delivery is not recorded, so a crash loses nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import attrs
from stdnum import iban as stdnum_iban

from passeur import UsageError

__all__ = ["INVOICE_MODELS", "Decision", "Journal", "acknowledgement", "decide", "journals",
           "preferred_format"]

#: Feed document models that are invoices, and the ClearFacts invoice type of each.
INVOICE_MODELS = {"purchase_invoice": "PURCHASE", "sales_invoice": "SALE"}
#: Formats in order of preference, per document model.
PREFERENCE = {"coda": ("cod", "xml", "pdf"), "purchase_invoice": ("xml", "pdf"),
              "sales_invoice": ("xml", "pdf")}


@attrs.frozen
class Journal:
    """A financial (bank) journal of an office: the account it books and whether the office
    activated CODA reception for it."""

    iban: str
    name: str
    activated: bool


@attrs.frozen
class Decision:
    """`deliver` (in `format`) or `skip` (with `reason`), for one entry."""

    action: str
    format: str | None = None
    reason: str = ""
    invoice_type: str | None = None
    code: str = ""  # the short reason of a skip, for the ledger: "journal not activated"


def journals(table: Mapping[str, Any], where: str = "journals") -> dict[str, Journal]:
    """Bank journals from a configuration table `{IBAN: {journal = "...", activated = bool}}`;
    every error names the key to fix."""
    found: dict[str, Journal] = {}
    for raw_iban, value in table.items():
        path = f"{where}.{raw_iban}"
        number = stdnum_iban.compact(str(raw_iban))
        if not stdnum_iban.is_valid(number):
            raise UsageError(f"{path}: {raw_iban!r} is not a valid IBAN")
        if not isinstance(value, Mapping):
            raise UsageError(f'{path}: expected {{ journal = "NAME", activated = true }}')
        unknown = set(value) - {"journal", "activated"}
        if unknown:
            raise UsageError(f"{path}: unknown key {sorted(unknown)[0]!r} (a journal has: "
                             "journal, activated)")
        name, activated = value.get("journal"), value.get("activated", False)
        if not isinstance(name, str) or not name.strip():
            raise UsageError(f"{path}.journal: the journal's name is required")
        if not isinstance(activated, bool):
            raise UsageError(f"{path}.activated: true or false, not {activated!r}")
        if number in found:
            raise UsageError(f"{path}: IBAN {number} is configured twice")
        found[number] = Journal(number, name.strip(), activated)
    return found


def preferred_format(model: str, allowed: Mapping[str, Sequence[str]]) -> str | None:
    """The format to download an entry in: the first of the model's preference that the
    login may download (XML before PDF for invoices), or None."""
    permitted = set(allowed.get(model) or ())
    return next((f for f in PREFERENCE.get(model, ()) if f in permitted), None)


def decide(entry: Mapping[str, Any], bank_journals: Mapping[str, Journal],
           allowed: Mapping[str, Sequence[str]]) -> Decision:
    """What to do with one feed entry."""
    model = str(entry.get("document_model") or "")
    if model not in PREFERENCE:
        return Decision("skip", reason=f"document model {model or '(none)'!r} is not "
                                       "delivered (only coda and invoices are)",
                        code="document model not delivered")
    fmt = preferred_format(model, allowed)
    if fmt is None:
        return Decision("skip", reason=f"this login may not download {model} in any of "
                                       f"{', '.join(PREFERENCE[model])}",
                        code="format not allowed")
    if model in INVOICE_MODELS:
        return Decision("deliver", fmt, invoice_type=INVOICE_MODELS[model])
    metadata = entry.get("metadata") or {}
    number = stdnum_iban.compact(str(metadata.get("iban") or ""))
    journal = bank_journals.get(number)
    if journal is None:
        return Decision("skip", reason=f"no bank journal is configured for IBAN "
                                       f"{number or '(none)'}", code="journal not configured")
    if not journal.activated:
        return Decision("skip", reason=f"journal {journal.name} ({number}) is not activated",
                        code="journal not activated")
    return Decision("deliver", fmt)


def acknowledgement(entries: Iterable[Mapping[str, Any]],
                    recorded: Collection[str]) -> str | None:
    """The feed index to acknowledge: the last of the leading entries whose outcome is
    recorded, or None when the first entry is not."""
    last = None
    for entry in entries:
        index = entry.get("feed_index")
        if index not in recorded:
            break
        last = str(index)
    return last
