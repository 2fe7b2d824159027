"""`passeur sandbox` in a real process, as a user runs it (the factory the plugin declares,
found through the installed registry): prints its URL, serves, stops cleanly on Ctrl+C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading

import httpx


def test_serves_until_interrupted():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSEUR_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "passeur", "sandbox", "vosfactures", "--token", "T", "--seed", "5",
         "--today", "2025-06-15", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    # A sandbox that never prints would block readline() forever: kill it after a generous
    # delay (readline then returns "" and the test fails with the process's stderr).
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    try:
        first = ""
        lines = []
        while not first.startswith("}"):
            first = process.stdout.readline()
            assert first, process.stderr.read()
            lines.append(first)
        ready = json.loads("".join(lines))
        assert ready["system"] == "vosfactures"
        assert ready["options"] == {"seed": 5, "today": "2025-06-15"}
        answer = httpx.get(f"{ready['base_url']}/invoices.json",
                           params={"api_token": "T", "period": "all"}, timeout=5)
        assert answer.status_code == 200 and len(answer.json()) == 5
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
