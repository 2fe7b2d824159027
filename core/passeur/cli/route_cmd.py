"""`passeur route A B`: which mapping files convert A to B, and in which direction."""

from __future__ import annotations

import click

from passeur.cli.app import cli, console, handle_errors, print_json, registry_of
from passeur.engine.routes import find_route


@cli.command("route")
@click.argument("source")
@click.argument("target")
@click.option("--doctype", default="invoice", show_default=True,
              help="Document type of the source system.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@handle_errors
def route_command(ctx: click.Context, source: str, target: str, doctype: str,
                  as_json: bool) -> None:
    """Show how SOURCE documents become TARGET documents.

    A direct pair mapping (e.g. acomba.invoice <-> vosfactures.invoice) is used when one
    exists; otherwise the route goes through the canonical model: SOURCE -> passeur -> TARGET.

    \b
    Examples:
      passeur route acomba vosfactures
      passeur route vosfactures passeur --doctype invoice
      passeur route acomba vosfactures --json
    """
    route = find_route(registry_of(ctx), source, target, doctype)
    if as_json:
        print_json(route.as_json())
    else:
        console.print(route.describe(), markup=False, highlight=False)
