"""Both an editable install and a built wheel find every plugin and every mapping file."""

from __future__ import annotations

import importlib.resources
import json
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from passeur import load_registry

REPO = Path(__file__).resolve().parents[2]
BUILTIN = {"passeur", "vosfactures", "erpconnector"}


def repo_mapping_files() -> set[str]:
    """`<system>/<file>` for every file of the per-system folders of mappings/."""
    return {p.relative_to(REPO / "mappings").as_posix()
            for p in (REPO / "mappings").glob("*/**/*") if p.is_file()}


def test_installed_plugins_register_every_mapping_file() -> None:
    # the plugins of passeur's own distribution (not third-party test packages, such as
    # tests/plugins/sage100_plugin, which ship their own folders)
    registry = load_registry(environ={"PASSEUR_PLUGINS": "passeur"})
    found = {f"{d.name}/{p.relative_to(d).as_posix()}"
             for d in registry.mapping_dirs for p in d.rglob("*") if p.is_file()}
    assert found == repo_mapping_files()
    # each folder mappings/<system> is registered by the plugin of that system, and is
    # found where it is edited
    assert set(registry.mapping_dirs) == {p for p in (REPO / "mappings").iterdir()
                                          if p.is_dir()}
    for folder in registry.mapping_dirs:
        assert registry.mapping_dir_plugin[folder] == registry.system_plugin[folder.name]


def test_core_ships_no_mapping() -> None:
    assert not (importlib.resources.files("passeur") / "mappings").is_dir()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation",
                    "--outdir", str(out), str(REPO)], check=True, capture_output=True)
    [built] = out.glob("passeur-*.whl")
    return built


@pytest.mark.slow
def test_wheel_contains_engine_plugins_and_mappings(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"passeur/__init__.py", "passeur/cli/__init__.py", "passeur/model/invoice.py",
            "passeur_vosfactures/__init__.py", "passeur_erpconnector/__init__.py",
            "passeur/samples/acomba-invoice.json", "passeur/py.typed"} <= names
    shipped = {n.split("/mappings/", 1)[1].removeprefix(n.split("/")[0] + "/")
               for n in names if n.startswith("passeur_") and "/mappings/" in n}
    # passeur_vosfactures/mappings/x.map or passeur_einvoice/mappings/ubl/x.map
    assert {m.split("/", 1)[1] for m in repo_mapping_files()} <= {
        s.split("/", 1)[-1] for s in shipped}
    assert not any(n.startswith("passeur/mappings/") for n in names)
    [entry_points] = [n for n in names if n.endswith("entry_points.txt")]
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[passeur]" in text
    assert "vosfactures = passeur_vosfactures" in text
    assert "erpconnector = passeur_erpconnector" in text


@pytest.mark.slow
def test_wheel_installed_in_a_fresh_venv_finds_plugins_and_mappings(
    wheel: Path, tmp_path: Path
) -> None:
    # An isolated venv (no system or outer site-packages): the wheel must pull every
    # dependency it needs from the index, as on a machine that has only Python.
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=False, with_pip=True)
    python = env_dir / "bin" / "python"
    installed = subprocess.run([python, "-m", "pip", "install", "-q", str(wheel)],
                               capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    probe = ("import json, passeur;"
             "dirs = passeur.load_registry().mapping_dirs;"
             "print(json.dumps({'file': passeur.__file__,"
             " 'maps': sorted(p.name for d in dirs for p in d.iterdir())}))")
    result = subprocess.run([python, "-c", probe], check=True, capture_output=True, text=True,
                            cwd=tmp_path)
    info = json.loads(result.stdout)
    assert str(env_dir) in info["file"]  # the wheel's copy, not the source checkout
    assert sorted(info["maps"]) == sorted(m.split("/", 1)[1] for m in repo_mapping_files())
    plugins = subprocess.run([python, "-m", "passeur", "plugins", "--json"], check=True,
                             capture_output=True, text=True, cwd=tmp_path)
    records = json.loads(plugins.stdout)
    systems = {s for r in records for s in r["systems"]}
    assert systems >= BUILTIN
    assert all(r["error"] is None for r in records if set(r["systems"]) & BUILTIN)
    demo = subprocess.run([python, "-m", "passeur", "demo", "--json"], capture_output=True,
                          text=True, cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert json.loads(demo.stdout)["second"]["summary"]["created"] == 1
