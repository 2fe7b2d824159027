"""Loading mappings: the disk cache, includes, `extends` and routes."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import passeur.cli.route_cmd  # noqa: F401  (registers the command)
from passeur.cli import cli
from passeur.cli.app import State
from passeur.dsl import MappingCompileError, compile_text, find_route, load_mapping
from passeur.dsl import cache as mapping_cache
from passeur.errors import UsageError

TEXT = "mapping acomba.invoice <-> passeur.invoice\nNoFacture <-> number\n"


def test_cache_miss_then_hit(registry: Any, _private_cache: Path) -> None:
    first = compile_text(TEXT, "a.map", registry)
    assert first.cache_hit is False
    assert len(list(_private_cache.glob("*.pyc"))) == 1
    second = compile_text(TEXT, "a.map", registry)
    assert second.cache_hit is True
    assert second.forward({"NoFacture": "1"}).value == {"number": "1"}
    assert second.source == first.source


def test_cache_key_changes_with_text_and_compiler_version(
        registry: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    compile_text(TEXT, "a.map", registry)
    assert compile_text(TEXT + "A <-> b\n", "a.map", registry).cache_hit is False
    monkeypatch.setattr(mapping_cache, "COMPILER_VERSION", "test-next")
    assert compile_text(TEXT, "a.map", registry).cache_hit is False


def test_an_edit_of_any_compiler_file_changes_the_fingerprint(tmp_path: Path) -> None:
    """The code cache is keyed by the compiler's whole source: editing any module of
    passeur.dsl (the group and fusion code generators among them) serves no stale code."""
    here = Path(mapping_cache.__file__).parent
    names = mapping_cache.compiler_modules(here)
    assert {"codegen.py", "codegen_fuse.py", "codegen_group.py", "codegen_reads.py",
            "functions.py", "mapping.lark", "parser.py", "tables.py"} <= set(names)
    assert mapping_cache.parser_fingerprint() == mapping_cache.compiler_fingerprint() == (
        mapping_cache._source_fingerprint((*names, "../limits.py"), here))
    copy = tmp_path / "dsl"
    copy.mkdir()
    for name in names:
        (copy / name).write_bytes((here / name).read_bytes())
    assert mapping_cache.compiler_modules(copy) == names
    first = mapping_cache._source_fingerprint(names, copy)
    assert first == mapping_cache._source_fingerprint(names, here)
    seen = {first}
    for name in names:
        text = (copy / name).read_bytes()
        (copy / name).write_bytes(text + b"\n")
        seen.add(mapping_cache._source_fingerprint(names, copy))
        (copy / name).write_bytes(text)
    assert len(seen) == len(names) + 1
    (copy / "codegen_new.py").write_text("")  # a new module counts too
    assert mapping_cache._source_fingerprint(mapping_cache.compiler_modules(copy),
                                             copy) not in seen


def test_unwritable_or_corrupt_cache_is_skipped(registry: Any, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("PASSEUR_CACHE_DIR", str(blocker / "cache"))
    mapping = compile_text(TEXT, "a.map", registry)
    assert mapping.cache_hit is False
    assert mapping.forward({"NoFacture": "2"}).value == {"number": "2"}
    good = tmp_path / "cache"
    monkeypatch.setenv("PASSEUR_CACHE_DIR", str(good))
    compile_text(TEXT, "a.map", registry)
    for entry in good.glob("*.pyc"):
        entry.write_bytes(b"\x00\x00\x00\x05{}garbage")
    again = compile_text(TEXT, "a.map", registry)
    assert again.cache_hit is False
    assert again.forward({"NoFacture": "3"}).value == {"number": "3"}


def test_include_brings_reusable_tables(registry: Any, tmp_path: Path) -> None:
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "kinds.map").write_text(
        'table kinds\n  "FACTURES" <-> "invoice"\nend\nNoFacture <-> number\n')
    main = tmp_path / "a.map"
    main.write_text('mapping acomba.invoice <-> passeur.invoice\n'
                    'include "tables/kinds.map"\nTypeDoc <-> kind via kinds\n')
    mapping = load_mapping(main, registry)
    assert mapping.forward({"TypeDoc": "FACTURES", "NoFacture": "9"}).value == {
        "kind": "invoice", "number": "9"}
    assert mapping.path == main


def test_include_problems_are_reported_in_the_right_file(registry: Any,
                                                         tmp_path: Path) -> None:
    (tmp_path / "lib.map").write_text('mapping a.b <-> c.d\ninclude "a.map"\n')
    main = tmp_path / "a.map"
    main.write_text('mapping acomba.invoice <-> passeur.invoice\ninclude "lib.map"\n'
                    'include "missing.map"\n')
    with pytest.raises(MappingCompileError) as info:
        load_mapping(main, registry)
    lib = str(tmp_path / "lib.map")
    assert [f"{p.position}: {p.message}" for p in info.value.problems] == [
        f"{lib}:1:1: an included file is a library: it cannot have a `mapping` header or "
        "`extends`",
        f"{lib}:2:1: include cycle: a.map includes itself (directly or through other files)",
        f"{main}:3:1: cannot read included file missing.map: No such file or directory",
    ]


def write_route_files(directory: Path) -> None:
    (directory / "alpha.map").write_text(
        "mapping alpha.invoice <-> passeur.invoice\nNo <-> number\nNom <-> buyer.name\n"
        "Vendeur <-> extensions.salesperson\n")
    (directory / "beta.map").write_text(
        "mapping beta.invoice <-> passeur.invoice\nnumero <-> number\nclient <-> buyer.name\n")


def test_route_through_the_canonical_model(registry: Any, tmp_path: Path) -> None:
    write_route_files(tmp_path)
    route = find_route(registry, "alpha", "beta", "invoice", dirs=[tmp_path])
    assert route.kind == "via passeur"
    assert [(m.path.name, d) for m, d in route.steps] == [
        ("alpha.map", "forward"), ("beta.map", "backward")]
    assert route.describe() == (
        "alpha.invoice -> passeur.invoice -> beta.invoice  (via passeur)\n"
        f"  1. {tmp_path / 'alpha.map'} (forward)\n"
        f"  2. {tmp_path / 'beta.map'} (backward)")
    back = find_route(registry, "beta", "alpha", "invoice", dirs=[tmp_path])
    assert [(m.path.name, d) for m, d in back.steps] == [
        ("beta.map", "forward"), ("alpha.map", "backward")]


def test_direct_pair_mapping_is_preferred(registry: Any, tmp_path: Path) -> None:
    write_route_files(tmp_path)
    (tmp_path / "pair.map").write_text(
        "mapping beta.invoice <-> alpha.invoice\nnumero <-> No\n")
    route = find_route(registry, "alpha", "beta", "invoice", dirs=[tmp_path])
    assert (route.kind, [(m.path.name, d) for m, d in route.steps]) == (
        "direct", [("pair.map", "backward")])


def test_extends_starts_from_the_route_and_overrides(registry: Any, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    write_route_files(tmp_path)
    monkeypatch.setenv("PASSEUR_MAPPING_PATH", str(tmp_path))  # the route files' folder
    pair = tmp_path / "pair.map"
    pair.write_text("mapping alpha.invoice <-> beta.invoice\nextends route\n"
                    "Nom <-> reference\n")
    mapping = load_mapping(pair, registry)
    assert [m.path.name for m, _ in mapping.base] == ["alpha.map", "beta.map"]
    result = mapping.forward({"No": "7", "Nom": "Acme"})
    assert result.value == {"numero": "7", "client": "Acme", "reference": "Acme"}
    original = {"No": "7", "Nom": "Acme", "Other": 1}
    assert mapping.backward(result.value, original).value == original
    changed = mapping.backward({"numero": "8", "client": "X", "reference": "Y"}, original)
    assert changed.value == {"No": "8", "Nom": "Y", "Other": 1}
    # what beta does not carry comes back from the original through the canonical model
    with_seller = dict(original, Vendeur="V12")
    view = mapping.forward(with_seller).value
    assert "Vendeur" not in str(view)
    assert mapping.backward(view, with_seller).value == with_seller
    cleared = mapping.backward({"reference": "Acme"}, with_seller).value
    assert cleared == {"Nom": "Acme", "Other": 1, "Vendeur": "V12"}
    _, trace = mapping.explain_forward({"No": "7", "Nom": "Acme"})
    assert [(t.path, Path(t.position).name) for t in trace] == [
        ("number", "alpha.map:2:1"), ("buyer.name", "alpha.map:3:1"),
        ("numero", "beta.map:2:1"), ("client", "beta.map:3:1"),
        ("reference", "pair.map:3:1")]


def test_extends_without_route_is_a_compile_problem(registry: Any, tmp_path: Path) -> None:
    pair = tmp_path / "pair.map"
    pair.write_text("mapping gamma.invoice <-> delta.invoice\nextends route\n")
    with pytest.raises(MappingCompileError) as info:
        load_mapping(pair, registry)
    assert str(info.value).startswith(
        f"{pair}:2:1: cannot extend the route: no route from gamma.invoice to delta: no "
        "mapping file for gamma.invoice <-> passeur.invoice nor passeur.invoice <-> delta")


def test_missing_route_says_what_is_missing(registry: Any, tmp_path: Path) -> None:
    write_route_files(tmp_path)
    with pytest.raises(UsageError) as info:
        find_route(registry, "alpha", "gamma", "invoice", dirs=[tmp_path])
    assert str(info.value).startswith(
        "no route from alpha.invoice to gamma: no mapping file for passeur.invoice <-> gamma")


def test_route_command(registry: Any, tmp_path: Path) -> None:
    # `route` asks the converter: the systems must exist, and a plugin's folder counts
    (tmp_path / "acomba-draft.map").write_text(
        "mapping acomba.invoice <-> passeur.invoice\nNoFacture <-> number\n")
    registry.mapping_dirs.append(tmp_path)
    try:
        runner = CliRunner()
        result = runner.invoke(cli, ["route", "acomba", "passeur", "--json"],
                               obj=State(registry))
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert data["kind"] == "direct"  # acomba.invoice is more specific than erpconnector
        assert [(Path(s["file"]).name, s["direction"]) for s in data["steps"]] == [
            ("acomba-draft.map", "forward")]
        result = runner.invoke(cli, ["route", "alpha", "beta"], obj=State(registry))
        assert result.exit_code == 2
        assert "unknown system 'alpha'" in result.stderr
    finally:
        registry.mapping_dirs.remove(tmp_path)


def test_cache_dir_default_is_under_the_user_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PASSEUR_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", os.sep + "xdg")
    assert mapping_cache.cache_dir() == Path("/xdg/passeur/mappings")
