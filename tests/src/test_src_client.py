"""The SRC client against the SRC sandbox over a real loopback socket; its connection file."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

import passeur.cli.sandbox_cmd as sandbox_cmd
from passeur import UsageError, load_registry
from passeur.archives import ArchiveLimits, Refused
from passeur.cli.app import State, cli
from passeur.engine.connection import parse_connection
from passeur.http import AuthError, HttpSettings, RetryPolicy
from passeur.sandbox import serve_in_thread, tiny_pdf
from passeur_src.client import SrcClient
from passeur_src.sandbox import create_app


def _settings(**kw) -> HttpSettings:
    retry = RetryPolicy(max_attempts=kw.pop("max_attempts", 8), base_delay=0.01,
                        max_delay=0.05, rng=random.Random(7))
    return HttpSettings(retry=retry, **kw)


def _client(server, **kw) -> SrcClient:
    limits = kw.pop("limits", None)
    auth = kw.pop("auth", "basic")
    return SrcClient(server.base_url, login="connecteur", password="sandbox-src", auth=auth,
                     limits=limits, settings=_settings(**kw))


def _pdf(ident: str) -> bytes:
    return tiny_pdf([f"Facture {ident}"])


@pytest.mark.parametrize("auth", ["basic", "token"])
def test_missing_documents_are_sent_in_archives_and_shown_by_the_portal(serve, auth) -> None:
    app = create_app(invoices=60, customers=4)
    server = serve(app)
    with _client(server, auth=auth, limits=ArchiveLimits(max_files=7)) as client:
        missing = list(client.invoices(page_size=9))
        expected = [e.id for e in app.state.entries.values()
                    if e.may_have_documents and e.document is None]
        assert [m["id"] for m in missing] == expected and len(expected) == 39
        report = client.send_documents((m["id"], _pdf(m["id"])) for m in missing)
        assert report.accepted == expected and report.rejected == []
        assert report.overwritten == [] and report.archives == 6  # 39 files, 7 per archive
        assert list(client.invoices()) == []
        for ident in expected:
            assert app.state.sent(ident) == 1
        debtor = missing[0]["customerCode"]
        shown = {d["invoiceId"] for d in client.portal(debtor)}
        assert {m["id"] for m in missing if m["customerCode"] == debtor} <= shown
        assert client.portal_document(debtor, missing[0]["id"]) == _pdf(missing[0]["id"])


def test_a_resent_document_overwrites_and_is_reported_so(serve) -> None:
    app = create_app()
    server = serve(app)
    with _client(server) as client:
        first = client.send_documents([("FA000001", _pdf("FA000001"))])
        again = client.send_documents([("FA000001", _pdf("FA000001") + b"%fixed")])
        assert first.overwritten == [] and again.overwritten == ["FA000001"]
        assert client.portal_document("CLI001", "FA000001").endswith(b"%fixed")


def test_what_cannot_be_sent_is_refused_with_its_reason(serve) -> None:
    app = create_app()
    server = serve(app)
    with _client(server, limits=ArchiveLimits(max_bytes=4096)) as client:
        report = client.send_documents([
            ("FA/01", _pdf("x")), ("FA000002", b"<html>"), ("FA000003", b"%PDF-" + bytes(5000)),
            ("NOPE", _pdf("NOPE")), ("FA000007", _pdf("FA000007")), ("FA000005", _pdf("5"))])
    assert report.accepted == ["FA000005"]
    assert report.rejected == [
        Refused("FA/01", "invoice id 'FA/01' cannot be a file name as it is"),
        Refused("FA000002", "not a PDF (it does not start with %PDF-)"),
        Refused("FA000003", "5005 bytes: larger alone than an archive may be (4096 bytes)"),
        Refused("NOPE", "unknown invoice"),
        Refused("FA000007", "invoice excluded (mayHaveDocuments is false)")]


def test_exclusions_are_reported_per_entry_and_reversible(serve) -> None:
    app = create_app()
    server = serve(app)
    with _client(server) as client:
        results = client.set_may_have_documents(["FA000001", "FA000007", "NOPE"], False)
        assert [(r["id"], r["status"]) for r in results] == [
            ("FA000001", "updated"), ("FA000007", "unchanged"), ("NOPE", "notFound")]
        assert "FA000001" not in [i["id"] for i in client.invoices()]
        client.set_may_have_documents(["FA000001"], True)
        assert "FA000001" in [i["id"] for i in client.invoices()]


def test_uploads_survive_server_failures_and_lost_answers(serve) -> None:
    """A 5xx or a lost answer on an archive is resent; a resend overwrites with the same
    bytes, so every entry ends with its own PDF."""
    app = create_app(invoices=40, fail_rate=0.3, lost_response_rate=0.3, random_seed=5,
                     lost_response_hold=0.2)
    server = serve(app)
    with _client(server, timeout=0.5, limits=ArchiveLimits(max_files=5)) as client:
        missing = [m["id"] for m in client.invoices()]
        report = client.send_documents((i, _pdf(i)) for i in missing)
    assert sorted(report.accepted) == sorted(missing) and report.rejected == []
    assert app.stats.failed + app.stats.lost > 0
    for ident in missing:
        assert app.state.entries[ident].document == _pdf(ident)


def test_wrong_credentials_are_an_auth_error(serve) -> None:
    server = serve(create_app())
    client = SrcClient(server.base_url, login="connecteur", password="nope",
                       settings=_settings())
    with client, pytest.raises(AuthError, match="connector's login and password"):
        list(client.invoices())
    with pytest.raises(AuthError, match="wrong login or password"):
        SrcClient(server.base_url, login="connecteur", password="nope", auth="token",
                  settings=_settings())
    with pytest.raises(UsageError, match="login and password"):
        SrcClient(server.base_url, login="", password="x")


def test_connection_file_reads_the_password_from_the_environment() -> None:
    registry = load_registry()
    text = """system = "sagesrc"
[settings]
base_url = "http://127.0.0.1:9"
login = "connecteur"
password = { env = "SRC_PASSWORD" }
max_archive_files = 50
"""
    connection = parse_connection(text, registry, name="src.toml",
                                  environ={"SRC_PASSWORD": "s3cret-pass"})
    assert connection.secret_names == {"password"}
    assert "s3cret-pass" not in repr(connection)
    client = connection.client()
    assert isinstance(client, SrcClient) and client.limits == ArchiveLimits(max_files=50)
    client.close()
    with pytest.raises(UsageError, match=r"src.toml:5: password is a secret"):
        parse_connection(text.replace('{ env = "SRC_PASSWORD" }', '"clear"'), registry,
                         name="src.toml", environ={})


def test_passeur_sandbox_sagesrc_serves_the_seeded_entries(monkeypatch) -> None:
    seen = []

    def fake_serve_forever(app, host, port, on_ready):
        with serve_in_thread(app, host, port) as server:
            on_ready(server.base_url)
            seen.append(app)

    monkeypatch.setattr(sandbox_cmd, "serve_forever", fake_serve_forever)
    result = CliRunner().invoke(cli, ["sandbox", "sagesrc", "--invoices", "12", "--password",
                                      "pw", "--fail-rate", "0.1", "--today", "2026-01-31",
                                      "--json"], obj=State(load_registry()))
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["options"]["invoices"] == "12" and "password" not in printed["options"]
    [app] = seen
    assert len(app.state.entries) == 12 and app.state.password == "pw"
    assert app.state.entries["FA000012"].issue_date.isoformat() == "2026-01-26"
    refused = CliRunner().invoke(cli, ["sandbox", "sagesrc", "--seed", "3"],
                                 obj=State(load_registry()))
    assert refused.exit_code != 0 and "does not apply to the sagesrc sandbox" in refused.output
