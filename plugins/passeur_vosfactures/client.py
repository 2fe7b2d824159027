"""The VosFactures REST API (seed 002) over passeur.http.

Reads send `api_token` in the query string, writes in the JSON body (or HTTP Basic with a
login and password). Listings walk every page (`per_page` at most 100) and ask for
`period=all` when listing everything, because the API's default period (`last_12_months`)
silently hides older documents. Amounts arrive as strings and are returned as Decimal.
"""

from __future__ import annotations

import asyncio
import datetime
import itertools
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

import attrs
import httpx

from passeur import FieldSpec, FieldType, NumberError, UsageError, parse_decimal
from passeur.http import (
    Auth,
    BasicAuth,
    Call,
    HttpSettings,
    LiveClient,
    TokenAuth,
    aiter_pages,
    iter_pages,
)
from passeur_vosfactures.schema import SYSTEM

__all__ = ["ORDERS", "PERIODS", "RESOURCES", "VosFacturesClient", "client_factory",
           "destroy_position", "parse_money"]

PERIODS = ("last_12_months", "this_month", "last_30_days", "last_month", "this_year",
           "last_year", "all", "more")
ORDERS = ("number", "updated_at", "price_net", "price_gross", "price_tax", "issue_date",
          "payment_to", "paid_date", "transaction_date", "buyer_name", "buyer_tax_no",
          "seller_name", "oid")
SEARCH_DATE_TYPES = ("issue_date", "sell_date", "paid_date", "transaction_date")
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 25


@attrs.frozen
class Resource:
    """One collection of the API: its URL path and the key that wraps a body."""

    path: str
    key: str


#: passeur document type -> API collection
RESOURCES = {
    "invoice": Resource("invoices", "invoice"),
    "client": Resource("clients", "client"),
    "product": Resource("products", "product"),
    "payment": Resource("banking/payments", "banking_payment"),
    "department": Resource("departments", "department"),
}


def _decimal_fields(specs: Iterable[FieldSpec]) -> set[str]:
    names: set[str] = set()
    for spec in specs:
        if spec.type is FieldType.DECIMAL:
            names.add(spec.name)
        names |= _decimal_fields(spec.fields)
    return names


#: Names of the amount/quantity fields declared DECIMAL anywhere in the schema.
MONEY_FIELDS = frozenset(
    name for doctype in SYSTEM.document_types for name in _decimal_fields(doctype.fields))


def parse_money(value: Any) -> Any:
    """Amount fields ("339.99", 12, 1.5) become Decimal, recursively; others are untouched."""
    if isinstance(value, list):
        return [parse_money(v) for v in value]
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in MONEY_FIELDS and isinstance(item, str | int) and not isinstance(item, bool):
            try:
                out[key] = parse_decimal(item) if str(item).strip() else item
            except NumberError:
                out[key] = item  # e.g. a tax of "disabled"
        else:
            out[key] = parse_money(item)
    return out


def destroy_position(position_id: int) -> dict[str, Any]:
    """The position entry that removes one line of an invoice on update."""
    return {"id": position_id, "_destroy": 1}


def _iso(value: datetime.date | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def invoice_filters(*, period: str | None = None,
                    date_from: datetime.date | str | None = None,
                    date_to: datetime.date | str | None = None,
                    search_date_type: str | None = None, kind: str | None = None,
                    kinds: Iterable[str] | None = None, number: str | None = None,
                    client_id: int | None = None, invoice_ids: Iterable[int] | None = None,
                    include_positions: bool | None = None, order: str | None = None,
                    income: bool | None = None,
                    extra: Mapping[str, Any] | None = None) -> list[tuple[str, Any]]:
    """The query parameters of seed 002's invoice filters, checked before any call."""
    if (date_from or date_to) and period in (None, "more"):
        if not (date_from and date_to):
            raise UsageError("period=more needs both date_from and date_to")
        period = "more"
    if period is not None and period not in PERIODS:
        raise UsageError(f"unknown period {period!r}; one of: {', '.join(PERIODS)}")
    if period == "more" and not (date_from and date_to):
        raise UsageError("period=more needs both date_from and date_to")
    if search_date_type is not None and search_date_type not in SEARCH_DATE_TYPES:
        raise UsageError(f"unknown search_date_type {search_date_type!r}; one of: "
                         f"{', '.join(SEARCH_DATE_TYPES)}")
    if order is not None and order.removesuffix(".desc") not in ORDERS:
        raise UsageError(f"unknown order {order!r}; one of: {', '.join(ORDERS)} "
                         "(add .desc to sort descending)")
    params: list[tuple[str, Any]] = [
        ("period", period), ("date_from", _iso(date_from)), ("date_to", _iso(date_to)),
        ("search_date_type", search_date_type), ("kind", kind), ("number", number),
        ("client_id", client_id), ("include_positions", include_positions),
        ("order", order), ("income", None if income is None else int(income)),
    ]
    if kinds is not None:
        params.extend(("kinds[]", k) for k in kinds)
    if invoice_ids is not None:
        params.append(("invoice_ids", ",".join(str(i) for i in invoice_ids)))
    params.extend((extra or {}).items())
    return [(k, v) for k, v in params if v is not None]


def _page(page: int, per_page: int) -> list[tuple[str, Any]]:
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise UsageError(f"per_page must be between 1 and {MAX_PER_PAGE}, got {per_page}")
    return [("page", page), ("per_page", per_page)]


def _resource(doctype: str) -> Resource:
    try:
        return RESOURCES[doctype]
    except KeyError:
        raise UsageError(f"vosfactures has no API collection for {doctype!r} (it has: "
                         f"{', '.join(RESOURCES)})") from None


class VosFacturesClient(LiveClient):
    """A client of one VosFactures account. `base_url` is the account URL
    (https://<account>.vosfactures.fr) or any base URL (a sandbox)."""

    def __init__(self, base_url: str, *, api_token: str | None = None,
                 login: str | None = None, password: str | None = None,
                 settings: HttpSettings | None = None,
                 transport: httpx.BaseTransport | None = None,
                 async_transport: httpx.AsyncBaseTransport | None = None,
                 account: str | None = None) -> None:
        auth: Auth
        if api_token:
            auth = TokenAuth(api_token, name="api_token", where="auto")
        elif login and password:
            auth = BasicAuth(login, password)
        else:
            raise UsageError("vosfactures needs api_token, or login and password")
        super().__init__(base_url, auth=auth,
                         account=account or f"vosfactures:{base_url.rstrip('/')}",
                         settings=settings, transport=transport,
                         async_transport=async_transport)

    @classmethod
    def for_account(cls, account: str, **kw: Any) -> VosFacturesClient:
        return cls(f"https://{account}.vosfactures.fr", account=f"vosfactures:{account}", **kw)

    def _run(self, call: Call) -> Any:
        result = self.http.call(call)
        return parse_money(result) if call.expect == "json" else result

    # -- generic collections -------------------------------------------------------------

    def list_page(self, doctype: str, *, page: int = 1, per_page: int = DEFAULT_PER_PAGE,
             params: Iterable[tuple[str, Any]] = ()) -> list[dict[str, Any]]:
        """One page of a collection."""
        res = _resource(doctype)
        result = self._run(Call("GET", f"{res.path}.json",
                                params=[*params, *_page(page, per_page)]))
        return list(result or [])

    def iterate(self, doctype: str, *, per_page: int = MAX_PER_PAGE,
                params: Iterable[tuple[str, Any]] = ()) -> Iterator[dict[str, Any]]:
        """Every item of a collection, page after page until a short page."""
        fixed = list(params)
        return iter_pages(lambda p, n: self.list_page(doctype, page=p, per_page=n, params=fixed),
                          per_page)

    def get(self, doctype: str, record_id: int | str,
            params: Iterable[tuple[str, Any]] = ()) -> dict[str, Any]:
        res = _resource(doctype)
        result: dict[str, Any] = self._run(Call("GET", f"{res.path}/{record_id}.json",
                                                params=list(params)))
        return result

    def create(self, doctype: str, record: Mapping[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._run(self.create_call(doctype, record))
        return result

    @staticmethod
    def create_call(doctype: str, record: Mapping[str, Any]) -> Call:
        """A create; guarded (safe to resend after a 5xx) when it carries `oid_unique`."""
        res = _resource(doctype)
        guarded = str(record.get("oid_unique", "")).lower() in ("yes", "true", "1")
        return Call("POST", f"{res.path}.json", json={res.key: dict(record)}, guarded=guarded)

    @staticmethod
    def unwrap_body(doctype: str, document: Mapping[str, Any]) -> dict[str, Any]:
        """A create request body ({"invoice": {...}}, what `passeur convert` writes) or the
        bare record: the bare record either way."""
        key = _resource(doctype).key
        inner = document.get(key)
        if isinstance(inner, Mapping) and set(document) <= {key, "api_token"}:
            return dict(inner)
        return dict(document)

    def update(self, doctype: str, record_id: int | str,
               changes: Mapping[str, Any]) -> dict[str, Any]:
        """PUT the changed fields; an update that adds lines is not idempotent."""
        res = _resource(doctype)
        adds = any("id" not in p for p in changes.get("positions", ()) or ())
        result: dict[str, Any] = self._run(Call("PUT", f"{res.path}/{record_id}.json",
                                                json={res.key: dict(changes)},
                                                idempotent=not adds))
        return result

    def delete(self, doctype: str, record_id: int | str) -> None:
        res = _resource(doctype)
        self._run(Call("DELETE", f"{res.path}/{record_id}.json", expect="none"))

    # -- invoices ------------------------------------------------------------------------

    def list_invoices(self, *, page: int = 1, per_page: int = DEFAULT_PER_PAGE,
                      **filters: Any) -> list[dict[str, Any]]:
        """One page of invoices; `filters` are those of `invoice_filters`."""
        return self.list_page("invoice", page=page, per_page=per_page,
                         params=invoice_filters(**filters))

    def iter_invoices(self, *, per_page: int = MAX_PER_PAGE,
                      **filters: Any) -> Iterator[dict[str, Any]]:
        """Every invoice matching `filters`; with no period or dates, `period=all`."""
        if not any(k in filters for k in ("period", "date_from", "date_to")):
            filters["period"] = "all"
        return self.iterate("invoice", per_page=per_page, params=invoice_filters(**filters))

    def get_invoice(self, invoice_id: int, *,
                    additional_fields: Iterable[str] = ()) -> dict[str, Any]:
        extra = ",".join(additional_fields)
        return self.get("invoice", invoice_id,
                        [("additional_fields[invoice]", extra)] if extra else [])

    def create_invoice(self, invoice: Mapping[str, Any], *, oid: str | None = None,
                       oid_unique: bool = False) -> dict[str, Any]:
        """Create a billing document; with `oid_unique` the API refuses a second one with
        the same `oid` (what makes a retried push safe)."""
        body = dict(invoice)
        if oid is not None:
            body["oid"] = oid
        if oid_unique:
            if not body.get("oid"):
                raise UsageError("oid_unique needs an oid")
            body["oid_unique"] = "yes"
        return self.create("invoice", body)

    def update_invoice(self, invoice_id: int, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Change fields; `positions` entries with an `id` change that line, with
        `_destroy: 1` remove it (see `destroy_position`), without `id` add a line."""
        return self.update("invoice", invoice_id, changes)

    def delete_invoice(self, invoice_id: int) -> None:
        self.delete("invoice", invoice_id)

    def cancel_invoice(self, invoice_id: int, reason: str | None = None) -> Any:
        body: dict[str, Any] = {"cancel_invoice_id": invoice_id}
        if reason is not None:
            body["cancel_reason"] = reason
        return self._run(Call("POST", "invoices/cancel.json", json=body, idempotent=True))

    def change_status(self, invoice_id: int, status: str) -> Any:
        return self._run(Call("POST", f"invoices/{invoice_id}/change_status.json",
                              params={"status": status}, idempotent=True))

    def invoice_pdf(self, invoice_id: int, *, print_option: str | None = None) -> bytes:
        data: bytes = self.http.call(Call("GET", f"invoices/{invoice_id}.pdf",
                                          params={"print_option": print_option},
                                          expect="bytes"))
        return data

    def send_by_email(self, invoice_id: int, *, email_to: Iterable[str] | None = None,
                      email_cc: str | None = None, email_pdf: bool | None = None,
                      update_buyer_email: bool | None = None,
                      force: bool | None = None) -> Any:
        params = {
            "email_to": ",".join(email_to) if email_to is not None else None,
            "email_cc": email_cc, "email_pdf": email_pdf,
            "update_buyer_email": "yes" if update_buyer_email else None, "force": force,
        }
        return self._run(Call("POST", f"invoices/{invoice_id}/send_by_email.json",
                              params=params))

    # -- clients, products, payments, departments ------------------------------------------

    def find_clients(self, *, external_id: str | None = None, tax_no: str | None = None,
                     email: str | None = None, name: str | None = None,
                     shortcut: str | None = None) -> list[dict[str, Any]]:
        """Clients matching every given criterion (the API's own search), all pages."""
        criteria = {"external_id": external_id, "tax_no": tax_no, "email": email,
                    "name": name, "shortcut": shortcut}
        given = [(k, v) for k, v in criteria.items() if v is not None]
        if not given:
            raise UsageError("find_clients needs external_id, tax_no, email, name or shortcut")
        return list(self.iterate("client", params=given))

    def create_client(self, client: Mapping[str, Any]) -> dict[str, Any]:
        return self.create("client", client)

    def create_product(self, product: Mapping[str, Any]) -> dict[str, Any]:
        return self.create("product", product)

    def update_product_by_code(self, code: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """PUT /products/<code>.json with `find_by: code` (seed 002): update the product
        whose reference is `code`. Its net price follows from the gross price and the rate
        (the platform does not take a net price on update)."""
        call = Call("PUT", f"products/{quote(str(code), safe='')}.json",
                    json={"find_by": "code", "product": dict(changes)})
        result: dict[str, Any] = self._run(call)
        return result

    def create_payment(self, payment: Mapping[str, Any]) -> dict[str, Any]:
        return self.create("payment", payment)

    def create_department(self, department: Mapping[str, Any]) -> dict[str, Any]:
        return self.create("department", department)

    # -- what `passeur pull` / `passeur push` use (passeur.http.DocumentClient) -----------

    def iter_documents(self, doctype: str, *,
                       since: datetime.date | None = None) -> Iterator[dict[str, Any]]:
        """Every document of `doctype`. `since` filters invoices by issue date on the server
        and other collections by `updated_at` on our side (the API has no such filter)."""
        if doctype == "invoice":
            if since is None:
                return self.iter_invoices(include_positions=True)
            until = max(datetime.date.today(), since) + datetime.timedelta(days=366)
            return self.iter_invoices(include_positions=True, period="more", date_from=since,
                                      date_to=until, search_date_type="issue_date")
        items = self.iterate(doctype)
        if doctype == "product":
            # A product list shows the active products only; the inactive ones come with
            # `filter=disabled`. Both are pulled, so none is left out unsaid.
            items = itertools.chain(items, self.iterate(doctype, params=[("filter",
                                                                          "disabled")]))
        if since is None:
            return items
        stamp = since.isoformat()
        return (i for i in items if str(i.get("updated_at") or "")[:10] >= stamp)

    async def aiter_documents(self, doctype: str) -> AsyncIterator[dict[str, Any]]:
        """Every document of `doctype` through the asyncio client: the same documents as
        `iter_documents` (invoices with `period=all` and their positions, products active
        and inactive, the two product listings read side by side)."""
        res = _resource(doctype)
        base = (invoice_filters(period="all", include_positions=True) if doctype == "invoice"
                else [])

        def walk(extra: list[tuple[str, str]]) -> AsyncIterator[dict[str, Any]]:
            async def fetch(page: int, per_page: int) -> list[dict[str, Any]]:
                call = Call("GET", f"{res.path}.json",
                            params=[*base, *extra, *_page(page, per_page)])
                return list(parse_money(await self.ahttp.call(call)) or [])
            return aiter_pages(fetch, MAX_PER_PAGE)

        if doctype != "product":
            async for item in walk([]):
                yield item
            return

        async def every(extra: list[tuple[str, str]]) -> list[dict[str, Any]]:
            return [item async for item in walk(extra)]

        active, disabled = await asyncio.gather(every([]), every([("filter", "disabled")]))
        for item in (*active, *disabled):
            yield item

    @staticmethod
    def guard(doctype: str, document: Mapping[str, Any]) -> dict[str, Any]:
        """An invoice that has an `oid` is pushed with `oid_unique: "yes"` (unless it says
        otherwise), so that a resend can never create a second copy."""
        body = VosFacturesClient.unwrap_body(doctype, document)
        if doctype == "invoice" and body.get("oid") and "oid_unique" not in body:
            body["oid_unique"] = "yes"
        return body

    async def acreate_document(self, doctype: str,
                               document: Mapping[str, Any]) -> dict[str, Any]:
        call = self.create_call(doctype, self.guard(doctype, document))
        result: dict[str, Any] = parse_money(await self.ahttp.call(call))
        return result

    def create_document(self, doctype: str, document: Mapping[str, Any]) -> dict[str, Any]:
        return self.create(doctype, self.guard(doctype, document))

    def document_key(self, doctype: str, document: Mapping[str, Any]) -> str:
        document = self.unwrap_body(doctype, document) if doctype in RESOURCES else document
        for key in ("number", "oid", "name", "id"):
            value = document.get(key)
            if value not in (None, ""):
                return f"{key}={value}"
        return "?"



def client_factory(config: Mapping[str, Any], *, settings: HttpSettings | None = None,
                   transport: httpx.BaseTransport | None = None,
                   async_transport: httpx.AsyncBaseTransport | None = None
                   ) -> VosFacturesClient:
    """`SystemSpec.client_factory`: a client from resolved connection settings
    (`account` or `base_url`, and `api_token` or `login` + `password`)."""
    base_url = config.get("base_url")
    account = config.get("account")
    if not base_url and not account:
        raise UsageError("vosfactures needs `account` (<account>.vosfactures.fr) or `base_url`")
    url = base_url or f"https://{account}.vosfactures.fr"
    return VosFacturesClient(url, api_token=config.get("api_token"), login=config.get("login"),
                             password=config.get("password"), settings=settings,
                             transport=transport, async_transport=async_transport,
                             account=f"vosfactures:{account or url}")
