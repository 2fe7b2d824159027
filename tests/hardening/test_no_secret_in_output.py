"""Every command that talks to a live system, with tracing on, against a server that echoes
everything it is sent: no secret in any output, log or trace (issue 12, item 5)."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import passeur.cli.pull_cmd
import passeur.cli.push_cmd  # noqa: F401 - register the commands
from passeur import load_registry
from passeur.cli.app import State, cli
from passeur.http import reset_budgets
from passeur.sandbox import serve_in_thread

TOKEN = "Tok/en+Secret 0042"
PASSWORD = "Pass:word+0042"
LICENCE, SECRET = "LIC-secret-0042", "ERP/secret+0042"
SECRETS = (TOKEN, PASSWORD, LICENCE, SECRET)


def _forms() -> list[str]:
    found = []
    for secret in SECRETS:
        found += [secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]]
    for user, password in (("compta@acme.example", PASSWORD), (LICENCE, SECRET)):
        encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
        found += [encoded, encoded[:16]]
    return found


async def _echo(request: Request) -> JSONResponse:
    body = (await request.body()).decode("utf-8", "replace")
    dump = {"method": request.method, "url": str(request.url),
            "headers": dict(request.headers), "body": body}
    text = json.dumps(dump)
    status = 422 if request.method in ("POST", "PUT", "PATCH") else 500
    return JSONResponse({"code": "error", "message": {"echo": [text]}, "ResultType": "Error",
                         "ResultMessage": text, "ResultPayload": {"Errors": {"x": [text]}},
                         "echo": dump}, status_code=status, headers={"X-Echo": text[:500]})


@pytest.fixture
def echo_server():
    reset_budgets()
    app = Starlette(routes=[Route("/{path:path}", _echo,
                                  methods=["GET", "POST", "PUT", "PATCH", "DELETE"])])
    server = serve_in_thread(app)
    yield server
    server.stop()


CONNECTIONS = {
    "vosfactures-token": ('system = "vosfactures"\n[settings]\nbase_url = "{url}"\n'
                          'api_token = {{ env = "P_TOKEN" }}\n'),
    "vosfactures-basic": ('system = "vosfactures"\n[settings]\nbase_url = "{url}"\n'
                          'login = "compta@acme.example"\npassword = {{ env = "P_PASSWORD" }}\n'),
    "acomba": ('system = "acomba"\n[settings]\nbase_url = "{url}/api"\ncompany_id = "1"\n'
               'licence = {{ env = "P_LICENCE" }}\nsecret = {{ env = "P_SECRET" }}\n'),
}
HTTP = "[http]\nbase_delay = 0.01\nmax_delay = 0.02\nmax_attempts = 2\nrate_limit = 1000\n"
DOCUMENTS = {"vosfactures": {"kind": "vat", "oid": "E-1", "buyer_name": "X", "positions": [
    {"name": "A", "quantity": 1, "tax": 20, "total_price_gross": "1.00"}]},
             "acomba": {"NoFacture": "F-1", "DateFacture": "2024-04-24",
                        "InfoClientFacturerA": {"NoClient": "C"},
                        "LigneFacture": [{"QteFacture": 1, "strNoProduit": "P"}]}}


@pytest.mark.parametrize("connection", sorted(CONNECTIONS))
@pytest.mark.parametrize("command", ["pull", "push"])
@pytest.mark.parametrize("as_json", [False, True])
def test_no_secret_reaches_any_output(tmp_path: Path, echo_server, connection: str,
                                      command: str, as_json: bool,
                                      caplog: pytest.LogCaptureFixture) -> None:
    conn = tmp_path / "conn.toml"
    conn.write_text(CONNECTIONS[connection].format(url=echo_server.base_url) + HTTP,
                    encoding="utf-8")
    trace = tmp_path / "trace.log"
    output = tmp_path / "out.ndjson"
    args = [command, str(conn), "invoice"]
    if command == "push":
        source = tmp_path / "in.ndjson"
        document = DOCUMENTS["acomba" if connection == "acomba" else "vosfactures"]
        source.write_text(json.dumps(document) + "\n", encoding="utf-8")
        args.append(str(source))
    else:
        args += ["-o", str(output)]
    args += ["--verbose", "--trace", str(trace)] + (["--json"] if as_json else [])
    env = {"P_TOKEN": TOKEN, "P_PASSWORD": PASSWORD, "P_LICENCE": LICENCE, "P_SECRET": SECRET}
    with caplog.at_level(logging.DEBUG):  # and anyone's logging turned all the way up
        result = CliRunner().invoke(cli, args, obj=State(load_registry()), env=env)
    assert result.exit_code in (1, 4), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    traced = trace.read_text(encoding="utf-8")
    assert "->" in traced and "<-" in traced and "echo" in traced  # the trace has the bodies
    assert "->" in result.stderr  # --verbose printed the requests
    everything = "\n".join([result.stdout, result.stderr, traced, caplog.text,
                            output.read_text() if output.exists() else ""])
    leaked = [form for form in _forms() if form in everything]
    assert leaked == []


def test_trace_file_that_cannot_be_written_is_an_output_error(tmp_path: Path) -> None:
    conn = tmp_path / "conn.toml"
    conn.write_text(CONNECTIONS["vosfactures-token"].format(url="http://127.0.0.1:9"),
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["pull", str(conn), "invoice", "--trace",
                                      str(tmp_path / "no" / "t.log")],
                                obj=State(load_registry()), env={"P_TOKEN": TOKEN})
    assert result.exit_code == 5
    assert "cannot write the trace" in result.stderr


def test_help_documents_the_tracing_options() -> None:
    for command in ("pull", "push"):
        result = CliRunner().invoke(cli, [command, "--help"])
        assert "--verbose" in result.stdout and "--trace FILE" in result.stdout
