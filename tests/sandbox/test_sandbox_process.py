"""`passeur sandbox` in a real process: prints its URL, serves, stops cleanly on Ctrl+C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import httpx

#: Runs the CLI with the factories wired as the plugins declare them (SystemSpec.sandbox_factory).
SCRIPT = """
import sys, attrs
import passeur.cli.sandbox_cmd
from passeur import load_registry
from passeur.cli.app import State, cli
from passeur_vosfactures.sandbox import create_app as vf
from passeur_erpconnector.sandbox import create_app as erp
registry = load_registry()
for name, factory in (("vosfactures", vf), ("erpconnector", erp)):
    if registry.systems[name].sandbox_factory is None:
        registry.systems[name] = attrs.evolve(registry.systems[name], sandbox_factory=factory)
cli.main(args=sys.argv[1:], prog_name="passeur", obj=State(registry))
"""


def test_serves_until_interrupted():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSEUR_")}
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, "sandbox", "vosfactures", "--token", "T", "--seed", "5",
         "--today", "2025-06-15", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
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
        if process.poll() is None:
            process.kill()
            process.wait()
