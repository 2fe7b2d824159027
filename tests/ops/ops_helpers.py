"""Helpers of the operations tests (flows, status, watch, serve): sync files of the test
plugin's `tally` flow (tests/plugins/example_plugin), and `passeur` run as a user runs it."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
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


class Watcher:
    """`passeur watch SYNC ARGS` in its own process; its output read line by line.

    A thread reads stdout into a queue: waiting on the pipe itself (select) missed a line
    that arrived in the same chunk as the one before it, already in the reader's buffer."""

    def __init__(self, sync: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "passeur", "watch", str(sync), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"})
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line)
        self._queue.put("")  # the end of the output

    def line(self, timeout: float = 60) -> str:
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            self.process.kill()
            raise AssertionError(f"no line from passeur watch; so far {self.lines}") from None
        self.lines.append(line)
        return line

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=60)
        self._reader.join(timeout=30)
        rest = []
        while not self._queue.empty():
            rest.append(self._queue.get_nowait())
        assert self.process.stderr is not None and self.process.stdout is not None
        err = self.process.stderr.read()
        self.process.stdout.close()
        self.process.stderr.close()
        return code, "".join(rest) + err
