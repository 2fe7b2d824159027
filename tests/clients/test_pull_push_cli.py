"""`passeur pull` and `passeur push` against the VosFactures sandbox over loopback."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from clients.client_helpers import TOKEN

import passeur.cli.pull_cmd
import passeur.cli.push_cmd
from passeur import load_registry
from passeur.cli.app import State, cli
from passeur_vosfactures.sandbox import create_app

TODAY = "2025-06-15"


@pytest.fixture
def state() -> State:
    """The real registry, with the client factories the plugins declare."""
    return State(load_registry())


def _connection(tmp_path: Path, base_url: str, extra: str = "") -> Path:
    path = tmp_path / "acme.toml"
    path.write_text(f'system = "vosfactures"\n[settings]\nbase_url = "{base_url}"\n'
                    f'api_token = {{ env = "ACME_TOKEN" }}\n[http]\nbase_delay = 0.01\n'
                    f'max_delay = 0.05\n{extra}', encoding="utf-8")
    return path


def _run(state: State, *args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(cli, list(args), obj=state, env={"ACME_TOKEN": TOKEN})
    return result.exit_code, result.stdout, result.stderr


def test_pull_writes_every_invoice_as_ndjson(serve, state, tmp_path) -> None:
    app = create_app(token=TOKEN, today=TODAY, seed=130)
    server = serve(app)
    conn = _connection(tmp_path, server.base_url)
    out = tmp_path / "invoices.ndjson"
    code, stdout, stderr = _run(state, "pull", str(conn), "invoice", "-o", str(out), "--json")
    assert code == 0, stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(app.state.invoices) == 130
    first = json.loads(lines[0], parse_float=Decimal)
    assert isinstance(first["price_gross"], Decimal) and first["positions"]
    summary = json.loads(stdout)
    assert summary["count"] == 130 and summary["doctype"] == "invoice"
    code, _, _ = _run(state, "pull", str(conn), "invoice", "--since", "2025-06-01", "-o",
                      str(out))
    recent = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert code == 0
    assert all(i["issue_date"] >= "2025-06-01" for i in recent)
    assert len(recent) == sum(1 for i in app.state.invoices if i["issue_date"] >= "2025-06-01")


def test_push_reports_each_outcome(serve, state, tmp_path) -> None:
    app = create_app(token=TOKEN, today=TODAY)
    server = serve(app)
    conn = _connection(tmp_path, server.base_url)
    docs = [{"kind": "vat", "oid": f"P-{n}", "buyer_name": f"Client {n}",
             "positions": [{"name": "A", "quantity": 1, "tax": 20,
                            "total_price_gross": "12.00"}]} for n in range(5)]
    src = tmp_path / "in.ndjson"
    src.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    code, stdout, stderr = _run(state, "push", str(conn), "invoice", str(src), "--json",
                                "--concurrency", "3")
    assert code == 0, stderr
    report = json.loads(stdout)
    assert (report["created"], report["failed"], report["uncertain"]) == (5, 0, 0)
    assert [d["key"] for d in report["documents"]] == [f"oid=P-{n}" for n in range(5)]
    # the same oid again (in convert's wrapped form), and a document the API refuses
    again = [{"invoice": {**docs[0]}}, {"kind": "nonsense", "positions": []}]
    src.write_text("".join(json.dumps(d) + "\n" for d in again), encoding="utf-8")
    code, stdout, stderr = _run(state, "push", str(conn), "invoice", str(src), "--json")
    assert code == 1, stderr
    report = json.loads(stdout)
    assert (report["created"], report["failed"], report["uncertain"]) == (0, 2, 0)
    assert report["documents"][0]["key"] == "oid=P-0"
    assert "oid" in report["documents"][0]["reason"]
    assert "kind" in report["documents"][1]["reason"]
    assert sorted(i["oid"] for i in app.state.invoices) == [f"P-{n}" for n in range(5)]


def test_push_of_a_lost_response_looks_it_up_instead_of_resending(serve, state,
                                                                   tmp_path) -> None:
    """The answer is lost (the write was applied): push looks the invoice up by its oid
    before anything else, finds it and reports it created, once."""
    app = create_app(token=TOKEN, today=TODAY, lost_response_rate=1.0, lost_response_hold=5.0)
    server = serve(app)
    conn = _connection(tmp_path, server.base_url, "timeout = 0.5\n")
    src = tmp_path / "in.json"
    src.write_text(json.dumps([{"kind": "vat", "oid": "L-1", "buyer_name": "X",
                                "positions": [{"name": "A", "quantity": 1, "tax": 20,
                                               "total_price_gross": "1.00"}]}]),
                   encoding="utf-8")
    code, stdout, _ = _run(state, "push", str(conn), "invoice", str(src), "--json")
    assert code == 0
    report = json.loads(stdout)
    assert (report["created"], report["failed"], report["uncertain"]) == (1, 0, 0)
    assert [i["oid"] for i in app.state.invoices] == ["L-1"]
    stored = app.state.invoices.get(report["documents"][0]["id"])
    assert stored is not None and stored["oid"] == "L-1"
    writes = app.stats.requests - 1  # one POST, then lookups (GET) only
    assert app.stats.lost == 1 and writes >= 1


def test_push_of_an_answer_that_stores_nothing_is_never_created(serve, state,
                                                                tmp_path) -> None:
    """A 204 without a body does not say what was stored: never counted as created."""
    import attrs

    app = create_app(token=TOKEN, today=TODAY)
    server = serve(app)
    inner = app.middleware.app

    async def empty_writes(scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST":
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await inner(scope, receive, send)

    app.middleware.app = empty_writes
    app.middleware.config = attrs.evolve(app.middleware.config)
    conn = _connection(tmp_path, server.base_url)
    src = tmp_path / "in.json"
    src.write_text(json.dumps([{"kind": "vat", "oid": f"E-{n}", "buyer_name": "X",
                                "positions": [{"name": "A", "quantity": 1, "tax": 20,
                                               "total_price_gross": "1.00"}]}
                               for n in range(2)]), encoding="utf-8")
    code, stdout, _ = _run(state, "push", str(conn), "invoice", str(src), "--json")
    assert code == 1
    report = json.loads(stdout)
    assert report["created"] == 0
    assert all(d["id"] is None for d in report["documents"])
    assert "not found in vosfactures" in report["documents"][0]["reason"]


def test_push_refuses_unreadable_input_before_any_call(serve, state, tmp_path) -> None:
    app = create_app(token=TOKEN, today=TODAY)
    server = serve(app)
    conn = _connection(tmp_path, server.base_url)
    src = tmp_path / "bad.ndjson"
    src.write_text('{"kind": "vat"}\n{"kind": \n', encoding="utf-8")
    code, _, stderr = _run(state, "push", str(conn), "invoice", str(src))
    assert code == 3
    assert "nothing was pushed" in stderr
    assert "bad.ndjson: document 2: line 2, column 10: malformed JSON: expecting value" in stderr
    assert app.stats.requests == 0


def test_wrong_token_is_a_remote_error(serve, state, tmp_path) -> None:
    server = serve(create_app(token="another-token", today=TODAY))
    conn = _connection(tmp_path, server.base_url)
    code, _, stderr = _run(state, "pull", str(conn), "invoice")
    assert code == 4
    assert "HTTP 401" in stderr and TOKEN not in stderr


def test_help_teaches_with_examples(state) -> None:
    for command in ("pull", "push"):
        code, stdout, _ = _run(state, command, "--help")
        assert code == 0 and "Examples:" in stdout and "passeur " + command in stdout


def _erp_state() -> State:
    return State(load_registry())


def _erp_connection(tmp_path: Path, base_url: str, system: str) -> Path:
    path = tmp_path / f"{system}.toml"
    path.write_text(f'system = "{system}"\n[settings]\nbase_url = "{base_url}/api"\n'
                    'company_id = "1"\nlicence = { env = "LIC" }\nsecret = { env = "SEC" }\n',
                    encoding="utf-8")
    return path


def test_push_and_pull_through_an_acomba_connection(serve, tmp_path) -> None:
    from passeur_erpconnector.sandbox import create_app as erp_app

    app = erp_app(licence="L-1", secret="S-1", company_id="1", erp="acomba")
    server = serve(app)
    conn = _erp_connection(tmp_path, server.base_url, "acomba")
    doc = {"NoFacture": "F-1", "DateFacture": "2024-04-24",
           "InfoClientFacturerA": {"NoClient": "0Comptoir"},
           "LigneFacture": [{"QteFacture": 4, "strNoProduit": "CAThermo"}]}
    src = tmp_path / "in.json"
    src.write_text(json.dumps([doc, {"Facture": {**doc, "NoFacture": "F-2"}}, doc]),
                   encoding="utf-8")
    runner = CliRunner()
    env = {"LIC": "L-1", "SEC": "S-1"}
    result = runner.invoke(cli, ["push", str(conn), "invoice", str(src), "--json",
                                "--concurrency", "1"],
                           obj=_erp_state(), env=env)
    report = json.loads(result.stdout)
    assert [d["outcome"] for d in report["documents"]] == ["created", "created", "failed"]
    assert [d["id"] for d in report["documents"][:2]] == ["F-1", "F-2"]
    assert report["documents"][2]["error"] == "Conflict"  # If-None-Match: *
    assert result.exit_code == 1
    out = tmp_path / "out.ndjson"
    result = runner.invoke(cli, ["pull", str(conn), "invoice", "-o", str(out)],
                           obj=_erp_state(), env=env)
    assert result.exit_code == 0, result.stderr
    pulled = [json.loads(x, parse_float=Decimal) for x in out.read_text().splitlines()]
    assert sorted(p["NoFacture"] for p in pulled) == ["F-1", "F-2"]


def test_avantage_push_is_refused_before_any_call(serve, tmp_path) -> None:
    from passeur_erpconnector.sandbox import create_app as erp_app

    app = erp_app(licence="L-1", secret="S-1", company_id="1", erp="avantage")
    server = serve(app)
    conn = _erp_connection(tmp_path, server.base_url, "avantage")
    src = tmp_path / "in.json"
    src.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(cli, ["push", str(conn), "invoice", str(src)],
                                obj=_erp_state(), env={"LIC": "L-1", "SEC": "S-1"})
    assert result.exit_code == 2
    assert "avantage cannot create invoice documents (it allows: list, get)" in result.stderr
    assert app.stats.requests == 0


def test_push_with_a_wrong_token_stops_with_exit_4(serve, state, tmp_path) -> None:
    app = create_app(token="another-token", today=TODAY)
    server = serve(app)
    conn = _connection(tmp_path, server.base_url)
    src = tmp_path / "in.ndjson"
    src.write_text("".join(json.dumps({"kind": "vat", "oid": f"A-{n}"}) + "\n"
                           for n in range(20)), encoding="utf-8")
    code, _, stderr = _run(state, "push", str(conn), "invoice", str(src), "--concurrency", "2")
    assert code == 4
    assert "refused the credentials (401)" in stderr and TOKEN not in stderr
    assert app.stats.requests < 20  # the run stopped instead of failing 20 times the same way


def test_progress_bars_on_a_terminal(serve, state, tmp_path, monkeypatch) -> None:
    import io

    from rich.console import Console

    fake = Console(file=io.StringIO(), force_terminal=True, width=500)
    monkeypatch.setattr(passeur.cli.pull_cmd, "err_console", fake)
    monkeypatch.setattr(passeur.cli.push_cmd, "err_console", fake)
    app = create_app(token=TOKEN, today=TODAY, seed=30)
    server = serve(app)
    conn = _connection(tmp_path, server.base_url)
    out = tmp_path / "out.ndjson"
    code, _, _ = _run(state, "pull", str(conn), "invoice", "-o", str(out))
    assert code == 0
    assert len(out.read_text().splitlines()) == 30
    docs = [json.loads(x) for x in out.read_text().splitlines()]
    for d in docs:  # copies of what was pulled: the account numbers them anew
        d["oid"] = f"copy-{d.pop('id')}"
        del d["number"]
    src = tmp_path / "in.ndjson"
    src.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    code, stdout, _ = _run(state, "push", str(conn), "invoice", str(src))
    assert "30 created, 0 failed, 0 uncertain" in stdout, stdout
    assert code == 0
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", fake.file.getvalue())
    assert "pulling invoice" in shown and "30/30" in shown  # the spinner, then the bar
    assert f"pulled 30 invoice document(s) to {out}" in shown
