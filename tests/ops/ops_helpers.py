"""Helpers of the operations tests (flows, status, watch, serve): sync files of the test
plugin's `tally` flow (tests/plugins/example_plugin), and `passeur` run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

SIDES = '[source]\nsystem = "example"\n[target]\nsystem = "example"\nname = "other"\n'


def tally_file(folder: Path, items: list[str], *, extra: str = "", pause: float = 0,
               poll: float | None = None, name: str = "sync.toml") -> Path:
    """A sync file of the tally flow with its store beside it."""
    lines = [f"items = {json.dumps(items)}"]
    if pause:
        lines.append(f"pause = {pause}")
    if poll is not None:
        lines.append(f"poll = {poll}")
    path = folder / name
    path.write_text('flow = "tally"\nstore = "state.db"\n' + extra + SIDES + "[tally]\n"
                    + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def passeur(*args: str, cwd: Path | None = None, timeout: float = 120,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "passeur", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=timeout, env=full)


def as_json(done: subprocess.CompletedProcess[str]) -> Any:
    assert done.stdout, done.stderr
    return json.loads(done.stdout)
