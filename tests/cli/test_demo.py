"""`passeur demo`, the quick start's main job: a real sync between two sandboxes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def run_demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "passeur", "demo", *args], capture_output=True,
                          text=True, env={**os.environ, "COLUMNS": "120"}, timeout=120)


def test_demo_syncs_acomba_into_vosfactures_twice(tmp_path: Path) -> None:
    result = run_demo("--json", "--dir", str(tmp_path / "demo"))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] and data["seeded"] == 7
    assert data["target"] == {"documents": 8, "duplicates": []}
    first = data["first"]["records"]
    invoices = [r for r in first if r["doctype"] == "invoice"]
    assert sorted(r["source_id"] for r in invoices) == [str(n) for n in range(10044, 10051)]
    assert {r["outcome"] for r in first} == {"created"}
    clients = sorted(r["source_id"] for r in first if r["doctype"] == "client")
    assert clients == ["BEAU01", "LAVO03", "TREM02"]
    products = sorted(r["source_id"] for r in first if r["doctype"] == "product")
    assert products == ["CAThermo", "LAME-40", "PERC-18", "SCIE-10", "VIS-100"]
    second = data["second"]
    outcomes = {r["source_id"]: r["outcome"] for r in second["records"]}
    assert outcomes == {"10044": "unchanged", "10045": "updated", "10046": "unchanged",
                        "10047": "updated", "10048": "unchanged", "10049": "unchanged",
                        "10050": "unchanged", "10051": "created"}
    screws = next(r for r in second["records"] if r["source_id"] == "10045")["diff"]
    assert screws[0] == {"path": "positions[2].quantity", "target": "12", "source": "20"}
    kept = sorted(p.name for p in (tmp_path / "demo").iterdir())
    assert {"source.toml", "target.toml", "sync.toml", "state.db"} <= set(kept)
    assert "demo-token" not in (tmp_path / "demo" / "target.toml").read_text("utf-8")


def test_demo_prints_both_ledgers() -> None:
    result = run_demo()
    assert result.returncode == 0, result.stderr
    assert "first run" in result.stdout and "second run" in result.stdout
    assert "\n1 created, 2 updated, 5 unchanged\n" in result.stdout
    assert "ok: the second run created 1 document(s); the target holds 8, each once" in \
        result.stdout
