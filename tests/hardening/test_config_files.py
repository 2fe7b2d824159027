"""Connection and sync files: every refusal names FILE:LINE (issue 12; found by the fuzz of
tests/fuzz/test_fuzz_files.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from passeur.engine.connection import load_connection
from passeur.engine.sync import load_sync_file
from passeur.errors import InputError, UsageError
from passeur.plugins import load_registry

ENV = {"T": "tok-000000", "L": "lic-000000", "S": "sec-000000"}
VF = ('system = "vosfactures"\n[settings]\nbase_url = "http://127.0.0.1:9"\n'
      'api_token = { env = "T" }\n')


def _sync(tmp_path: Path, text: str) -> Path:
    (tmp_path / "vf.toml").write_text(VF, encoding="utf-8")
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "where", "message"), [
    ('[source]\nconnection = "vf.toml"\n[source]\n', ":3:8", "Cannot declare ('source',) twice"),
    ('name = "a\n', ":1:10", "Illegal character"),
    ("doctypes = [\n", ":2", "(at the end of the file)"),
])
def test_a_toml_error_of_a_sync_file_is_file_line_column(tmp_path: Path, text: str, where: str,
                                                          message: str) -> None:
    path = _sync(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_sync_file(path, load_registry(), environ=ENV)
    assert str(caught.value).startswith(f"{path}{where}: not valid TOML: ")
    assert message in str(caught.value)


def test_a_toml_error_of_a_connection_file_is_file_line_column(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('system = "vosfactures"\n[settings]\nbase_url = \n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_connection(path, load_registry(), environ=ENV)
    assert str(caught.value) == f"{path}:3:12: not valid TOML: Invalid value"


def test_an_inline_side_names_the_line_of_its_key(tmp_path: Path) -> None:
    path = _sync(tmp_path, 'name = "x"\n[target]\nconnection = "vf.toml"\n[source]\n'
                 'system = "nope"\n')
    with pytest.raises(UsageError) as caught:
        load_sync_file(path, load_registry(), environ=ENV)
    assert str(caught.value).startswith(f"{path}:5: unknown system 'nope'")


def test_an_unknown_doctype_names_the_doctypes_line(tmp_path: Path) -> None:
    path = _sync(tmp_path, '[source]\nconnection = "vf.toml"\nname = "a"\n[target]\n'
                 'connection = "vf.toml"\n[read]\nconcurrency = 2\n')
    text = 'doctypes = ["nope"]\n' + path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        load_sync_file(path, load_registry(), environ=ENV)
    assert str(caught.value).startswith(f"{path}:1: system 'vosfactures' has no document type")


def test_a_sync_file_that_is_not_utf8_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_bytes(b'name = "caf\xe9"\n')
    with pytest.raises(InputError, match=r"s\.toml: not UTF-8 text \(invalid continuation "
                       r"byte at byte 11\)"):
        load_sync_file(path, load_registry(), environ=ENV)
