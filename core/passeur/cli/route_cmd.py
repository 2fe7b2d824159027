"""`passeur route A B`: exactly the mapping files `convert` runs from A to B, in which
direction, each layer with the base it builds on. It asks the converter itself (the same code
that chooses the files for `convert`), so the two cannot disagree."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from passeur.canonical import CANONICAL
from passeur.cli.app import cli, handle_errors, print_json, registry_of
from passeur.dsl.routes import SEARCH_PATH_ENV, Route
from passeur.engine.convert import Converter, Endpoint, parse_endpoint
from passeur.plugins import Registry

__all__ = ["mapping_dir_option", "route_command", "route_of", "use_mapping_dirs"]

F = TypeVar("F", bound=Callable[..., Any])


def mapping_dir_option(func: F) -> F:
    """`--mapping-dir DIR` (repeatable): the consultant's folders of mapping files."""
    return click.option(
        "--mapping-dir", "mapping_dirs", multiple=True,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help=f"A folder of your mapping files, searched before the shipped ones (its files, "
        f"not its sub-folders; may be repeated; after them ${SEARCH_PATH_ENV}).")(func)


def use_mapping_dirs(registry: Registry, dirs: tuple[Path, ...]) -> None:
    registry.search_path[:0] = list(dirs)


def _endpoints(registry: Registry, source: str, target: str,
               doctype: str) -> tuple[Endpoint, Endpoint]:
    """As `convert` reads --from and --to, a side without a type taking --doctype."""
    src = parse_endpoint(registry, source if "." in source else f"{source}.{doctype}")
    if "." not in target and registry.resolve(target)[0].name != CANONICAL:
        target = f"{target}.{doctype}"
    return src, parse_endpoint(registry, target, src)


def route_of(converter: Converter, given: bool) -> Route:
    """The converter's steps as a Route (what `passeur route` prints)."""
    steps = [(step.mapping, step.direction) for step in converter.steps]
    kind = ("given" if given else "identity" if not steps
            else "direct" if len(steps) == 1 else f"via {CANONICAL}")
    return Route(converter.source.name, converter.target.name, converter.source.doctype,
                 kind, steps)  # type: ignore[arg-type]


@cli.command("route")
@click.argument("source")
@click.argument("target")
@click.option("--doctype", default="invoice", show_default=True,
              help="Document type of a side written without one.")
@click.option("--mapping", "mapping", type=click.Path(exists=True, dir_okay=False,
                                                      path_type=Path),
              help="The mapping file you would give `convert`.")
@mapping_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@handle_errors
def route_command(ctx: click.Context, source: str, target: str, doctype: str,
                  mapping: Path | None, mapping_dirs: tuple[Path, ...],
                  as_json: bool) -> None:
    """Show exactly which mapping files `convert` runs from SOURCE to TARGET.

    A direct pair mapping (e.g. acomba.invoice <-> vosfactures.invoice) is used when one
    exists; otherwise the route goes through the canonical model: SOURCE -> passeur -> TARGET.
    A layer (a file that `extends`) is shown with the files it builds on under it. Files
    come from --mapping, the --mapping-dir folders, $PASSEUR_MAPPING_PATH, then the shipped
    mappings (see docs/mapping-language.md, "Which files are loaded").

    \b
    Examples:
      passeur route acomba vosfactures
      passeur route vosfactures passeur --doctype client
      passeur route acomba vosfactures --mapping my-layer.map
      passeur route acomba vosfactures --mapping-dir ~/clients/acme --json
    """
    registry = registry_of(ctx)
    use_mapping_dirs(registry, mapping_dirs)
    src, dst = _endpoints(registry, source, target, doctype)
    route = route_of(Converter(registry, src, dst, mapping=mapping), mapping is not None)
    if as_json:
        print_json(route.as_json())
    else:
        from passeur.cli.app import console  # rich, only for this command

        console.print(route.describe(), markup=False, highlight=False)
