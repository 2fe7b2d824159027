"""`passeur status` (terminal and --json) and `passeur serve`'s answers over a real socket:
the runs summary from the store, the flow's tables, the same JSON on both, loopback only
unless asked."""

from __future__ import annotations

import json
import urllib.error
from pathlib import Path

import pytest
from click.testing import CliRunner
from ops.ops_helpers import Served, as_json, fetch, get_json, passeur, tally_file

from passeur.cli.app import cli


def test_status_json_summarises_the_runs_and_gives_the_flows_tables(tmp_path: Path) -> None:
    sync = tally_file(tmp_path, ["a:one", "b:~two"])
    empty = as_json(passeur("status", str(sync), "--json"))
    assert empty["runs"] == {"count": 0, "last": None, "last_success": None,
                             "last_error": None, "outcomes": {}}
    assert empty["watch"] is None
    assert passeur("sync", str(sync)).returncode == 1  # b:~two waits
    assert passeur("sync", str(sync), "--replay").returncode == 0
    status = as_json(passeur("status", str(sync), "--json"))
    assert set(status) == {"passeur_status", "sync", "file", "flow", "generated_at", "runs",
                           "watch", "tables"}
    assert (status["passeur_status"], status["sync"], status["file"], status["flow"]) == (
        1, "sync", str(sync.resolve()), "tally")
    runs = status["runs"]
    assert runs["count"] == 2
    assert runs["last"]["run"] == runs["last_success"]["run"]  # the replay did everything
    assert runs["last_error"]["run"] != runs["last"]["run"]
    assert runs["last_error"]["message"] == "tally b:~two: skipped (waits for --replay)"
    assert runs["outcomes"]["created"] == 3 and runs["outcomes"]["skipped"] == 1
    assert runs["outcomes"]["failed"] == 0
    assert status["tables"] == [
        {"title": "office a", "columns": ["item", "created", "last outcome"],
         "rows": [["one", 2, "created"]]},
        {"title": "office b", "columns": ["item", "created", "last outcome"],
         "rows": [["~two", 1, "created"]]}]


def test_status_on_a_terminal(tmp_path: Path) -> None:
    sync = tally_file(tmp_path, ["a:one", "a:!two"])
    CliRunner().invoke(cli, ["sync", str(sync)])
    result = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["status", str(sync)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"sync sync (flow tally): {sync.resolve()}"
    assert lines[1] == "runs: 1"
    assert lines[3] == "last success: none"
    assert lines[4].endswith(": tally a:!two: failed (two was refused)")
    assert lines[5] == "outcomes over all runs: 1 created, 1 failed"
    assert lines[6] == "watch: not watched (`passeur watch` keeps it polled)"
    assert "office a" in result.output and "!two" in result.output


def test_the_documents_flow_status_is_its_cursors_and_bindings(tmp_path: Path) -> None:
    (tmp_path / "vf.toml").write_text(
        'system = "vosfactures"\n[settings]\nbase_url = "http://127.0.0.1:9"\n'
        'api_token = { env = "OPS_T" }\n', encoding="utf-8")
    (tmp_path / "acomba.toml").write_text(
        'system = "acomba"\n[settings]\nbase_url = "http://127.0.0.1:9"\ncompany_id = "1"\n'
        'licence = { env = "OPS_L" }\nsecret = { env = "OPS_S" }\n', encoding="utf-8")
    sync = tmp_path / "docs.toml"
    sync.write_text('store = "st.db"\ndoctypes = ["invoice"]\n[source]\n'
                    'connection = "acomba.toml"\n[target]\nconnection = "vf.toml"\n',
                    encoding="utf-8")
    from passeur.state import Cursor, Member, open_store

    with open_store(tmp_path / "st.db") as store:
        store.save_cursor(Cursor("acomba", "invoice", "2024-06-01T10:00:00", "10044"))
        store.bind("invoice", Member("acomba", "10044"), Member("vosfactures", "7"))
    env = {"OPS_T": "tok", "OPS_L": "lic", "OPS_S": "sec"}
    result = CliRunner(env=env).invoke(cli, ["status", str(sync), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["tables"] == [
        {"title": "acomba -> vosfactures",
         "columns": ["document type", "cursor at", "last record", "bindings"],
         "rows": [["invoice", "2024-06-01T10:00:00", "10044", 1]]}]


def test_serve_answers_the_same_json_as_status(tmp_path: Path) -> None:
    sync = tally_file(tmp_path, ["a:one", "a:!two"])
    passeur("sync", str(sync))
    with Served(sync) as served:
        assert served.url.startswith("http://127.0.0.1:")
        api = get_json(served.url + "api/status")
        cli_json = as_json(passeur("status", str(sync), "--json"))
        api.pop("generated_at"), cli_json.pop("generated_at")
        assert api == cli_json
        runs = get_json(served.url + "api/runs")
        run_id = cli_json["runs"]["last"]["run"]
        assert runs["ledger"]["run"] == run_id
        assert [r["source_id"] for r in runs["ledger"]["records"]] == ["a:one", "a:!two"]
        assert get_json(served.url + f"api/runs?run={run_id}")["ledger"]["run"] == run_id
        with pytest.raises(urllib.error.HTTPError) as missing:
            fetch(served.url + "api/runs?run=nope")
        assert missing.value.code == 404
        with fetch(served.url) as answer:
            page = answer.read().decode("utf-8")
            policy = answer.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src 'sha256-" in policy
        assert "http://" not in page and "https://" not in page  # no external asset
        assert "a:one" not in page  # the data comes from the API, not the HTML


def test_serve_refuses_a_non_loopback_host_unless_asked(tmp_path: Path) -> None:
    sync = tally_file(tmp_path, ["a:one"])
    refused = passeur("serve", str(sync), "--host", "0.0.0.0")
    assert refused.returncode == 2
    assert ("--host 0.0.0.0 is not a loopback address and the page has no authentication; "
            "add --allow-remote to serve it anyway") in refused.stderr
