"""Progress of a long conversion on standard error, so 2,000 documents are not 36 s of silence.

`--progress auto` (the default, or `$PASSEUR_PROGRESS`) shows a live rich bar only when
standard error is a terminal and no --json report was asked for: piped or scripted output
stays exactly what it was. `always` forces it: on a terminal the live bar, elsewhere (a log
file, a CI job) one plain line every PLAIN_EVERY documents and one at the end. `never`
turns it off. The bar counts documents and, for a file, the share of its bytes read.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

from passeur.cli.plain import plain_stderr
from passeur.errors import UsageError

if TYPE_CHECKING:  # rich.progress is imported only when a bar is shown (cold start)
    from rich.console import Console
    from rich.progress import Progress

__all__ = ["MODES", "PLAIN_EVERY", "PROGRESS_ENV", "ConvertProgress", "progress_mode"]

PROGRESS_ENV = "PASSEUR_PROGRESS"
MODES = ("auto", "always", "never")
PLAIN_EVERY = 500  # documents between two plain progress lines

Mode = Literal["auto", "always", "never"]


def progress_mode(option: str | None) -> Mode:
    """The mode asked: the option, else $PASSEUR_PROGRESS, else auto."""
    value = option if option is not None else os.environ.get(PROGRESS_ENV, "auto")
    value = value.strip().lower()
    if value not in MODES:
        raise UsageError(f"{PROGRESS_ENV}={value!r} is not one of {', '.join(MODES)}")
    return value  # type: ignore[return-value]


def _size(stream: BinaryIO) -> int | None:
    try:
        return os.fstat(stream.fileno()).st_size or None
    except (OSError, ValueError, AttributeError):  # stdin, a pipe: no size known
        return None


class ConvertProgress:
    """Counts documents as they are converted and shows it on `console` (standard error)."""

    def __init__(self, console: Console | None, stream: BinaryIO, mode: Mode,
                 as_json: bool) -> None:
        """`console` None: standard error, through rich only when it is a terminal (or
        rich's environment says to style it); plain lines are written without it."""
        if console is None and not plain_stderr():
            from passeur.cli.app import err_console

            console = err_console
        self.console = console
        self.stream = stream
        self.total = _size(stream)
        self.count = 0
        self.failed = 0
        terminal = console is not None and console.is_terminal
        self.enabled = mode == "always" or (mode == "auto" and terminal and not as_json)
        self.live: Progress | None = None
        self.task: Any = None
        if self.enabled and terminal:
            from rich.progress import (
                BarColumn,
                Progress,
                SpinnerColumn,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            columns: list[Any] = [SpinnerColumn(), TextColumn("{task.description}")]
            if self.total:
                columns += [BarColumn(), TaskProgressColumn()]
            columns.append(TimeElapsedColumn())
            self.live = Progress(*columns, console=console, transient=True)
            self.task = self.live.add_task(self._text(), total=self.total)

    def __enter__(self) -> ConvertProgress:
        if self.live is not None:
            self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.stop()
        elif self.enabled and self.count % PLAIN_EVERY:
            self._line()

    def _text(self) -> str:
        failed = f", {self.failed} failed" if self.failed else ""
        return f"{self.count} document(s) done{failed}"

    def _read(self) -> int | None:
        try:
            return self.stream.tell()
        except (OSError, ValueError):
            return None

    def _line(self) -> None:
        done = self._read()
        share = (f" ({min(100, done * 100 // self.total)}% of the input read)"
                 if self.total and done is not None else "")
        line = f"progress: {self._text()}{share}"
        if self.console is None:
            from passeur.cli.app import say

            say(line)
        else:
            self.console.print(line, markup=False, highlight=False)

    def advance(self, failed: bool) -> None:
        """One more document done."""
        self.count += 1
        self.failed += failed
        if not self.enabled:
            return
        if self.live is not None:
            self.live.update(self.task, description=self._text(), completed=self._read())
        elif self.count % PLAIN_EVERY == 0:
            self._line()
