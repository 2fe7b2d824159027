"""explain, check's examples and convert agree on every golden case.

Each case of tests/fixtures/golden is converted to every other system by `passeur convert`;
`passeur explain` runs the file `passeur route` names for the same pair on the same input,
and `passeur check` runs an example made of the case's input and convert's output in a
layer over that file. explain must give convert's output exactly, and every field it
shows in that output must have the value convert wrote there.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import passeur.cli.check_cmd
import passeur.cli.convert_cmd
import passeur.cli.explain_cmd
import passeur.cli.route_cmd  # noqa: F401
from passeur.cli.app import State, cli
from passeur.dsl.explain import has_path, value_at
from passeur.plugins import load_registry

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "fixtures" / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "case.json").exists())
TARGETS = ("passeur", "vosfactures", "acomba")


_STATE = State()  # one registry for every command (as each would load it)


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), obj=_STATE)


def _case(name: str) -> tuple[str, Path]:
    spec = json.loads((GOLDEN / name / "case.json").read_text())
    path = ROOT / spec["input"] if "input" in spec else GOLDEN / name / "input.json"
    return spec["from"], path


def _pairs() -> list[tuple[str, str]]:
    return [(name, target) for name in CASES for target in TARGETS
            if target != _case(name)[0]]


def _same(shown: Any, written: Any) -> bool:
    """A value explain shows (JSON) and the one convert wrote, read back: numbers exactly
    (26.09 is 26.090), dates as ISO text."""
    if isinstance(written, (datetime.date, datetime.datetime)):
        written = written.isoformat()
    if isinstance(shown, (dict, list)) or isinstance(written, (dict, list)):
        return json.dumps(shown, sort_keys=True, default=str) == json.dumps(
            written, sort_keys=True, default=str)
    if isinstance(shown, bool) or isinstance(written, bool) or shown is None or written is None:
        return bool(shown == written)
    try:
        return Decimal(str(shown)) == Decimal(str(written))
    except InvalidOperation:
        return str(shown) == str(written)


def _read_back(target: str, output: Any) -> Any:
    """convert's output in the plain form the mapping wrote (the target's own reader undoes
    the writer's envelope, e.g. VosFactures' {"invoice": ...}); canonical JSON is plain."""
    if target == "passeur":
        return output
    registry = load_registry()
    spec, _variant = registry.resolve(target)
    plain, issues = registry.formats[f"{spec.name}.invoice"].read(output, "<output>")
    assert plain is not None, issues
    return plain


@pytest.mark.parametrize(("name", "target"), _pairs())
def test_explain_shows_what_convert_writes(name: str, target: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    source, path = _case(name)
    converted = _run("convert", str(path), "--from", source, "--to", target)
    assert converted.exit_code == 0, converted.output
    outputs = json.loads(converted.stdout)
    if not isinstance(outputs, list):
        outputs = [outputs]
    route = json.loads(_run("route", source, target, "--json").stdout)
    assert len(route["steps"]) == 1, route  # every golden pair has one file on top
    mapping = route["steps"][0]["file"]
    for number, output in enumerate(outputs, 1):
        explained = _run("explain", mapping, str(path), "--from", source, "--to", target,
                         "--document", str(number), "--json")
        assert explained.exit_code == 0, explained.output
        data = json.loads(explained.stdout)
        assert data["output"] == output  # the very document convert writes
        plain = _read_back(target, output)
        final = [f for f in data["fields"] if f["final"] and not f["skipped"]
                 and not f["overridden"]]
        assert final, "explain shows no field of the output"
        wrong = [(f["path"], f["value"], f["note"]) for f in final if not (
            (has_path(plain, f["path"]) and _same(f["value"], value_at(plain, f["path"])))
            or (not has_path(plain, f["path"]) and ("not in convert's output" in
                (f["note"] or "") or "canonical document leaves it out" in (f["note"] or ""))))]
        assert wrong == [], number


@pytest.mark.parametrize(("name", "target"), [p for p in _pairs() if p[1] != "passeur"])
def test_check_runs_convert_output_as_an_example(name: str, target: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """An example made of each input document and convert's output for it passes in a
    layer (from the source to the target) over the file convert runs: check's examples
    read, run and write documents as convert does."""
    monkeypatch.chdir(ROOT)
    source, path = _case(name)
    converted = _run("convert", str(path), "--from", source, "--to", target)
    assert converted.exit_code == 0, converted.output
    route = json.loads(_run("route", source, target, "--json").stdout)
    step = route["steps"][0]
    sides = (step["left"], step["right"]) if step["direction"] == "forward" else (
        step["right"], step["left"])
    inputs, outputs = json.loads(path.read_text(encoding="utf-8")), json.loads(
        converted.stdout)
    if not isinstance(inputs, list):
        inputs, outputs = [inputs], [outputs]
    assert len(inputs) == len(outputs)
    examples = "".join(
        f'example "{name} {number}"\n'
        f"left {json.dumps(left, ensure_ascii=False)}\n"
        f"right {json.dumps(right, ensure_ascii=False)}\n"
        "end\n\n" for number, (left, right) in enumerate(zip(inputs, outputs, strict=True), 1))
    layer = tmp_path / "golden-layer.map"
    layer.write_text(f"mapping {sides[0]} <-> {sides[1]}\n"
                     f"extends {Path(step['file']).stem}\n\n{examples}", encoding="utf-8")
    checked = _run("check", str(layer), "--json")
    report = json.loads(checked.stdout)["files"][0]
    assert report["examples"] == len(inputs), checked.stdout
    failures = {p["message"]: p["detail"] for p in report["problems"]
                if p["code"] == "example" and "fails forward" in p["message"]}
    # forward is convert's direction (backward is the put over the original, a law)
    assert failures == {}
