"""`passeur demo`, the quick start's main job: real conversions of the embedded sample."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal


def run_demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "passeur", "demo", *args], capture_output=True,
                          text=True, env={**os.environ, "COLUMNS": "120"})


def test_demo_converts_acomba_to_vosfactures_and_back() -> None:
    result = run_demo("--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout, parse_float=Decimal)
    invoice = data["vosfactures"]["invoice"]
    assert invoice["number"] == "10044"
    assert invoice["kind"] == "vat"
    priced = [p for p in invoice["positions"] if p.get("kind") != "text_separator"]
    assert [p["code"] for p in priced] == ["CAThermo", "SCIE-10", "LAME-40"]
    assert sum(Decimal(p["total_price_net"]) for p in priced) == Decimal("1039.06")
    assert sum(Decimal(p["total_price_gross"]) for p in priced) == Decimal("1194.66")
    again = data["acomba_again"]["Facture"]
    assert again["NoFacture"] == "10044"
    assert [ln["strNoProduit"] for ln in again["LigneFacture"]] == [
        ln["strNoProduit"] for ln in data["input"]["LigneFacture"]]
    assert [ln.get("PrixFinal") for ln in again["LigneFacture"]] == [
        ln.get("PrixFinal") for ln in data["input"]["LigneFacture"]]
    codes = [i["code"] for i in data["steps"]["acomba -> vosfactures"]["issues"]]
    assert codes == ["target.tax_count"] * 3  # two taxes per line, said out loud


def test_demo_shows_reported_and_recomputed_totals() -> None:
    result = run_demo()
    assert result.returncode == 0, result.stderr
    assert "recomputed from the lines" in result.stdout
    gross = next(line for line in result.stdout.splitlines() if "│ gross" in line)
    assert gross.count("1194.66") == 2
