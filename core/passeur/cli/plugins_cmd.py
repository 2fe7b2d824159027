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
    """List installed plugins, the systems and sync flows they provide and any load error.

    A plugin that fails to load is shown with its error; the others keep working.
    A registration of a name another plugin already has (a system, a mapping function, a
    format, a sync flow) is refused and shown, unless the plugin registered it with
    override=True (also shown).
    Use PASSEUR_PLUGINS=a,b to load only some plugins and PASSEUR_DISABLE_PLUGINS=a,b
    to leave some out (by entry-point or distribution name).
    """
    registry = registry_of(ctx)
    if as_json:
        print_json([p.as_json(registry) for p in registry.plugins])
        return
    table = Table(title="passeur plugins")
    for column in ("plugin", "distribution", "version", "systems", "document types", "flows",
                   "status"):
        table.add_column(column)
    for record in registry.plugins:
        doctypes = "; ".join(
            f"{s}: {', '.join(registry.systems[s].document_type_names)}"
            for s in record.systems if s in registry.systems)
        status = (styled("[green]ok[/]") if record.error is None
                  else styled(f"[red]error:[/] {escape(str(record.error))}"))
        if record.refused:
            status += styled(f" [yellow]({len(record.refused)} refused, below)[/]")
        table.add_row(record.name, record.distribution or "(core)", record.version or "",
                      ", ".join(record.systems), doctypes,
                      ", ".join(registry.flows_of(record.name)), status)
    console.print(table)
    for record in registry.plugins:  # in full: a table cell would cut them
        for text in record.refused:
            console.print(f"{record.name}: refused: {text}", markup=False, highlight=False,
                          soft_wrap=True)
        for text in record.overrides:
            console.print(f"{record.name}: override: {text}", markup=False, highlight=False,
                          soft_wrap=True)
