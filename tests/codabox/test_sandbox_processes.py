"""`passeur sandbox codabox` and `passeur sandbox clearfacts` in real processes, as a user
runs them: they print their URL, answer as documented, stop cleanly on Ctrl+C."""

from __future__ import annotations

import httpx

from support.loopback import sandbox_process

VENDOR = "0b0b0b0b-1111-4222-8333-444455556666"
TOKEN = "0123456789" * 8


def test_codabox_in_a_process() -> None:
    with sandbox_process("codabox", "--software-company", VENDOR, "--offices", "2") as ready:
        assert ready["system"] == "codabox"
        assert ready["options"] == {"software_company": VENDOR, "offices": "2"}
        with httpx.Client(base_url=ready["base_url"], timeout=5,
                          headers={"X-Software-Company": VENDOR},
                          auth=("pod67", "sandbox-67")) as http:
            pod = http.get("/v2/delivery/pod-client/").json()
            assert [c["id"] for c in pod["feed_clients"]] == [279, 280]
            assert http.get("/v2/delivery/pod-client").status_code == 301


def test_clearfacts_in_a_process() -> None:
    with sandbox_process("clearfacts", "--token", TOKEN, "--administrations",
                         "0233960733=Boulangerie Wilmotte") as ready:
        assert ready["system"] == "clearfacts" and "token" not in ready["options"]
        answer = httpx.post(f"{ready['base_url']}/graphql", timeout=5,
                            headers={"Authorization": f"Bearer {TOKEN}"},
                            json={"query": "{ administrations { companyNumber } }"})
        assert answer.json() == {"data": {"administrations": [{"companyNumber":
                                                                "0233960733"}]}}
