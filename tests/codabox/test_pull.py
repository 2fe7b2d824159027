"""`passeur pull` reads CodaBox feeds and ClearFacts administrations and journals through
connection files, as a user does, from the sandboxes over loopback."""

from __future__ import annotations

import json

from click.testing import CliRunner

import passeur.cli.pull_cmd  # noqa: F401 (registers `pull`)
from passeur import load_registry
from passeur.cli.app import State, cli
from passeur_clearfacts.sandbox import create_app as clearfacts_app
from passeur_codabox.sandbox import create_app as codabox_app

VENDOR = "0b0b0b0b-1111-4222-8333-444455556666"
TOKEN = "0123456789" * 8


def _pull(tmp_path, connection: str, doctype: str, env: dict[str, str], *extra: str):
    path = tmp_path / "conn.toml"
    path.write_text(connection, encoding="utf-8")
    out = tmp_path / f"{doctype}.ndjson"
    result = CliRunner().invoke(cli, ["pull", str(path), doctype, "-o", str(out), *extra],
                                obj=State(load_registry()), env=env)
    lines = out.read_text("utf-8").splitlines() if out.exists() else []
    return result, [json.loads(line) for line in lines]


def test_pull_codabox_feed_entries_without_acknowledging(serve, tmp_path) -> None:
    app = codabox_app(software_company=VENDOR, offices=1)
    server = serve(app)
    connection = (f'system = "codabox"\n[settings]\nbase_url = "{server.base_url}/v2"\n'
                  'software_company = { env = "VENDOR" }\nusername = "pod66"\n'
                  'password = { env = "PASSWORD" }\n')
    env = {"VENDOR": VENDOR, "PASSWORD": "sandbox-66"}
    result, entries = _pull(tmp_path, connection, "feed_entry", env)
    assert result.exit_code == 0, result.output
    feeds = app.state.offices[0].feeds
    assert [e["feed_index"] for e in entries] == [
        e.feed_index for f in feeds for e in f.entries]
    assert {e["feed_id"] for e in entries} == {f.id for f in feeds}
    assert all(f.offset == 0 for f in feeds)  # reading acknowledges nothing
    result, clients = _pull(tmp_path, connection, "feed_client", env)
    assert [c["id"] for c in clients] == [f.id for f in feeds]
    refused, _ = _pull(tmp_path, connection, "feed_entry", env, "--since", "2025-01-01")
    assert refused.exit_code != 0 and "leave out --since" in refused.output


def test_pull_clearfacts_administrations_and_journals(serve, tmp_path) -> None:
    app = clearfacts_app(token=TOKEN, administrations="0233960733=A,0417497106=B")
    server = serve(app)
    connection = (f'system = "clearfacts"\n[settings]\nbase_url = "{server.base_url}"\n'
                  'token = { env = "CF_TOKEN" }\n')
    result, administrations = _pull(tmp_path, connection, "administration",
                                    {"CF_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert [a["companyNumber"] for a in administrations] == ["0233960733", "0417497106"]
    result, journals = _pull(tmp_path, connection, "journal", {"CF_TOKEN": TOKEN})
    assert [(j["companyNumber"], j["id"]) for j in journals][:5] == [
        ("0233960733", "AAN"), ("0233960733", "AAN-NC"), ("0233960733", "VER"),
        ("0233960733", "VER-NC"), ("0417497106", "AAN")]
    refused, _ = _pull(tmp_path, connection, "document", {"CF_TOKEN": TOKEN})
    assert refused.exit_code != 0
