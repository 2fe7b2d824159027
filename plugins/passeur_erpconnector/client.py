"""The ERP Connector REST API (seeds 003/004) over passeur.http.

HTTP Basic with the licence code as user and the secret key as password; the company file
is chosen with a `CompanyId` header, left out when no company is given so that the
licence's own company answers (the sandbox's assumption; seeds 003/004 never name it).
Resources live under `/Entity/<Name>`. Writes answer with a task envelope
(`OrigRemoteTaskID`, `ResultType`, `ErrorType`, `ResultMessage`, `ResultPayload`,
`IsTaskCompleted`) that `envelope.py` turns into a result or a classified error; an
incomplete task is polled until it completes or the wait runs out. The per-ERP support
matrix comes from the schema's variant capabilities and is checked before any call:
Avantage never receives a POST.
"""

from __future__ import annotations

import asyncio
import datetime
import time
from collections.abc import AsyncIterator, Callable, Generator, Iterator, Mapping
from typing import Any

import httpx

from passeur import UsageError
from passeur.http import (
    BasicAuth,
    Call,
    HttpSettings,
    LiveClient,
    aiter_skip_top,
    iter_skip_top,
)
from passeur_erpconnector.envelope import (
    TASK_PATH,
    TaskPending,
    error_body,
    is_envelope,
    unwrap,
)
from passeur_erpconnector.odata import Field, Query
from passeur_erpconnector.schema import ERPS, SYSTEM

__all__ = ["DEFAULT_BASE_URL", "ENTITIES", "ErpConnectorClient", "client_factory"]

DEFAULT_BASE_URL = "https://v4.api.onlineerp.solution.quebec/api"
PAGE_SIZE = 100

#: passeur document type -> ERP Connector entity
ENTITIES = {"invoice": "CustomerInvoice", "invoice_create": "CustomerInvoice"}

def check_support(erp: str, doctype: str, operation: str) -> None:
    """Refuse, before any call, what the ERP behind the connector cannot do (seed 003)."""
    spec = SYSTEM.document_type("invoice" if doctype == "invoice_create" else doctype)
    if spec is None:
        raise UsageError(f"erpconnector has no document type {doctype!r}")
    caps = spec.capabilities_for(erp)
    if not getattr(caps, operation):
        allowed = ", ".join(caps.granted()) or "nothing"
        raise UsageError(f"{erp} does not support {operation} of {doctype} through ERP "
                         f"Connector (it allows: {allowed})")


def create_body(doctype: str, document: Mapping[str, Any], full: bool = True) -> dict[str, Any]:
    """The POST body: an `invoice_create` document as it is, an `invoice` wrapped in
    `Facture` with its `ListeModePaiements` moved beside it."""
    if doctype == "invoice_create" or "Facture" in document:
        return dict(document)
    invoice = dict(document)
    payments = invoice.pop("ListeModePaiements", None)
    return {"Facture": invoice, "ListeModePaiements": payments, "ReturnFullTransaction": full}


class ErpConnectorClient(LiveClient):
    """A client of one ERP Connector licence and company, for one ERP (`erp`)."""

    def __init__(self, base_url: str = DEFAULT_BASE_URL, *, licence: str, secret: str,
                 erp: str, company_id: str | int | None = None,
                 settings: HttpSettings | None = None,
                 transport: httpx.BaseTransport | None = None,
                 async_transport: httpx.AsyncBaseTransport | None = None,
                 poll_interval: float = 1.0, poll_timeout: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if erp not in ERPS:
            raise UsageError(f"unknown ERP {erp!r}; one of: {', '.join(ERPS)}")
        if not licence or not secret:
            raise UsageError("erpconnector needs a licence code and a secret key")
        self.erp = erp
        self.company_id = None if company_id in (None, "") else str(company_id)
        self.poll_interval = poll_interval
        self.poll_timeout = poll_timeout
        self._sleep = sleep
        super().__init__(base_url, auth=BasicAuth(licence, secret),
                         account=f"erpconnector:{licence}:{self.company_id or ''}",
                         settings=settings,
                         headers=None if self.company_id is None
                         else {"CompanyId": self.company_id},
                         transport=transport, async_transport=async_transport, sleep=sleep,
                         error_body=error_body)

    # -- reads ---------------------------------------------------------------------------

    def list_page(self, doctype: str = "invoice",
                  query: Query | None = None) -> list[dict[str, Any]]:
        """One answer of GET /Entity/<Name> with the query's options."""
        check_support(self.erp, doctype, "list")
        result = self._finish(self.http.call(self._list_call(doctype, query or Query())))
        return list(result or [])

    def iterate(self, doctype: str = "invoice", query: Query | None = None,
                page_size: int = PAGE_SIZE) -> Iterator[dict[str, Any]]:
        """Every match, walked with $skip/$top until a short page."""
        base = query or Query()
        return iter_skip_top(lambda skip, top: self.list_page(doctype, base.skip(skip).top(top)),
                             page_size)

    def get(self, doctype: str, record_id: str) -> dict[str, Any]:
        check_support(self.erp, doctype, "get")
        call = Call("GET", f"Entity/{ENTITIES[doctype]}/{httpx_quote(record_id)}")
        result: dict[str, Any] = self._finish(self.http.call(call))
        return result

    def list_entity(self, entity: str, query: Query | None = None) -> list[dict[str, Any]]:
        """GET /Entity/<entity> for an entity passeur has no document type for (Product,
        Customer...): no support matrix is known for it, so the server decides."""
        call = Call("GET", f"Entity/{httpx_quote(entity)}", params=(query or Query()).params())
        return list(self._finish(self.http.call(call)) or [])

    @staticmethod
    def _list_call(doctype: str, query: Query) -> Call:
        return Call("GET", f"Entity/{ENTITIES[doctype]}", params=query.params())

    # -- writes --------------------------------------------------------------------------

    def create(self, doctype: str, document: Mapping[str, Any]) -> dict[str, Any]:
        """POST with `If-None-Match: *`; the task's ResultPayload once it completed."""
        check_support(self.erp, doctype, "create")
        polls = self._task_result(self.http.call(self._create_call(doctype, document)))
        try:
            poll = next(polls)
            while True:
                self._sleep(self.poll_interval)
                poll = polls.send(self.http.call(poll))
        except StopIteration as done:
            result: dict[str, Any] = done.value
            return result

    async def acreate(self, doctype: str, document: Mapping[str, Any]) -> dict[str, Any]:
        check_support(self.erp, doctype, "create")
        answer = await self.ahttp.call(self._create_call(doctype, document))
        polls = self._task_result(answer)
        try:
            poll = next(polls)
            while True:
                await asyncio.sleep(self.poll_interval)
                poll = polls.send(await self.ahttp.call(poll))
        except StopIteration as done:
            result: dict[str, Any] = done.value
            return result

    def _task_result(self, answer: Any) -> Generator[Call, Any, dict[str, Any]]:
        """The polling of a write's task, written once for both clients: it yields the call
        that fetches a pending task again (the caller waits `poll_interval`, runs it and
        sends the answer back) and returns the completed task's ResultPayload, or raises
        once `poll_timeout` has run out."""
        deadline = time.monotonic() + self.poll_timeout
        while True:
            try:
                result: dict[str, Any] = unwrap(answer)
                return result
            except TaskPending as pending:
                if time.monotonic() >= deadline:
                    raise pending.timed_out(self.poll_timeout) from None
                answer = yield Call("GET", TASK_PATH.format(id=pending.task_id))

    @staticmethod
    def _create_call(doctype: str, document: Mapping[str, Any]) -> Call:
        """`If-None-Match: *` always; but the create counts as guarded (safe to resend after
        a 5xx) only when it carries its NoFacture: where the ERP numbers the invoice
        (QuickBooks) nothing can detect a second copy."""
        body = create_body(doctype, document)
        facture = body.get("Facture")
        numbered = isinstance(facture, Mapping) and facture.get("NoFacture") not in (None, "")
        return Call("POST", f"Entity/{ENTITIES[doctype]}", json=body,
                    headers={"If-None-Match": "*"}, guarded=numbered)

    def _finish(self, answer: Any) -> Any:
        """A read may come back bare (seed 003's GET) or inside a completed envelope."""
        return unwrap(answer) if is_envelope(answer) else answer

    # -- passeur.http.DocumentClient ------------------------------------------------------

    @staticmethod
    def _documents_query(since: datetime.date | None = None) -> Query:
        """Oldest first, ties broken by number: $skip/$top pages only stay put under a total
        order (without one, a server may hand the same invoice out on two pages)."""
        query = Query()
        if since is not None:
            query = query.filter(Field("DateFacture") >= since)
        return query.orderby("DateFacture").orderby("NoFacture")

    def iter_documents(self, doctype: str, *,
                       since: datetime.date | None = None) -> Iterator[dict[str, Any]]:
        return self.iterate(doctype, self._documents_query(since))

    async def aiter_documents(self, doctype: str) -> AsyncIterator[dict[str, Any]]:
        check_support(self.erp, doctype, "list")
        base = self._documents_query()

        async def fetch(skip: int, top: int) -> list[dict[str, Any]]:
            call = self._list_call(doctype, base.skip(skip).top(top))
            return list(self._finish(await self.ahttp.call(call)) or [])

        async for item in aiter_skip_top(fetch, PAGE_SIZE):
            yield item

    async def acreate_document(self, doctype: str,
                               document: Mapping[str, Any]) -> dict[str, Any]:
        return await self.acreate(doctype, document)

    def create_document(self, doctype: str, document: Mapping[str, Any]) -> dict[str, Any]:
        return self.create(doctype, document)

    def document_key(self, doctype: str, document: Mapping[str, Any]) -> str:
        invoice = document.get("Facture", document)
        for key in ("NoFacture", "Référence", "NoUniqueSystemeSource"):
            value = invoice.get(key) if isinstance(invoice, Mapping) else None
            if value not in (None, ""):
                return f"{key}={value}"
        return "?"



def httpx_quote(value: str) -> str:
    """An id as one path segment (a NoFacture may hold `/` or spaces)."""
    from urllib.parse import quote

    return quote(str(value), safe="")


def client_factory(config: Mapping[str, Any], *, settings: HttpSettings | None = None,
                   transport: httpx.BaseTransport | None = None,
                   async_transport: httpx.AsyncBaseTransport | None = None
                   ) -> ErpConnectorClient:
    """`SystemSpec.client_factory`: a client from resolved connection settings
    (`base_url`, `erp`, `company_id`, `licence`, `secret`, `task_timeout`,
    `task_poll_interval`)."""
    erp = config.get("erp")
    if not erp:
        raise UsageError(f"erpconnector needs `erp` (one of: {', '.join(ERPS)})")
    return ErpConnectorClient(config.get("base_url") or DEFAULT_BASE_URL,
                              licence=str(config.get("licence") or ""),
                              secret=str(config.get("secret") or ""), erp=str(erp),
                              company_id=config.get("company_id"), settings=settings,
                              transport=transport, async_transport=async_transport,
                              poll_interval=float(config.get("task_poll_interval") or 1),
                              poll_timeout=float(config.get("task_timeout") or 60))
