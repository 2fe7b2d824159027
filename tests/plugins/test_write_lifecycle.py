"""`passeur_before_write` vetoes a record and `passeur_after_write` sees every outcome, during
a real `passeur push` into the VosFactures sandbox over loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from passeur import Issue, Level, load_registry
from passeur.cli import _load_commands
from passeur.cli.app import State, cli
from passeur.http import reset_budgets
from passeur.sandbox import serve_in_thread

TOKEN = "lifecycle-token"


class Auditor:
    """A plugin that refuses invoices without an oid and records every outcome."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str, str]] = []

    def passeur_before_write(self, system: str, doctype: str, record: Any) -> list[Issue]:
        if not record.get("oid"):
            return [Issue(Level.ERROR, "our policy: every invoice needs an oid", "audit.oid",
                          "$.oid")]
        return [Issue(Level.WARNING, "looked at it", "audit.seen")]

    def passeur_after_write(self, system: str, doctype: str, record: Any,
                            outcome: Any) -> None:
        self.seen.append((system, doctype, record.get("oid", ""), outcome.outcome))


def test_before_write_vetoes_and_after_write_observes(tmp_path: Path) -> None:
    reset_budgets()
    _load_commands()
    auditor = Auditor()
    registry = load_registry(plugins=[("auditor", auditor)])
    app = registry.system("vosfactures").sandbox_factory(token=TOKEN, today="2025-06-15")
    server = serve_in_thread(app)
    try:
        conn = tmp_path / "acme.toml"
        conn.write_text(f'system = "vosfactures"\n[settings]\nbase_url = "{server.base_url}"\n'
                        'api_token = { env = "ACME_TOKEN" }\n', encoding="utf-8")
        docs = [{"kind": "vat", "oid": "A-1", "buyer_name": "ACME", "positions": [
                    {"name": "A", "quantity": 1, "tax": 20, "total_price_gross": "12.00"}]},
                {"kind": "vat", "buyer_name": "No oid", "positions": [
                    {"name": "B", "quantity": 1, "tax": 20, "total_price_gross": "6.00"}]}]
        src = tmp_path / "in.json"
        src.write_text(json.dumps(docs), encoding="utf-8")
        result = CliRunner().invoke(cli, ["push", str(conn), "invoice", str(src), "--json",
                                          "--concurrency", "1"],
                                    obj=State(registry), env={"ACME_TOKEN": TOKEN})
    finally:
        server.stop()
    assert result.exit_code == 1, result.stderr
    report = json.loads(result.stdout)
    assert (report["created"], report["failed"]) == (1, 1)
    assert report["documents"][1]["reason"] == (
        "refused before writing: error [audit.oid]: $.oid: our policy: every invoice needs "
        "an oid")
    assert [i["oid"] for i in app.state.invoices] == ["A-1"]  # the vetoed one was never sent
    assert sorted(auditor.seen) == [("vosfactures", "invoice", "", "failed"),
                                    ("vosfactures", "invoice", "A-1", "created")]
