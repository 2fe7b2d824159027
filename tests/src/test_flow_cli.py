"""`passeur sync` / `passeur plan` of a src-documents sync file, as a consultant runs them:
real subprocesses against both sandboxes on loopback, one of them killed with SIGKILL in the
middle of a batch and run again; the sync file's own keys refused at file:line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from passeur import UsageError, load_registry
from passeur.cli.app import State, cli
from passeur.engine.sync import load_sync_file
from passeur_src.client import SrcClient
from passeur_src.sandbox import create_app as src_app
from passeur_vosfactures.client import VosFacturesClient
from passeur_vosfactures.sandbox import create_app as vf_app

SYNC = """\
# vf-to-src.toml
flow = "src-documents"
store = "state.db"

[source]
system = "vosfactures"
[source.settings]
base_url = "{vf}"
api_token = {{ env = "VF_TOKEN" }}

[target]
system = "sagesrc"
[target.settings]
base_url = "{src}"
login = "connecteur"
password = {{ env = "SRC_PASSWORD" }}
max_archive_files = 4
[target.http]
timeout = {timeout}
max_attempts = 2

[documents]
rule = 'concat("F-", substring(id, 5)) -> number'

[exclude]
credit_notes = true
"""
ENV = {"VF_TOKEN": "sandbox-token", "SRC_PASSWORD": "sandbox-src"}


def _world(serve, tmp_path: Path, timeout: float = 30.0, **src_options):
    src, vf = src_app(invoices=30, customers=5, **src_options), vf_app()
    src_server, vf_server = serve(src), serve(vf)
    for entry in src.state.entries.values():
        vf.state.create_invoice({"number": f"F-{entry.id[4:]}", "buyer_name": entry.id,
                                 "positions": [{"name": "P", "tax": 20, "quantity": 1,
                                                "total_price_gross": "10.00"}]})
    sync = tmp_path / "vf-to-src.toml"
    sync.write_text(SYNC.format(vf=vf_server.base_url, src=src_server.base_url,
                                timeout=timeout), encoding="utf-8")
    return src, vf, sync, src_server, vf_server


def _passeur(*args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSEUR_")} | ENV
    return subprocess.Popen([sys.executable, "-m", "passeur", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _same_pdfs(src_server, vf_server, src, vf, idents) -> None:
    """Each entry's document, read through the debtor's portal page, is byte for byte the
    PDF VosFactures serves for its invoice."""
    with SrcClient(src_server.base_url, login="connecteur", password="sandbox-src") as portal, \
            VosFacturesClient(vf_server.base_url, api_token="sandbox-token") as source:
        ids = {r["number"]: r["id"] for r in source.iter_invoices()}
        for ident in idents:
            entry = src.state.entries[ident]
            listed = {d["invoiceId"] for d in portal.portal(entry.customer_code)}
            assert ident in listed
            assert portal.portal_document(entry.customer_code, ident) == \
                source.invoice_pdf(ids[f"F-{ident[4:]}"])


def test_a_run_killed_mid_batch_is_finished_by_the_next_one_exactly_once(serve, tmp_path):
    # the third archive is stored and its answer held: the process is killed while waiting
    src, vf, sync, src_server, vf_server = _world(serve, tmp_path, lose_uploads="3",
                                                  lost_response_hold=120.0)
    missing = [e.id for e in src.state.entries.values()
               if e.may_have_documents and e.document is None and e.id.startswith("FA")]
    assert len(missing) == 18  # 20 missing, less the credit notes AV000010 and AV000030
    process = _passeur("sync", str(sync), "--json")
    try:
        deadline = time.monotonic() + 60
        while src.state.archives < 3 and process.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        assert src.state.archives == 3, process.stderr.read() if process.stderr else ""
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
    assert len(src.state.uploads) == 12  # three archives of four stored
    status = _passeur("status", str(sync), "--json")
    out, err = status.communicate(timeout=60)
    assert status.returncode == 0, err
    assert json.loads(out)["tables"] == [{
        "title": "vosfactures -> sagesrc (invoice PDFs)",
        "columns": ["entries sent a document", "uploads to reconcile"],
        "rows": [[8, 4]]}]  # two archives confirmed, the held one's four intents open
    src.inner.lose_uploads.clear()
    rerun = _passeur("sync", str(sync), "--json")
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    records = json.loads(out)["records"]
    outcomes = {r["target_id"]: (r["outcome"], r["reason"]) for r in records}
    held = [u.invoice_id for u in src.state.uploads if u.archive == 3]
    assert {i: outcomes[i] for i in held} == dict.fromkeys(held, ("created", "reconciled"))
    for ident in missing:
        assert src.state.sent(ident) == 1, ident
    _same_pdfs(src_server, vf_server, src, vf, missing)
    # the second run's ledger names every entry the killed one left: the 4 of the held
    # archive (reconciled, not sent again) and the 6 never sent
    assert sorted(r["target_id"] for r in records if r["target_id"] in missing) == \
        sorted(missing[8:])
    assert {outcomes[i] for i in missing[12:]} == {("created", "sent")}
    again = _passeur("sync", str(sync), "--json")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert json.loads(out)["records"] == []
    assert len(src.state.uploads) == len(missing)


def test_plan_of_the_sync_file_makes_no_write_call(serve, tmp_path):
    src, _, sync, _, _ = _world(serve, tmp_path)
    result = CliRunner(env=ENV).invoke(cli, ["plan", str(sync), "--json"], obj=State())
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["counts"]["create"] == 18 and plan["counts"]["update"] == 2
    excluded = {i["target_id"]: i["diff"] for i in plan["items"] if i["reason"] == "exclude"}
    flag = [{"path": "mayHaveDocuments", "target": True, "source": False}]
    assert excluded == {"AV000010": flag, "AV000030": flag}
    assert src.inner.upload_calls == 0 and src.state.uploads == []
    assert all(e.may_have_documents for e in src.state.entries.values()
               if e.id in ("AV000010", "AV000030"))
    from passeur.state import open_store

    with open_store(tmp_path / "state.db") as store:
        assert store.runs() == [] and list(store.bindings()) == []


@pytest.mark.parametrize(("line", "replace", "message"), [
    (24, "rule = 'concat(\"F-\", substring(id, 5)) -> number'\nrules = 1",
     "unknown key 'rules' in [documents]; did you mean 'rule'?"),
    (27, "credit_notes = true\namount_below = 50.5",
     'amount_below must be an amount in quotes such as "50.00"'),
    (23, "rule = 'concat(\"F-\", substring(idx, 5)) -> number'", "the rule does not check"),
])
def test_the_flow_keys_are_checked_at_their_line(tmp_path, line, replace, message):
    text = SYNC.format(vf="http://127.0.0.1:9", src="http://127.0.0.1:9", timeout=5)
    first = replace.split("\n")[0].split(" = ")[0]
    old = next(row for row in text.splitlines() if row.startswith(first + " ="))
    sync = tmp_path / "s.toml"
    sync.write_text(text.replace(old, replace), encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        load_sync_file(sync, load_registry(), environ=ENV)
    assert str(caught.value).startswith(f"{sync}:{line}: ")
    assert message in str(caught.value)


def test_the_example_of_docs_sync_md_is_a_sync_file_that_checks(tmp_path):
    docs = Path(__file__).resolve().parents[2] / "docs" / "sync.md"
    text = docs.read_text(encoding="utf-8")
    start = text.index("```toml\n# vf-to-src.toml")
    block = text[start + len("```toml\n"):text.index("```", start + 8)]
    (tmp_path / "vf-to-src.toml").write_text(block, encoding="utf-8")
    (tmp_path / "src.toml").write_text(
        'system = "sagesrc"\n[settings]\nbase_url = "https://src.example"\n'
        'login = "connecteur"\npassword = { env = "SRC_PASSWORD" }\n', encoding="utf-8")
    spec = load_sync_file(tmp_path / "vf-to-src.toml", load_registry(),
                          environ={"ACME_VOSFACTURES_TOKEN": "t", "SRC_PASSWORD": "p"})
    assert spec.flow == "src-documents" and spec.target.connection.system.name == "sagesrc"
    options = spec.options
    assert options.source_number({"id": "FA000123"}) == "F-0123"
    assert options.exclusions.reason({"id": "AV000010", "amount": "-20.00"}).startswith(
        "a credit note (amount -20.00): credit_notes")
    assert options.exclusions.reason({"id": "FA1", "amount": "14.99"}).startswith(
        "amount 14.99 under 15.00")
    assert options.exclusions.reason({"id": "FA2", "amount": "15.00",
                                      "customerCode": "CLI900"}).startswith("customer CLI900")
    assert options.exclusions.reason({"id": "FA3", "amount": "15.00",
                                      "customerCode": "CLI001"}) is None


def test_pdfs_from_a_folder_connection(serve, tmp_path):
    """[source] a connection with a [folder]: the PDF of number N is N.pdf there."""
    from passeur.sandbox import tiny_pdf

    src = src_app(invoices=4, customers=1, with_documents=0, excluded=0)
    server = serve(src)
    (tmp_path / "pdfs").mkdir()
    for n in (1, 2, 4):
        (tmp_path / "pdfs" / f"F-000{n}.pdf").write_bytes(tiny_pdf([f"Facture {n}"]))
    (tmp_path / "pdfs.toml").write_text('system = "vosfactures"\n[folder]\npath = "pdfs"\n',
                                        encoding="utf-8")
    text = SYNC.format(vf="", src=server.base_url, timeout=5)
    start, end = text.index("[source]"), text.index("[target]")
    sync = tmp_path / "folder.toml"
    sync.write_text(text[:start] + '[source]\nconnection = "pdfs.toml"\n\n' + text[end:],
                    encoding="utf-8")
    result = CliRunner(env=ENV).invoke(cli, ["sync", str(sync), "--json"], obj=State())
    assert result.exit_code == 1, result.output  # FA000003 has no PDF in the folder
    records = {r["target_id"]: (r["outcome"], r["reason"])
               for r in json.loads(result.output)["records"]}
    assert records == {"FA000001": ("created", "sent"), "FA000002": ("created", "sent"),
                       "FA000003": ("deferred", "not_in_source"),
                       "FA000004": ("created", "sent")}
    with SrcClient(server.base_url, login="connecteur", password="sandbox-src") as portal:
        for n in (1, 2, 4):
            assert portal.portal_document("CLI001", f"FA00000{n}") == \
                (tmp_path / "pdfs" / f"F-000{n}.pdf").read_bytes()
