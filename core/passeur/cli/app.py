"""The `passeur` command group, its exit codes and the one place errors become messages.

Exit codes (`EXIT_CODES`, also printed by `passeur --help` and listed in README.md); every
command returns one of these, and `exit_code_for` is the one mapping from an error to its code:
  0  success
  1  failure: a document or a check failed (details were printed)
  2  usage error: bad arguments, unknown system or document type, output that is the input
  3  input error: a file that cannot be read or parsed
  4  live-system error: a remote system or sandbox could not be reached or refused us
  5  output error: an output file that cannot be written (the previous file is left intact)
"""

from __future__ import annotations

import functools
import importlib
import json
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from passeur.cli.plain import say_err
from passeur.errors import InputError, OutputError, PasseurError, TransportError, UsageError
from passeur.plugins import Registry, load_registry
from passeur.redaction import redact_text

if TYPE_CHECKING:  # rich is imported when something is printed with it (cold start)
    from rich.console import Console
    from rich.text import Text

__all__ = [
    "EXIT_CODES",
    "EXIT_FAILURE",
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_REMOTE",
    "EXIT_USAGE",
    "State",
    "cli",
    "console",
    "err_console",
    "exit_code_for",
    "exit_code_for_outcomes",
    "fail",
    "handle_errors",
    "print_json",
    "registry_of",
    "say",
    "styled",
]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_REMOTE = 4
EXIT_OUTPUT = 5

#: Every exit code of every command, with what it means (README.md says the same).
EXIT_CODES = {
    EXIT_OK: "success",
    EXIT_FAILURE: "failure: a document or a check failed (details were printed)",
    EXIT_USAGE: "usage error: bad arguments, unknown system or document type",
    EXIT_INPUT: "input error: a file that cannot be read or parsed",
    EXIT_REMOTE: "live-system error: a remote system or sandbox refused or did not answer",
    EXIT_OUTPUT: "output error: a file that cannot be written (the old one is left intact)",
}

EXIT_CODES_HELP = "\b\nExit codes:\n" + "".join(f"  {code}  {text}\n"
                                                for code, text in EXIT_CODES.items())

def _console(stderr: bool = False) -> Console:
    """Paths, values and messages are printed as they are: no markup (`[x]` stays), no
    emoji codes (`file.map:100:1` is not `file.map💯1`); a command that wants style says
    `markup=True` for one line. Piped, nothing is cut at 80 columns."""
    from rich.console import Console

    made = Console(stderr=stderr, highlight=False, soft_wrap=True, markup=False, emoji=False)
    if not made.is_terminal:
        made.width = 10_000
    return made


#: The consoles of standard output and standard error, made (and rich imported) when a
#: module first takes one (`from passeur.cli.app import console`).
console: Console
err_console: Console


def _made(name: str) -> Console:
    found: Console | None = globals().get(name)
    if found is None:
        found = globals()[name] = _console(stderr=name == "err_console")
    return found


def __getattr__(name: str) -> Any:
    if name in ("console", "err_console"):
        return _made(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def say(text: str) -> None:
    """One plain line on standard error (no markup): `err_console.print(text, markup=False,
    highlight=False)`, without importing rich where it would print the text as it is."""
    say_err(text, lambda: _made("err_console"))


def styled(markup: str) -> Text:
    """A label with style for a table or a tree, which print their cells without markup:
    values put in it must go through `rich.markup.escape`."""
    from rich.text import Text

    return Text.from_markup(markup, emoji=False)

F = TypeVar("F", bound=Callable[..., Any])


class State:
    """Shared by every command of one invocation; the registry loads on first use."""

    def __init__(self, registry: Registry | None = None) -> None:
        self._registry = registry

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = load_registry()
        return self._registry


def registry_of(ctx: click.Context) -> Registry:
    state = ctx.find_object(State)
    if state is None:
        state = ctx.ensure_object(State)
    return state.registry


def print_json(data: Any) -> None:
    """JSON on standard output, for scripts (never mixed with human text); every secret a
    connection read is masked."""
    click.echo(redact_text(json.dumps(data, ensure_ascii=False, indent=2, default=str),
                           keyed=False))


def fail(message: str, code: int = EXIT_FAILURE) -> None:
    from rich.markup import escape

    _made("err_console").print(f"[bold red]error:[/] {escape(redact_text(message))}", markup=True,
                      highlight=False)
    sys.exit(code)


def exit_code_for(exc: BaseException) -> int:
    """The exit code of a command stopped by `exc` (the one place this is decided)."""
    if isinstance(exc, OutputError):
        return EXIT_OUTPUT
    if isinstance(exc, UsageError):
        return EXIT_USAGE
    if isinstance(exc, InputError):
        return EXIT_INPUT
    if isinstance(exc, TransportError):
        return EXIT_REMOTE
    return EXIT_FAILURE


#: Outcome errors that say the system never took the request (it did not answer, refused
#: the connection, or asked to wait until the attempts ran out).
_UNANSWERED = frozenset({"Retryable", "RateLimited"})


def exit_code_for_outcomes(outcomes: Iterable[Any]) -> int:
    """The exit code of a run that wrote documents (`Outcome`s of passeur.http): 0 when all
    were created, 4 when none was because the system never answered, else 1."""
    results = list(outcomes)
    if all(o.outcome == "created" for o in results):
        return EXIT_OK
    if not any(o.outcome == "created" for o in results) and all(
            o.error in _UNANSWERED for o in results):
        return EXIT_REMOTE
    return EXIT_FAILURE


def handle_errors(func: F) -> F:
    """Turn passeur's exceptions into one clear message and a documented exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PasseurError as exc:
            say(f"error: {redact_text(str(exc))}")
            sys.exit(exit_code_for(exc))
        except OSError as exc:
            say(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
            sys.exit(EXIT_INPUT)

    return wrapper  # type: ignore[return-value]


def main_help(registry: Registry | None = None) -> str:
    """The group's help: the systems named are those installed (from the registry)."""
    systems = ""
    if registry is not None:
        names = [name for name in sorted(registry.systems) if name != "passeur"]
        if names:
            systems = f" (installed: {', '.join(names)}; `passeur systems` lists them)"
    return ("Convert invoices, clients, products, payments and bank statements between "
            f"accounting systems and standard formats{systems} through readable, "
            "bidirectional mapping files.\n\n" + EXIT_CODES_HELP)


class LazyGroup(click.Group):
    """The `passeur` group: a built-in command's module is imported when that command is
    asked for, plugin commands are added only when a name is not built in (or for the
    list in `--help`), so a command starts without importing the others."""

    #: set by `passeur.cli.main`: `--help` names the installed systems (loads plugins)
    help_from_registry = False
    _plugins_added = False

    def _builtins(self) -> dict[str, str]:
        from passeur.cli import BUILTIN_COMMANDS

        return BUILTIN_COMMANDS

    def _add_plugin_commands(self, ctx: click.Context) -> None:
        if self._plugins_added:
            return
        self._plugins_added = True
        from passeur.cli import _plugin_commands

        _plugin_commands(ctx.ensure_object(State))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = self.commands.get(cmd_name)
        if found is not None:
            return found
        module = self._builtins().get(cmd_name)
        if module is not None:
            importlib.import_module(module)
        else:
            self._add_plugin_commands(ctx)
        return self.commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        from passeur.cli import _load_commands

        _load_commands()
        self._add_plugin_commands(ctx)
        return sorted(self.commands)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.help_from_registry:
            self.help = main_help(ctx.ensure_object(State).registry)
        super().format_help(ctx, formatter)


@click.group(
    cls=LazyGroup,
    help=main_help(),
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="passeur", prog_name="passeur")
@click.pass_context
def cli(ctx: click.Context) -> None:
    ctx.ensure_object(State)
