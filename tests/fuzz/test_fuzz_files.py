"""Fuzzing the files users write: mapping files (parser and checker) and connection files.
Whatever is typed gives findings or a clear error naming the file and line, never a
traceback, and no secret in any message (issue 12). Budget: support.fuzz."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passeur import load_registry
from passeur.dsl import MappingSyntaxError, parse_text
from passeur.dsl.checker import check_text
from passeur.engine.connection import parse_connection
from passeur.errors import InputError, MappingError, UsageError
from passeur.redaction import Redactor
from support.fuzz import fuzz_settings

pytestmark = pytest.mark.fuzz

REPO = Path(__file__).resolve().parents[2]
REGISTRY = load_registry()
MAPS = {p.resolve(): p for folder in ("mappings", "plugins")
        for p in (REPO / folder).rglob("*.map")}
TEXTS = {p.name: p.read_text(encoding="utf-8") for p in sorted(MAPS)}
PIECES = ["<->", "->", "<-", ".", "(", ")", '"', "`", "end", "each ", "table t", " via ",
          "\n", " when ", " default ", "sum(", "{", "}", "[", "]", "#", "1e999999", "*", "/",
          "null", "\t", "é", "-" * 50, "(" * 200, "not " * 100, "\x00", "\\"]
# (a file read as UTF-8 never holds a lone surrogate: the reader refuses it before parsing)


@st.composite
def edited(draw: st.DrawFn) -> str:
    text = TEXTS[draw(st.sampled_from(sorted(TEXTS)))]
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(text)))
        choice = draw(st.integers(0, 2))
        if choice == 0:
            text = text[:at] + draw(st.sampled_from(PIECES)) + text[at:]
        elif choice == 1:
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        else:
            text = text[:at] + draw(st.text(max_size=8)) + text[at:]
    return text


@pytest.mark.skipif(not TEXTS, reason="no shipped mapping")
@fuzz_settings(scale=5)
@given(edited())
def test_the_parser_answers_with_a_located_error_or_a_tree(text: str) -> None:
    try:
        parse_text(text, "edited.map")
    except MappingSyntaxError as exc:
        assert re.search(r"edited\.map:\d+:\d+", str(exc)), str(exc)
    except MappingError as exc:
        assert "edited.map" in str(exc), str(exc)


@pytest.mark.skipif(not TEXTS, reason="no shipped mapping")
@fuzz_settings(scale=0.5)  # compiles and runs the examples: the slowest property here
@given(edited(), st.booleans())
def test_the_checker_answers_with_findings(text: str, run: bool) -> None:
    report = check_text(text, "edited.map", REGISTRY, run=run)
    assert report is not None


SECRET = "Zz9-secret/value+42"
_keys = st.sampled_from(["system", "settings", "http", "base_url", "api_token", "account",
                         "login", "password", "rate_limit", "timeout", "max_attempts", "licence",
                         "secret", "company_id", "erp", "burst", "[settings]", "[http]", "env"])
_values = st.one_of(
    st.sampled_from(['"vosfactures"', '"acomba"', '"erpconnector"', '"nope"', "10", "0", "-1",
                     "1e400", "true", '{ env = "P_SECRET" }', '{ env = "UNSET_X" }',
                     f'"{SECRET}"', f'"http://u:{SECRET}@127.0.0.1:8080"',
                     f'"http://127.0.0.1/?api_token={quote(SECRET)}"', "[1, 2]", '{ x = 1 }']),
    st.text(max_size=10).map(lambda t: '"' + t.replace('"', "").replace("\\", "") + '"'))


@st.composite
def connection_texts(draw: st.DrawFn) -> str:
    lines = [draw(st.sampled_from(['system = "vosfactures"', 'system = "acomba"', ""]))]
    for _ in range(draw(st.integers(0, 8))):
        key = draw(_keys)
        lines.append(key if key.startswith("[") else f"{key} = {draw(_values)}")
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.text(max_size=15)))
    return "\n".join(lines) + "\n"


@fuzz_settings(scale=5)
@given(connection_texts())
def test_connection_files_load_or_say_why_without_the_secret(text: str) -> None:
    try:
        connection = parse_connection(text, REGISTRY, name="c.toml",
                                      environ={"P_SECRET": SECRET})
    except (UsageError, InputError) as exc:
        message = str(exc)
        assert message.startswith("c.toml"), message
        for form in (SECRET, quote(SECRET, safe="")):
            assert form not in message or form in text.split(message[:0] or "\n")[0], message
        return
    assert SECRET not in repr(connection)
    for value in connection.settings.values():
        if isinstance(value, str) and "://" in value:
            assert "@" not in value.split("://", 1)[1].split("/", 1)[0]


@fuzz_settings(scale=5)
@given(st.text(min_size=6, max_size=24).filter(lambda s: "*" not in s and s.strip() == s),
       st.text(max_size=30), st.text(max_size=30),
       st.sampled_from(["{s}", "api_token={q}", '"password": "{j}"', "Basic {s}", "x{s}y",
                        "?key={q}&x=1"]))
def test_the_redactor_leaves_no_form_of_a_secret(secret: str, before: str, after: str,
                                                 shape: str) -> None:
    import json

    forms = {secret, quote(secret, safe=""), json.dumps(secret)[1:-1]}
    text = before + shape.format(s=secret, q=quote(secret, safe=""),
                                 j=json.dumps(secret)[1:-1]) + after
    cleaned = Redactor(secrets=[secret]).text(text)
    assert [f for f in forms if len(f) >= 3 and f in cleaned] == []
