"""The CodaBox client against the CodaBox sandbox over loopback; its connection file."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

import passeur.cli.sandbox_cmd as sandbox_cmd
from passeur import UsageError, load_registry
from passeur.cli.app import State, cli
from passeur.engine.connection import parse_connection
from passeur.http import AuthError, HttpSettings, NotFound, RetryPolicy, ValidationError
from passeur.sandbox import serve_in_thread
from passeur_codabox.client import CodaBoxClient
from passeur_codabox.sandbox import create_app

VENDOR = "0b0b0b0b-1111-4222-8333-444455556666"


def _settings(**kw) -> HttpSettings:
    retry = RetryPolicy(max_attempts=kw.pop("max_attempts", 8), base_delay=0.01,
                        max_delay=0.05, rng=random.Random(7))
    return HttpSettings(retry=retry, **kw)


def _client(server, office=None, **kw) -> CodaBoxClient:
    return CodaBoxClient(server.base_url + "/v2", software_company=VENDOR,
                         username=office.username if office else None,
                         password=office.password if office else None,
                         settings=_settings(**kw))


def test_onboarding_then_reading_and_acknowledging_a_feed(serve) -> None:
    app = create_app(software_company=VENDOR)
    server = serve(app)
    office = app.state.offices[2]
    with _client(server) as onboarding:
        onboarding.request_access_token(office.vat)
        token = app.state.mailbox[-1][1]
        credentials = onboarding.get_credentials(token)
        with pytest.raises(NotFound, match=r"HTTP 404: Not found\."):
            onboarding.get_credentials(token)
    assert credentials == {"username": office.username, "password": office.password}
    with CodaBoxClient(server.base_url + "/v2", software_company=VENDOR,
                       settings=_settings(), **credentials) as client:
        pod = client.pod_client()
        feed_id = pod["feed_clients"][0]["id"]
        entries = client.feed(feed_id)
        assert len(entries) == 8
        first = entries[0]
        data = client.download(first["feed_index"], "cod")
        assert data[:1] == b"0" and len(data.splitlines()[0]) == 128
        client.acknowledge(feed_id, first["feed_index"])
        client.acknowledge(feed_id, first["feed_index"])  # idempotent
        assert [e["feed_index"] for e in client.feed(feed_id)] == [
            e["feed_index"] for e in entries[1:]]
        assert client.feed(feed_id, redownload=True) == [first]
        assert client.download(first["feed_index"], "cod", redownload=True) == data
        with pytest.raises(ValidationError) as refused:
            client.acknowledge(feed_id, "no-such-index")
        assert [p.path for p in refused.value.problems] == ["feed_offset"]
        with pytest.raises(NotFound, match="format 'xml' is not available for coda"):
            client.download(entries[1]["feed_index"], "xml")


def test_wrong_credentials_are_an_auth_error_with_the_drf_detail(serve) -> None:
    app = create_app(software_company=VENDOR)
    server = serve(app)
    client = CodaBoxClient(server.base_url + "/v2", software_company=VENDOR,
                           username="pod66", password="nope", settings=_settings())
    with client, pytest.raises(AuthError, match=r"Invalid username/password\."):
        client.pod_client()


def test_reads_and_acknowledgements_survive_server_failures(serve) -> None:
    app = create_app(software_company=VENDOR, fail_rate=0.4, random_seed=3)
    server = serve(app)
    office = app.state.offices[0]
    with _client(server, office) as client:
        feed_id = office.feeds[0].id
        entries = client.feed(feed_id)
        for entry in entries:
            client.acknowledge(feed_id, entry["feed_index"])
        assert client.feed(feed_id) == []
    assert app.stats.failed > 0
    assert office.feeds[0].offset == len(entries)


def test_a_client_needs_the_vendor_key_and_a_whole_login() -> None:
    with pytest.raises(UsageError, match="software_company"):
        CodaBoxClient(software_company="")
    with pytest.raises(UsageError, match="both username and password"):
        CodaBoxClient(software_company=VENDOR, username="pod66")


def test_connection_file_reads_its_secrets_from_the_environment() -> None:
    registry = load_registry()
    text = """system = "codabox"
[settings]
base_url = "http://127.0.0.1:9/v2"
software_company = { env = "CODABOX_VENDOR" }
username = "pod66"
password = { env = "CODABOX_PASSWORD" }
"""
    env = {"CODABOX_VENDOR": VENDOR, "CODABOX_PASSWORD": "s3cret-pass"}
    connection = parse_connection(text, registry, name="office.toml", environ=env)
    assert connection.secret_names == {"software_company", "password"}
    assert "s3cret-pass" not in repr(connection)
    client = connection.client()
    assert isinstance(client, CodaBoxClient) and client.username == "pod66"
    client.close()
    with pytest.raises(UsageError, match=r"office.toml:6: password is a secret"):
        parse_connection(text.replace('{ env = "CODABOX_PASSWORD" }', '"clear"'), registry,
                         name="office.toml", environ=env)


def test_passeur_sandbox_codabox_serves_the_seeded_offices(monkeypatch) -> None:
    seen = []

    def fake_serve_forever(app, host, port, on_ready):
        with serve_in_thread(app, host, port) as server:
            on_ready(server.base_url)
            seen.append(app)

    monkeypatch.setattr(sandbox_cmd, "serve_forever", fake_serve_forever)
    result = CliRunner().invoke(cli, ["sandbox", "codabox", "--offices", "1", "--clients", "1",
                                      "--software-company", VENDOR, "--fail-rate", "0.1",
                                      "--json"], obj=State(load_registry()))
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["options"]["offices"] == "1" and printed["options"]["fail_rate"] == 0.1
    [app] = seen
    assert [len(o.feeds) for o in app.state.offices] == [1]
    assert app.faults.fail_rate == 0.1
    refused = CliRunner().invoke(cli, ["sandbox", "codabox", "--seed", "3"],
                                 obj=State(load_registry()))
    assert refused.exit_code != 0 and "does not apply to the codabox sandbox" in refused.output


def test_a_lost_acknowledgement_is_sent_again_safely(serve) -> None:
    """The PUT is idempotent: a lost answer (applied, never answered) is retried, and the
    offset ends exactly after the entry named, never past it."""
    app = create_app(software_company=VENDOR, lost_response_rate=0.5, random_seed=2,
                     lost_response_hold=0.2)
    server = serve(app)
    office = app.state.offices[0]
    feed = office.feeds[0]
    with _client(server, office, timeout=0.5) as client:
        entries = client.feed(feed.id)
        for position, entry in enumerate(entries[:4]):
            client.acknowledge(feed.id, entry["feed_index"])
            assert feed.offset == position + 1
    assert app.stats.lost > 0
