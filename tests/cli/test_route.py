"""`passeur route` names every file a conversion goes through, the extended route included,
by the path a consultant edits."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from passeur.cli import _load_commands
from passeur.cli.app import cli

REPO = Path(__file__).resolve().parents[2]


def test_pair_mapping_route_lists_the_files_it_extends() -> None:
    _load_commands()
    result = CliRunner().invoke(cli, ["route", "acomba", "vosfactures", "--json"])
    assert result.exit_code == 0, result.output
    [step] = json.loads(result.output)["steps"]
    assert (Path(step["file"]).name, step["direction"], step["extends"]) == (
        "acomba-vosfactures-invoice.map", "forward", True)
    assert [(Path(r["file"]).name, r["direction"]) for r in step["route"]] == [
        ("erpconnector-invoice.map", "forward"), ("vosfactures-invoice.map", "backward")]
    # in a source checkout the shipped files are shown where they are edited
    assert Path(step["file"]).parent == REPO / "mappings" / "erpconnector"


def test_route_through_the_hub_when_no_pair_mapping_exists() -> None:
    _load_commands()
    result = CliRunner().invoke(cli, ["route", "quickbooks", "vosfactures"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("erpconnector.invoice -> passeur.invoice -> vosfactures.invoice  "
                        "(via passeur)")
    assert [line.split("/")[-1] for line in lines[1:]] == [
        "erpconnector-invoice.map (forward)", "vosfactures-invoice.map (backward)"]


def test_a_system_to_the_hub_is_its_own_mapping() -> None:
    _load_commands()
    result = CliRunner().invoke(cli, ["route", "vosfactures", "passeur", "--doctype", "client"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "vosfactures.client -> passeur.party  (direct)",
        f"  1. {REPO / 'mappings' / 'vosfactures' / 'vosfactures-client.map'} (forward)"]
