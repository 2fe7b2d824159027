"""`passeur`, `passeur plugins` and `passeur systems` as a user runs them (real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from passeur.testing import installed_distribution


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    full_env.pop("PASSEUR_PLUGINS", None)
    full_env.pop("PASSEUR_DISABLE_PLUGINS", None)
    return subprocess.run([sys.executable, "-m", "passeur", *args], capture_output=True,
                          text=True, env=full_env)


#: every command passeur has; a new one joins this list, and the help must show it
COMMANDS = ["apply", "bindings", "check", "convert", "demo", "explain", "fmt", "plan",
            "plugins", "pull", "push", "route", "runs", "sandbox", "serve", "status", "sync",
            "systems", "validate", "watch", "worker"]


def test_help_lists_every_command_with_exit_codes() -> None:
    import click

    from passeur.cli.app import cli

    assert cli.list_commands(click.Context(cli)) == COMMANDS
    result = run("--help")
    assert result.returncode == 0
    listed = [line.split()[0] for line in result.stdout.split("Commands:", 1)[1].splitlines()
              if line.startswith("  ") and line.strip()]
    assert listed == COMMANDS
    assert "2  usage error" in result.stdout


def test_plugins_json_lists_builtin_systems_without_error() -> None:
    result = run("plugins", "--json")
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    by_system = {s: r for r in records for s in r["systems"]}
    for system in ("passeur", "vosfactures", "erpconnector"):
        record = by_system[system]
        assert {"name", "version", "systems", "error"} <= set(record)
        assert record["error"] is None
    assert by_system["vosfactures"]["version"] == "0.1.0"


def test_plugins_reports_a_misspelled_hook_and_still_works(tmp_path: Path) -> None:
    source = "def passeur_register_sytems(register):\n    pass\n"
    with installed_distribution(tmp_path, "passeur-typo", "1.0", {"passeur_typo": source},
                                {"typo": "passeur_typo"}):
        env = {"PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
        as_json = run("plugins", "--json", env=env)
        table = run("plugins", env=env)
    assert as_json.returncode == 0 and table.returncode == 0
    [typo] = [r for r in json.loads(as_json.stdout) if r["name"] == "typo"]
    assert typo["error"] == ("unknown hook 'passeur_register_sytems'; "
                             "did you mean 'passeur_register_systems'?")
    assert "passeur_register_sytems" in table.stdout
    assert "vosfactures" in table.stdout


def test_systems_json_shows_schemas_and_capabilities() -> None:
    result = run("systems", "erpconnector", "--json")
    assert result.returncode == 0, result.stderr
    system = json.loads(result.stdout)
    assert system["variant_setting"] == "erp"
    invoice = next(d for d in system["document_types"] if d["name"] == "invoice")
    assert invoice["variant_capabilities"]["avantage"]["create"] is False
    assert invoice["variant_capabilities"]["acomba"]["create"] is True
    secrets = {c["name"] for c in system["config"] if c["secret"]}
    assert {"licence", "secret"} <= secrets


def test_unknown_system_is_a_usage_error_with_suggestion() -> None:
    result = run("systems", "vosfactur")
    assert result.returncode == 2
    assert "unknown system 'vosfactur'; did you mean 'vosfactures'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_canonical_system_is_listed() -> None:
    result = run("systems", "--json")
    names = [s["name"] for s in json.loads(result.stdout)]
    assert {"passeur", "vosfactures", "erpconnector"} <= set(names)
    canonical = next(s for s in json.loads(result.stdout) if s["name"] == "passeur")
    doctypes = [d["name"] for d in canonical["document_types"]]
    assert doctypes == ["invoice", "party", "product", "payment", "bank_statement"]
