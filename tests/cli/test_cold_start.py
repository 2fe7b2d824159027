"""What a start imports: `passeur --version` loads neither click nor the plugins, a command
imports its own module only, and a convert with a warm cache neither imports the parser
(lark) nor parses a mapping, nor imports the syntax tree, the IR, the checker or the code
generator (the whole route comes from the cache), nor reads the installed distributions
(importlib.metadata) to find the plugins; nor, while every plugin is still loaded, imports
rich (its report is plain lines off a terminal), lxml (the XML plugins' readers and
writers), python-stdnum (no number is validated), asyncio (the CodaBox flow), tomllib (no
settings file is read) or difflib (no name is misspelt). Each case runs in a fresh
interpreter (imports are per process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from passeur.cli.app import cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "core" / "passeur" / "samples" / "acomba-invoice.json"

PROBE = """\
import json, sys
from passeur.cli import main
try:
    main({argv!r})
except SystemExit as exc:
    code = exc.code
sys.stderr.write("\\nPROBE " + json.dumps({{"code": code, "modules": sorted(
    m for m in ("click", "lark", "passeur.plugins", "passeur.cli.convert_cmd",
                "passeur.cli.sync_cmd", "passeur.cli.sandbox_cmd", "importlib.metadata",
                "rich", "lxml", "stdnum", "asyncio", "passeur.dsl.ast", "passeur.dsl.ir",
                "passeur.dsl.checker", "passeur.dsl.codegen", "passeur.dsl.loader",
                "tomllib", "difflib")
    if m in sys.modules)}}) + "\\n")
"""


def _probe(argv: list[str], cache: Path) -> tuple[dict[str, object], str]:
    env = {**os.environ, "PASSEUR_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv)], env=env,
                          capture_output=True, text=True, timeout=120)
    line = done.stderr.rsplit("PROBE ", 1)[-1]
    return json.loads(line), done.stdout


def test_version_imports_neither_click_nor_plugins(tmp_path: Path) -> None:
    found, out = _probe(["--version"], tmp_path)
    assert found == {"code": 0, "modules": []}
    assert out == CliRunner().invoke(cli, ["--version"]).output == "passeur, version 0.1.0\n"


def test_a_warm_convert_does_not_parse_and_imports_only_its_command(tmp_path: Path) -> None:
    argv = ["convert", str(SAMPLE), "--from", "acomba", "--to", "vosfactures"]
    cold, first = _probe(argv, tmp_path)
    assert cold["code"] == 0
    # the first start parses (and fills the cache) and reads the distributions
    assert {"lark", "importlib.metadata", "passeur.dsl.ast", "passeur.dsl.ir",
            "passeur.dsl.loader"} <= set(cold["modules"])
    warm, second = _probe(argv, tmp_path)
    # neither rich, lxml, stdnum, asyncio nor the dsl's tree, IR, checker, code generator
    # or loader: the probe's list would hold them
    assert warm == {"code": 0, "modules": ["click", "passeur.cli.convert_cmd",
                                           "passeur.plugins"]}
    assert second == first and json.loads(second)["invoice"]["number"] == "10044"
    kinds = {p.suffix for p in tmp_path.iterdir()}
    # parsed files, their headers, compiled code, the route, the plugins' entry points
    assert kinds == {".ast", ".head", ".pyc", ".route", ".json"}


def test_an_edited_mapping_is_parsed_again(tmp_path: Path) -> None:
    """The cache is keyed by the text: editing a file never serves its old rules."""
    from passeur.dsl import cache

    mapping = tmp_path / "m.map"
    mapping.write_text("mapping acomba.invoice <-> passeur.invoice\nNoFacture <-> number\n")
    os.environ["PASSEUR_CACHE_DIR"] = str(tmp_path / "cache")
    try:
        first = cache.parse_file(mapping)
        mapping.write_text("mapping acomba.invoice <-> passeur.invoice\nNoFacture <-> id\n")
        second = cache.parse_file(mapping)
    finally:
        del os.environ["PASSEUR_CACHE_DIR"]
    assert first != second
    assert "id" in second.source and "number" in first.source


def test_route_scans_read_headers_from_their_entries(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Choosing a route reads each file's header from a small entry (no syntax tree), keyed
    by the text like the parsed file: an edit is read again, a bad entry is parsed again."""
    from passeur.dsl import cache

    monkeypatch.setenv("PASSEUR_CACHE_DIR", str(tmp_path / "cache"))
    mapping = tmp_path / "m.map"
    mapping.write_text("mapping acomba.invoice <-> vosfactures.invoice\nextends route\n"
                       "NoFacture <-> number\n")
    layer = cache.FileHeader(("acomba", "invoice"), ("vosfactures", "invoice"), True, True)
    assert cache.read_header(mapping) == layer
    real = cache.parse_text

    def no_parse(*args: object) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(cache, "parse_text", no_parse)
    assert cache.read_header(mapping) == layer  # from the entry
    monkeypatch.setattr(cache, "parse_text", real)
    mapping.write_text("mapping vosfactures.client <-> passeur.party\nname <-> name\n")
    assert cache.read_header(mapping) == cache.FileHeader(
        ("vosfactures", "client"), ("passeur", "party"), False, False)
    for entry in (tmp_path / "cache").glob("*.head"):
        entry.write_text('["broken"]')
    assert cache.read_header(mapping) == cache.FileHeader(
        ("vosfactures", "client"), ("passeur", "party"), False, False)
    mapping.write_text("NoFacture <-> number\n")  # a library: no header
    assert cache.read_header(mapping) is None
    monkeypatch.setattr(cache, "parse_text", no_parse)
    assert cache.read_header(mapping) is None
