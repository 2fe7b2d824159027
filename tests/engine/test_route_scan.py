"""Choosing a route reads the mapping folders once: a pair mapping that `extends route`
(the shipped acomba -> vosfactures one) builds on the route under it from the headers the
route search already read, not from a second scan of every folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from passeur.dsl import routes
from passeur.plugins import load_registry


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch,
          tmp_path_factory: pytest.TempPathFactory) -> list[list[Path]]:
    # a cache of its own: a route cached by an earlier run would scan nothing
    monkeypatch.setenv("PASSEUR_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    seen: list[list[Path]] = []
    real = routes.scan_mappings

    def counting(registry: object, dirs: object = None) -> list[routes.MappingHeader]:
        seen.append(list(dirs) if dirs is not None else [])  # type: ignore[call-overload]
        return real(registry, dirs)  # type: ignore[arg-type]

    monkeypatch.setattr(routes, "scan_mappings", counting)
    return seen


def test_a_pair_route_that_extends_the_route_scans_the_folders_once(
        scans: list[list[Path]]) -> None:
    registry = load_registry()
    route = routes.find_route(registry, "acomba", "vosfactures", "invoice")
    assert route.kind == "direct"
    [(pair, direction)] = route.steps
    assert (pair.path.name, direction) == ("acomba-vosfactures-invoice.map", "forward")
    # the route under the layer: acomba -> passeur -> vosfactures, from the same headers
    assert [(m.path.name, d) for m, d in pair.base] == [
        ("erpconnector-invoice.map", "forward"), ("vosfactures-invoice.map", "backward")]
    assert len(scans) == 1


def test_a_later_route_reads_the_folders_again(scans: list[list[Path]],
                                               tmp_path: Path) -> None:
    """The headers are kept for one route only: a file added between two routes counts."""
    registry = load_registry()
    registry.search_path.append(tmp_path)
    routes.find_route(registry, "acomba", "passeur", "invoice")
    (tmp_path / "mine.map").write_text("mapping acomba.invoice <-> passeur.invoice\n"
                                       "NoFacture <-> number\n")
    second = routes.find_route(registry, "acomba", "passeur", "invoice")
    assert [m.path for m, _ in second.steps] == [tmp_path / "mine.map"]
    assert len(scans) == 2  # the folder changed: the cached route is not used
    routes.find_route(registry, "acomba", "passeur", "invoice")
    assert len(scans) == 2  # nothing changed: the route comes from the cache
