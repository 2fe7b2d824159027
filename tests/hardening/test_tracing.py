"""`--trace FILE` keeps writing when a library reconfigures logging mid-command (uvicorn's
dictConfig closes every handler when `passeur demo` starts its sandboxes)."""

from __future__ import annotations

import logging
import logging.config
from pathlib import Path

import pytest
from click.testing import CliRunner

import passeur.cli.pull_cmd
import passeur.cli.sync_cmd  # noqa: F401 - register the commands
from passeur import load_registry
from passeur.cli.app import State, cli
from passeur.cli.tracing import tracing


def test_the_trace_survives_a_logging_reconfiguration(tmp_path: Path) -> None:
    trace = tmp_path / "t.log"
    log = logging.getLogger("passeur.http")
    with tracing(False, str(trace)):
        log.info("-> GET before")
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
        log.info("-> GET after api_token=abcdef123")
    lines = trace.read_text(encoding="utf-8").splitlines()
    assert [line.split(" ", 3)[-1] for line in lines] == ["-> GET before",
                                                          "-> GET after api_token=***"]
    log.info("-> GET outside")  # the trace ended with the block
    assert len(trace.read_text(encoding="utf-8").splitlines()) == 2


@pytest.mark.parametrize("command", ["sync", "plan", "pull"])
def test_a_trace_onto_the_commands_own_file_is_refused_and_the_file_kept(
        tmp_path: Path, command: str) -> None:
    source = tmp_path / "same.toml"
    text = 'system = "vosfactures"\n[settings]\nbase_url = "http://127.0.0.1:9"\n'
    source.write_text(text, encoding="utf-8")
    args = [command, str(source)] + (["invoice"] if command == "pull" else [])
    result = CliRunner().invoke(cli, [*args, "--trace", str(source)],
                                obj=State(load_registry()))
    assert result.exit_code == 2, result.output
    assert "is the input" in result.stderr
    assert source.read_text(encoding="utf-8") == text


def test_a_plan_saved_over_its_sync_file_is_refused(tmp_path: Path) -> None:
    sync = tmp_path / "s.toml"
    sync.write_text('[source]\nconnection = "a.toml"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["plan", str(sync), "--out", str(sync)],
                                obj=State(load_registry()))
    assert result.exit_code == 2, result.output
    assert sync.read_text(encoding="utf-8") == '[source]\nconnection = "a.toml"\n'
