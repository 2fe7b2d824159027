"""Progress of `passeur convert` on standard error: off when piped or with --json (the
output and the report stay exactly as they were), on when asked (--progress always or
$PASSEUR_PROGRESS), a live bar on a terminal."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

import passeur.cli.convert_cmd  # noqa: F401 - registers the command
import passeur.cli.progress as progress
from passeur.cli.app import State, cli

ROOT = Path(__file__).resolve().parents[2]
CANONICAL = ROOT / "tests" / "fixtures" / "golden" / "acomba_seed004" / "canonical.json"


def _stream(tmp_path: Path, count: int) -> Path:
    document = json.dumps(json.loads(CANONICAL.read_text(encoding="utf-8")))
    path = tmp_path / "many.ndjson"
    path.write_text("".join(document + "\n" for _ in range(count)), encoding="utf-8")
    return path


def _convert(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["convert", *args, "--from", "passeur", "--to",
                                      "passeur"], obj=State(), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_piped_output_gets_no_progress(tmp_path: Path) -> None:
    path = _stream(tmp_path, 3)
    code, out, err = _convert(str(path))
    assert code == 0
    assert err == "3 of 3 document(s) converted, 0 failed, 0 warning(s)\n"
    assert len(out.splitlines()) == 3  # NDJSON in, NDJSON out, nothing else
    code, out, err = _convert(str(path), "--json")
    assert code == 0 and err == ""
    assert json.loads(out)["documents"] == 3


def test_forced_progress_is_plain_lines_off_a_terminal(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "PLAIN_EVERY", 2)
    path = _stream(tmp_path, 5)
    code, out, err = _convert(str(path), "--progress", "always")
    assert code == 0
    lines = err.splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        "progress: 2 document(s) done", "progress: 4 document(s) done",
        "progress: 5 document(s) done", "5 of 5 document(s) converted, 0 failed, 0 warning(s)"]
    assert lines[2] == "progress: 5 document(s) done (100% of the input read)"
    assert len(out.splitlines()) == 5  # the documents are untouched by it
    # the same through the environment, and --json keeps standard output pure JSON
    code, out, err = _convert(str(path), "--json", env={"PASSEUR_PROGRESS": "always"})
    assert code == 0
    assert json.loads(out)["converted"] == 5
    assert err.splitlines()[-1] == "progress: 5 document(s) done (100% of the input read)"
    code, _, err = _convert(str(path), "--progress", "never",
                            env={"PASSEUR_PROGRESS": "always"})
    assert "progress" not in err  # the option wins over the environment


def test_an_unknown_progress_setting_is_refused(tmp_path: Path) -> None:
    code, _, err = _convert(str(_stream(tmp_path, 1)), env={"PASSEUR_PROGRESS": "loud"})
    assert code == 2
    assert "PASSEUR_PROGRESS='loud' is not one of auto, always, never" in err


def test_a_terminal_gets_a_live_bar_unless_json() -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100)
    data = io.BytesIO(b"x" * 10)
    with progress.ConvertProgress(terminal, data, "auto", as_json=False) as shown:
        for failed in (False, True, False):
            shown.advance(failed)
        shown.live.refresh()  # type: ignore[union-attr]
    assert "3 document(s) done, 1 failed" in screen.getvalue()
    quiet = io.StringIO()
    with progress.ConvertProgress(Console(file=quiet, force_terminal=True), data, "auto",
                                  as_json=True) as shown:
        shown.advance(False)
    assert quiet.getvalue() == ""


@pytest.mark.slow
def test_two_thousand_documents_show_their_progress(tmp_path: Path) -> None:
    code, out, err = _convert(str(_stream(tmp_path, 2000)), "--progress", "always")
    assert code == 0
    assert [line.split(" (")[0] for line in err.splitlines()] == [
        "progress: 500 document(s) done", "progress: 1000 document(s) done",
        "progress: 1500 document(s) done", "progress: 2000 document(s) done",
        "2000 of 2000 document(s) converted, 0 failed, 0 warning(s)"]
    assert len(out.splitlines()) == 2000
