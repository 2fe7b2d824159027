"""ERP Connector's part of a sync (`passeur.engine.sync.SyncAdapter`).

An invoice is known by its `NoFacture`. No ERP behind the connector accepts an update (seed
003: PUT nowhere), so a changed source document becomes a conflict, decided by the
capabilities the engine reads, not here. The idempotency key: where the ERP takes the number
from the document (Acomba), `NoFacture` itself, guarded by `If-None-Match: *`; where the ERP
numbers the invoice (QuickBooks), the key rides in `ExtendedProperties["passeur.key"]` and an
uncertain create is found again by listing. The connector lists no customers or products
passeur can search, so a reference is trusted when the document names it (the ERP refuses an
unknown one, with its message) and otherwise reported with what to create.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import AsyncIterator, Mapping
from decimal import Decimal
from typing import Any

from passeur.http import Call, NotFound
from passeur.sync import AdapterDefaults, Reference, Stored, Unconfirmed
from passeur_erpconnector.client import ENTITIES, ErpConnectorClient, httpx_quote
from passeur_erpconnector.schema import TYPE_DOC_CODES

__all__ = ["ErpConnectorSync", "sync_adapter"]

KEY = "passeur.key"
#: Where a credit note says which invoice it credits (ERP Connector has no field for it).
CREDITS = "passeur.credits"
#: A credit note's own fields, taken from each line of the invoice it credits (the rest the
#: ERP computes again); the quantities are negated, so are the amounts the ERP derives.
_CREDIT_LINE_FIELDS = ("strNoProduit", "strNoGroupeProduit", "DescriptionLigne", "PrixFinal",
                       "NoGroupeTaxe", "NoCompteGL", "NoProjet", "UniteMesure", "TypeLigne")
_REISSUED = re.compile(r"(?P<base>.+)-R(?P<n>[0-9]+)")
_NOT_COMPARED = frozenset({"ListeModePaiements", "ReturnFullTransaction", "ExtendedProperties",
                           "LigneFacture"})


def _facture(body: Mapping[str, Any]) -> dict[str, Any]:
    inner = body.get("Facture")
    return dict(inner) if isinstance(inner, Mapping) else dict(body)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _credit_date(invoice: Mapping[str, Any], today: datetime.date) -> datetime.date:
    """A credit note's date: the run's, never before the invoice it credits (read as a GET
    answers it, a date with a time)."""
    try:
        dated = datetime.date.fromisoformat(_text(invoice.get("DateFacture"))[:10])
    except ValueError:
        return today
    return max(today, dated)


class ErpConnectorSync(AdapterDefaults):
    """The sync adapter of one ERP Connector company."""

    def __init__(self, client: ErpConnectorClient, variant: str | None = None) -> None:
        self.client = client

    def identify(self, doctype: str, record: Mapping[str, Any]) -> Stored | None:
        invoice = _facture(record)
        number = _text(invoice.get("NoFacture"))
        return Stored(number, number, None, record) if number else None

    def changed_at(self, doctype: str, record: Mapping[str, Any]) -> str | None:
        return None  # ERP Connector says nothing of when an invoice changed

    async def alist(self, doctype: str, *,
                    since: str | None = None) -> AsyncIterator[dict[str, Any]]:
        async for record in self.client.aiter_documents(doctype):
            yield record

    def stamp(self, doctype: str, body: Mapping[str, Any], key: str) -> dict[str, Any]:
        out = dict(body)
        invoice = _facture(body)
        if _text(invoice.get("NoFacture")):
            return out  # the number is the key, guarded by If-None-Match: *
        invoice["ExtendedProperties"] = {**(invoice.get("ExtendedProperties") or {}), KEY: key}
        if "Facture" in body:
            out["Facture"] = invoice
            return out
        return invoice

    def key_of(self, doctype: str, record: Mapping[str, Any]) -> str | None:
        extended = _facture(record).get("ExtendedProperties")
        return _text(extended.get(KEY)) or None if isinstance(extended, Mapping) else None

    def natural_key(self, doctype: str, body: Mapping[str, Any]) -> str | None:
        return _text(_facture(body).get("NoFacture")) or None

    def references(self, doctype: str, body: Mapping[str, Any]) -> list[Reference]:
        customer = _facture(body).get("InfoClientFacturerA") or {}
        if _text(customer.get("NoClient")):
            return []  # named by its number: the ERP checks it exists
        hints = {"name": _text(customer.get("NomClient")),
                 "email": _text(customer.get("EmailPrincipal_Adresse"))}
        hints = {k: v for k, v in hints.items() if v}
        name = hints.get("name") or hints.get("email") or "?"
        return [Reference("client", name, hints, None, f"customer {name}")]

    def link(self, doctype: str, body: Mapping[str, Any], reference: Reference,
             target_id: str) -> dict[str, Any]:
        out = dict(body)
        invoice = _facture(body)
        if reference.kind == "client":
            invoice["InfoClientFacturerA"] = {**(invoice.get("InfoClientFacturerA") or {}),
                                              "NoClient": target_id}
        if "Facture" in body:
            out["Facture"] = invoice
            return out
        return invoice

    def credited(self, doctype: str, record: Mapping[str, Any]) -> str | None:
        """The invoice a credit note credits, where passeur wrote it (`passeur.credits`; the
        connector has no field of its own for it)."""
        extended = _facture(record).get("ExtendedProperties")
        return _text(extended.get(CREDITS)) or None if isinstance(extended, Mapping) else None

    def reissue_of(self, doctype: str, record: Mapping[str, Any]) -> str | None:
        """The number an invoice issues again (10044-R1 and 10044-R2 reissue 10044), so that
        a first run on a new store adopts the live reissue, not the credited original."""
        again = _REISSUED.fullmatch(_text(_facture(record).get("NoFacture")))
        return again["base"] if again else None

    def link_credit(self, doctype: str, body: Mapping[str, Any],
                    target_id: str) -> dict[str, Any]:
        out = dict(body)
        invoice = _facture(body)
        invoice["ExtendedProperties"] = {**(invoice.get("ExtendedProperties") or {}),
                                         CREDITS: target_id}
        if "Facture" in body:
            out["Facture"] = invoice
            return out
        return invoice

    def comparable(self, doctype: str, body: Mapping[str, Any],
                   record: Mapping[str, Any]) -> dict[str, Any]:
        invoice, stored = _facture(body), _facture(record)
        view: dict[str, Any] = {k: stored.get(k) for k in invoice
                                if k not in _NOT_COMPARED and k in stored}
        reissued = _REISSUED.fullmatch(_text(stored.get("NoFacture")))
        if reissued and reissued["base"] == _text(invoice.get("NoFacture")):
            view["NoFacture"] = invoice["NoFacture"]  # 10044-R1 is 10044 issued again
        # A GET answers TypeDoc as its code and dates with a time (schema.py): read back
        # as a create payload writes them.
        if str(view.get("TypeDoc", "")).isdigit():
            view["TypeDoc"] = TYPE_DOC_CODES.get(int(view["TypeDoc"]), view["TypeDoc"])
        if isinstance(view.get("DateFacture"), str):
            view["DateFacture"] = view["DateFacture"][:10]
        if "InfoClientFacturerA" in view and isinstance(invoice.get("InfoClientFacturerA"),
                                                        Mapping):
            wanted = invoice["InfoClientFacturerA"]
            have = stored.get("InfoClientFacturerA") or {}
            view["InfoClientFacturerA"] = {k: have.get(k) for k in wanted}
        if "LigneFacture" in invoice:
            lines = list(stored.get("LigneFacture") or ())
            view["LigneFacture"] = [{k: s.get(k) for k in w if k in s}
                                    for w, s in zip(invoice["LigneFacture"], lines,
                                                    strict=False)]
            view["LigneFacture"] += [{"(extra line)": s.get("DescriptionLigne")}
                                     for s in lines[len(invoice["LigneFacture"]):]]
        return {"Facture": view} if "Facture" in body else view

    def reissue(self, doctype: str, record: Mapping[str, Any], body: Mapping[str, Any],
                credit_key: str, new_key: str, *, today: datetime.date
                ) -> tuple[dict[str, Any], dict[str, Any]] | str:
        """No ERP takes an update: the stored invoice `record` is credited (a FACTURES with
        every quantity negated, dated `today`, the run's date, or the credited invoice's own
        date if that is later, `ExtendedProperties["passeur.credits"]` naming
        the invoice it credits) and `body` written again. Where the ERP takes the number
        from the document, the credit note of 10044 is 10044-NC and the new invoice
        10044-R1 (then 10044-R2...); where it numbers invoices itself, it numbers both and
        the keys ride in ExtendedProperties."""
        stored = _facture(record)
        credited = _text(stored.get("NoFacture"))
        customer = _text((stored.get("InfoClientFacturerA") or {}).get("NoClient"))
        if not credited or not customer:
            return "the stored invoice shows no number or no customer number to credit"
        numbered = bool(_text(_facture(body).get("NoFacture")))
        lines = []
        for line in stored.get("LigneFacture") or ():
            out = {k: line[k] for k in _CREDIT_LINE_FIELDS if line.get(k) not in (None, "")}
            out.setdefault("DescriptionLigne", "")
            for quantity in ("QteFacture", "QteCommande"):
                if line.get(quantity) not in (None, "", 0):
                    out[quantity] = -Decimal(str(line[quantity]))
            if "QteFacture" not in out:  # a text line: what it says, no amount
                out = {"DescriptionLigne": _text(line.get("DescriptionLigne"))}
            lines.append(out)
        credit: dict[str, Any] = {
            "TypeDoc": "FACTURES", "DateFacture": _credit_date(stored, today).isoformat(),
            "Référence": f"Crédit de la facture {credited}",
            "Description": f"Note de crédit de la facture {credited}",
            "InfoClientFacturerA": {"NoClient": customer}, "LigneFacture": lines,
            "ExtendedProperties": {"passeur.kind": "credit_note", CREDITS: credited}}
        if stored.get("FraisDeTransport") not in (None, "", 0):
            credit["FraisDeTransport"] = -Decimal(str(stored["FraisDeTransport"]))
        new = _facture(body)
        if numbered:
            credit["NoFacture"] = f"{credited}-NC"
            again = _REISSUED.fullmatch(credited)
            new["NoFacture"] = (f"{again['base']}-R{int(again['n']) + 1}" if again
                                else f"{credited}-R1")
        else:
            new.pop("NoFacture", None)
            new["ExtendedProperties"] = {**(new.get("ExtendedProperties") or {}),
                                         KEY: new_key}
        credit_body = self.stamp(doctype, {"Facture": credit, "ReturnFullTransaction": True},
                                 credit_key)
        return credit_body, ({**body, "Facture": new} if "Facture" in body else new)

    async def acreate(self, doctype: str, body: Mapping[str, Any]) -> Stored:
        result = await self.client.acreate(doctype, body)
        number = _text(result.get("NoFacture")) if isinstance(result, Mapping) else ""
        if not number:
            raise Unconfirmed(f"the answer to the create does not say which {doctype} was "
                              "stored (no NoFacture); it may have been created",
                              method="POST", url=f"Entity/{ENTITIES[doctype]}")
        full = result.get("FullTransaction") if isinstance(result, Mapping) else None
        return Stored(number, number, None, full if isinstance(full, Mapping) else result)

    async def aupdate(self, doctype: str, current: Stored,
                      body: Mapping[str, Any]) -> Stored:
        raise NotImplementedError("ERP Connector updates no invoice (seed 003)")

    async def afind(self, doctype: str, key: str,
                    body: Mapping[str, Any]) -> list[dict[str, Any]]:
        number = self.natural_key(doctype, body)
        if number:
            found = await self.aget(doctype, number)
            return [found] if found is not None else []
        return [r async for r in self.alist(doctype) if self.key_of(doctype, r) == key]

    async def aget(self, doctype: str, record_id: str) -> dict[str, Any] | None:
        call = Call("GET", f"Entity/{ENTITIES[doctype]}/{httpx_quote(record_id)}")
        try:
            found = await self.client.ahttp.call(call)
        except NotFound:
            return None
        found = self.client._finish(found)
        return dict(found) if isinstance(found, Mapping) else None

    async def aclose(self) -> None:
        await self.client.aclose()


def sync_adapter(client: ErpConnectorClient, variant: str | None = None) -> ErpConnectorSync:
    """`SystemSpec.sync_adapter`: the sync side of a live client."""
    return ErpConnectorSync(client, variant)
