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


class Served:
    """`passeur serve` in its own process, stopped (SIGTERM) on leaving."""

    def __init__(self, sync: Path, *args: str, cwd: Path | None = None) -> None:
        self.args = [sys.executable, "-m", "passeur", "serve", str(sync), *args]
        self.cwd = cwd
        self.url = ""
        self.env: dict[str, str] = {}

    def __enter__(self) -> Served:
        import selectors

        self.process = subprocess.Popen(self.args, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, cwd=self.cwd,
                                        env={**os.environ, **self.env,
                                             "PYTHONUNBUFFERED": "1"})
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout=60):
                self.process.kill()
                raise AssertionError("passeur serve printed no address within 60 s")
        line = self.process.stdout.readline()
        if "http://" not in line:
            self.process.kill()
            raise AssertionError(f"passeur serve: {line!r} {self.process.stderr.read()!r}"
                                 if self.process.stderr else line)
        self.url = line.split(" at ", 1)[1].split(" ", 1)[0]
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def fetch(url: str) -> Any:
    """A GET on loopback, never through a proxy of the environment."""
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return opener.open(url, timeout=30)


def get_json(url: str) -> Any:
    with fetch(url) as answer:
        return json.loads(answer.read().decode("utf-8"))
