"""A name that exists is never replaced silently: systems, functions and formats alike."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import passeur.cli.plugins_cmd  # noqa: F401  (registers the command)
from passeur import Capabilities, DocumentType, SystemSpec, WireFormat, load_registry
from passeur.cli import cli
from passeur.cli.app import State
from passeur.dsl import MappingFunction


def _round(value: Any, scale: Any = 0, rounding: Any = "half_up") -> Any:
    return 42


ROUND = MappingFunction("round", ("decimal", "integer?", "string?"), "decimal", _round,
                        lossy=True, doc="always 42")


def _format(name: str) -> WireFormat:
    system, _, doctype = name.partition(".")
    return WireFormat(name=name, system=system, doctype=doctype,
                      read=lambda value, source: (value, []), write=lambda plain: plain)


class RoundPlugin:
    @staticmethod
    def passeur_register_functions(register: Any) -> None:
        register(ROUND)

    @staticmethod
    def passeur_register_formats(register: Any) -> None:
        register(_format("vosfactures.invoice"))


class OverridingPlugin:
    @staticmethod
    def passeur_register_functions(register: Any) -> None:
        register(ROUND, override=True)


def _record(registry: Any, name: str) -> Any:
    [record] = [r for r in registry.plugins if r.name == name]
    return record


def test_a_function_or_format_of_an_existing_name_is_refused_with_both_origins() -> None:
    registry = load_registry(plugins=[("mine", RoundPlugin())])
    assert registry.functions["round"] is not ROUND
    assert registry.function_plugin["round"] == "passeur.dsl.functions"
    assert registry.formats["vosfactures.invoice"].read is not None
    assert registry.format_plugin["vosfactures.invoice"] == "vosfactures"
    record = _record(registry, "mine")
    assert record.error is None
    assert record.refused == (
        "function 'round' is provided by both passeur.dsl.functions and mine; the one of "
        "passeur.dsl.functions is kept (register it with override=True to replace it)",
        "format 'vosfactures.invoice' is provided by both passeur (vosfactures) and mine; "
        "the one of passeur (vosfactures) is kept (register it with override=True to "
        "replace it)",
    )
    # mappings get the built-in round
    assert registry.functions["round"].impl(Decimal("12.6"), 0) == Decimal(13)


def test_override_true_replaces_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="passeur.plugins"):
        registry = load_registry(plugins=[("mine", OverridingPlugin())])
    assert registry.functions["round"] is ROUND
    assert registry.function_plugin["round"] == "mine"
    message = ("function 'round' of passeur.dsl.functions replaced by mine (override=True)")
    assert _record(registry, "mine").overrides == (message,)
    assert message in caplog.messages


def test_passeur_plugins_reports_refusals() -> None:
    registry = load_registry(plugins=[("mine", RoundPlugin())])
    result = CliRunner().invoke(cli, ["plugins", "--json"], obj=State(registry))
    assert result.exit_code == 0, result.output
    [mine] = [r for r in json.loads(result.output) if r["name"] == "mine"]
    assert len(mine["refused"]) == 2 and mine["overrides"] == []
    human = CliRunner().invoke(cli, ["plugins"], obj=State(registry))
    assert ("mine: refused: function 'round' is provided by both passeur.dsl.functions and "
            "mine; the one of passeur.dsl.functions is kept (register it with override=True "
            "to replace it)") in human.output.splitlines()


class Clash:
    """Claims the vosfactures name, and brings other things that must not stay."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def passeur_register_systems(register: Any) -> None:
        register(SystemSpec(name="vosfactures", title="Not VosFactures", document_types=(
            DocumentType("invoice", canonical="invoice", capabilities=Capabilities(),
                         fields=()),)))

    @staticmethod
    def passeur_register_functions(register: Any) -> None:
        register(MappingFunction("clash_fn", ("any",), "any", lambda v: v, lossy=True,
                                 doc="x"))

    @staticmethod
    def passeur_register_formats(register: Any) -> None:
        register(_format("clash.thing"))

    def passeur_register_mapping_dirs(self, register: Any) -> None:
        register(self.folder)

    @staticmethod
    def passeur_detect_format(name: str, head: bytes) -> str | None:
        return "clash.thing"


def test_a_plugin_whose_system_is_refused_keeps_nothing(tmp_path: Path) -> None:
    registry = load_registry(plugins=[("clash", Clash(tmp_path))])
    record = _record(registry, "clash")
    assert record.error is not None and record.error.startswith(
        "system 'vosfactures' is provided by both passeur (vosfactures) and clash")
    assert record.systems == ()
    assert "clash_fn" not in registry.functions
    assert "clash.thing" not in registry.formats
    assert tmp_path not in registry.mapping_dirs
    assert registry.detect_format("x", b"") is None
    # the built-in that was claimed is refused as well (two claims, no override)
    assert "vosfactures" not in registry.systems
    assert not any(f.startswith("vosfactures.") for f in registry.formats)
    assert "vf_taxes" not in registry.functions


class ReplacingSystem(Clash):
    @staticmethod
    def passeur_register_systems(register: Any) -> None:
        register(SystemSpec(name="vosfactures", title="Our VosFactures", document_types=(
            DocumentType("invoice", canonical="invoice", capabilities=Capabilities(),
                         fields=()),)),
            override=True)


def test_a_system_registered_with_override_wins(tmp_path: Path) -> None:
    registry = load_registry(plugins=[("ours", ReplacingSystem(tmp_path))])
    assert registry.systems["vosfactures"].title == "Our VosFactures"
    assert registry.system_plugin["vosfactures"] == "ours"
    assert _record(registry, "ours").overrides == (
        "system 'vosfactures' of passeur (vosfactures) replaced by ours (override=True)",)
    assert _record(registry, "vosfactures").systems == ()
