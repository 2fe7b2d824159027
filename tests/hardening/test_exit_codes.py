"""Exit codes are the README's, decided in one place (issue 12, item 6)."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

from click.testing import CliRunner

import passeur.cli.push_cmd  # noqa: F401 - registers the command
from passeur import load_registry
from passeur.cli.app import EXIT_CODES, State, cli
from passeur.http import reset_budgets
from passeur.sandbox import serve_in_thread
from passeur_vosfactures.sandbox import create_app

TOKEN = "sandbox-token-0123456789"
REPO = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _connection(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "acme.toml"
    path.write_text(f'system = "vosfactures"\n[settings]\nbase_url = "{url}"\n'
                    'api_token = { env = "ACME_TOKEN" }\n[http]\nbase_delay = 0.01\n'
                    "max_delay = 0.02\nmax_attempts = 2\n", encoding="utf-8")
    return path


def _invoice(n: int) -> dict[str, object]:
    return {"kind": "vat", "oid": f"X-{n}", "buyer_name": "B",
            "positions": [{"name": "A", "quantity": 1, "tax": 20, "total_price_gross": "1.00"}]}


def test_push_exits_4_when_the_system_refuses_every_connection(tmp_path: Path) -> None:
    reset_budgets()
    conn = _connection(tmp_path, f"http://127.0.0.1:{_closed_port()}")
    source = tmp_path / "in.ndjson"
    source.write_text("".join(json.dumps(_invoice(n)) + "\n" for n in range(3)))
    result = CliRunner().invoke(cli, ["push", str(conn), "invoice", str(source), "--json"],
                                obj=State(load_registry()), env={"ACME_TOKEN": TOKEN})
    assert result.exit_code == 4, result.output
    report = json.loads(result.stdout)
    assert report["created"] == 0 and report["failed"] == 3
    assert all("could not connect" in d["reason"] for d in report["documents"])


def test_push_accepts_a_byte_order_mark_like_convert(tmp_path: Path) -> None:
    reset_budgets()
    app = create_app(token=TOKEN, today="2025-06-15")
    server = serve_in_thread(app)
    try:
        conn = _connection(tmp_path, server.base_url)
        source = tmp_path / "in.json"
        source.write_bytes(b"\xef\xbb\xbf" + json.dumps([_invoice(1)]).encode())
        result = CliRunner().invoke(cli, ["push", str(conn), "invoice", str(source)],
                                    obj=State(load_registry()), env={"ACME_TOKEN": TOKEN})
    finally:
        server.stop()
    assert result.exit_code == 0, result.output
    assert [i["oid"] for i in app.state.invoices] == ["X-1"]


def test_readme_and_help_list_the_same_exit_codes() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listed = re.search(r"Exit codes \(the same for every command\):(.*?)\n\n", readme, re.S)
    assert listed is not None
    codes = [int(c) for c in re.findall(r"(?<![\d.])(\d) (?=[a-z])", listed.group(1))]
    assert codes == sorted(EXIT_CODES)
    shown = " ".join(CliRunner().invoke(cli, ["--help"]).stdout.split())
    for code, meaning in EXIT_CODES.items():
        assert f"{code} {meaning}" in shown
