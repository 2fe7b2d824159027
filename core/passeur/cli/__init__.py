"""The `passeur` command line: one module per command, all on the group in `app`.

Start-up is kept short: `passeur --version` imports nothing beyond this module, and each
command's module is imported only when that command runs (`app.LazyGroup`); `--help`
imports them all to list them.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from passeur.cli.app import State, cli

__all__ = ["cli", "main"]

#: command name -> the module that defines it on `cli` when imported
BUILTIN_COMMANDS = {
    "plugins": "passeur.cli.plugins_cmd",
    "systems": "passeur.cli.systems_cmd",
    "convert": "passeur.cli.convert_cmd",
    "demo": "passeur.cli.demo_cmd",
    "check": "passeur.cli.check_cmd",
    "explain": "passeur.cli.explain_cmd",
    "fmt": "passeur.cli.fmt_cmd",
    "route": "passeur.cli.route_cmd",
    "pull": "passeur.cli.pull_cmd",
    "push": "passeur.cli.push_cmd",
    "sandbox": "passeur.cli.sandbox_cmd",
    "sync": "passeur.cli.sync_cmd",
    "plan": "passeur.cli.sync_cmd",
    "apply": "passeur.cli.sync_cmd",
    "runs": "passeur.cli.runs_cmd",
    "bindings": "passeur.cli.runs_cmd",
    "validate": "passeur.cli.validate_cmd",
    "status": "passeur.cli.status_cmd",
    "watch": "passeur.cli.watch_cmd",
    "serve": "passeur.cli.serve_cmd",
    "worker": "passeur.cli.worker_cmd",
}

#: Modules that define built-in commands on `cli` when imported.
COMMAND_MODULES = tuple(dict.fromkeys(BUILTIN_COMMANDS.values()))


def _load_commands() -> None:
    """Import every built-in command (what listing them in `--help` needs)."""
    for module in COMMAND_MODULES:
        importlib.import_module(module)


def _plugin_commands(state: State) -> None:
    """Let plugins add commands; one that fails is reported, the CLI still starts."""
    from passeur.cli.app import cli, err_console

    hook = state.registry.pm.hook.passeur_register_commands
    for impl in hook.get_hookimpls():
        try:
            impl.function(*[{"cli": cli}[a] for a in impl.argnames])
        except Exception as exc:
            err_console.print(f"warning: plugin {impl.plugin_name!r} could not add its "
                              f"commands: {type(exc).__name__}: {exc}", markup=False)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `passeur` console script."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args == ["--version"]:  # what click's version option prints, without loading it
        from passeur import __version__

        sys.stdout.write(f"passeur, version {__version__}\n")
        sys.exit(0)
    import click

    from passeur.cli.app import State, cli

    state = State()
    cli.help_from_registry = True  # `passeur --help` names the installed systems
    try:
        cli.main(args=args, prog_name="passeur", standalone_mode=True, obj=state)
    except click.exceptions.Exit as exc:  # pragma: no cover - click handles it
        sys.exit(exc.exit_code)


def __getattr__(name: str) -> Any:
    if name in ("cli", "State"):
        from passeur.cli import app

        return getattr(app, name)
    raise AttributeError(f"module 'passeur.cli' has no attribute {name!r}")
