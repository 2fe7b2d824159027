"""The Acomba invoices an ERP Connector sandbox serves (loopback): six generated ones and
seed 004's payload created through it, under a Québec tax group; shared by the tests that
write them to UBL and CII."""

from __future__ import annotations

import functools
import json
from decimal import Decimal
from typing import Any

import httpx

from passeur.sandbox import dumps, serve_in_thread
from support.erp_seed_004 import seed_payload


@functools.cache
def acomba_invoices(tax_group: str) -> tuple[dict[str, Any], ...]:
    """The invoices of an Acomba sandbox (loopback) holding six generated invoices and seed
    004's payload created through it, as GET /Entity/CustomerInvoice lists them."""
    from passeur_erpconnector.sandbox import create_app

    server = serve_in_thread(create_app(licence="L", secret="S", erp="acomba", seed=6,
                                        today="2026-06-01", tax_group=tax_group,
                                        invoice_number="generated"))
    try:
        with httpx.Client(base_url=server.base_url, auth=("L", "S"), timeout=10) as client:
            created = client.post("/api/Entity/CustomerInvoice",
                                  content=dumps(seed_payload()).encode(),
                                  headers={"content-type": "application/json"})
            assert created.status_code == 201, created.text
            listed = client.get("/api/Entity/CustomerInvoice",
                                params={"$expand": "InfoClientFacturerA"})
    finally:
        server.stop()
    assert listed.status_code == 200, listed.text
    invoices = json.loads(listed.text, parse_float=Decimal)
    assert len(invoices) == 7
    return tuple(invoices)
