"""Webhooks of the VosFactures sandbox: registration (seed 002) and delivery of the payloads
the platform sends (the recorded `*webhook*.json` of the corpus) when a document changes.

Deliveries go to loopback addresses only: a sandbox runs on the user's machine and in tests,
and must never call out to the network; a webhook registered with another host is refused.
Each delivery is one POST of JSON after the write was answered; its outcome (status or
error) is kept in `deliveries` for tests and for `passeur sandbox` users to inspect.
"""

from __future__ import annotations

import asyncio
import urllib.parse
from typing import Any

import httpx

from passeur.sandbox import FieldErrors, Table, dumps, is_loopback

__all__ = ["EVENTS", "Webhooks"]

#: The webhook kinds seed 002 lists.
EVENTS = ("client:create", "client:update", "client:destroy", "invoice:create",
          "invoice:update", "invoice:destroy", "product:create", "product:update",
          "product:destroy")
APP_NAME = "vosfactures"


def _loopback(url: str) -> bool:
    return is_loopback(urllib.parse.urlsplit(url).hostname or "")


def _deal(invoice: dict[str, Any], view_url: str) -> dict[str, Any]:
    """An invoice as the recorded invoice webhooks carry it (`deal`)."""
    names = ", ".join(str(p.get("name") or "") for p in invoice.get("positions") or [])
    return {
        "name": names, "description": invoice.get("description"),
        "price": invoice.get("price_gross"), "paid": invoice.get("status") == "paid",
        "url": view_url, "date": invoice.get("issue_date"),
        "invoice_no": invoice.get("number"), "kind": invoice.get("kind"),
        "external_ids": {APP_NAME: invoice.get("id")},
        "client": {
            "name": invoice.get("buyer_name"), "tax_no": invoice.get("buyer_tax_no"),
            "first_name": invoice.get("buyer_first_name"),
            "last_name": invoice.get("buyer_last_name"),
            "bank_account": invoice.get("buyer_bank_account"), "bank_account_id": None,
            "register_number": None, "skip_webhooks": True,
            "external_ids": {APP_NAME: invoice.get("client_id")}},
        "skip_webhooks": True,
    }


class Webhooks:
    """The registered webhooks of one account, and what was delivered to them."""

    def __init__(self) -> None:
        self.table = Table(1)
        self.deliveries: list[dict[str, Any]] = []
        self._pending: set[asyncio.Task[None]] = set()

    def validate(self, fields: dict[str, Any], partial: bool = False) -> dict[str, Any]:
        errors = FieldErrors()
        kind, url = fields.get("kind"), fields.get("url")
        if (not partial or "kind" in fields) and kind not in EVENTS:
            errors.add("kind", f"n'est pas inclus(e) dans la liste ({', '.join(EVENTS)})")
        if not partial or "url" in fields:
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                errors.add("url", "doit être une URL http(s)")
            elif not _loopback(url):
                errors.add("url", "le sandbox ne livre qu'à une adresse de bouclage "
                           "(127.0.0.1, ::1, localhost)")
        token = fields.get("api_token")
        if token is not None and not isinstance(token, str):
            errors.add("api_token", "n'est pas valide")
        errors.raise_if_any()
        record = {k: fields[k] for k in ("kind", "url", "api_token", "active") if k in fields}
        if "active" in record:
            record["active"] = record["active"] not in (False, 0, "0", "false", "off")
        return record

    def create(self, fields: dict[str, Any]) -> dict[str, Any]:
        return self.table.insert({"api_token": "", "active": True} | self.validate(fields))

    def payload(self, event: str, record: dict[str, Any], hook: dict[str, Any],
                view_url: str) -> dict[str, Any]:
        """The body the platform POSTs for `event` (shapes of the recorded webhooks)."""
        resource = event.split(":")[0]
        if resource == "invoice":
            body: dict[str, Any] = {"deal": _deal(record, view_url)}
        else:
            item = {k: v for k, v in record.items() if k != "token"}
            item.update(external_ids={APP_NAME: record.get("id")}, skip_webhooks=True)
            if resource == "client":
                item.setdefault("buyer", {})
            body = {resource: item}
        return body | {"app_name": APP_NAME, "api_token": hook.get("api_token") or "",
                       "locale": "fr"}

    def notify(self, event: str, record: dict[str, Any], view_url: str = "") -> None:
        """Deliver `event` to every active webhook of its kind, in the background."""
        for hook in self.table:
            if hook.get("active") and hook.get("kind") == event:
                body = self.payload(event, record, hook, view_url)
                task = asyncio.get_running_loop().create_task(self._deliver(hook, event, body))
                self._pending.add(task)
                task.add_done_callback(self._pending.discard)

    async def _deliver(self, hook: dict[str, Any], event: str, body: dict[str, Any]) -> None:
        outcome: dict[str, Any] = {"webhook_id": hook["id"], "kind": event, "url": hook["url"],
                                   "body": body}
        try:
            async with httpx.AsyncClient(timeout=5.0, trust_env=False) as client:
                answer = await client.post(hook["url"], content=dumps(body).encode("utf-8"),
                                           headers={"content-type": "application/json"})
            outcome["status"] = answer.status_code
        except httpx.HTTPError as exc:
            outcome["error"] = f"{type(exc).__name__}: {exc}"
        self.deliveries.append(outcome)
