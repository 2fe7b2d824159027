"""Fuzzing the files users write: mapping files (parser and checker) and connection files.
Whatever is typed gives findings or a clear error naming the file and line, never a
traceback, and no secret in any message (issue 12). Budget: support.fuzz."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passeur import load_registry
from passeur.checking import check_text
from passeur.dsl import MappingSyntaxError, parse_text
from passeur.engine.connection import parse_connection
from passeur.errors import InputError, MappingError, UsageError
from passeur.redaction import Redactor
from support.fuzz import fuzz_settings
from support.mapping_seeds import CLIENTS_CSV, LIBRARY, SEEDS

pytestmark = pytest.mark.fuzz

REPO = Path(__file__).resolve().parents[2]
REGISTRY = load_registry()
MAPS = {p.resolve(): p for folder in ("mappings", "plugins")
        for p in (REPO / folder).rglob("*.map")}
TEXTS = {p.name: p.read_text(encoding="utf-8") for p in sorted(MAPS)} | SEEDS
PIECES = ["<->", "->", "<-", ".", "(", ")", '"', "`", "end", "each ", "table t", " via ",
          "\n", " when ", " default ", "sum(", "{", "}", "[", "]", "#", "1e999999", "*", "/",
          "null", "\t", "é", "^.", "$.", "^.^.", " where ", "group ", " by ", "let x = ",
          "each key, value in ", " as ", "position()", "lookup(", "prefix(", "unprefix(",
          "before(", "after(", " + ", "french_number(", "count()", ", ", '"1 234,50"',
          'table c from "clients.csv" NoClient <-> Nom\n', 'include "library.map"\n',
          "0.00", "-0", "1.0", '""', "-" * 50,
          "(" * 200, "not " * 100, "\x00", "\\", "\ud800"]
# (a file read as UTF-8 never holds a lone surrogate, but a text given to the API may)


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


@pytest.fixture(scope="module")
def seed_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder holding the seeds' CSV file and library, made the current one: the checker
    finds them relative to the mapping file, here `edited.map` in the current folder."""
    folder = tmp_path_factory.mktemp("seeds")
    (folder / "clients.csv").write_text(CLIENTS_CSV, encoding="utf-8")
    (folder / "library.map").write_text(LIBRARY, encoding="utf-8")
    before = Path.cwd()
    os.chdir(folder)
    yield folder
    os.chdir(before)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_each_seed_checks_and_runs_its_example(seed_files: Path, name: str) -> None:
    """A seed the checker refuses would fuzz little of its construct: each one is a correct
    mapping (only the never-written required fields of a small file are reported)."""
    report = check_text(SEEDS[name], name, REGISTRY, run=True)
    assert [f.problem.message for f in report.findings if f.problem.code != "required"] == []


@pytest.mark.skipif(not TEXTS, reason="no shipped mapping")
@fuzz_settings(scale=0.5)  # compiles and runs the examples: the slowest property here
@given(edited(), st.booleans())
def test_the_checker_answers_with_findings(seed_files: Path, text: str, run: bool) -> None:
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
        located = re.match(r"c\.toml:\d+(?::\d+)?: ", message)
        assert located or not _lines_naming(text, message.split(": ", 1)[-1]), message
        if "not valid TOML" in message:
            assert located, message
        for form in (SECRET, quote(SECRET, safe="")):
            # only what the file itself holds in clear may be quoted back (a system name)
            assert form not in message or form in text, message
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


# --- sync files -------------------------------------------------------------------------

_SYNC_LINES = {
    None: ['name = "acme"', 'store = "st.db"', 'doctypes = ["invoice"]', "doctypes = 3",
           'doctypes = ["nope"]', 'doctype = ["invoice"]', 'schedul = "1h"', "store = 1e400"],
    "source": ['connection = "acomba.toml"', 'connection = "vf.toml"', 'connection = "no.toml"',
               'system = "acomba"', 'system = "vosfactures"', 'system = "nope"', 'name = "a"',
               'name = ""', "connection = 1"],
    "target": ['connection = "vf.toml"', 'connection = "acomba.toml"', 'system = "vosfactures"',
               'name = "t"', 'connecton = "vf.toml"'],
    "source.settings": ['base_url = "http://127.0.0.1:9/api"', 'company_id = "1"',
                        'licence = { env = "P_LICENCE" }', 'secret = { env = "P_SECRET" }',
                        f'secret = "{SECRET}"', f'licence = "{SECRET}"',
                        f'base_url = "http://u:{SECRET}@127.0.0.1:9"', 'licence = { env = "NO" }',
                        'erp = "sage"', "compny_id = 1"],
    "target.settings": ['base_url = "http://127.0.0.1:9"', 'api_token = { env = "P_TOKEN" }',
                        f'api_token = "{SECRET}"', f'password = "{SECRET}"',
                        'api_token = { env = "P_TOKEN", x = 1 }', 'account = "acme"'],
    "target.http": ["rate_limit = 0", "rate_limit = 5", 'timeout = "x"', "burst = 1e400",
                    "max_atempts = 2"],
    "mapping": ['file = "mine.map"', 'file = "none.map"', 'route = "default"', 'route = "x"',
                "file = 7"],
    "match": ['client = ["vat", "email"]', 'client = ["siret"]', "client = []",
              'product = "code"', 'vendor = ["x"]'],
    "policy": ['on_issue = "error"', 'on_conflict = "overwrite"', 'on_missing_reference = 1',
               'on_ambiguous = "defer"', 'on_whatever = "x"'],
    "read": ['look_back = "15m"', 'look_back = "soon"', "look_back = -1", 'since = "2024-13-45"',
             'since = 2024-01-01', "concurrency = 0", "concurrency = 1e400", "concurrency = 4"],
    "schedule": ['every = "1h"', 'cron = "* * * * *"', "every = [1]", 'evry = "1h"'],
}
_SYNC_ENV = {"P_TOKEN": SECRET + "-t", "P_LICENCE": SECRET + "-l", "P_SECRET": SECRET + "-s"}
_SYNC_SECRETS = [SECRET, *_SYNC_ENV.values()]


@st.composite
def sync_texts(draw: st.DrawFn) -> str:
    """A sync file built from right and wrong lines under right and wrong tables, sometimes
    with a line of any text or a table twice."""
    tables = draw(st.lists(st.sampled_from(sorted(_SYNC_LINES, key=str)), max_size=7))
    if draw(st.integers(0, 4)):  # mostly the two sides, so that later checks are reached
        tables = [None, "source", "target", *tables]
    out: list[str] = []
    for table in tables:
        if table is not None:
            out.append(f"[{table}]")
        out += draw(st.lists(st.sampled_from(_SYNC_LINES[table]), min_size=1, max_size=3,
                             unique=True))
    if draw(st.integers(0, 3)) == 0:
        out.insert(draw(st.integers(0, len(out))), draw(st.text(max_size=15)))
    return "\n".join(out) + "\n"


_VF_CONNECTION = ('system = "vosfactures"\n[settings]\nbase_url = "http://127.0.0.1:9"\n'
                  'api_token = { env = "P_TOKEN" }\n')
_ERP_CONNECTION = ('system = "acomba"\n[settings]\nbase_url = "http://127.0.0.1:9/api"\n'
                   'company_id = "1"\nlicence = { env = "P_LICENCE" }\n'
                   'secret = { env = "P_SECRET" }\n')


@pytest.fixture(scope="module")
def sync_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("syncfiles")
    (folder / "vf.toml").write_text(_VF_CONNECTION, encoding="utf-8")
    (folder / "acomba.toml").write_text(_ERP_CONNECTION, encoding="utf-8")
    (folder / "mine.map").write_text("mapping acomba.invoice <-> vosfactures.invoice\n",
                                     encoding="utf-8")
    return folder


def _lines_naming(text: str, body: str) -> set[int]:
    """The lines of `text` a refusal is about: one whose key it quotes ('key') or starts
    with (`key must be ...`), or whose table it names when the table is written."""
    found: set[int] = set()
    if body.startswith("missing"):  # about what is not written: no line to name
        return found
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            table = stripped[1:-1].strip()
            if f"[{table}]" in body:
                found.add(number)
            continue
        key = stripped.split("=")[0].strip()
        if "=" in stripped and key and (f"'{key}'" in body or body.startswith(f"{key} ")):
            found.add(number)
    return found


@fuzz_settings(scale=5)
@given(sync_texts())
def test_sync_files_load_or_say_where_without_the_secret(sync_folder: Path,
                                                         text: str) -> None:
    from passeur.engine.sync import load_sync_file

    path = sync_folder / "s.toml"
    path.write_text(text, encoding="utf-8")
    try:
        spec = load_sync_file(path, REGISTRY, environ=_SYNC_ENV)
    except (UsageError, InputError) as exc:
        message = str(exc)
        assert message.startswith(str(path)), message
        assert [s for s in _SYNC_SECRETS if s in message] == [], message
        located = re.match(rf"{re.escape(str(path))}:(\d+)(?::\d+)?: ", message)
        body = message.split(": ", 1)[-1]
        assert located or not _lines_naming(text, body), message
        if "not valid TOML" in message:
            assert located, message
        return
    assert [s for s in _SYNC_SECRETS if s in repr(spec)] == []
