"""Fuzzing conversions: hostile values in invoice-shaped documents of every system give an
outcome per document (an error naming the field), never a traceback; valid documents come out;
the command writes nothing but its output (issue 12). Budget: support.fuzz."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import assume, given
from hypothesis import strategies as st

import passeur.cli.convert_cmd
from passeur import load_registry
from passeur.cli.app import State, cli
from passeur.engine.convert import Converter, parse_endpoint
from passeur.engine.io import RawDocument
from support.fuzz import fuzz_settings

pytestmark = pytest.mark.fuzz

REGISTRY = load_registry()
GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
SEEDS = {
    "acomba": json.loads((GOLDEN / "acomba_seed004" / "input.json").read_text("utf-8"),
                         parse_float=Decimal),
}

_hostile = st.one_of(
    st.none(), st.booleans(), st.text(max_size=12),
    st.integers(-10**30, 10**30),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.sampled_from([Decimal("1e400"), Decimal("1e17"), Decimal("-0.000001"),
                     Decimal("123456789012345678901234567"), "12,50", "1e5", " 3 ", "\ud800",
                     "2024-13-45", "", [], {}, [1, 2], {"a": 1}]),
)


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return isinstance(value, str) and any(0xD800 <= ord(c) <= 0xDFFF for c in value)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _set(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _set(copy[head], rest, new)
    return copy


@st.composite
def mutated(draw: st.DrawFn, seed: Any) -> Any:
    document = seed
    paths = [p for p in _paths(seed) if p]
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths))
        try:
            document = _set(document, path, draw(_hostile))
        except (KeyError, IndexError, TypeError):
            continue
    return document


ROUTES = [("acomba", "vosfactures"), ("acomba", "passeur"), ("acomba", "erpconnector")]
CONVERTERS = {r: Converter(REGISTRY, parse_endpoint(REGISTRY, r[0]),
                           parse_endpoint(REGISTRY, r[1])) for r in ROUTES}


@fuzz_settings(scale=1.5)
@given(st.sampled_from(ROUTES), st.lists(mutated(SEEDS["acomba"]), min_size=1, max_size=4))
def test_hostile_values_fail_their_document_with_a_path_never_the_stream(
        route: tuple[str, str], documents: list[Any]) -> None:
    converter = CONVERTERS[route]
    stream = [SEEDS["acomba"], *documents, SEEDS["acomba"]]
    outcomes = list(converter.run(RawDocument(i + 1, d, i + 1) for i, d in enumerate(stream)))
    assert [o.index for o in outcomes] == list(range(1, len(stream) + 1))
    assert not outcomes[0].failed and not outcomes[-1].failed  # the good ones still come out
    for document, outcome in zip(stream, outcomes, strict=True):
        for issue in outcome.issues:
            assert issue.path, issue  # names the field ($.x, or the mapping's own path)
            assert issue.code != "document.limits", issue  # the limits caught it first
        if not outcome.failed:
            try:
                passeur.engine.io.dump_json(outcome.output)  # what came out can be written
            except ValueError:  # the CLI fails such a document; the reader refuses it first
                assert _has_surrogate(document), outcome


@fuzz_settings(scale=0.05, minimum=3)  # a whole CLI run per example
@given(st.lists(mutated(SEEDS["acomba"]), min_size=1, max_size=3),
       st.sampled_from(["ndjson", "array"]))
def test_the_command_writes_only_its_output(tmp_path_factory: pytest.TempPathFactory,
                                           documents: list[Any], form: str) -> None:
    assume(not any(_has_surrogate(d) for d in documents))  # the reader fuzz covers those
    folder = tmp_path_factory.mktemp("convert")
    texts = [passeur.engine.io.dump_json(d) for d in [SEEDS["acomba"], *documents]]
    source = folder / "in.json"
    source.write_text("\n".join(texts) + "\n" if form == "ndjson" else
                      "[" + ",".join(texts) + "]", encoding="utf-8")
    out = folder / "out.json"
    result = CliRunner().invoke(cli, ["convert", str(source), "--from", "acomba", "--to",
                                      "vosfactures", "-o", str(out)], obj=State(REGISTRY))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert sorted(os.listdir(folder)) == ["in.json", "out.json"]
    written = out.read_text(encoding="utf-8")
    if form == "ndjson":
        assert all(json.loads(line) for line in written.splitlines())
    else:
        assert isinstance(json.loads(written), list)
