"""sync, plan, apply (and demo) with --verbose and --trace against sandboxes that echo every
request they receive (URL, headers, body) into their error answers: no secret in any output,
log, trace, saved plan, ledger listing or the SQLite store itself (issue 12, item 5)."""

from __future__ import annotations

import base64
import json
import logging
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from click.testing import CliRunner

import passeur.cli.demo_cmd
import passeur.cli.runs_cmd
import passeur.cli.sync_cmd  # register the commands
from passeur import load_registry
from passeur.cli.app import State, cli
from passeur.http import reset_budgets
from passeur.sandbox import serve_in_thread
from passeur_erpconnector.sandbox import create_app as erp_app
from passeur_vosfactures.sandbox import create_app as vf_app

TOKEN = "Tok/en+Sync 0042"
LICENCE, SECRET = "LIC-sync-0042", "ERP/sync+0042"
ENV = {"P_TOKEN": TOKEN, "P_LICENCE": LICENCE, "P_SECRET": SECRET}


def _forms(secrets: list[str], pairs: list[tuple[str, str]]) -> list[str]:
    found = []
    for secret in secrets:
        found += [secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]]
    for user, password in pairs:
        encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
        found += [encoded, encoded[:16]]
    return found


class Echo:
    """ASGI wrapper around a real sandbox: every write is answered 422 and the first read of
    each path 500 (a retry then gets the sandbox's answer), both with the whole request in
    the body, as a careless server would."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: set[str] = set()
        self.echoed = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message)
            if not message.get("more_body"):
                break
        body = b"".join(m.get("body", b"") for m in chunks).decode("utf-8", "replace")
        method, path = scope["method"], scope["path"]
        first_read = method == "GET" and path not in self.seen
        self.seen.add(path)
        if method != "GET" or first_read:
            self.echoed += 1
            dump = json.dumps({"method": method, "path": path,
                               "query": scope["query_string"].decode("latin-1"),
                               "headers": {k.decode("latin-1"): v.decode("latin-1")
                                           for k, v in scope["headers"]}, "body": body})
            answer = json.dumps({"code": "error", "message": {"echo": [dump]},
                                 "ResultType": "Error", "ResultMessage": dump,
                                 "ResultPayload": {"Errors": {"x": [dump]}}}).encode()
            await send({"type": "http.response.start", "status": 500 if first_read else 422,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": answer})
            return
        replay = iter(chunks)

        async def again() -> Any:
            return next(replay, {"type": "http.disconnect"})

        await self.app(scope, again, send)


HTTP = "[http]\nbase_delay = 0.01\nmax_delay = 0.02\nmax_attempts = 3\nrate_limit = 1000\n"


@pytest.fixture
def world(tmp_path: Path) -> Any:
    reset_budgets()
    erp = Echo(erp_app(licence=LICENCE, secret=SECRET, seed=3, today="2024-06-01"))
    vf = Echo(vf_app(token=TOKEN, today="2024-06-01"))
    servers = [serve_in_thread(erp), serve_in_thread(vf)]
    (tmp_path / "acomba.toml").write_text(
        f'system = "acomba"\n[settings]\nbase_url = "{servers[0].base_url}/api"\n'
        'company_id = "1"\nlicence = { env = "P_LICENCE" }\nsecret = { env = "P_SECRET" }\n'
        + HTTP, encoding="utf-8")
    (tmp_path / "vf.toml").write_text(
        f'system = "vosfactures"\n[settings]\nbase_url = "{servers[1].base_url}"\n'
        'api_token = { env = "P_TOKEN" }\n' + HTTP, encoding="utf-8")
    (tmp_path / "sync.toml").write_text(
        'store = "state.db"\n[source]\nconnection = "acomba.toml"\n[target]\n'
        'connection = "vf.toml"\n[policy]\non_missing_reference = "create"\n',
        encoding="utf-8")
    yield tmp_path, erp, vf
    for server in servers:
        server.stop()


def _run(args: list[str], env: dict[str, str]) -> Any:
    result = CliRunner().invoke(cli, args, obj=State(load_registry()), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def _store_text(folder: Path) -> str:
    """Every byte of the SQLite store (and its journal), as text."""
    return "\n".join(p.read_bytes().decode("latin-1") for p in sorted(folder.glob("state.db*")))


def test_no_secret_in_sync_plan_apply_outputs_traces_or_store(
        world: Any, caplog: pytest.LogCaptureFixture) -> None:
    folder, erp, vf = world
    sync, plan = str(folder / "sync.toml"), str(folder / "plan.json")
    trace = {name: folder / f"{name}.log" for name in ("plan", "apply", "sync", "sync-json")}
    with caplog.at_level(logging.DEBUG):  # and anyone's logging turned all the way up
        results = [
            _run(["plan", sync, "--out", plan, "-v", "--trace", str(trace["plan"])], ENV),
            _run(["apply", plan, "--verbose", "--trace", str(trace["apply"])], ENV),
            _run(["sync", sync, "-v", "--trace", str(trace["sync"])], ENV),
            _run(["sync", sync, "--full", "--json", "-v", "--trace", str(trace["sync-json"])],
                 ENV),
            _run(["status", sync], ENV), _run(["status", sync, "--json"], ENV),
            _run(["runs", "--sync", sync], ENV), _run(["runs", "--sync", sync, "--json"], ENV)]
        runs = json.loads(results[-1].stdout)
        for run in runs if isinstance(runs, list) else runs["runs"]:
            run_id = run["run_id"] if "run_id" in run else run["run"]
            results += [_run(["runs", "show", run_id, "--sync", sync], ENV),
                        _run(["runs", "show", run_id, "--sync", sync, "--json"], ENV),
                        _run(["runs", "show", run_id, "--sync", sync, "--csv"], ENV)]
    served = _served(sync, runs if isinstance(runs, list) else runs["runs"])
    assert "echo" in served  # the page's answers hold the refusals' reasons, masked
    assert json.loads(results[5].stdout)["runs"]["last_error"] is not None
    assert [r.exit_code for r in results[:4]] == [0, 1, 1, 1]  # every write answered 422
    assert erp.echoed and vf.echoed > 1
    traced = {name: path.read_text(encoding="utf-8") for name, path in trace.items()}
    for name, text in traced.items():  # apply reads nothing: it executes the plan
        assert ("-> POST" if name == "apply" else "-> GET") in text, name
        assert "<- body" in text and "echo" in text, name
    assert "-> POST" in traced["sync"]
    assert all("-> " in r.stderr for r in results[:4])  # --verbose printed the requests
    store = _store_text(folder)
    assert "422" in store or "echo" in store  # the ledger holds the refusals' reasons
    everything = "\n".join([*(r.stdout + r.stderr for r in results), *traced.values(),
                            caplog.text, Path(plan).read_text(encoding="utf-8"), store,
                            served])
    leaked = [f for f in _forms([TOKEN, LICENCE, SECRET], [(LICENCE, SECRET)])
              if f in everything]
    assert leaked == []


def _served(sync: str, runs: list[dict[str, Any]]) -> str:
    """What `passeur serve` answers (the page, /api/status, /api/runs of each run), through
    its ASGI app in process."""
    import asyncio

    import httpx

    from passeur.cli.serve_cmd import build_app

    for key, value in ENV.items():  # the connections read their secrets from here
        os.environ[key] = value
    try:
        app, _spec, store = build_app(load_registry(), sync, None)
    finally:
        for key in ENV:
            del os.environ[key]
    async def ask() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://serve") as client:
            answers = [await client.get(path) for path in ("/", "/api/status", "/api/runs")]
            for r in runs:
                answers.append(await client.get("/api/runs",
                                                params={"run": r.get("run") or r["run_id"]}))
            return answers

    try:
        answers = asyncio.run(ask())
    finally:
        store.close()
    assert all(a.status_code == 200 for a in answers)
    return "\n".join(a.text for a in answers)


def test_demo_traces_without_its_secrets(tmp_path: Path) -> None:
    registry = load_registry()
    scenario = sorted(passeur.cli.demo_cmd.scenarios(registry).items())[0][1]
    secrets = [v for k, v in scenario.environment.items()
               if re.search(r"token|secret|licen[cs]e|password", k, re.I) and len(v) >= 6]
    assert secrets
    trace = tmp_path / "demo.log"
    result = _run(["demo", "--dir", str(tmp_path / "d"), "--verbose", "--trace", str(trace)],
                  {})
    assert result.exit_code == 0, result.output
    traced = trace.read_text(encoding="utf-8")
    assert "-> POST" in traced and "<- body" in traced and "-> GET" in result.stderr
    everything = "\n".join([result.stdout, result.stderr, traced,
                            *(p.read_bytes().decode("latin-1")
                              for p in sorted((tmp_path / "d").glob("state.db*")))])
    assert [f for f in _forms(secrets, []) if f in everything] == []


def test_help_of_the_sync_commands_documents_the_tracing_options() -> None:
    for command in ("sync", "plan", "apply", "demo"):
        result = CliRunner().invoke(cli, [command, "--help"])
        assert "--verbose" in result.stdout and "--trace FILE" in result.stdout, command
