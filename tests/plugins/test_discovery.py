"""Finding the plugins' entry points: remembered between starts while the distributions on
`sys.path` stay the same (passeur.plugin_discovery), found again the moment one is installed,
removed or edited, and always from `importlib.metadata` when a finder has its own way."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from passeur import plugin_discovery
from passeur.plugins import load_registry
from passeur.testing.declarations import installed_distribution

PLUGIN = """\
from passeur import SystemSpec, hookimpl

@hookimpl
def passeur_register_systems(register):
    register(SystemSpec(name="remembered", title="Remembered", document_types=()))
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("PASSEUR_CACHE_DIR", str(directory))
    return directory


@pytest.fixture
def metadata_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time the entry points are read from importlib.metadata (not remembered)."""
    reads: list[str] = []
    real = plugin_discovery._from_metadata

    def counting(group: str) -> list[plugin_discovery.EntryPoint]:
        reads.append(group)
        return real(group)

    monkeypatch.setattr(plugin_discovery, "_from_metadata", counting)
    return reads


def test_the_entry_points_are_remembered(cache: Path, metadata_reads: list[str]) -> None:
    first = plugin_discovery.discover("passeur")
    assert [p.name for p in cache.glob("entry-points-*.json")] != []
    second = plugin_discovery.discover("passeur")
    assert second == first and metadata_reads == ["passeur"]
    names = [name for name, *_ in first]
    assert names == sorted(names) and {"vosfactures", "erpconnector"} <= set(names)
    vosfactures = next(e for e in first if e[0] == "vosfactures")
    assert vosfactures[1:3] == ("passeur_vosfactures", "passeur")


def test_a_distribution_installed_or_edited_is_found_again(
        cache: Path, metadata_reads: list[str], tmp_path: Path) -> None:
    plugin_discovery.discover("passeur")
    root = tmp_path / "site"
    with installed_distribution(root, "passeur-remembered", "1.0",
                                {"remembered_plugin": PLUGIN},
                                {"remembered": "remembered_plugin"}):
        registry = load_registry()
        assert "remembered" in registry.systems
        record = next(p for p in registry.plugins if p.name == "remembered")
        assert (record.distribution, record.version) == ("passeur-remembered", "1.0")
        assert len(metadata_reads) == 2
        # the same entry point file rewritten in place (another name): read again
        points = next(root.glob("*.dist-info")) / "entry_points.txt"
        points.write_text("[passeur]\nremembered_again = remembered_plugin\n")
        again = [name for name, *_ in plugin_discovery.discover("passeur")]
        assert "remembered_again" in again and "remembered" not in again
        assert len(metadata_reads) == 3
    gone = [name for name, *_ in plugin_discovery.discover("passeur")]
    assert "remembered_again" not in gone


def test_a_finder_of_its_own_turns_the_memory_off(
        cache: Path, metadata_reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    class Finder:
        def find_spec(self, *args: Any) -> None:
            return None

        def find_distributions(self, *args: Any) -> list[Any]:
            return []

    monkeypatch.setattr(sys, "meta_path", [Finder(), *sys.meta_path])
    plugin_discovery.discover("passeur")
    plugin_discovery.discover("passeur")
    assert metadata_reads == ["passeur", "passeur"]
    assert list(cache.glob("entry-points-*.json")) == []


def test_an_unreadable_memory_is_read_from_the_metadata_again(
        cache: Path, metadata_reads: list[str]) -> None:
    first = plugin_discovery.discover("passeur")
    for entry in cache.glob("entry-points-*.json"):
        entry.write_text('[["x", 1, null]]')
    assert plugin_discovery.discover("passeur") == first
    assert metadata_reads == ["passeur", "passeur"]


def test_the_loader_reads_module_attributes_and_ignores_extras() -> None:
    assert plugin_discovery.loader("passeur.plugins")().__name__ == "passeur.plugins"
    found = plugin_discovery.loader("passeur.plugins:Registry.resolve [cli]")()
    assert found is __import__("passeur.plugins").plugins.Registry.resolve
