"""A sync file is checked before any read, and each refusal says file:line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from passeur.engine.sync import load_sync_file
from passeur.errors import UsageError
from passeur.plugins import load_registry

ENV = {"T": "tok", "L": "lic", "S": "sec"}
VF = ('system = "vosfactures"\n[settings]\nbase_url = "http://127.0.0.1:9"\n'
      'api_token = { env = "T" }\n')
ERP = ('system = "acomba"\n[settings]\nbase_url = "http://127.0.0.1:9"\ncompany_id = "1"\n'
       'licence = { env = "L" }\nsecret = { env = "S" }\n')


def load(tmp_path: Path, text: str):
    (tmp_path / "vf.toml").write_text(VF, encoding="utf-8")
    (tmp_path / "acomba.toml").write_text(ERP, encoding="utf-8")
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return load_sync_file(path, load_registry(), environ=ENV)


BASE = '[source]\nconnection = "acomba.toml"\n[target]\nconnection = "vf.toml"\n'


def test_a_complete_file(tmp_path: Path) -> None:
    spec = load(tmp_path, 'name = "acme"\nstore = "st.db"\n' + BASE + (
        '[match]\nclient = ["external_id", "vat", "email"]\n[policy]\n'
        'on_missing_reference = "defer"\non_issue = "error"\n[read]\nlook_back = "15m"\n'
        'since = "2024-01-01"\nconcurrency = 4\n[schedule]\nevery = "1h"\n'))
    assert (spec.name, spec.store.name, spec.doctypes) == ("acme", "st.db", ("invoice",))
    assert (spec.source.name, spec.target.name) == ("acomba", "vosfactures")
    assert spec.match["client"] == ("external_id", "vat", "email")
    assert spec.match["product"] == ("code", "name")
    assert spec.policy["on_missing_reference"] == "defer"
    assert (spec.look_back, spec.concurrency, spec.schedule) == (900.0, 4, "1h")


@pytest.mark.parametrize(("text", "message"), [
    ('doctype = ["invoice"]\n' + BASE,
     r"s.toml:1: unknown key 'doctype'; did you mean 'doctypes'\?"),
    (BASE.replace("vf.toml", "nowhere.toml"),
     r"s.toml:4: connection file nowhere.toml not found"),
    (BASE + '[policy]\non_conflict = "overwrite"\n',
     r"s.toml:6: on_conflict must be one of report, skip, credit_and_reissue, got "
     r"'overwrite'"),
    (BASE + '[match]\nclient = ["vat", "siret"]\n',
     r"s.toml:6: unknown match field 'siret'; did you mean 'siren'\?"),
    (BASE + '[mapping]\nfile = "mine.map"\n',
     r"s.toml:6: mapping file mine.map not found"),
    (BASE + '[read]\nlook_back = "soon"\n',
     r"s.toml:6: expected a duration such as 90"),
    ('[source]\nsystem = "acomba"\n[source.settings]\ncompany_id = "1"\nlicence = "ABC"\n'
     'secret = { env = "S" }\n[target]\nconnection = "vf.toml"\n',
     r's.toml:5: licence is a secret and must not be written in the file in clear; write '
     r'licence = \{ env = "ERPCONNECTOR_LICENCE" \}'),
    ('[source]\nconnection = "vf.toml"\n[target]\nconnection = "vf.toml"\n',
     r"source and target are both named 'vosfactures'"),
    ('[source]\nconnection = "vf.toml"\n[target]\nconnection = "acomba.toml"\n'
     'doctypes = ["client"]\n', r"unknown key 'doctypes' in \[target\]"),
])
def test_refusals(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        load(tmp_path, text)


def test_a_mapping_that_does_not_compile_is_refused_before_any_read(tmp_path: Path) -> None:
    from passeur.engine.sync import open_context
    from passeur.errors import PasseurError
    from passeur.state import open_store

    (tmp_path / "mine.map").write_text("mapping acomba.invoice <-> vosfactures.invoice\n"
                                       "NoFactur <-> number\n", encoding="utf-8")
    spec = load(tmp_path, BASE + '[mapping]\nfile = "mine.map"\n')
    with open_store(tmp_path / "st.db") as store, pytest.raises(PasseurError,
                                                                 match="NoFactur"):
        open_context(spec, load_registry(), store)


def test_the_store_is_a_file_beside_the_sync_file_or_a_server_url(tmp_path: Path) -> None:
    assert load(tmp_path, BASE).store == tmp_path / "passeur-state.db"
    spec = load(tmp_path, 'store = "postgresql://sync@db.office.example/passeur"\n' + BASE)
    assert spec.store == "postgresql://sync@db.office.example/passeur"


def test_passeur_store_is_the_default_of_files_that_name_none(tmp_path: Path) -> None:
    (tmp_path / "vf.toml").write_text(VF, encoding="utf-8")
    (tmp_path / "acomba.toml").write_text(ERP, encoding="utf-8")
    server = "postgresql://sync@db.office.example/passeur"
    bare = tmp_path / "bare.toml"
    bare.write_text(BASE, encoding="utf-8")
    own = tmp_path / "own.toml"
    own.write_text('store = "mine.db"\n' + BASE, encoding="utf-8")
    environ = {**ENV, "PASSEUR_STORE": server}
    assert load_sync_file(bare, load_registry(), environ=environ).store == server
    assert load_sync_file(own, load_registry(), environ=environ).store == tmp_path / "mine.db"


def test_a_store_url_with_a_password_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"s.toml:2: the store URL holds a password in clear; "
                       r"remove it from the file and give it as PGPASSWORD \(or in "
                       r"~/.pgpass\), or put the whole URL in the environment as "
                       r"PASSEUR_STORE") as caught:
        load(tmp_path, 'name = "x"\nstore = "postgresql://sync:hunter2@db/passeur"\n' + BASE)
    assert "hunter2" not in str(caught.value)


def test_runs_and_bindings_read_the_store_without_the_connection_secrets(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`passeur runs --sync demo/sync.toml`, the demo's own next step, in a shell where the
    demo's secrets are gone: the store is all `runs` and `bindings` read."""
    from click.testing import CliRunner

    from passeur.cli import _load_commands
    from passeur.cli.app import State, cli
    from passeur.state import open_store

    monkeypatch.delenv("PASSEUR_STORE", raising=False)
    monkeypatch.delenv("PASSEUR_T_TOKEN", raising=False)
    (tmp_path / "target.toml").write_text('system = "vosfactures"\n[settings]\nbase_url = '
                                          '"http://127.0.0.1:9"\napi_token = { env = '
                                          '"PASSEUR_T_TOKEN" }\n', encoding="utf-8")
    (tmp_path / "source.toml").write_text('system = "vosfactures"\n[settings]\n'
                                          'base_url = "http://127.0.0.1:9"\napi_token = '
                                          '{ env = "PASSEUR_T_TOKEN" }\n', encoding="utf-8")
    sync = tmp_path / "sync.toml"
    sync.write_text('store = "state.db"\n[source]\nconnection = "source.toml"\nname = "a"\n'
                    '[target]\nconnection = "target.toml"\n', encoding="utf-8")
    open_store(tmp_path / "state.db").close()
    _load_commands()
    runner = CliRunner()
    for args in (["runs", "--sync", str(sync), "--json"],
                 ["bindings", "list", "--sync", str(sync), "--json"]):
        result = runner.invoke(cli, args, obj=State(load_registry()))
        assert (result.exit_code, result.output.strip()) == (0, "[]"), result.output


def test_distributed_is_a_setting_the_command_line_overrides(tmp_path: Path) -> None:
    from passeur.engine.sync.syncfile import runs_distributed

    plain = load(tmp_path, BASE)
    assert (plain.distributed, plain.distributed_at) == (False, None)
    queued = load(tmp_path, 'name = "x"\ndistributed = true\n' + BASE)
    assert (queued.distributed, queued.distributed_at) == (True, f"{tmp_path / 's.toml'}:2")
    stated_off = load(tmp_path, "distributed = false\n" + BASE)
    assert (stated_off.distributed, stated_off.distributed_at) == (
        False, f"{tmp_path / 's.toml'}:1")
    # None: no --distributed nor --inline on the command line, the file decides
    assert [runs_distributed(spec, flag) for spec in (plain, queued, stated_off)
            for flag in (None, True, False)] == [False, True, False, True, True, False,
                                                 False, True, False]


@pytest.mark.parametrize("value", ['"yes"', "1", '"true"', "[true]"])
def test_a_distributed_setting_that_is_not_a_boolean_is_refused_at_its_line(
        tmp_path: Path, value: str) -> None:
    shown = {'"yes"': "'yes'", "1": "1", '"true"': "'true'", "[true]": "[True]"}[value]
    with pytest.raises(UsageError) as caught:
        load(tmp_path, f'name = "x"\ndistributed = {value}\n' + BASE)
    assert str(caught.value) == (
        f"{tmp_path / 's.toml'}:2: distributed must be true (enqueue each run for `passeur "
        "worker`) or false (run it in the process that starts it), got " + shown)


def test_a_flow_that_runs_inline_only_refuses_the_distributed_setting(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        load(tmp_path, 'flow = "src-documents"\ndistributed = false\n' + BASE)
    assert str(caught.value) == (
        f"{tmp_path / 's.toml'}:2: flow 'src-documents' runs inline only (distributed runs "
        "are of the documents flow, docs/scale.md); remove `distributed`")
