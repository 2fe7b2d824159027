"""Fuzzing the sync files of the plugins' flows (`flow = "codabox-clearfacts"`,
`flow = "src-documents"`): right and wrong lines of their own tables and keys. Each file
loads, or is refused with a UsageError / InputError naming the file (and the line when a
line is at fault), never a traceback, never a secret in the message (issues 12, 15, 16).
The oracle is test_fuzz_files' for the documents flow. Budget: support.fuzz."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fuzz.test_fuzz_files import SECRET, _lines_naming
from hypothesis import given
from hypothesis import strategies as st

from passeur import load_registry
from passeur.errors import InputError, UsageError
from support.fuzz import fuzz_settings

pytestmark = pytest.mark.fuzz

REGISTRY = load_registry()
IBAN = "BE40 3102 2542 5763"
TOKEN = (SECRET + "-cf-" + "x" * 80)[:80]  # the 80-character ClearFacts token

_CODABOX: dict[str | None, list[str]] = {
    None: ['name = "offices"', 'store = "st.db"', 'doctypes = ["invoice"]', "offices = 3",
           'statements = "folder"', 'resolv = {}'],
    "source": ['connection = "codabox.toml"', 'connection = "clearfacts.toml"',
               'system = "codabox"', 'connection = "src.toml"', "connection = 1"],
    "target": ['connection = "clearfacts.toml"', 'connection = "codabox.toml"',
               'system = "clearfacts"', 'connection = "src.toml"'],
    "statements": ['to = "clearfacts"', 'to = "folder"', 'to = "ftp"', 'folder = "st/"',
                   "folder = 3", 'format = "camt053"', 'format = "coda"', 'format = "pdf"',
                   'category = "CODA"', 'category = ""', "category = 7", 'categry = "x"'],
    "invoices": ['to = "clearfacts"', 'to = "none"', "to = 1", 'to = "folder"'],
    "delivery": ['on_uncertain_upload = "report"', 'on_uncertain_upload = "reupload"',
                 'on_uncertain_upload = "x"', "on_uncertain_upload = 1", 'on_uncertin = "x"'],
    "resolve": ['"5f0c-feed" = "delivered"', '"5f0c-feed" = "reupload"',
                '"8a21-feed" = "maybe"', "x = 1", '"" = "delivered"'],
    "offices.dupont": ['username = "pod66"', 'password = { env = "P_CB" }',
                       f'password = "{SECRET}"', 'password = { env = "NOPE" }',
                       "username = 1", f'pasword = "{SECRET}"', 'username = ""',
                       'password = { env = "P_CB", x = 1 }'],
    "offices.dupont.journals": [
        f'"{IBAN}" = {{ journal = "ING", activated = true }}',
        '"BE40310225425763" = { journal = "x", activated = "yes" }',
        '"BE00 0000" = { journal = "x" }', f'"{IBAN}" = 3', '"" = { journal = "x" }',
        '"BE71 0961 2345 6769" = { journal = "B", activated = false, extra = 1 }',
        '"BE71 0961 2345 6769" = { activated = true }',
        '"BE71 0961 2345 6769" = { journal = 5, activated = true }'],
    "offices.lemaire": ['username = "pod71"', 'password = { env = "P_CB" }'],
    "offices.lemaire.journals": [f'"{IBAN}" = {{ journal = "again", activated = true }}',
                                 '"BE69 0014 2856 5678" = { journal = "BNP" }'],
    "offices": ["x = 1"],
}
_SRC: dict[str | None, list[str]] = {
    None: ['store = "st.db"', 'doctypes = ["invoice"]', 'name = "vf-src"', 'rule = "x"'],
    "source": ['system = "vosfactures"', 'connection = "vf.toml"', 'connection = "pdfs.toml"',
               'connection = "src.toml"', 'system = "sagesrc"', 'system = "nope"'],
    "source.settings": ['account = "acme"', 'api_token = { env = "P_TOKEN" }',
                        f'api_token = "{SECRET}"', 'base_url = "http://127.0.0.1:9"'],
    "target": ['connection = "src.toml"', 'connection = "vf.toml"', 'system = "sagesrc"',
               'connection = "pdfs.toml"'],
    "target.settings": ['base_url = "http://127.0.0.1:9"', 'login = "c"',
                        'password = { env = "P_SRC" }', f'password = "{SECRET}"',
                        "max_archive_files = 0", "max_archive_bytes = -1",
                        'max_archive_files = "x"', "max_archive_bytes = 1e400"],
    "documents": ["rule = 'concat(\"F-\", substring(id, 5)) -> number'", 'rule = "x ->"',
                  "rule = 3", "rule = 'concat(\"F-\", substring(id, 5))'",
                  "rule = 'nope(id) -> number'", "rule = 'id -> numbr'",
                  "rule = '(((((( -> number'", 'rule = "id -> number\\nid -> number"',
                  'match = "m.map"', 'match = "none.map"', 'match = "bad.map"',
                  'match = "../../etc/passwd"', "max_pdf_bytes = 0", "max_pdf_bytes = 1e400",
                  "max_pdf_bytes = 4096", "page_size = 501", 'page_size = "x"',
                  "page_size = true", "page_size = 50", "pagesize = 1"],
    "exclude": ["credit_notes = true", 'credit_notes = "yes"', 'amount_below = "15.00"',
                "amount_below = 15.0", 'amount_below = "abc"', 'amount_below = "NaN"',
                'amount_below = "1e999999"', 'amount_below = "-Infinity"',
                'customers = ["C"]', 'customers = "C"', "customers = [1, {}]",
                'customers = [""]', 'include_again = ["FA1"]', "include_again = 5",
                'exclud = "x"'],
}
_FLOWS = {"codabox-clearfacts": _CODABOX, "src-documents": _SRC}
_ENV = {"P_CB": SECRET + "-cb", "P_CF": TOKEN, "P_VENDOR": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "P_TOKEN": SECRET + "-t", "P_SRC": SECRET + "-src"}
_SECRETS = [SECRET, _ENV["P_CB"], _ENV["P_CF"], _ENV["P_TOKEN"], _ENV["P_SRC"]]
#: A file each flow loads: the fuzz edits it with the lines above.
_BASE: dict[str, dict[str | None, list[str]]] = {
    "codabox-clearfacts": {
        None: [], "source": ['connection = "codabox.toml"'],
        "target": ['connection = "clearfacts.toml"'],
        "offices.dupont": ['username = "pod66"', 'password = { env = "P_CB" }'],
        "offices.dupont.journals": [f'"{IBAN}" = {{ journal = "ING", activated = true }}']},
    "src-documents": {
        None: [], "source": ['connection = "vf.toml"'], "target": ['connection = "src.toml"'],
        "documents": ["rule = 'concat(\"F-\", substring(id, 5)) -> number'"]},
}


def _key(line: str) -> str:
    return line.split("=")[0].strip()


@st.composite
def flow_texts(draw: st.DrawFn) -> str:
    """A sync file of one of the flows that loads, edited by a few right and wrong lines
    (each in place of the line of its key, or added), now and then a table dropped or
    written twice, or a line of any text."""
    flow = draw(st.sampled_from(sorted(_FLOWS)))
    tables = {t: list(lines) for t, lines in _BASE[flow].items()}
    for _ in range(draw(st.integers(0, 4))):
        table = draw(st.sampled_from(sorted(_FLOWS[flow], key=str)))
        line = draw(st.sampled_from(_FLOWS[flow][table]))
        written = tables.setdefault(table, [])
        same = [n for n, old in enumerate(written) if _key(old) == _key(line)]
        if same:
            written[same[0]] = line
        else:
            written.append(line)
    if draw(st.integers(0, 9)) == 0:
        tables.pop(draw(st.sampled_from(sorted(tables, key=str))))
    out = [f'flow = "{flow}"', *tables.pop(None, [])]
    for table, written in tables.items():
        out += [f"[{table}]", *written]
    if draw(st.integers(0, 14)) == 0 and tables:
        out.append(f"[{draw(st.sampled_from(sorted(tables, key=str)))}]")
    if draw(st.integers(0, 9)) == 0:
        out.insert(draw(st.integers(1, len(out))), draw(st.text(max_size=15)))
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def flow_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("flowfiles")
    files = {
        "codabox.toml": 'system = "codabox"\n[settings]\nbase_url = "http://127.0.0.1:9/v2"\n'
                        'software_company = { env = "P_VENDOR" }\n',
        "clearfacts.toml": 'system = "clearfacts"\n[settings]\nbase_url = '
                           '"http://127.0.0.1:9"\ntoken = { env = "P_CF" }\n',
        "src.toml": 'system = "sagesrc"\n[settings]\nbase_url = "http://127.0.0.1:9"\n'
                    'login = "c"\npassword = { env = "P_SRC" }\n',
        "vf.toml": 'system = "vosfactures"\n[settings]\nbase_url = "http://127.0.0.1:9"\n'
                   'api_token = { env = "P_TOKEN" }\n',
        "pdfs.toml": '[folder]\npath = "pdfs/"\n',
        "m.map": "mapping sagesrc.invoice <-> vosfactures.invoice\nid -> number\n",
        "bad.map": "mapping sagesrc.invoice <-> vosfactures.invoice\nid -> (\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "pdfs").mkdir()
    return folder


@fuzz_settings(scale=5)
@given(flow_texts())
def test_flow_sync_files_load_or_say_where_without_the_secret(flow_folder: Path,
                                                              text: str) -> None:
    from passeur.engine.sync import load_sync_file

    path = flow_folder / "s.toml"
    path.write_text(text, encoding="utf-8")
    try:
        spec = load_sync_file(path, REGISTRY, environ=_ENV)
    except (UsageError, InputError) as exc:
        message = str(exc)
        assert [s for s in _SECRETS if s in message] == [], message
        named = message.split(":", 1)[0]
        if named != str(path):  # a connection file it names is at fault, at its own line
            assert Path(named).parent == flow_folder and Path(named).is_file(), message
            return
        located = re.match(rf"{re.escape(str(path))}:(\d+)(?::\d+)?: ", message)
        body = message.split(": ", 1)[-1]
        assert located or not _lines_naming(text, body), message
        if "not valid TOML" in message:
            assert located, message
        return
    assert spec.flow in _FLOWS
    assert [s for s in _SECRETS if s in repr(spec) or s in repr(spec.options)] == []
