"""A local VosFactures: the REST API of seed 002 served from memory, for tests and trials.

`create_app(**options)` is this system's `SystemSpec.sandbox_factory`; `passeur sandbox
vosfactures` serves it on loopback. What the documentation leaves open (404 bodies, number
prefixes, default sort order...) is listed in docs/sandboxes.md.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from passeur.sandbox import (
    DEFAULT_MAX_BODY,
    NOT_AVAILABLE_STATUS,
    BadJSON,
    BodyTooLarge,
    FaultConfig,
    FieldErrors,
    JSONResponse,
    RecordIdConvertor,
    Sandbox,
    Table,
    basic_matches,
    bearer_token,
    loads,
    not_available_message,
    page_window,
    read_body,
    secret_matches,
    tiny_pdf,
)
from passeur_vosfactures.sandbox_query import filter_invoices, order_records
from passeur_vosfactures.sandbox_seed import seed_account
from passeur_vosfactures.sandbox_store import Account, NotFound
from passeur_vosfactures.sandbox_webhooks import Webhooks

__all__ = ["NOT_FOUND_BODY", "UNAUTHORIZED_BODY", "create_app"]

assert RecordIdConvertor  # imported for its registration of the {x:rid} path convertor

#: What the platform answers to a missing or wrong api_token (HTTP 401).
UNAUTHORIZED_BODY = {"code": "error", "message": "You must be logged in to gain access to the site"}
NOT_FOUND_BODY = {"code": "error", "message": "Not found"}

Handler = Callable[[Request, Any], Awaitable[Response]]


def _error_body(status: int, message: str) -> dict[str, Any]:
    return {"code": "error", "message": message}


def _invalid(errors: FieldErrors) -> JSONResponse:
    return JSONResponse({"code": "error", "message": errors.fields}, status_code=422)


def _success(message: str) -> JSONResponse:
    return JSONResponse({"code": "success", "message": message})


#: Documented resources the sandbox does not implement: answered 501 (not 404, which says
#: "no such record"), after authentication, with a body that says so.
#: `additional_fields[invoice]` names read from the record (seed 002).
ADDITIONAL_FIELDS = ("cancel_reason", "corrected_content_before", "corrected_content_after")
#: `print_option` of a PDF (seed 002) and the mention printed.
PRINT_OPTIONS = {"original": "Original", "copy": "Copie", "original_and_copy": "Original et copie",
                 "duplicate": "Duplicata"}
NOT_AVAILABLE = ("recurrings", "price_lists", "categories", "warehouses",
                 "warehouse_documents", "warehouse_actions", "accounts", "account", "users",
                 "reports", "tags", "issues")
#: Sub-resources of an invoice that are not available either (attachments).
NOT_AVAILABLE_INVOICE = ("attachments_zip", "get_new_attachment_credentials", "add_attachment")


def _slug(number: Any) -> str:
    """A document number as the recorded public links write it ("7/02/2018" -> "7-02-2018")."""
    return re.sub(r"[^0-9A-Za-z]+", "-", str(number or "")).strip("-") or "document"


def invoice_view(record: dict[str, Any], positions: bool, base: str = "") -> dict[str, Any]:
    """An invoice as the API returns it, with or without its positions; `base` is the URL
    the client called (its public links are absolute, built from it)."""
    view = {k: v for k, v in record.items() if k != "positions" and k not in ADDITIONAL_FIELDS}
    if positions:
        view["positions"] = [dict(p) for p in record["positions"]]
    token = record.get("token")
    if token:
        view["view_url"] = f"{base}/f/{_slug(record.get('number'))}/{token}"
        view["payment_url"] = f"{base}/invoice/payment/{token}"
    return view


class _Api:
    """The routes of one sandbox account."""

    def __init__(self, account: Account, token: str, login: str, password: str,
                 max_body: int = DEFAULT_MAX_BODY) -> None:
        self.account = account
        self.token = token
        self.login = login
        self.password = password
        self.max_body = max_body
        self.webhooks: Webhooks = account.webhooks

    def _notify(self, event: str, record: dict[str, Any], request: Request) -> None:
        view = invoice_view(record, True, self._base(request)) if event.startswith(
            "invoice") else record
        self.webhooks.notify(event, view, view.get("view_url", ""))

    # -- plumbing -------------------------------------------------------------------------
    def route(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """Authenticate, then read and parse the body, then map errors to answers.

        Credentials outside the body (`api_token` in the query, `Authorization: Bearer`,
        HTTP Basic) are checked before a byte of the body is read; only a request without
        them has its body read (at most `max_body` bytes) for an `api_token` there."""

        async def endpoint(request: Request) -> Response:
            outside = self._outside_credentials(request)
            if outside is False:
                return JSONResponse(UNAUTHORIZED_BODY, status_code=401)
            try:
                body = loads(await read_body(request, self.max_body))
            except BodyTooLarge as exc:
                return JSONResponse(_error_body(413, f"Request body larger than {exc.limit} "
                                                     "bytes"), status_code=413)
            except BadJSON as exc:
                if outside is None:  # cannot be authenticated: say so, not how it is bad
                    return JSONResponse(UNAUTHORIZED_BODY, status_code=401)
                return JSONResponse(_error_body(400, str(exc)), status_code=400)
            if outside is None and not (isinstance(body, dict)
                                        and secret_matches(body.get("api_token"), self.token)):
                return JSONResponse(UNAUTHORIZED_BODY, status_code=401)
            try:
                return await handler(request, body)
            except FieldErrors as errors:
                return _invalid(errors)
            except NotFound:
                return JSONResponse(NOT_FOUND_BODY, status_code=404)

        return endpoint

    def _outside_credentials(self, request: Request) -> bool | None:
        """True when a credential outside the body is right, False when one is sent and
        none is right, None when none is sent (the body may carry `api_token`)."""
        header = request.headers.get("authorization", "")
        sent = []
        token = request.query_params.get("api_token")
        if token is not None:
            sent.append(secret_matches(token, self.token))
        bearer = bearer_token(header)
        if bearer is not None:
            sent.append(secret_matches(bearer, self.token))
        elif header[:6].lower() == "basic ":
            sent.append(basic_matches(header, self.login, self.password))
        if not sent:
            return None
        return any(sent)

    @staticmethod
    def _base(request: Request) -> str:
        return str(request.base_url).rstrip("/")

    @staticmethod
    def _id(request: Request) -> int:
        return int(request.path_params["id"])

    @staticmethod
    def _part(body: Any, key: str) -> Any:
        return body.get(key) if isinstance(body, dict) else None

    def _page(self, request: Request, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        q = request.query_params
        return page_window(records, q.get("page"), q.get("per_page"))

    # -- invoices -------------------------------------------------------------------------
    async def list_invoices(self, request: Request, body: Any) -> Response:
        q = request.query_params
        records = filter_invoices(list(self.account.invoices), q, q.getlist,
                                  self.account.today())
        records = order_records(records, q.get("order"))
        with_positions = (q.get("include_positions") or "").lower() in ("true", "1", "yes")
        base = self._base(request)
        return JSONResponse([invoice_view(r, with_positions, base)
                             for r in self._page(request, records)])

    async def create_invoice(self, request: Request, body: Any) -> Response:
        data = self._part(body, "invoice")
        flag = self._part(body, "fill_default_descriptions")  # seed 002: beside "invoice"
        if isinstance(data, dict) and flag is not None:
            data = {"fill_default_descriptions": flag} | data
        record = self.account.create_invoice(data)
        self._notify("invoice:create", record, request)
        return JSONResponse(invoice_view(record, False, self._base(request)), status_code=201)

    async def get_invoice(self, request: Request, body: Any) -> Response:
        record = self.account.invoice(self._id(request))
        view = invoice_view(record, True, self._base(request))
        return JSONResponse(view | self._additional(request, record))

    async def update_invoice(self, request: Request, body: Any) -> Response:
        record = self.account.update_invoice(self._id(request), self._part(body, "invoice"))
        self._notify("invoice:update", record, request)
        return JSONResponse(invoice_view(record, False, self._base(request)))

    async def delete_invoice(self, request: Request, body: Any) -> Response:
        record = self.account.invoice(self._id(request))
        self.account.delete(self.account.invoices, self._id(request))
        self._notify("invoice:destroy", record, request)
        return _success("Document supprimé")

    def _additional(self, request: Request, record: dict[str, Any]) -> dict[str, Any]:
        """`additional_fields[invoice]=a,b` (seed 002): fields shown only when asked for."""
        asked = request.query_params.get("additional_fields[invoice]")
        if not asked:
            return {}
        fields: dict[str, Any] = {}
        errors = FieldErrors()
        for name in (part.strip() for part in asked.split(",") if part.strip()):
            if name == "connected_payments":
                fields[name] = [p for p in self.account.payments
                                if record["id"] in (p.get("invoice_ids") or [])]
            elif name == "reminders_info":
                fields[name] = []  # the sandbox sends no reminders
            elif name in ADDITIONAL_FIELDS:
                fields[name] = record.get(name)
            else:
                known = ", ".join((*ADDITIONAL_FIELDS, "connected_payments", "reminders_info"))
                errors.add("additional_fields[invoice]",
                           f"{name[:40]!r} n'est pas inclus(e) dans la liste ({known})")
        errors.raise_if_any()
        return fields

    async def invoice_pdf(self, request: Request, body: Any) -> Response:
        record = self.account.invoice(self._id(request))
        option = request.query_params.get("print_option")
        if option is not None and option not in PRINT_OPTIONS:
            errors = FieldErrors()
            errors.add("print_option", f"n'est pas inclus(e) dans la liste "
                       f"({', '.join(PRINT_OPTIONS)})")
            raise errors
        return Response(self._pdf(record, PRINT_OPTIONS.get(option or "", "")),
                        media_type="application/pdf")

    @staticmethod
    def _pdf(record: dict[str, Any], label: str = "") -> bytes:
        lines = [f"{record['kind'].upper()} {record['number']}" + (f" - {label}" if label
                                                                  else ""),
                 f"Date: {record['issue_date']}", f"Client: {record.get('buyer_name') or ''}"]
        lines += [f"{p['name']}  x{p['quantity']}  {p['total_price_gross']}"
                  for p in record["positions"]]
        lines.append(f"Total TTC: {record['price_gross']} {record['currency']}")
        return tiny_pdf(lines)

    async def change_status(self, request: Request, body: Any) -> Response:
        status = request.query_params.get("status") or self._part(body, "status")
        record = self.account.change_status(self._id(request), status)
        self._notify("invoice:update", record, request)
        return JSONResponse(invoice_view(record, False, self._base(request)))

    async def cancel(self, request: Request, body: Any) -> Response:
        invoice_id = (request.query_params.get("cancel_invoice_id")
                      or self._part(body, "cancel_invoice_id"))
        errors = FieldErrors()
        try:
            number = int(invoice_id)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors.add("cancel_invoice_id", "doit être rempli(e)")
            raise errors from None
        self.account.cancel(number, request.query_params.get("cancel_reason")
                            or self._part(body, "cancel_reason"))
        return _success("Document annulé")

    async def send_by_email(self, request: Request, body: Any) -> Response:
        options = {key: request.query_params.get(key, self._part(body, key))
                   for key in ("email_to", "email_cc", "email_pdf", "update_buyer_email",
                               "force")}
        recipients = self.account.send_by_email(self._id(request), options)
        record = self.account.invoice(self._id(request))
        self._notify("invoice:update", record, request)
        return _success(f"Document envoyé à {', '.join(recipients)}")

    # -- clients, products, departments, payments -----------------------------------------
    def _table_routes(self, table: Table, key: str, create: Callable[[Any], dict[str, Any]],
                      filters: Callable[[Request, list[dict[str, Any]]],
                                        list[dict[str, Any]]] | None = None,
                      ) -> tuple[Handler, Handler, Handler, Handler, Handler]:
        events = key in ("client", "product")  # the kinds seed 002's webhooks know
        async def listing(request: Request, body: Any) -> Response:
            records = list(table)
            if filters is not None:
                records = filters(request, records)
            records = order_records(records, request.query_params.get("order"), "id")
            return JSONResponse(self._included(request, table, self._page(request, records)))

        async def get(request: Request, body: Any) -> Response:
            record = table.get(self._id(request))
            if record is None:
                raise NotFound(self._id(request))
            return JSONResponse(self._included(request, table, [record])[0])

        async def post(request: Request, body: Any) -> Response:
            fields = self._part(body, key)
            if not isinstance(fields, dict):
                errors = FieldErrors()
                errors.add(key, "doit être rempli(e)")
                raise errors
            record = create(fields)
            if events:
                self._notify(f"{key}:create", record, request)
            return JSONResponse(record, status_code=201)

        async def put(request: Request, body: Any) -> Response:
            fields = self._part(body, key)
            record_id = self._id(request)
            find_by = request.query_params.get("find_by") or self._part(body, "find_by")
            if table is self.account.products and find_by == "code":  # a numeric reference
                record_id = self.account.product_by_code(str(record_id))["id"]
            if table is self.webhooks.table:
                record = self.webhooks.table.get(record_id)
                if record is None:
                    raise NotFound(record_id)
                record.update(self.webhooks.validate(fields if isinstance(fields, dict)
                                                     else {}, partial=True))
                return JSONResponse(record)
            record = self.account.update(table, record_id,
                                         fields if isinstance(fields, dict) else {})
            if events:
                self._notify(f"{key}:update", record, request)
            return JSONResponse(record)

        async def delete(request: Request, body: Any) -> Response:
            record = table.get(self._id(request))
            if table is self.webhooks.table:
                if not table.delete(self._id(request)):
                    raise NotFound(self._id(request))
            else:
                self.account.delete(table, self._id(request))
            if events and record is not None:
                self._notify(f"{key}:destroy", record, request)
            return _success("Supprimé")

        return listing, get, post, put, delete

    def _included(self, request: Request, table: Table,
                  records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """`include=invoices` on payments (seed 002): each payment with its invoices."""
        include = request.query_params.get("include")
        if include is None or table is not self.account.payments:
            return records
        if include != "invoices":
            errors = FieldErrors()
            errors.add("include", "n'est pas inclus(e) dans la liste (invoices)")
            raise errors
        base = self._base(request)
        return [r | {"invoices": [invoice_view(i, False, base) for i in
                                  (self.account.invoices.get(n) for n in r.get("invoice_ids")
                                   or []) if i is not None]} for r in records]

    @staticmethod
    def _product_filters(request: Request,
                         records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Active products by default; `filter=disabled` lists the inactive ones."""
        disabled = request.query_params.get("filter") == "disabled"
        return [r for r in records if bool(r.get("disabled")) == disabled]

    async def update_product_by_code(self, request: Request, body: Any) -> Response:
        """`PUT /products/<code>.json` with `find_by: code` (seed 002)."""
        find_by = request.query_params.get("find_by") or self._part(body, "find_by")
        if find_by != "code":
            raise NotFound(request.path_params["ref"])
        product = self.account.product_by_code(request.path_params["ref"])
        fields = self._part(body, "product")
        return JSONResponse(self.account.update(self.account.products, product["id"],
                                                fields if isinstance(fields, dict) else {}))

    @staticmethod
    def _client_filters(request: Request, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        q = request.query_params
        for field in ("external_id", "tax_no"):
            if q.get(field):
                records = [r for r in records if str(r.get(field) or "") == q[field]]
        if q.get("email"):
            records = [r for r in records if (r.get("email") or "").lower() == q["email"].lower()]
        for field in ("name", "shortcut"):
            if q.get(field):
                needle = q[field].lower()
                records = [r for r in records if needle in (r.get(field) or "").lower()]
        return records

    # -- public links (seed 002: no login, the token is the key) ----------------------------
    def _by_token(self, token: str) -> dict[str, Any] | None:
        return next((r for r in self.account.invoices if r.get("token") == token), None)

    async def public_view(self, request: Request) -> Response:
        token = request.path_params["token"]
        if token.endswith(".pdf"):
            return await self.public_pdf(request)
        record = self._by_token(token)
        if record is None:
            return JSONResponse(NOT_FOUND_BODY, status_code=404)
        rows = "".join(f"<tr><td>{html.escape(str(p['name']))}</td><td>{p['quantity']}</td>"
                       f"<td>{p['total_price_gross']}</td></tr>" for p in record["positions"])
        page = (f"<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>"
                f"{html.escape(str(record['number']))}</title></head><body><h1>"
                f"{html.escape(str(record['number']))}</h1><table>{rows}</table><p>Total TTC : "
                f"{record['price_gross']} {html.escape(str(record['currency']))}</p></body></html>")
        return Response(page, media_type="text/html; charset=utf-8")

    async def public_pdf(self, request: Request) -> Response:
        token = request.path_params["token"].removesuffix(".pdf")
        record = self._by_token(token)
        if record is None:
            return JSONResponse(NOT_FOUND_BODY, status_code=404)
        inline = request.query_params.get("inline") == "yes"
        return Response(self._pdf(record), media_type="application/pdf", headers={
            "content-disposition": f"{'inline' if inline else 'attachment'}; "
                                   f"filename=\"{_slug(record['number'])}.pdf\""})

    async def public_payment(self, request: Request) -> Response:
        record = self._by_token(request.path_params["token"])
        if record is None:
            return JSONResponse(NOT_FOUND_BODY, status_code=404)
        due = record["price_gross"]
        page = (f"<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>"
                f"Paiement</title></head><body><p>Paiement en ligne de "
                f"{html.escape(str(record['number']))} : {due} "
                f"{html.escape(str(record['currency']))} (sandbox : aucun paiement réel)"
                "</p></body></html>")
        return Response(page, media_type="text/html; charset=utf-8")

    async def not_available(self, request: Request, body: Any) -> Response:
        resource = request.url.path.strip("/").split("/")[0].removesuffix(".json")
        if resource == "invoices":
            resource = "invoice attachments"
        return JSONResponse(_error_body(NOT_AVAILABLE_STATUS, not_available_message(resource)),
                            status_code=NOT_AVAILABLE_STATUS)

    def routes(self) -> list[Route]:
        a = self.account
        r = self.route
        routes = [
            Route("/invoices.json", r(self.list_invoices), methods=["GET"]),
            Route("/invoices.json", r(self.create_invoice), methods=["POST"]),
            Route("/invoices/cancel.json", r(self.cancel), methods=["POST"]),
            Route("/invoices/{id:rid}.json", r(self.get_invoice), methods=["GET"]),
            Route("/invoices/{id:rid}.json", r(self.update_invoice), methods=["PUT", "PATCH"]),
            Route("/invoices/{id:rid}.json", r(self.delete_invoice), methods=["DELETE"]),
            Route("/invoices/{id:rid}.pdf", r(self.invoice_pdf), methods=["GET"]),
            Route("/invoices/{id:rid}/change_status.json", r(self.change_status),
                  methods=["POST"]),
            Route("/invoices/{id:rid}/send_by_email.json", r(self.send_by_email),
                  methods=["POST"]),
        ]
        tables = (
            ("/clients", a.clients, "client", a.create_client, self._client_filters),
            ("/products", a.products, "product", a.create_product, self._product_filters),
            ("/departments", a.departments, "department", a.create_department, None),
            ("/banking/payments", a.payments, "banking_payment", a.create_payment, None),
            ("/webhooks", self.webhooks.table, "webhook", self.webhooks.create, None),
        )
        for prefix, table, key, create, filters in tables:
            listing, get, post, put, delete = self._table_routes(table, key, create, filters)
            routes += [
                Route(f"{prefix}.json", r(listing), methods=["GET"]),
                Route(f"{prefix}.json", r(post), methods=["POST"]),
                Route(f"{prefix}/{{id:rid}}.json", r(get), methods=["GET"]),
                Route(f"{prefix}/{{id:rid}}.json", r(put), methods=["PUT", "PATCH"]),
                Route(f"{prefix}/{{id:rid}}.json", r(delete), methods=["DELETE"]),
            ]
        routes.append(Route("/products/{ref:path}.json", r(self.update_product_by_code),
                            methods=["PUT", "PATCH"]))
        every = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        for name in NOT_AVAILABLE:
            routes += [Route(f"/{name}.json", r(self.not_available), methods=every),
                       Route(f"/{name}/{{rest:path}}", r(self.not_available), methods=every)]
        routes += [Route(f"/invoices/{{id:rid}}/{name}.json", r(self.not_available),
                         methods=every) for name in NOT_AVAILABLE_INVOICE]
        routes += [Route("/invoice/payment/{token}", self.public_payment, methods=["GET"]),
                   Route("/invoice/{token}", self.public_view, methods=["GET"]),
                   Route("/f/{slug}/{token}", self.public_view, methods=["GET"])]
        # Seed 002 also writes the singular form for one payment.
        routes.append(Route("/banking/payment/{id:rid}.json",
                            r(self._table_routes(a.payments, "banking_payment",
                                                 a.create_payment)[1]), methods=["GET"]))
        return routes


async def _not_found(request: Request, exc: Exception) -> Response:
    return JSONResponse(NOT_FOUND_BODY, status_code=404)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return JSONResponse(_error_body(405, "Method not allowed"), status_code=405)


def _as_date(value: datetime.date | str | None) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


def create_app(*, token: str = "sandbox-token", login: str = "sandbox",
               password: str | None = None, seed: int = 0, random_seed: int = 0,
               today: datetime.date | str | None = None, latency_ms: float = 0.0,
               rate_limit: float | None = None, fail_rate: float = 0.0,
               lost_response_rate: float = 0.0, lost_response_hold: float = 30.0,
               max_body: int = DEFAULT_MAX_BODY, add_new_products: bool = True) -> Sandbox:
    """A VosFactures sandbox: `seed` pre-loads that many generated invoices; `today` fixes
    the date periods are computed from; the fault options are those of `FaultConfig`.

    Credentials: `api_token=<token>` in the query or the JSON body, `Authorization:
    Bearer <token>`, or HTTP Basic with `login` and `password` (the password defaults to
    the token). Bodies over `max_body` bytes are refused with 413.
    """
    account = Account(today=_as_date(today), random_seed=random_seed,
                      add_new_products=add_new_products not in (False, "false", "0", "no"))
    seed_account(account, seed, random_seed)
    api = _Api(account, token, login, password if password is not None else token,
               int(max_body))
    app = Starlette(routes=api.routes(),
                    exception_handlers={404: _not_found, 405: _not_allowed})
    faults = FaultConfig(latency_ms=latency_ms, rate_limit=rate_limit, fail_rate=fail_rate,
                         lost_response_rate=lost_response_rate, seed=random_seed,
                         lost_response_hold=lost_response_hold)
    summary = {"api_token": token, "basic": f"{login}:{api.password}",
               "invoices": str(len(account.invoices))}
    return Sandbox(app, account, faults, _error_body, name="vosfactures", summary=summary)
