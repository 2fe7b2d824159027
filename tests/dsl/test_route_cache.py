"""The compiled route from the cache (passeur.dsl.route_cache): a second `find_route` runs
the same code without analysing any file, and any change to a file the route was built
from (a mapping beneath a pair mapping, a CSV table it reads, a file added to a folder)
builds it again; messages, explain and the syntax tree are those of a fresh build."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from passeur.dsl import load_mapping, loader
from passeur.dsl.routes import Route, find_route

HUB = ("mapping acomba.invoice <-> passeur.invoice\n"
       'table clients from "clients.csv" NoClient <-> Nom\n'
       "NoFacture <-> number\n"
       "InfoClientFacturerA.NoClient <-> buyer.name via clients\n"
       "number(Montant) -> total\n")
OUT = ("mapping vosfactures.invoice <-> passeur.invoice\n"
       "numero <-> number\n"
       "client <-> buyer.name\n"
       "montant <- total\n")
PAIR = ("mapping acomba.invoice <-> vosfactures.invoice\n"
        "extends route\n"
        "Note -> description\n")
RECORD = {"NoFacture": "F1", "InfoClientFacturerA": {"NoClient": "C1"}, "Montant": "12",
          "Note": "merci"}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, registry: Any) -> Path:
    """The pair mapping's folder, searched first, and the route it extends in the next one
    (the shipped mappings are left out: their own acomba -> vosfactures pair would be the
    route under this one)."""
    pairs, hub = tmp_path / "pairs", tmp_path / "hub"
    for name, text in (("hub/a.map", HUB), ("hub/v.map", OUT), ("pairs/p.map", PAIR),
                       ("hub/clients.csv", "NoClient;Nom\nC1;ACME\n")):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("PASSEUR_MAPPING_PATH", f"{pairs}{os.pathsep}{hub}")
    monkeypatch.setattr(registry, "mapping_dirs", [])
    return tmp_path


def _route(registry: Any, folder: Path) -> Route:
    return find_route(registry, "acomba", "vosfactures", "invoice")


def _run(route: Route, record: dict[str, Any]) -> tuple[Any, list[str]]:
    (mapping, direction), = route.steps
    assert direction == "forward"
    result = mapping.forward(record)
    return result.value, [str(i) for i in result.issues]


def _no_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a file was analysed")

    monkeypatch.setattr(loader, "analyze_file", refuse)


def test_a_warm_route_runs_without_analysing(registry: Any, folder: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    built = _route(registry, folder)
    expected = _run(built, RECORD)
    assert expected == ({"numero": "F1", "client": "ACME", "montant": Decimal(12),
                         "description": "merci"}, [])
    with monkeypatch.context() as patched:
        _no_analysis(patched)
        warm = _route(registry, folder)
        assert _run(warm, RECORD) == expected
    (pair, _), = warm.steps
    assert pair._ast is None and pair._ir is None  # nothing analysed, nothing parsed
    assert [str(m.path) for m in (pair, *(b for b, _ in pair.base))] == [
        str(folder / "pairs/p.map"), str(folder / "hub/a.map"), str(folder / "hub/v.map")]
    assert warm.describe() == built.describe()
    # what needs the tree analyses the file then, and finds the same one
    assert pair.ast == built.steps[0][0].ast
    assert pair.ir.rules == built.steps[0][0].ir.rules


def test_a_failing_rule_is_said_at_the_same_place(registry: Any, folder: Path) -> None:
    bad = {**RECORD, "Montant": "douze"}
    built = _run(_route(registry, folder), bad)
    warm = _route(registry, folder)
    assert warm.steps[0][0]._ast is None
    assert _run(warm, bad) == built
    assert built[1] == [f'error [mapping-runtime]: Montant: value "douze" at Montant is not '
                        f"a number at {folder / 'hub/a.map'}:5:1"]


def test_explain_from_a_warm_route_is_that_of_a_fresh_build(registry: Any,
                                                            folder: Path) -> None:
    fresh = _route(registry, folder).steps[0][0].explain_forward(RECORD)
    warm = _route(registry, folder).steps[0][0]
    assert warm._ast is None
    assert warm.explain_forward(RECORD) == fresh
    assert any(e.rule == "Note -> description" for e in fresh[1])


@pytest.mark.parametrize(("name", "old", "new", "changed"), [
    # the table the route's first mapping reads, beneath the pair mapping
    ("hub/clients.csv", "ACME", "BETA", {"client": "BETA"}),
    # the mapping beneath the pair mapping
    ("hub/a.map", "NoFacture <-> number", 'concat(NoFacture, "-x") -> number',
     {"numero": "F1-x"}),
    ("hub/v.map", "client <-> buyer.name", "nom <-> buyer.name",
     {"client": None, "nom": "ACME"}),
    ("pairs/p.map", "Note -> description", "Note -> remarque",
     {"description": None, "remarque": "merci"}),
])
def test_any_edit_of_a_file_of_the_route_builds_it_again(
        registry: Any, folder: Path, name: str, old: str, new: str,
        changed: dict[str, Any]) -> None:
    before, _ = _run(_route(registry, folder), RECORD)
    assert _route(registry, folder).steps[0][0]._ast is None  # from the cache
    path = folder / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    after, issues = _run(_route(registry, folder), RECORD)
    expected = {k: v for k, v in {**before, **changed}.items() if v is not None}
    assert (after, issues) == (expected, [])


def test_a_file_added_to_a_folder_can_change_the_route(registry: Any, folder: Path) -> None:
    assert _route(registry, folder).kind == "direct"
    assert _route(registry, folder).steps[0][0].path == folder / "pairs/p.map"
    # ranked before p.map (same score, earlier name): the route is now this file
    (folder / "pairs/o.map").write_text("mapping acomba.invoice <-> vosfactures.invoice\n"
                                  "NoFacture -> numero\n", encoding="utf-8")
    route = _route(registry, folder)
    assert route.steps[0][0].path == folder / "pairs/o.map"
    assert _run(route, RECORD) == ({"numero": "F1"}, [])


def test_an_edited_csv_table_is_read_again_by_load_mapping(registry: Any,
                                                           folder: Path) -> None:
    """The parsed file's cache entry is checked against the CSV files the parser read."""
    record = {"InfoClientFacturerA": {"NoClient": "C1"}}
    first = load_mapping(folder / "hub/a.map", registry).forward(record).value
    (folder / "hub/clients.csv").write_text("NoClient;Nom\nC1;BETA\n", encoding="utf-8")
    second = load_mapping(folder / "hub/a.map", registry)
    assert (first["buyer"], second.forward(record).value["buyer"]) == (
        {"name": "ACME"}, {"name": "BETA"})


def test_a_removed_current_folder_does_not_stop_a_route(registry: Any, folder: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path_factory: pytest.TempPathFactory,
                                                        ) -> None:
    """The key holds the current folder (relative paths are read from it); a process whose
    folder was removed still finds its route by absolute folders, built then cached."""
    gone = tmp_path_factory.mktemp("gone")
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert _run(_route(registry, folder), RECORD)[0]["numero"] == "F1"
    assert _route(registry, folder).steps[0][0]._ast is None
