"""`passeur plugins`: what is installed, where it comes from, and what failed to load."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from passeur.cli.app import cli, console, handle_errors, print_json, registry_of, styled


@cli.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array for scripts.")
@click.pass_context
@handle_errors
def plugins_command(ctx: click.Context, as_json: bool) -> None:
    """List installed plugins, the systems they provide and any load error.

    A plugin that fails to load is shown with its error; the others keep working.
    Use PASSEUR_PLUGINS=a,b to load only some plugins and PASSEUR_DISABLE_PLUGINS=a,b
    to leave some out (by entry-point or distribution name).
    """
    registry = registry_of(ctx)
    if as_json:
        print_json([p.as_json(registry) for p in registry.plugins])
        return
    table = Table(title="passeur plugins")
    for column in ("plugin", "distribution", "version", "systems", "document types", "status"):
        table.add_column(column)
    for record in registry.plugins:
        doctypes = "; ".join(
            f"{s}: {', '.join(registry.systems[s].document_type_names)}"
            for s in record.systems if s in registry.systems)
        status = (styled("[green]ok[/]") if record.error is None
                  else styled(f"[red]error:[/] {escape(str(record.error))}"))
        table.add_row(record.name, record.distribution or "(core)", record.version or "",
                      ", ".join(record.systems), doctypes, status)
    console.print(table)
