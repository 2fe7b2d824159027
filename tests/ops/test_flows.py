"""The sync-flow extension point: a plugin's flow is chosen by `flow = "NAME"`, its own keys
are checked like the others, it is dispatched to by `passeur sync`, its records are in the
ledger and decide the exit code; a second flow of the same name is refused."""

from __future__ import annotations

import json
import types
from pathlib import Path

import pytest
from click.testing import CliRunner
from ops.ops_helpers import SIDES, tally_file

from passeur.cli.app import cli
from passeur.engine.sync import load_sync_file
from passeur.errors import UsageError
from passeur.plugins import load_registry
from passeur.state import open_store
from passeur.sync import SyncFlow


def invoke(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_sync_dispatches_to_the_flow_and_every_item_is_in_the_ledger(tmp_path: Path) -> None:
    sync = tally_file(tmp_path, ["a:one", "a:!two", "b:~three"])
    result = invoke("sync", str(sync), "--json")
    assert result.exit_code == 1  # one record failed
    report = json.loads(result.output)
    assert report["status"] == "finished" and report["ok"] is False
    got = [(r["source_id"], r["outcome"], r["target_id"], r["message"])
           for r in report["records"]]
    assert got == [("a:one", "created", "a-one", None),
                   ("a:!two", "failed", None, "two was refused"),
                   ("b:~three", "skipped", None, "waits for --replay")]
    with open_store(tmp_path / "state.db") as store:
        [run] = store.runs()
        assert run.summary["created"] == 1 and run.summary["failed"] == 1
        assert run.summary["skipped"] == 1
        assert [e.source_id for e in store.ledger(run.run_id)] == ["a:one", "a:!two",
                                                                   "b:~three"]
        assert run.sync == str(sync.resolve())


def test_exit_0_when_every_record_succeeded_and_replay_reaches_the_flow(
        tmp_path: Path) -> None:
    sync = tally_file(tmp_path, ["a:one", "b:~three"])
    first = invoke("sync", str(sync), "--json")
    assert first.exit_code == 1  # skipped is not a success
    again = invoke("sync", str(sync), "--replay", "--json")
    assert again.exit_code == 0
    assert [r["outcome"] for r in json.loads(again.output)["records"]] == ["created",
                                                                          "created"]


def test_the_documents_flow_refuses_replay(tmp_path: Path) -> None:
    (tmp_path / "vf.toml").write_text(
        'system = "vosfactures"\n[settings]\nbase_url = "http://127.0.0.1:9"\n'
        'api_token = { env = "OPS_T" }\n', encoding="utf-8")
    (tmp_path / "acomba.toml").write_text(
        'system = "acomba"\n[settings]\nbase_url = "http://127.0.0.1:9"\ncompany_id = "1"\n'
        'licence = { env = "OPS_L" }\nsecret = { env = "OPS_S" }\n', encoding="utf-8")
    sync = tmp_path / "docs.toml"
    sync.write_text('[source]\nconnection = "acomba.toml"\n[target]\nconnection = "vf.toml"\n',
                    encoding="utf-8")
    env = {"OPS_T": "tok", "OPS_L": "lic", "OPS_S": "sec"}
    result = CliRunner(env=env).invoke(cli, ["sync", str(sync), "--replay"])
    assert result.exit_code == 2
    assert result.output.strip().endswith(
        f"{sync.resolve()}: --replay means nothing to flow 'documents' (it reads what "
        "changed since its cursor on every run: --full reads everything again, --since "
        "DATE from a date)")


def test_plan_says_when_a_flow_has_no_plan(tmp_path: Path) -> None:
    sync = tally_file(tmp_path, ["a:one"])
    result = CliRunner().invoke(cli, ["plan", str(sync)])
    assert result.exit_code == 2
    assert (f"{sync.resolve()}: flow 'tally' cannot say what it would do without doing it "
            "(it has no plan); `passeur sync` runs it") in result.output
    assert not (tmp_path / "state.db").exists()


def load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    # the built-in flow and the test plugin's only, whatever else is installed
    return load_sync_file(path, load_registry(environ={"PASSEUR_PLUGINS": "example"}))


def test_the_default_flow_is_documents(tmp_path: Path) -> None:
    spec = load(tmp_path, 'flow = "tally"\n' + SIDES + '[tally]\nitems = ["x:y"]\npause = 2\n')
    assert (spec.flow, spec.options) == ("tally", {"items": ("x:y",), "pause": 2.0,
                                                   "poll": None})
    assert spec.source.name == "example" and spec.target.name == "other"


def test_a_flow_keeps_its_state_where_a_documents_sync_would(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """`store =` a file or a postgresql:// URL (never with its password), else PASSEUR_STORE,
    else passeur-state.db beside the file: the same rule for every flow."""
    body = 'flow = "tally"\n' + SIDES + '[tally]\nitems = ["x:y"]\n'
    assert load(tmp_path, body).store == tmp_path / "passeur-state.db"
    server = "postgresql://sync@db.office.example/passeur"
    assert load(tmp_path, f'store = "{server}"\n' + body).store == server
    monkeypatch.setenv("PASSEUR_STORE", server)
    assert load(tmp_path, body).store == server
    assert load(tmp_path, 'store = "own.db"\n' + body).store == tmp_path / "own.db"
    with pytest.raises(UsageError, match=r"s.toml:1: the store URL holds a password in clear"):
        load(tmp_path, 'store = "postgresql://sync:pw@db/passeur"\n' + body)


@pytest.mark.parametrize(("text", "message"), [
    ('flow = "taly"\n' + SIDES,
     "s.toml:1: unknown flow 'taly'; did you mean 'tally'? (installed flows: {flows})"),
    ('name = "x"\nflow = 3\n' + SIDES,
     "s.toml:2: unknown flow '3' (installed flows: {flows})"),
    ('flow = "tally"\ndoctypes = ["invoice"]\n' + SIDES,
     "s.toml:2: unknown key 'doctypes' (a sync file of flow 'tally' has: name, store, flow, "
     "source, target, schedule, tally)"),
    ('flow = "tally"\ntaly = 1\n' + SIDES,
     "s.toml:2: unknown key 'taly'; did you mean 'tally'? (a sync file of flow 'tally' has: "
     "name, store, flow, source, target, schedule, tally)"),
    ('flow = "tally"\n' + SIDES + '[tally]\nitem = ["a:b"]\n',
     "s.toml:8: unknown key 'item' in [tally]; did you mean 'items'? ([tally] has: items, "
     "pause, poll)"),
    ('flow = "tally"\n' + SIDES + '[tally]\nitems = ["a:b"]\npause = "soon"\n',
     "s.toml:9: pause must be a number of seconds, got 'soon'"),
    ('flow = "tally"\n' + SIDES.replace('"example"\nname', '"exampel"\nname'),
     "unknown system 'exampel'"),
    ('flow = "tally"\n' + SIDES.replace('name = "other"\n', ''),
     "source and target are both named 'example'"),
    ('flow = "tally"\n[schedule]\nevry = "1h"\n' + SIDES,
     "s.toml:3: unknown key 'evry' in [schedule]; did you mean 'every'? ([schedule] has: "
     "every, cron)"),
])
def test_a_flow_file_is_checked_at_its_lines(tmp_path: Path, text: str, message: str) -> None:
    # load() reads with the test plugin alone: the built-in flow and its tally
    message = message.replace("{flows}", "documents, tally")
    with pytest.raises(UsageError) as caught:
        load(tmp_path, text)
    assert message in str(caught.value)
    if message.startswith("s.toml"):
        assert str(caught.value) == f"{tmp_path / 's.toml'}:{message.removeprefix('s.toml:')}"


async def _noop(*args: object, **kwargs: object) -> object:
    raise AssertionError("not run")


def _plugin(override: bool) -> types.ModuleType:
    module = types.ModuleType("passeur_dupflow")

    def passeur_register_sync_flows(register: object) -> None:
        register(SyncFlow(name="tally", run=_noop, title="another tally"),  # type: ignore[operator]
                 override=override)

    module.passeur_register_sync_flows = passeur_register_sync_flows  # type: ignore[attr-defined]
    return module


def test_a_second_flow_of_one_name_is_refused_with_both_origins() -> None:
    registry = load_registry(plugins=[("dupflow", _plugin(False))])
    assert registry.sync_flows["tally"].title == "items counted into the ledger (a test flow)"
    [record] = [p for p in registry.plugins if p.name == "dupflow"]
    assert record.refused == (
        "sync flow 'tally' is provided by both passeur-example (example) and dupflow; the "
        "one of passeur-example (example) is kept (register it with override=True to "
        "replace it)",)
    assert registry.flows_of("example") == ["tally"] and registry.flows_of("dupflow") == []


def test_override_replaces_a_flow_and_says_so() -> None:
    registry = load_registry(plugins=[("dupflow", _plugin(True))])
    assert registry.sync_flows["tally"].title == "another tally"
    [record] = [p for p in registry.plugins if p.name == "dupflow"]
    assert record.overrides == ("sync flow 'tally' of passeur-example (example) replaced by "
                                "dupflow (override=True)",)


def test_a_flow_may_not_claim_a_common_key() -> None:
    with pytest.raises(ValueError, match="declares keys every sync file has: source"):
        SyncFlow(name="x", run=_noop, keys=("source", "files"))


def test_plugins_lists_the_flows() -> None:
    result = invoke("plugins", "--json")
    records = {r["name"]: r for r in json.loads(result.output)}
    assert records["passeur.engine.sync.flows"]["flows"] == ["documents"]
    assert records["example"]["flows"] == ["tally"]
    table = CliRunner(env={"COLUMNS": "250"}).invoke(cli, ["plugins"]).output
    assert "flows" in table and "tally" in table and "documents" in table
