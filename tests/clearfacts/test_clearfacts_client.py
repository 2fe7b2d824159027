"""The ClearFacts client against its sandbox over loopback; its connection file; the CLI."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

import passeur.cli.sandbox_cmd as sandbox_cmd
from passeur import UsageError, load_registry
from passeur.cli.app import State, cli
from passeur.engine.connection import parse_connection
from passeur.http import AuthError, GraphQLError, HttpSettings, RetryPolicy, Uncertain
from passeur.sandbox import serve_in_thread
from passeur_clearfacts.client import ClearFactsClient, company_number
from passeur_clearfacts.sandbox import create_app

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "testdata"
UBLBE = CORPUS / "ublbe" / "UBLBE_BE0000000196_V01-15000004.xml"
TOKEN = "abcdefghij" * 8
ADMINS = "0233960733=Boulangerie Wilmotte,0417497106=Garage Delvaux"


def _settings(**kw) -> HttpSettings:
    retry = RetryPolicy(max_attempts=kw.pop("max_attempts", 8), base_delay=0.01,
                        max_delay=0.05, rng=random.Random(7))
    return HttpSettings(retry=retry, **kw)


def _client(server, **kw) -> ClearFactsClient:
    return ClearFactsClient(server.base_url, token=TOKEN, settings=_settings(**kw))


def test_reads_uploads_and_finds_the_document(serve) -> None:
    app = create_app(token=TOKEN, administrations=ADMINS, customers=250, today="2025-06-15")
    server = serve(app)
    with _client(server) as client:
        assert [a["companyNumber"] for a in client.administrations()] == ["0233960733",
                                                                         "0417497106"]
        assert [j["id"] for j in client.journals("BE0233.960.733")] == [
            "AAN", "AAN-NC", "VER", "VER-NC"]
        customers = list(client.customers("0233960733"))
        assert len(customers) == 250 and len({c["id"] for c in customers}) == 250
        uploaded = client.upload_file("BE 0417.497.106", UBLBE.name, UBLBE.read_bytes(), "SALE")
        assert uploaded["amountOfPages"] == 1
        assert client.document(uploaded["uuid"]) == {"date": "2025-06-15", "type": "SALE",
                                                     "paymentState": "UNPAID"}
        archived = client.upload_archive_file("0417497106", "st.cod", b"0000", "FINANCIAL",
                                              "CODA")
        assert [c["id"] for c in client.archive_categories("0417497106")][:2] == ["CODA",
                                                                                 "BANK"]
        with pytest.raises(GraphQLError) as refused:
            client.upload_file("0417497106", "x.txt", b"plain text", "SALE")
        assert refused.value.status == 200 and refused.value.problems[0].path == "uploadFile"
        assert "not a PDF, a JPEG or an XML invoice" in str(refused.value)
    stored = app.state.inbox("0417497106")
    assert [d.uuid for d in stored] == [uploaded["uuid"], archived["uuid"]]
    assert stored[0].data == UBLBE.read_bytes()


def test_the_token_is_checked_before_any_call_and_refusals_are_auth_errors(serve) -> None:
    with pytest.raises(UsageError, match="exactly 80 characters; this one has 79"):
        ClearFactsClient(token=TOKEN[:79])
    with pytest.raises(UsageError, match="personal access token"):
        ClearFactsClient()
    app = create_app(token=TOKEN)
    server = serve(app)
    other = "z" * 80
    with ClearFactsClient(server.base_url, token=other, settings=_settings()) as client, \
            pytest.raises(AuthError, match="HTTP 401"):
        client.administrations()
    # an OIDC access token is any length; the sandbox accepts only its own token
    with ClearFactsClient(server.base_url, oidc_token="eyJ.short", settings=_settings()) as c, \
            pytest.raises(AuthError):
        c.administrations()


def test_queries_are_retried_and_a_lost_upload_answer_is_uncertain(serve) -> None:
    app = create_app(token=TOKEN, administrations=ADMINS, fail_rate=0.5, random_seed=1)
    server = serve(app)
    with _client(server) as client:
        for _ in range(5):
            assert len(client.administrations()) == 2
    assert app.stats.failed > 0
    lossy = create_app(token=TOKEN, administrations=ADMINS, lost_response_rate=1.0,
                       lost_response_hold=0.2)
    server = serve(lossy)
    with _client(server, timeout=0.5) as client, pytest.raises(Uncertain):
        client.upload_file("0233960733", UBLBE.name, UBLBE.read_bytes(), "PURCHASE")
    assert len(lossy.state.inbox("0233960733")) == 1  # applied: only a lookup could tell


def test_company_numbers() -> None:
    assert company_number("BE0233960733") == "0233960733"
    assert company_number("be 0233.960.733") == "0233960733"
    assert company_number("233960733") == "0233960733"
    with pytest.raises(UsageError, match="not a Belgian company number"):
        company_number("FR123")


def test_connection_file_keeps_the_token_in_the_environment() -> None:
    registry = load_registry()
    text = 'system = "clearfacts"\n[settings]\ntoken = { env = "CF_TOKEN" }\n'
    connection = parse_connection(text, registry, name="cf.toml", environ={"CF_TOKEN": TOKEN})
    assert connection.secret_names == {"token"} and TOKEN not in repr(connection)
    connection.client().close()
    short = parse_connection(text, registry, name="cf.toml", environ={"CF_TOKEN": "abc"})
    with pytest.raises(UsageError, match="exactly 80 characters; this one has 3"):
        short.client()
    with pytest.raises(UsageError, match=r"cf\.toml:3: token is a secret"):
        parse_connection(text.replace('{ env = "CF_TOKEN" }', f'"{TOKEN}"'), registry,
                         name="cf.toml", environ={})


def test_passeur_sandbox_clearfacts(monkeypatch) -> None:
    seen = []

    def fake_serve_forever(app, host, port, on_ready):
        with serve_in_thread(app, host, port) as server:
            on_ready(server.base_url)
            seen.append(app)

    monkeypatch.setattr(sandbox_cmd, "serve_forever", fake_serve_forever)
    result = CliRunner().invoke(cli, ["sandbox", "clearfacts", "--administrations", ADMINS,
                                      "--token", TOKEN, "--json"], obj=State(load_registry()))
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert "token" not in printed["options"] and TOKEN not in result.output
    assert list(seen[0].state.administrations) == ["0233960733", "0417497106"]
    bad = CliRunner().invoke(cli, ["sandbox", "clearfacts", "--token", "short"],
                             obj=State(load_registry()))
    assert bad.exit_code != 0 and "exactly 80 characters, not 5" in bad.output
