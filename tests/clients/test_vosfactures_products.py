"""The VosFactures client's product gaps (issue 11, item 11): update by reference, and a
product pull that leaves no inactive product out."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from clients.client_helpers import TOKEN, fast_settings

from passeur_vosfactures.client import VosFacturesClient
from passeur_vosfactures.sandbox import create_app


def _client(server) -> VosFacturesClient:
    return VosFacturesClient(server.base_url, api_token=TOKEN, settings=fast_settings())


def test_update_a_product_by_its_code(serve):
    server = serve(create_app(token=TOKEN, today="2025-06-15"))
    client = _client(server)
    made = client.create_product({"name": "Produit", "code": "REF/ABC 1", "price_net": "10",
                                  "tax": "20"})
    updated = client.update_product_by_code("REF/ABC 1", {"price_gross": "102",
                                                          "description": "Test 123"})
    assert (updated["id"], updated["price_gross"], updated["price_net"]) == (
        made["id"], Decimal("102"), Decimal("85"))


def test_pulling_products_brings_the_inactive_ones_too(serve):
    app = create_app(token=TOKEN, today="2025-06-15")
    server = serve(app)
    client = _client(server)
    for n in range(3):
        client.create_product({"name": f"P{n}", "price_net": "1", "disabled": n == 1})
    names = sorted(p["name"] for p in client.iter_documents("product"))
    assert names == ["P0", "P1", "P2"]

    async def pull() -> list[str]:
        return sorted([p["name"] async for p in client.aiter_documents("product")])

    assert asyncio.run(pull()) == names
