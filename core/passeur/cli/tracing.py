"""`--verbose` and `--trace FILE` for every command that talks to a live system.

Users should not have to configure Python logging to see what passeur sends: `--verbose`
prints one line per request and per answer (method, URL, status, time, retries) on standard
error; `--trace FILE` writes everything, headers and bodies included, to FILE. Secrets are
masked in both (by name, by value and in their encoded forms; see `passeur.redaction`), and
httpx's own request log is kept quiet, since it would print URLs as they were sent.

Commands add both options with the `live_options` decorator::

    @cli.command("pull")
    ...
    @live_options
    @click.pass_context
    @handle_errors
    def pull(ctx, ...): ...
"""

from __future__ import annotations

import contextlib
import functools
import logging
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import click

from passeur.cli.app import handle_errors
from passeur.errors import OutputError
from passeur.outputs import refuse_same_file
from passeur.redaction import THIRD_PARTY_LOGGERS, SecretFilter

__all__ = ["live_options", "tracing"]

F = TypeVar("F", bound=Callable[..., Any])

_FORMAT = "%(asctime)s.%(msecs)03d %(levelname)s %(name)s %(message)s"


class _Held:
    """A handler that only `tracing` may close: a library that configures logging while a
    command runs (uvicorn's dictConfig, when `passeur demo` starts its sandboxes) closes
    every handler there is, and a closed file handler silently writes nothing more."""

    def close(self) -> None:  # anyone's close: flush, keep the handler working
        self.flush()  # type: ignore[attr-defined]

    def finish(self) -> None:
        super().close()  # type: ignore[misc]


class _TraceFile(_Held, logging.FileHandler):
    pass


class _Verbose(_Held, logging.StreamHandler):  # type: ignore[type-arg]
    pass


@contextlib.contextmanager
def tracing(verbose: bool, trace_file: str | None) -> Iterator[None]:
    """Send passeur's HTTP trace to standard error (`verbose`) and/or to `trace_file`,
    secrets masked, for the duration of the block."""
    if not verbose and not trace_file:
        yield
        return
    root = logging.getLogger("passeur")
    handlers: list[_TraceFile | _Verbose] = []
    if verbose:
        handler: _TraceFile | _Verbose = _Verbose(sys.stderr)
        handler.setLevel(logging.INFO)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handlers.append(handler)
    if trace_file:
        try:
            handler = _TraceFile(trace_file, mode="w", encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"{trace_file}: cannot write the trace: "
                              f"{exc.strerror or exc}") from None
        handler.setLevel(logging.DEBUG)
        handler.setFormatter(logging.Formatter(_FORMAT, datefmt="%Y-%m-%dT%H:%M:%S"))
        handlers.append(handler)
    saved_level, saved_propagate = root.level, root.propagate
    quiet = {name: logging.getLogger(name).level for name in THIRD_PARTY_LOGGERS}
    for handler in handlers:
        handler.addFilter(SecretFilter())
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if trace_file else logging.INFO)
    root.propagate = False  # the trace goes where it was asked, not twice
    for name in THIRD_PARTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield
    finally:
        for handler in handlers:
            root.removeHandler(handler)
            handler.finish()
        root.setLevel(saved_level)
        root.propagate = saved_propagate
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)


def live_options(func: F) -> F:
    """Add `-v/--verbose` and `--trace FILE` to a command (see the module docstring)."""

    @functools.wraps(func)
    def wrapper(*args: Any, verbose: bool = False, trace_file: str | None = None,
                **kwargs: Any) -> Any:
        @handle_errors  # a trace file that cannot be opened is reported like any error
        def run() -> Any:
            if trace_file:  # opened for writing first: it must not be a file the command reads
                refuse_same_file(trace_file, [v for k, v in kwargs.items()
                                              if k.endswith("_path") and isinstance(v, str)])
            with tracing(verbose, trace_file):
                return func(*args, **kwargs)

        return run()

    wrapper = click.option(
        "--trace", "trace_file", metavar="FILE", type=click.Path(dir_okay=False),
        help="Write every request and answer, headers and bodies included, to FILE "
        "(secrets masked).")(wrapper)
    wrapper = click.option(
        "-v", "--verbose", is_flag=True,
        help="Print each request and answer (method, URL, status, time, retries) on "
        "standard error, secrets masked.")(wrapper)
    return wrapper  # type: ignore[return-value]
