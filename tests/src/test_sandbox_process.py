"""`passeur sandbox sagesrc` in a real process, as a user runs it: it prints its URL,
answers as documented, stops cleanly on Ctrl+C."""

from __future__ import annotations

import httpx

from support.loopback import sandbox_process


def test_sagesrc_in_a_process() -> None:
    with sandbox_process("sagesrc", "--invoices", "8", "--password", "pw") as ready:
        assert ready["system"] == "sagesrc"
        assert ready["options"] == {"invoices": "8"}
        with httpx.Client(base_url=ready["base_url"], timeout=5,
                          auth=("connecteur", "pw")) as http:
            listing = http.get("/api/v1/invoices", params={
                "mayHaveDocuments": "true", "hasDocument": "false", "pageSize": 3}).json()
            # 8 entries: FA000004 and FA000008 hold documents, FA000007 is excluded.
            assert listing["total"] == 5 and listing["pageSize"] == 3
            assert [i["id"] for i in listing["items"]] == ["FA000001", "FA000002",
                                                           "FA000003"]
            assert http.get("/api/v1/invoices", auth=("connecteur", "x")).status_code == 401


def test_src_is_the_same_sandbox() -> None:
    """`passeur sandbox src`, the name issue 16 gives it, starts the sagesrc sandbox."""
    with sandbox_process("src", "--invoices", "2", "--password", "pw") as ready:
        assert ready["system"] == "sagesrc"
        with httpx.Client(base_url=ready["base_url"], timeout=5,
                          auth=("connecteur", "pw")) as http:
            listing = http.get("/api/v1/invoices", params={
                "mayHaveDocuments": "true", "hasDocument": "false"}).json()
            assert [i["id"] for i in listing["items"]] == ["FA000001", "FA000002"]
