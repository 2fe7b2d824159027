"""`passeur systems`: the document types, field schemas and capabilities of each system."""

from __future__ import annotations

from typing import Any

import attrs
import click
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from passeur.cli.app import cli, console, handle_errors, print_json, registry_of, styled
from passeur.schema import FieldSpec, SystemSpec


def _field_json(spec: FieldSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"name": spec.name, "type": spec.type.value,
                            "required": spec.required, "read_only": spec.read_only}
    if spec.allowed:
        data["allowed"] = list(spec.allowed)
    if spec.required_in:
        data["required_in"] = sorted(spec.required_in)
    if spec.generated_in:
        data["generated_in"] = sorted(spec.generated_in)
    if spec.description:
        data["description"] = spec.description
    if spec.fields:
        data["fields"] = [_field_json(f) for f in spec.fields]
    return data


def system_json(system: SystemSpec) -> dict[str, Any]:
    return {
        "name": system.name,
        "title": system.title,
        "description": system.description,
        "variants": list(system.variants),
        "variant_setting": system.variant_setting,
        "config": [
            {"name": c.name, "type": c.type.value, "required": c.required,
             "secret": c.secret, "default": c.default, "allowed": list(c.allowed),
             "description": c.description, "instead": list(c.instead)}
            for c in system.config
        ],
        "document_types": [
            {
                "name": d.name,
                "canonical": d.canonical,
                "description": d.description,
                "capabilities": attrs.asdict(d.capabilities),
                "variant_capabilities": {k: attrs.asdict(v)
                                         for k, v in d.variant_capabilities.items()},
                "fields": [_field_json(f) for f in d.fields],
            }
            for d in system.document_types
        ],
    }


def _add_fields(tree: Tree, fields: tuple[FieldSpec, ...]) -> None:
    for spec in fields:
        flags = [spec.type.value]
        if spec.required:
            flags.append("required")
        if spec.required_in:
            flags.append("required in " + ", ".join(sorted(spec.required_in)))
        if spec.read_only:
            flags.append("read-only")
        if spec.allowed:
            flags.append("one of " + ", ".join(spec.allowed))
        branch = tree.add(styled(f"[bold]{escape(spec.name)}[/] "
                                 f"[dim]({escape('; '.join(flags))})[/]"))
        _add_fields(branch, spec.fields)


@cli.command("systems")
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@handle_errors
def systems_command(ctx: click.Context, name: str | None, as_json: bool) -> None:
    """List systems, or show one system's document types, fields and capabilities.

    \b
    Examples:
      passeur systems                 every system, one line each
      passeur systems vosfactures     document types and field schemas of VosFactures
      passeur systems erpconnector --json
    """
    registry = registry_of(ctx)
    if name is None:
        systems = [registry.systems[n] for n in sorted(registry.systems)]
        if as_json:
            print_json([system_json(s) for s in systems])
            return
        table = Table(title="passeur systems")
        for column in ("system", "title", "document types", "plugin"):
            table.add_column(column)
        for spec in systems:
            table.add_row(spec.name, spec.title, ", ".join(spec.document_type_names),
                          registry.system_plugin.get(spec.name, ""))
        console.print(table)
        return
    system, variant = registry.resolve(name)  # `acomba` is ERP Connector's variant
    if as_json:
        print_json(system_json(system))
        return
    tree = Tree(styled(f"[bold]{escape(system.name)}[/]: {escape(system.title)}"))
    if variant is not None:
        tree.add(f"{name} is a variant of {system.name} ({system.variant_setting} = {variant})")
    if system.variants:
        tree.add(f"variants ({system.variant_setting}): {', '.join(system.variants)}")
    if system.config:
        config = tree.add("configuration")
        for c in system.config:
            secret = " [yellow](secret: from the environment)[/]" if c.secret else ""
            config.add(styled(f"{escape(c.name)} ({c.type.value}){secret} "
                              f"{escape(c.description)}"))
    for doctype in system.document_types:
        caps = ", ".join(doctype.capabilities.granted()) or "none"
        hub = (f"-> passeur.{escape(doctype.canonical)}" if doctype.canonical
               else "(not mapped to the canonical model)")
        node = tree.add(styled(f"[bold cyan]{escape(doctype.name)}[/] {hub} "
                               f"[dim](capabilities: {escape(caps)})[/]"))
        for other, vcaps in doctype.variant_capabilities.items():
            node.add(styled(f"[dim]{escape(other)}: "
                            f"{escape(', '.join(vcaps.granted()) or 'none')}[/]"))
        _add_fields(node, doctype.fields)
    console.print(tree)
