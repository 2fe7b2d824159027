"""Outputs are written whole or not at all, and never over their own input (issue 12, item 1)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

import passeur.cli.convert_cmd
import passeur.cli.fmt_cmd
import passeur.cli.pull_cmd  # noqa: F401 - register the commands
from passeur.cli.app import EXIT_OUTPUT, EXIT_USAGE, cli
from passeur.errors import OutputError, UsageError
from passeur.outputs import atomic_text_output, refuse_same_file

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
SEED004 = GOLDEN / "acomba_seed004" / "input.json"


def _convert(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["convert", *args, "--from", "acomba", "--to",
                                      "vosfactures"], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_convert_onto_its_own_input_is_refused_and_the_input_kept(tmp_path: Path) -> None:
    same = tmp_path / "same.json"
    same.write_bytes(SEED004.read_bytes())
    code, _, stderr = _convert(str(same), "-o", str(same))
    assert code == EXIT_USAGE == 2
    assert same.read_bytes() == SEED004.read_bytes()
    assert stderr == (f"error: the output {same} is the input {same}; writing it would "
                      "destroy the input: write to another file and rename it afterwards\n")


@pytest.mark.parametrize("how", ["symlink", "hardlink", "dotted"])
def test_the_same_file_under_another_name_is_refused(tmp_path: Path, how: str) -> None:
    same = tmp_path / "same.json"
    same.write_bytes(SEED004.read_bytes())
    other = tmp_path / "other.json"
    if how == "symlink":
        other.symlink_to(same)
    elif how == "hardlink":
        os.link(same, other)
    else:
        other = tmp_path / "." / "sub" / ".." / "same.json"
        (tmp_path / "sub").mkdir()
    code, _, stderr = _convert(str(same), "-o", str(other))
    assert code == 2, stderr
    assert same.read_bytes() == SEED004.read_bytes()


def test_output_to_a_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    code, _, stderr = _convert(str(SEED004), "-o", str(tmp_path / "nope" / "out.json"))
    assert code == EXIT_OUTPUT == 5
    assert stderr.splitlines()[-1] == (f"error: {tmp_path / 'nope' / 'out.json'}: cannot write: "
                                       f"No such file or directory (the folder "
                                       f"{tmp_path / 'nope'} does not exist)")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_an_output_error_not_unreadable_input() -> None:
    code, _, stderr = _convert(str(SEED004), "-o", "/dev/full")
    assert code == 5
    assert stderr.splitlines()[-1] == "error: /dev/full: cannot write: No space left on device"


def test_a_device_output_is_written_in_place(tmp_path: Path) -> None:
    code, _, _ = _convert(str(SEED004), "-o", os.devnull)
    assert code == 0


def test_the_previous_output_survives_a_failure(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text("previous\n")
    with pytest.raises(RuntimeError), atomic_text_output(out) as stream:
        stream.write("half of the new content")
        raise RuntimeError("crash in the middle")
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]  # no temporary left


def test_a_failed_flush_leaves_the_target_and_no_temporary(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out.json"
    out.write_text("previous\n")

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OutputError, match=r"out\.json: cannot write: No space left on device; "
                       r"the previous file was left as it was"), atomic_text_output(out) as s:
        s.write("new\n")
    assert out.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_a_replaced_file_keeps_its_permissions_and_a_link_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with atomic_text_output(link) as stream:
        stream.write("new")
    assert link.is_symlink() and real.read_text() == "new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_a_new_file_gets_the_usual_permissions(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        with atomic_text_output(tmp_path / "new.json") as stream:
            stream.write("x")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644


def test_convert_writes_the_output_only_at_the_end(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    code, _, _ = _convert(str(SEED004), "-o", str(out))
    assert code == 0
    assert "positions" in json.loads(out.read_text())["invoice"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_standard_input_redirected_from_the_output_is_refused(tmp_path: Path) -> None:
    same = tmp_path / "same.json"
    same.write_bytes(SEED004.read_bytes())
    with same.open("rb") as handle, pytest.raises(UsageError, match="is the input standard"):
        refuse_same_file(same, [handle.fileno()])
    refuse_same_file(same, [os.devnull])  # not a regular file: nothing to lose


def test_pull_refuses_to_write_over_its_connection_file(tmp_path: Path) -> None:
    conn = tmp_path / "acme.toml"
    conn.write_text('system = "vosfactures"\n[settings]\nbase_url = "http://127.0.0.1:9"\n'
                    'api_token = { env = "ACME_TOKEN" }\n', encoding="utf-8")
    before = conn.read_bytes()
    result = CliRunner().invoke(cli, ["pull", str(conn), "invoice", "-o", str(conn)],
                                env={"ACME_TOKEN": "t0ken-secret"})
    assert result.exit_code == 2, result.stderr
    assert "is the input" in result.stderr
    assert conn.read_bytes() == before


def test_fmt_that_cannot_write_keeps_the_file_and_exits_5(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "a.map"
    messy = "mapping   acomba.invoice<->passeur.invoice\n"
    source.write_text(messy, encoding="utf-8")

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    result = CliRunner().invoke(cli, ["fmt", str(source)])
    assert result.exit_code == EXIT_OUTPUT, result.output
    assert f"error: {source}: cannot write: No space left on device" in result.output
    assert source.read_text(encoding="utf-8") == messy
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.map"]
    monkeypatch.undo()
    result = CliRunner().invoke(cli, ["fmt", str(source)])
    assert result.exit_code == 0, result.output
    assert source.read_text(encoding="utf-8") == "mapping acomba.invoice <-> passeur.invoice\n"
