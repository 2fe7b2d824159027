"""Each plugin registers its own mapping folder: disabling a plugin disables its mappings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import passeur.cli.check_cmd
import passeur.cli.route_cmd  # noqa: F401
from passeur import load_registry
from passeur.cli import cli
from passeur.cli.app import State

REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), obj=State())
    return result.exit_code, result.output


def test_each_builtin_registers_its_folder() -> None:
    registry = load_registry()
    assert {d: o for d, o in registry.mapping_dir_plugin.items()
            if o in ("vosfactures", "erpconnector")} == {
        REPO / "mappings" / "vosfactures": "vosfactures",
        REPO / "mappings" / "erpconnector": "erpconnector"}
    records = {r.name: r for r in registry.plugins}
    assert records["vosfactures"].mapping_dirs == (str(REPO / "mappings" / "vosfactures"),)
    assert records["vosfactures"].as_json(registry)["mapping_dirs"] == [
        str(REPO / "mappings" / "vosfactures")]


def test_a_disabled_plugin_takes_its_mappings_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSEUR_DISABLE_PLUGINS", "vosfactures,einvoice,sage100")  # built-ins only
    code, output = run("check", "--json")
    assert code == 0, output
    report = json.loads(output)
    checked = sorted(Path(f["file"]).name for f in report["files"])
    assert checked == ["erpconnector-invoice.map"]
    # the pair mapping lives with ERP Connector but needs VosFactures: inactive, not wrong
    assert [(Path(s["file"]).name, s["system"]) for s in report["skipped"]] == [
        ("acomba-vosfactures-invoice.map", "vosfactures")]
    code, output = run("check")
    assert code == 0, output
    assert "acomba-vosfactures-invoice.map: skipped: system 'vosfactures' is not loaded" in output


def test_without_erpconnector_vosfactures_mappings_still_check(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSEUR_DISABLE_PLUGINS", "erpconnector,einvoice,sage100")  # built-ins only
    code, output = run("check", "--json")
    assert code == 0, output
    report = json.loads(output)
    assert sorted(Path(f["file"]).name for f in report["files"]) == sorted(
        p.name for p in (REPO / "mappings" / "vosfactures").glob("*.map"))
    assert report["skipped"] == []


def test_a_missing_registered_directory_is_the_plugin_error(tmp_path: Path) -> None:
    class Plugin:
        @staticmethod
        def passeur_register_mapping_dirs(register):  # type: ignore[no-untyped-def]
            register(tmp_path / "nowhere")

    registry = load_registry(entry_points=False, plugins=[("mine", Plugin())])
    [record] = [r for r in registry.plugins if r.name == "mine"]
    assert record.error == f"mapping directory {tmp_path / 'nowhere'} does not exist"
    assert registry.mapping_dirs == []
