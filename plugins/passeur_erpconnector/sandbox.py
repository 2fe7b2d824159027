"""A local ERP Connector: the CustomerInvoice entity of seeds 003/004, served from memory.

`create_app(**options)` is this system's `SystemSpec.sandbox_factory`; `passeur sandbox
erpconnector --erp acomba` serves it on loopback. The support matrix comes from the plugin's
schema (data, not branches); what the seeds leave open (error payloads, how an incomplete task
is fetched later, CompanyId) is listed in docs/sandboxes.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from passeur.sandbox import (
    DEFAULT_MAX_BODY,
    BadJSON,
    BodyTooLarge,
    FaultConfig,
    FieldErrors,
    JSONResponse,
    RecordIdConvertor,
    Sandbox,
    basic_matches,
    loads,
    parse_int,
    read_body,
    skip_top_window,
)
from passeur_erpconnector.sandbox_invoice import TAX_GROUPS, Catalogue, build_invoice, num
from passeur_erpconnector.sandbox_odata import (
    QueryError,
    parse_filter,
    parse_list,
    parse_orderby,
    sort,
)
from passeur_erpconnector.sandbox_seed import default_catalogue, seed_erp
from passeur_erpconnector.schema import ERPS, SYSTEM

__all__ = ["UNAUTHORIZED_BODY", "ErpState", "create_app", "envelope"]

assert RecordIdConvertor  # imported for its registration of the {x:rid} path convertor

UNAUTHORIZED_BODY = {"Message": "Authorization has been denied for this request."}
ERP_TITLES = {"acomba": "Acomba", "quickbooks": "QuickBooks Online", "avantage": "Avantage",
              "sage50": "Sage 50", "servex": "Servex", "servicentre": "Servicentre"}
#: Fields a query option may name (top level of a CustomerInvoice).
FIELDS = frozenset({
    "NoFacture", "NoUniqueSystemeSource", "TypeDoc", "DateFacture", "Référence", "Description",
    "TotalFacture", "SousTotalFacture", "MontantNonPaye", "FraisDeTransport",
    "InfoClientFacturerA", "InfoClientLivrerA", "NoVendeur", "NoTerritoire", "TermeDePaiement",
    "NoProjet", "LigneFacture", "ListeDesTaxes", "ListeReglement", "NoCommandeRéférence",
    "NoSoumissionRéférence", "EstActif", "EstInversee", "NbLignes", "ExtendedProperties"})
SHORT_CUSTOMER = ("NoClient", "NomClient", "EmailPrincipal_Adresse")
#: Where an Acomba invoice number comes from: seed 003 (the client sends it) or seed 004.
INVOICE_NUMBER_POLICIES = ("required", "generated")

Handler = Callable[[Request], Awaitable[Response]]


def envelope(task_id: int | None, result_type: str, error_type: str, message: str,
             payload: Any = None, completed: bool = True) -> dict[str, Any]:
    """The task-result envelope of seed 004."""
    return {"OrigRemoteTaskID": task_id, "ResultType": result_type, "ErrorType": error_type,
            "ResultMessage": message, "ResultPayload": payload, "IsTaskCompleted": completed}


def _message(status: int, text: str) -> dict[str, Any]:
    return {"Message": text}


class ErpState:
    """One company's data in one ERP, and the tasks the connector ran for it."""

    def __init__(self, erp: str, tax_group: str, catalogue: Catalogue,
                 pending_polls: int = 0, first_number: int = 10044,
                 first_task: int = 129014, first_record: int = 115,
                 invoice_number: str = "required") -> None:
        self.erp = erp
        self.tax_group = tax_group
        self.taxes = TAX_GROUPS[tax_group]
        self.catalogue = catalogue
        self.invoices: dict[str, dict[str, Any]] = {}
        self.tasks: dict[int, dict[str, Any]] = {}
        self.pending_polls = pending_polls
        self._reserved: set[str] = set()
        self._next_number = first_number
        self._next_task = first_task
        self._next_record = first_record
        doctype = SYSTEM.document_type("invoice")
        assert doctype is not None
        self.capabilities = doctype.capabilities_for(erp)
        spec = doctype.field("NoFacture")
        # Seed 003 (Acomba requires NoFacture) by default; "generated" follows seed 004's
        # example, where Acomba numbers an invoice sent without one.
        self.number_required = bool(spec and spec.is_required(erp)) and (
            invoice_number == "required")

    def new_task(self) -> int:
        value = self._next_task
        self._next_task += 1
        return value

    def next_free_number(self) -> int:
        """The next number the ERP would generate (used by generated data for Acomba)."""
        while self.exists(str(self._next_number)):
            self._next_number += 1
        return self._next_number

    def exists(self, number: str) -> bool:
        return number in self.invoices or number in self._reserved

    def create(self, body: Any, if_none_match: bool) -> tuple[int, dict[str, Any]]:
        """Run a create task: (HTTP status, envelope)."""
        task_id = self.new_task()
        errors = FieldErrors()
        facture = body.get("Facture") if isinstance(body, dict) else None
        if not isinstance(facture, dict):
            errors.add("Facture", "obligatoire")
            return self._finish(task_id, 400, self._invalid(task_id, errors))
        number = facture.get("NoFacture")
        if number is not None and (isinstance(number, bool)
                                   or not isinstance(number, str | int)):
            errors.add("Facture.NoFacture", "doit être un texte")
            number = None
        number = str(number) if number not in (None, "") else None
        if number is not None and len(number) > 64:
            errors.add("Facture.NoFacture", "64 caractères au plus")
        if number is None and self.number_required:
            errors.add("Facture.NoFacture", f"obligatoire pour {ERP_TITLES[self.erp]}")
        if number is not None and self.exists(number):
            if if_none_match:
                return self._finish(task_id, 412, envelope(
                    task_id, "Error", "Conflict", f"La facture {number} existe déjà", None))
            errors.add("Facture.NoFacture", f"la facture {number} existe déjà")
        record = build_invoice(facture, self.catalogue, self.taxes, errors, self.tax_group)
        paid = self._payments(body.get("ListeModePaiements"), errors)
        if errors:
            return self._finish(task_id, 400, self._invalid(task_id, errors))
        total = Decimal(str(record["TotalFacture"]))
        if paid and sum(paid, Decimal(0)) > total:  # a credit note (negative) pays nothing
            errors.add("ListeModePaiements", "le total des paiements dépasse le total de la "
                       "facture")
            return self._finish(task_id, 400, self._invalid(task_id, errors))
        if number is None:
            number = str(self.next_free_number())
            self._next_number += 1
        record["NoFacture"] = number
        record["NoUniqueSystemeSource"] = str(self._next_record)
        self._next_record += 1
        record["MontantNonPaye"] = num(total - sum(paid, Decimal(0)))
        record["ListeReglement"] = [{"Montant": num(p)} for p in paid]
        result = {
            "Message": f"OK - Facture créée sous le numéro : {number}",
            "NoFacture": number,
            "ResultatPaiement": (f"OK - {len(paid)} paiement(s) appliqué(s) : "
                                 f"{num(sum(paid, Decimal(0)))}" if paid
                                 else "OK - Aucun paiement appliqué"),
            "RecCardPos": record["NoUniqueSystemeSource"],
            "SousTotal": record["SousTotalFacture"], "Total": record["TotalFacture"],
        }
        if isinstance(body, dict) and body.get("ReturnFullTransaction"):
            result["FullTransaction"] = {k: v for k, v in record.items()
                                         if k not in ("EstActif", "EstInversee")}
        done = envelope(task_id, "Success", "None", "Tâche terminée avec succès", result)
        if self.pending_polls > 0:
            self._reserved.add(number)
            self.tasks[task_id] = {"polls_left": self.pending_polls, "status": 201,
                                   "final": done, "record": record}
            return 202, envelope(task_id, "Pending", "None", "Tâche en attente de traitement",
                                 None, completed=False)
        self.invoices[number] = record
        return self._finish(task_id, 201, done)

    def _payments(self, raw: Any, errors: FieldErrors) -> list[Decimal]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            errors.add("ListeModePaiements", "doit être une liste")
            return []
        amounts = []
        for i, item in enumerate(raw):
            field = f"ListeModePaiements[{i}].dbl_MontantPaiement"
            value = item.get("dbl_MontantPaiement") if isinstance(item, dict) else None
            amount = None if value is None else errors.number(value, field,
                                                              "doit être un montant positif")
            if amount is None or amount < 0:
                errors.add(field, "doit être un montant positif")
                continue
            amounts.append(amount)
        return amounts

    @staticmethod
    def _invalid(task_id: int, errors: FieldErrors) -> dict[str, Any]:
        return envelope(task_id, "Error", "ValidationError", f"Données invalides : {errors}",
                        {"Errors": errors.fields})

    def _finish(self, task_id: int, status: int,
                answer: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        self.tasks[task_id] = {"polls_left": 0, "status": status, "final": answer}
        return status, answer

    def poll(self, task_id: int) -> dict[str, Any] | None:
        """The envelope of a task now; a pending one completes after its polls run out."""
        task = self.tasks.get(task_id)
        if task is None:
            return None
        if task["polls_left"] > 0:
            task["polls_left"] -= 1
            return envelope(task_id, "Pending", "None", "Tâche en attente de traitement", None,
                            completed=False)
        record = task.pop("record", None)
        if record is not None:
            self._reserved.discard(record["NoFacture"])
            self.invoices[record["NoFacture"]] = record
        final: dict[str, Any] = task["final"]
        return final


def _view(record: dict[str, Any], catalogue: Catalogue, expand: list[str]) -> dict[str, Any]:
    view = dict(record)
    if "InfoClientFacturerA" not in expand:
        customer = record["InfoClientFacturerA"]
        view["InfoClientFacturerA"] = {k: customer.get(k, "") for k in SHORT_CUSTOMER}
    if "LigneFacture/FicheProduit" in expand:
        view["LigneFacture"] = [
            line | {"FicheProduit": catalogue.products.get(line.get("strNoProduit") or "")}
            for line in record["LigneFacture"]]
    return view


class _Api:
    def __init__(self, state: ErpState, licence: str, secret: str, company_id: str,
                 max_body: int = DEFAULT_MAX_BODY) -> None:
        self.max_body = max_body
        self.state = state
        self.licence = licence
        self.secret = secret
        self.company_id = company_id

    def _authorized(self, request: Request) -> bool:
        return basic_matches(request.headers.get("authorization", ""), self.licence,
                             self.secret)

    def route(self, operation: str, handler: Handler) -> Handler:
        """Authenticate, check CompanyId and the support matrix, then run `handler`."""

        async def endpoint(request: Request) -> Response:
            if not self._authorized(request):
                return JSONResponse(UNAUTHORIZED_BODY, status_code=401,
                                    headers={"WWW-Authenticate": 'Basic realm="ERP Connector"'})
            company = request.headers.get("companyid")
            if company is not None and company != self.company_id:
                return JSONResponse(_message(403, f"CompanyId {company!r} inconnu pour cette "
                                                  "licence"), status_code=403)
            if operation and not self._supported(operation):
                erp = ERP_TITLES[self.state.erp]
                return JSONResponse(envelope(
                    None, "Error", "NotSupported",
                    f"L'opération {request.method} sur CustomerInvoice n'est pas supportée "
                    f"par {erp}"), status_code=405)
            try:
                return await handler(request)
            except QueryError as exc:
                return JSONResponse(_message(400, str(exc)), status_code=400)
            except BadJSON as exc:
                return JSONResponse(_message(400, str(exc)), status_code=400)

        return endpoint

    def _supported(self, operation: str) -> bool:
        caps = self.state.capabilities
        return {"GET": caps.list or caps.get, "POST": caps.create,
                "PUT": caps.update, "DELETE": caps.delete}.get(operation, False)

    async def list_invoices(self, request: Request) -> Response:
        q = request.query_params
        predicate = parse_filter(q.get("$filter"), FIELDS)
        select = parse_list("$select", q.get("$select"), FIELDS)
        expand = parse_list("$expand", q.get("$expand"), FIELDS)
        keys = parse_orderby(q.get("$orderby"), FIELDS)
        top, skip = q.get("$top"), q.get("$skip")
        for name, value in (("$top", top), ("$skip", skip)):
            if value is not None and (not value.strip().isdigit()):
                raise QueryError(f"{name}: expected a whole number, got {value!r}")
        records = [r for r in self.state.invoices.values() if predicate(r)]
        records = skip_top_window(sort(records, keys), parse_int(skip, 0),
                                  None if top is None else parse_int(top, 0))
        views = [_view(r, self.state.catalogue, expand) for r in records]
        if select:
            views = [{k: v[k] for k in select if k in v} for v in views]
        return JSONResponse(views)

    async def get_invoice(self, request: Request) -> Response:
        number = request.path_params["id"]
        record = self.state.invoices.get(number)
        if record is None:
            return JSONResponse(_message(404, f"CustomerInvoice {number!r} introuvable"),
                                status_code=404)
        expand = parse_list("$expand", request.query_params.get("$expand"), FIELDS)
        return JSONResponse(_view(record, self.state.catalogue, expand))

    async def create_invoice(self, request: Request) -> Response:
        try:
            body = loads(await read_body(request, self.max_body))
        except BodyTooLarge as exc:
            return JSONResponse(_message(413, f"Request body larger than {exc.limit} bytes"),
                                status_code=413)
        if_none_match = request.headers.get("if-none-match", "").strip() == "*"
        status, answer = self.state.create(body, if_none_match)
        return JSONResponse(answer, status_code=status)

    async def refused(self, request: Request) -> Response:  # pragma: no cover - matrix refuses
        return JSONResponse(_message(405, "Method not allowed"), status_code=405)

    async def task(self, request: Request) -> Response:
        answer = self.state.poll(int(request.path_params["task_id"]))
        if answer is None:
            return JSONResponse(_message(404, "Tâche introuvable"), status_code=404)
        return JSONResponse(answer)

    def routes(self) -> list[Route]:
        path = "/Entity/CustomerInvoice"
        return [
            Route(path, self.route("GET", self.list_invoices), methods=["GET"]),
            Route(path, self.route("POST", self.create_invoice), methods=["POST"]),
            Route(path, self.route("PUT", self.refused), methods=["PUT", "PATCH"]),
            # {id:path}: a NoFacture may hold a "/" ("F/2024/1", sent as F%2F2024%2F1).
            Route(path + "/{id:path}", self.route("GET", self.get_invoice), methods=["GET"]),
            Route(path + "/{id:path}", self.route("PUT", self.refused),
                  methods=["PUT", "PATCH"]),
            Route(path + "/{id:path}", self.route("DELETE", self.refused), methods=["DELETE"]),
            Route("/Task/{task_id:rid}", self.route("", self.task), methods=["GET"]),
        ]


async def _not_found(request: Request, exc: Exception) -> Response:
    return JSONResponse(_message(404, f"Aucune ressource ne correspond à {request.url.path}"),
                        status_code=404)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return JSONResponse(_message(405, "Method not allowed"), status_code=405)


def create_app(*, licence: str = "sandbox-licence", secret: str = "sandbox-secret",
               erp: str = "acomba", company_id: str = "1", seed: int = 0,
               random_seed: int = 0, today: datetime.date | str | None = None,
               tax_group: str = "TPS7_TVQ75", pending_polls: int = 0,
               latency_ms: float = 0.0, rate_limit: float | None = None,
               fail_rate: float = 0.0, lost_response_rate: float = 0.0,
               lost_response_hold: float = 30.0, max_body: int = DEFAULT_MAX_BODY,
               invoice_number: str = "required") -> Sandbox:
    """An ERP Connector sandbox for one ERP and one company.

    Credentials are HTTP Basic `licence:secret`; `tax_group` is `TPS7_TVQ75` (seed 004's
    compound TPS 7 % + TVQ 7.5 %) or `TPS5_TVQ9975` (today's rates); with `pending_polls`
    > 0 every create answers 202 with an incomplete task that `GET /Task/{id}` completes
    after that many polls; `seed` pre-loads that many generated invoices;
    `invoice_number` is `required` (seed 003: Acomba refuses an invoice without
    `NoFacture`) or `generated` (seed 004's example: Acomba numbers it).
    """
    if erp not in ERPS:
        raise ValueError(f"unknown ERP {erp!r}; choose one of {', '.join(ERPS)}")
    if invoice_number not in INVOICE_NUMBER_POLICIES:
        raise ValueError(f"unknown invoice_number {invoice_number!r}; choose one of "
                         f"{', '.join(INVOICE_NUMBER_POLICIES)}")
    if tax_group not in TAX_GROUPS:
        raise ValueError(f"unknown tax group {tax_group!r}; choose one of "
                         f"{', '.join(TAX_GROUPS)}")
    day = datetime.date.fromisoformat(today) if isinstance(today, str) else today
    state = ErpState(erp, tax_group, default_catalogue(), int(pending_polls),
                     invoice_number=invoice_number)
    seed_erp(state, int(seed), random_seed, day or datetime.date.today())
    api = _Api(state, licence, secret, str(company_id), int(max_body))
    routes = api.routes()
    app = Starlette(routes=[Mount("/api", routes=routes), *routes],
                    exception_handlers={404: _not_found, 405: _not_allowed})
    faults = FaultConfig(latency_ms=latency_ms, rate_limit=rate_limit, fail_rate=fail_rate,
                         lost_response_rate=lost_response_rate, seed=random_seed,
                         lost_response_hold=lost_response_hold)
    summary = {"erp": erp, "basic": f"{licence}:{secret}", "CompanyId": str(company_id),
               "invoice_number": invoice_number,
               "base path": "/api", "tax_group": tax_group,
               "invoices": str(len(state.invoices))}
    return Sandbox(app, state, faults, _message, name="erpconnector", summary=summary)
