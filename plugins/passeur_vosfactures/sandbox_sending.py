"""`send_by_email` of the VosFactures sandbox, with every option seed 002 documents.

`email_to` (up to 5, comma-separated; else the invoice's buyer e-mail), `email_cc` (up to 5),
`email_pdf` (the PDF attached), `update_buyer_email` (the address sent becomes the invoice's
and its client's e-mail) and `force` (a second sending within 3 days). Mails land in
`outbox`, one dict per sending, so tests see exactly what was sent.
"""

from __future__ import annotations

import datetime
from typing import Any

from passeur.sandbox import FieldErrors
from passeur_vosfactures.sandbox_fields import as_boolean

__all__ = ["SendingMixin"]


def _addresses(value: Any, field: str, errors: FieldErrors) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, str):
        errors.add(field, "n'est pas valide")
        return []
    found = [a.strip() for a in value.split(",") if a.strip()]
    if len(found) > 5:
        errors.add(field, "5 adresses au maximum")
    for address in found:
        if "@" not in address:
            errors.add(field, f"{address[:60]!r} n'est pas une adresse e-mail")
    return found


class SendingMixin:
    """Part of `Account`: needs `invoice`, `clients`, `now`, `stamp` and `outbox`."""

    def send_by_email(self, invoice_id: int, options: dict[str, Any]) -> list[str]:
        record = self.invoice(invoice_id)  # type: ignore[attr-defined]
        errors = FieldErrors()
        sent_to = _addresses(options.get("email_to"), "email_to", errors)
        recipients = sent_to or _addresses(record.get("buyer_email"), "email_to", errors)
        cc = _addresses(options.get("email_cc"), "email_cc", errors)
        if not recipients and "email_to" not in errors.fields:
            errors.add("email_to", "doit être rempli(e)")
        update = as_boolean(options.get("update_buyer_email"))
        if update and not sent_to:
            errors.add("update_buyer_email", "email_to doit être rempli(e)")
        sent = record.get("sent_time")
        if sent and not as_boolean(options.get("force")) and (
                self.now() - datetime.datetime.fromisoformat(sent)  # type: ignore[attr-defined]
                < datetime.timedelta(days=3)):
            errors.add("base", "Document déjà envoyé il y a moins de 3 jours (utilisez force)")
        errors.raise_if_any()
        if update:
            record["buyer_email"] = sent_to[0]
            client = self.clients.get(record.get("client_id"))  # type: ignore[attr-defined]
            if client is not None:
                client["email"] = sent_to[0]
        record["sent_time"] = self.stamp()  # type: ignore[attr-defined]
        record["email_status"] = "sent"
        if record["status"] == "issued":
            record["status"] = "sent"
        self.outbox.append({"invoice_id": invoice_id, "to": recipients,  # type: ignore[attr-defined]
                            "cc": cc, "pdf": bool(as_boolean(options.get("email_pdf")))})
        return recipients
