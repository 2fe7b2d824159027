"""Golden files: each case's input converted by `passeur convert` to every system.

tests/fixtures/golden/<case>/case.json names the source system (and, for the real corpus,
the input file in ../shared/testdata, read in place). The expected outputs sit next to it:
canonical.json, vosfactures.json, acomba.json. Regenerate after a deliberate change with
PASSEUR_REGEN_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import passeur.cli.convert_cmd  # noqa: F401 - registers the command
from passeur.cli.app import cli

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "fixtures" / "golden"
TARGETS = {"passeur": "canonical.json", "vosfactures": "vosfactures.json",
           "acomba": "acomba.json"}
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "case.json").exists())


def _input(case: Path) -> Path:
    spec = json.loads((case / "case.json").read_text())
    return ROOT / spec["input"] if "input" in spec else case / "input.json"


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("name", CASES)
def test_golden(name: str, target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # inputs named relative to the checkout, as a user types them
    case = GOLDEN / name
    source = json.loads((case / "case.json").read_text())["from"]
    expected_file = case / TARGETS[target]
    result = CliRunner().invoke(cli, ["convert", os.path.relpath(_input(case), ROOT),
                                      "--from", source,
                                      "--to", target, "--on-issue", "ignore"])
    if os.environ.get("PASSEUR_REGEN_GOLDEN"):
        if result.exit_code == 0:
            expected_file.write_text(result.stdout, encoding="utf-8")
        elif expected_file.exists():
            expected_file.unlink()
    if not expected_file.exists():
        assert result.exit_code != 0, f"{name} -> {target} converts but has no golden file"
        return
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected_file.read_text(encoding="utf-8")
