"""The README's quick start is what CI runs, and it works where system Python is managed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def readme_quickstart() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_ci_runs_exactly_the_readme_commands() -> None:
    printed = subprocess.run([REPO / ".ci" / "run", "--print"], check=True,
                             capture_output=True, text=True).stdout.splitlines()
    assert printed == readme_quickstart()
    assert len(printed) == 2
    assert printed[0].endswith("pip install . && passeur demo")
    assert printed[1].endswith("pip install nox && nox")


def test_each_command_makes_its_venv_before_pip() -> None:
    # An externally managed Python (stock Debian) refuses `pip install` outside a venv.
    for command in readme_quickstart():
        steps = [s.strip() for s in command.split("&&")]
        assert steps[:2] == ["python3 -m venv .venv", ". .venv/bin/activate"], command
