"""Public links (seed 002: preview and PDF by token, online payment) and documented
resources the sandbox does not implement (issue 11, items 5 and 7)."""

from __future__ import annotations

import pytest

from passeur_vosfactures.sandbox import NOT_FOUND_BODY, create_app

from .conftest import TODAY

TOKEN = "qCedKxkTgQhGJpiI2SU"
INVOICE = {"buyer_name": "Client", "number": "7/02/2018",
           "positions": [{"name": "A", "tax": 20, "total_price_gross": "12", "quantity": 1}]}


@pytest.fixture
def vf(serve):
    return serve(create_app(token=TOKEN, today=TODAY))


def test_links_are_absolute_from_the_request_host_and_served_without_login(vf):
    made = vf.http.post("/invoices.json", json={"api_token": TOKEN, "invoice": INVOICE}).json()
    base, token = vf.server.base_url, made["token"]
    # The recorded responses' forms: /f/<number>/<token> and /invoice/payment/<token>.
    assert made["view_url"] == f"{base}/f/7-02-2018/{token}"
    assert made["payment_url"] == f"{base}/invoice/payment/{token}"
    got = vf.http.get(f"/invoices/{made['id']}.json", params={"api_token": TOKEN}).json()
    assert (got["view_url"], got["payment_url"]) == (made["view_url"], made["payment_url"])
    for url in (made["view_url"], f"{base}/invoice/{token}"):
        page = vf.http.get(url)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "7/02/2018" in page.text and "12.0 EUR" in page.text
    pdf = vf.http.get(f"/invoice/{token}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-disposition"] == 'attachment; filename="7-02-2018.pdf"'
    inline = vf.http.get(f"/invoice/{token}.pdf", params={"inline": "yes"})
    assert inline.headers["content-disposition"].startswith("inline")
    assert vf.http.get(made["payment_url"]).status_code == 200
    assert vf.http.get("/invoice/nope.pdf").json() == NOT_FOUND_BODY


@pytest.mark.parametrize("path", ["/recurrings.json", "/price_lists/3.json",
                                  "/categories.json", "/warehouses.json",
                                  "/warehouse_documents.json", "/account.json",
                                  "/invoices/10001/attachments_zip.json"])
def test_unimplemented_resources_are_501_not_404(vf, path):
    answer = vf.http.get(path, params={"api_token": TOKEN})
    assert answer.status_code == 501
    body = answer.json()
    assert body["code"] == "error" and "not available in the sandbox" in body["message"]
    assert vf.http.get(path).status_code == 401  # still behind the login
