"""The `passeur` command line: one module per command, all on the group in `app`."""

from __future__ import annotations

import importlib
import sys

import click

from passeur.cli.app import State, cli, err_console, main_help

__all__ = ["cli", "main"]

#: Modules that define built-in commands on `cli` when imported.
COMMAND_MODULES = (
    "passeur.cli.plugins_cmd",
    "passeur.cli.systems_cmd",
    "passeur.cli.convert_cmd",
    "passeur.cli.demo_cmd",
    "passeur.cli.check_cmd",
    "passeur.cli.explain_cmd",
    "passeur.cli.fmt_cmd",
    "passeur.cli.route_cmd",
    "passeur.cli.pull_cmd",
    "passeur.cli.push_cmd",
    "passeur.cli.sandbox_cmd",
    "passeur.cli.sync_cmd",
    "passeur.cli.runs_cmd",
    "passeur.cli.validate_cmd",
)


def _load_commands() -> None:
    for module in COMMAND_MODULES:
        importlib.import_module(module)


def _plugin_commands(state: State) -> None:
    """Let plugins add commands; one that fails is reported, the CLI still starts."""
    hook = state.registry.pm.hook.passeur_register_commands
    for impl in hook.get_hookimpls():
        try:
            impl.function(*[{"cli": cli}[a] for a in impl.argnames])
        except Exception as exc:
            err_console.print(f"warning: plugin {impl.plugin_name!r} could not add its "
                              f"commands: {type(exc).__name__}: {exc}", markup=False)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `passeur` console script."""
    _load_commands()
    state = State()
    _plugin_commands(state)
    cli.help = main_help(state.registry)
    try:
        cli.main(args=argv, prog_name="passeur", standalone_mode=True, obj=state)
    except click.exceptions.Exit as exc:  # pragma: no cover - click handles it
        sys.exit(exc.exit_code)
