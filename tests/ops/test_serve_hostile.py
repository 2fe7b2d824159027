"""`passeur serve` against hostile HTTP over a real socket: another Host (DNS rebinding),
unknown paths and methods, traversal, huge and malformed query strings, many requests at
once; and a store that cannot be read while it serves. Never a 500, never a traceback,
the security headers on every answer."""

from __future__ import annotations

import asyncio
import json
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from ops.ops_helpers import Served, passeur, tally_file

from passeur.plugins import load_registry
from passeur.web.app import host_name


def _ask(url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """One raw HTTP/1.1 exchange (the request as bytes, so nothing normalises it)."""
    host, port = url.split("//", 1)[1].rstrip("/").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split(" ")[1]), headers, body


def _get(target: str, host: str = "127.0.0.1", method: str = "GET") -> bytes:
    return (f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
            ).encode("latin-1")


def test_host_names_loopback_only_the_rest_is_a_clear_400() -> None:
    assert [host_name(h) for h in ("127.0.0.1:8080", "[::1]:80", "LOCALHOST", "::1",
                                   "evil.example:80", "[::1")] == [
        "127.0.0.1", "::1", "localhost", "::1", "evil.example", "[::1"]


def test_serve_refuses_what_a_hostile_client_sends(tmp_path: Path) -> None:
    sync = tally_file(tmp_path, ["a:one"])
    assert passeur("sync", str(sync)).returncode == 0
    with Served(sync) as served:
        url = served.url
        port = url.rstrip("/").rsplit(":", 1)[1]
        for host in ("127.0.0.1", f"127.0.0.1:{port}", f"localhost:{port}", "LocalHost"):
            code, headers, body = _ask(url, _get("/api/status", host))
            assert code == 200, (host, body)
            assert json.loads(body)["flow"] == "tally"
        # a page that rebound its own name to 127.0.0.1 names itself in Host
        for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example", ""):
            code, headers, body = _ask(url, _get("/api/status", host))
            assert code == 400, host
            assert json.loads(body) == {"error": (
                "this page answers only on a loopback address (Host 127.0.0.1 or "
                "localhost); its Host header names another")}
            assert b"passeur_status" not in body and b"tally" not in body
        cases = [("/nope", "GET", 404), ("/api/status", "DELETE", 405),
                 ("/api/runs", "POST", 405), ("/../../etc/passwd", "GET", 404),
                 ("/%2e%2e/%2e%2e/etc/passwd", "GET", 404), ("/api/runs/", "GET", 404),
                 ("/api/runs?run=" + "A" * 60000, "GET", 404),
                 ("/api/runs?run=%ff%fe%00&run=2", "GET", 404),
                 ("/api/runs?%%%%=&&&run", "GET", 200), ("*", "OPTIONS", 404)]
        for target, method, expected in cases:
            code, headers, body = _ask(url, _get(target, method=method))
            assert code == expected, (target, method, code, body[:200])
            assert headers["content-type"] in ("application/json",
                                               "application/json; charset=utf-8"), target
            assert "default-src 'none'" in headers["content-security-policy"], target
            assert headers["x-content-type-options"] == "nosniff"
            assert "location" not in headers  # no redirect echoing the Host
            assert b"Traceback" not in body
        code, headers, body = _ask(url, _get("/"))
        assert code == 200 and headers["content-type"] == "text/html; charset=utf-8"
        assert "script-src 'sha256-" in headers["content-security-policy"]

        def status(_: int) -> int:
            return _ask(url, _get("/api/status"))[0]

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(status, range(40))) == {200}
        assert served.process.poll() is None


def test_a_store_that_cannot_be_read_is_a_503_with_its_reason(tmp_path: Path) -> None:
    from passeur.cli.serve_cmd import build_app

    sync = tally_file(tmp_path, ["a:one"])
    assert passeur("sync", str(sync)).returncode == 0
    app, _spec, store = build_app(load_registry(), str(sync), None)

    async def ask() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://127.0.0.1") as client:
            store._db.execute("DROP TABLE ledger")  # the store broken under the server
            return [await client.get(p) for p in ("/api/status", "/api/runs")]

    try:
        answers = asyncio.run(ask())
    finally:
        store.close()
    for answer in answers:
        assert answer.status_code == 503
        assert answer.json() == {"error": "the store cannot be read now (OperationalError: "
                                          "no such table: ledger)"}
        assert "default-src 'none'" in answer.headers["content-security-policy"]


def test_status_of_a_store_not_made_yet_creates_nothing(tmp_path: Path) -> None:
    sync = tally_file(tmp_path, ["a:one"])
    for args in ((), ("--store", str(tmp_path / "typo" / "deep" / "st.db"))):
        done = passeur("status", str(sync), "--json", *args)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["runs"] == {"count": 0, "last": None,
                                                   "last_success": None, "last_error": None,
                                                   "outcomes": {}}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sync.toml"]  # no store, no folder


def test_allow_remote_answers_only_its_served_names_421_otherwise(tmp_path: Path) -> None:
    """--allow-remote on the wildcard address (asked over loopback only): a Host naming
    none of the served names (a rebinding page's own) is a 421 with a clear body."""
    sync = tally_file(tmp_path, ["a:one"])
    assert passeur("sync", str(sync)).returncode == 0
    with Served(sync, "--host", "0.0.0.0", "--allow-remote",
                "--name", "status.office.example") as served:
        port = served.url.rstrip("/").rsplit(":", 1)[1]
        url = f"http://127.0.0.1:{port}/"
        for host in ("127.0.0.1", f"localhost:{port}", "status.office.example",
                     f"STATUS.office.example:{port}", socket.gethostname()):
            code, _, body = _ask(url, _get("/api/status", host))
            assert code == 200, (host, body)
            assert json.loads(body)["flow"] == "tally"
        for host in ("evil.example", f"evil.example:{port}", "office.example", ""):
            code, headers, body = _ask(url, _get("/api/status", host))
            assert code == 421, host
            assert json.loads(body) == {"error": (
                "this page answers only to the names it is served under (--host, --name); "
                "its Host header names another")}
            assert b"tally" not in body
            assert "default-src 'none'" in headers["content-security-policy"]


def test_served_names() -> None:
    from passeur.cli.serve_cmd import served_names

    assert served_names("127.0.0.1") == {"127.0.0.1", "localhost", "::1"}
    assert served_names("::1") == {"127.0.0.1", "localhost", "::1"}
    assert served_names("192.0.2.7", ["Status.Example"]) == {"192.0.2.7", "status.example"}
    assert {"127.0.0.1", "localhost", socket.gethostname().lower()} <= served_names("0.0.0.0")
