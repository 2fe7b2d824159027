"""VosFactures' part of a sync (`passeur.engine.sync.SyncAdapter`).

Records are known by `id`, versioned by `updated_at`; the idempotency key rides in `oid`
with `oid_unique = "yes"` (the API then refuses a second invoice with it, seed 002), and an
uncertain create is found again with `GET /invoices.json?oid=KEY`. An invoice needs its
client (found or created by `external_id` = the source's customer number, `tax_no`,
e-mail, name) and its products (by `code`); updates send positions with their `id`, and
`_destroy: 1` for a line that went away.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from passeur.http import Call, NotFound
from passeur.sync import Reference, Stored, Unconfirmed
from passeur_vosfactures.client import RESOURCES, VosFacturesClient, destroy_position, parse_money

__all__ = ["VosFacturesSync", "sync_adapter"]

#: Invoice fields the API computes or that only steer a create: never compared.
_NOT_COMPARED = frozenset({"oid_unique", "additional_fields", "api_token", "client_id",
                           "buyer_override", "positions"})
_POSITION_NOT_COMPARED = frozenset({"product_id", "id", "_destroy"})
#: What the API derives from a position's gross amount and rate (its own rounding): a cent
#: there is not a change of the document.
_DERIVED = frozenset({"price_net", "total_price_net", "price_tax", "total_price_tax"})
_CLIENT_FIELDS = ("name", "tax_no", "email", "street", "post_code", "city", "country")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


class VosFacturesSync:
    """The sync adapter of one VosFactures account."""

    def __init__(self, client: VosFacturesClient, variant: str | None = None) -> None:
        self.client = client

    # -- identity ------------------------------------------------------------------------

    def identify(self, doctype: str, record: Mapping[str, Any]) -> Stored | None:
        if record.get("id") in (None, ""):
            return None
        number = record.get("number") if doctype == "invoice" else (
            record.get("code") or record.get("name"))
        return Stored(str(record["id"]), None if number in (None, "") else str(number),
                      _text(record.get("updated_at")) or None, record)

    def changed_at(self, doctype: str, record: Mapping[str, Any]) -> str | None:
        return _text(record.get("updated_at")) or None

    async def alist(self, doctype: str, *,
                    since: str | None = None) -> AsyncIterator[dict[str, Any]]:
        async for record in self.client.aiter_documents(doctype):
            if since is None or _text(record.get("updated_at")) >= since:
                yield record

    # -- keys ----------------------------------------------------------------------------

    def stamp(self, doctype: str, body: Mapping[str, Any], key: str) -> dict[str, Any]:
        out = VosFacturesClient.unwrap_body(doctype, body)
        if doctype == "invoice":
            out["oid"] = key
            out["oid_unique"] = "yes"
            # A blank line (an empty text line, seed 004) is refused without a name: it is
            # written as a text line holding one space, which reads the same.
            out["positions"] = [
                {**p, "name": " "} if p.get("kind") == "text_separator"
                and not _text(p.get("name")) else p for p in out.get("positions") or ()]
        return out

    def key_of(self, doctype: str, record: Mapping[str, Any]) -> str | None:
        if doctype != "invoice":
            return None
        return _text(VosFacturesClient.unwrap_body(doctype, record).get("oid")) or None

    def natural_key(self, doctype: str, body: Mapping[str, Any]) -> str | None:
        inner = VosFacturesClient.unwrap_body(doctype, body)
        return _text(inner.get("number")) or None if doctype == "invoice" else None

    # -- references ----------------------------------------------------------------------

    def refusals(self, doctype: str, body: Mapping[str, Any]) -> list[str]:
        """A priced position without a `tax` of its own gets one from VosFactures: the rate
        of the product it is linked to, else the account's default (20 % in France). That
        would be a wrong invoice, so it is refused."""
        if doctype != "invoice":
            return []
        reasons = []
        inner = VosFacturesClient.unwrap_body(doctype, body)
        for n, position in enumerate(inner.get("positions") or (), 1):
            if position.get("kind") in ("text_separator", "subtotal") or _text(
                    position.get("tax")):
                continue
            code = _text(position.get("code"))
            whose = f"the rate of product {code}" if code else "the account's default rate"
            reasons.append(f"position {n} ({_text(position.get('name')) or code or '?'}) has "
                           f"no tax rate: VosFactures would apply {whose}; the source does "
                           "not say the line's rate (see its warnings), give it one in the "
                           "mapping")
        return reasons

    def reference_kinds(self, doctype: str) -> tuple[str, ...]:
        return ("client", "product") if doctype == "invoice" else ()

    def references(self, doctype: str, body: Mapping[str, Any]) -> list[Reference]:
        if doctype != "invoice":
            return []
        inner = VosFacturesClient.unwrap_body(doctype, body)
        found: list[Reference] = []
        if inner.get("client_id") in (None, ""):
            extra = inner.get("additional_fields") or {}
            external = _text(extra.get("client_external_id"))
            hints = {"external_id": external, "vat": _text(inner.get("buyer_tax_no")),
                     "email": _text(inner.get("buyer_email")),
                     "name": _text(inner.get("buyer_name"))}
            hints = {k: v for k, v in hints.items() if v}
            if hints:
                client = {f: inner.get(f"buyer_{f}") for f in _CLIENT_FIELDS}
                client = {k: v for k, v in client.items() if v not in (None, "")}
                if external:
                    client["external_id"] = external
                found.append(Reference("client", external or hints.get("name", ""), hints,
                                       client or None,
                                       f"client {external} {hints.get('name', '')}".strip()))
        seen: set[str] = set()
        for position in inner.get("positions") or ():
            code = _text(position.get("code"))
            if not code or position.get("product_id") not in (None, "") or code in seen:
                continue
            seen.add(code)
            product = {"name": position.get("name") or code, "code": code,
                       "price_net": position.get("price_net"), "tax": position.get("tax")}
            found.append(Reference("product", code, {"code": code,
                                                     "name": _text(position.get("name"))},
                                   {k: v for k, v in product.items() if v not in (None, "")},
                                   f"product {code}"))
        return found

    def match_values(self, kind: str, record: Mapping[str, Any]) -> Mapping[str, str]:
        if kind == "client":
            tax = _text(record.get("tax_no"))
            values = {"external_id": _text(record.get("external_id")), "vat": tax,
                      "siren": tax, "bce": tax, "neq": tax,
                      "email": _text(record.get("email")), "name": _text(record.get("name"))}
        else:
            values = {"code": _text(record.get("code")), "name": _text(record.get("name"))}
        return {k: v for k, v in values.items() if v}

    def link(self, doctype: str, body: Mapping[str, Any], reference: Reference,
             target_id: str) -> dict[str, Any]:
        out = VosFacturesClient.unwrap_body(doctype, body)
        if reference.kind == "client":
            out["client_id"] = int(target_id)
        elif reference.kind == "product":
            out["positions"] = [
                {**p, "product_id": int(target_id)} if _text(p.get("code")) ==
                reference.source_key else p for p in out.get("positions") or ()]
        return out

    def credited(self, doctype: str, record: Mapping[str, Any]) -> str | None:
        """A correction (credit note) names the invoice it corrects in `invoice_id` (seed
        002, "Créer une facture d'avoir")."""
        inner = VosFacturesClient.unwrap_body(doctype, record)
        if doctype != "invoice" or inner.get("kind") != "correction":
            return None
        return _text(inner.get("invoice_id") or inner.get("from_invoice_id")) or None

    def voided(self, doctype: str, record: Mapping[str, Any]) -> bool:
        """A cancelled invoice (`POST /invoices/cancel.json`, `cancelled: true`): never
        adopted by a first run, which looks past it."""
        return bool(VosFacturesClient.unwrap_body(doctype, record).get("cancelled"))

    def link_credit(self, doctype: str, body: Mapping[str, Any],
                    target_id: str) -> dict[str, Any]:
        out = VosFacturesClient.unwrap_body(doctype, body)
        out["invoice_id"] = out["from_invoice_id"] = int(target_id)
        return out

    def comparable(self, doctype: str, body: Mapping[str, Any],
                   record: Mapping[str, Any]) -> dict[str, Any]:
        inner = VosFacturesClient.unwrap_body(doctype, body)
        if doctype == "product":  # its price and rate in a sync come from one invoice line
            return {k: record.get(k) for k in ("name", "code") if k in inner}
        view = {k: record.get(k) for k in inner if k not in _NOT_COMPARED and k in record}
        if doctype == "invoice" and "positions" in inner:
            stored = list(record.get("positions") or ())
            view["positions"] = [
                {k: s.get(k) for k in p if k not in _POSITION_NOT_COMPARED and k in s
                 and not (k in _DERIVED and "total_price_gross" in p)}
                for p, s in zip(inner["positions"], stored, strict=False)]
            view["positions"] += [{"(extra line)": s.get("name")}
                                  for s in stored[len(inner["positions"]):]]
        return view

    # -- writes --------------------------------------------------------------------------

    async def _write(self, doctype: str, call: Call, what: str) -> Stored:
        """Send a write; its answer must show the stored record (an id), else Unconfirmed."""
        answer = parse_money(await self.client.ahttp.call(call))
        stored = self.identify(doctype, answer) if isinstance(answer, Mapping) else None
        if stored is None:
            raise Unconfirmed(f"the answer to the {what} does not show which {doctype} was "
                              "stored (no id); it may have been applied",
                              method=call.method, url=call.path)
        return stored

    async def acreate(self, doctype: str, body: Mapping[str, Any]) -> Stored:
        call = self.client.create_call(doctype, VosFacturesClient.unwrap_body(doctype, body))
        return await self._write(doctype, call, "create")

    async def aupdate(self, doctype: str, current: Stored,
                      body: Mapping[str, Any]) -> Stored:
        inner = VosFacturesClient.unwrap_body(doctype, body)
        changes = {k: v for k, v in inner.items() if k not in ("oid_unique",)}
        if doctype == "invoice" and "positions" in inner:
            stored = list(current.record.get("positions") or ())
            positions = []
            for index, position in enumerate(inner["positions"]):
                line = dict(position)
                if index < len(stored) and stored[index].get("id") is not None:
                    line["id"] = stored[index]["id"]
                positions.append(line)
            positions += [destroy_position(int(s["id"])) for s in stored[len(positions):]
                          if s.get("id") is not None]
            changes["positions"] = positions
        res = RESOURCES[doctype]
        adds = any("id" not in p for p in changes.get("positions", ()) or ())
        call = Call("PUT", f"{res.path}/{current.record_id}.json", json={res.key: changes},
                    idempotent=not adds)
        return await self._write(doctype, call, f"update of {current.record_id}")

    async def afind(self, doctype: str, key: str,
                    body: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Invoices by the key in `oid`; a client by its `external_id` (else its name), a
        product by its `code`: what a created reference is found again by."""
        if doctype == "client":
            field = "external_id" if _text(body.get("external_id")) else "name"
            wanted = _text(body.get(field))
            return [r async for r in self._search(doctype, [(field, wanted)])
                    if _text(r.get(field)) == wanted] if wanted else []
        if doctype == "product":
            wanted = _text(body.get("code"))
            return [r async for r in self._search(doctype, [])
                    if wanted and _text(r.get("code")) == wanted]
        if doctype != "invoice":
            return []
        res = RESOURCES[doctype]
        params = [("period", "all"), ("oid", key), ("include_positions", "true"),
                  ("per_page", 100)]
        found = await self.client.ahttp.call(Call("GET", f"{res.path}.json", params=params))
        return [r for r in parse_money(found) or () if self.key_of(doctype, r) == key]

    async def _search(self, doctype: str,
                      params: list[tuple[str, Any]]) -> AsyncIterator[dict[str, Any]]:
        res = RESOURCES[doctype]
        page = 1
        while True:
            call = Call("GET", f"{res.path}.json",
                        params=[*params, ("page", page), ("per_page", 100)])
            found = list(parse_money(await self.client.ahttp.call(call)) or ())
            for record in found:
                yield record
            if len(found) < 100:
                return
            page += 1

    async def aget(self, doctype: str, record_id: str) -> dict[str, Any] | None:
        res = RESOURCES[doctype]
        try:
            found = await self.client.ahttp.call(Call("GET", f"{res.path}/{record_id}.json"))
        except NotFound:
            return None
        return dict(parse_money(found)) if isinstance(found, Mapping) else None

    async def aclose(self) -> None:
        await self.client.aclose()


def sync_adapter(client: VosFacturesClient, variant: str | None = None) -> VosFacturesSync:
    """`SystemSpec.sync_adapter`: the sync side of a live client."""
    return VosFacturesSync(client, variant)
