"""`passeur demo`: the main job on embedded documents, so a new user sees a real conversion
with nothing to set up: an Acomba invoice (through ERP Connector) to VosFactures and back."""

from __future__ import annotations

import importlib.resources
import json
from decimal import Decimal
from typing import Any

import click
from rich.panel import Panel
from rich.table import Table

from passeur.cli.app import (
    EXIT_FAILURE,
    cli,
    console,
    handle_errors,
    print_json,
    registry_of,
)
from passeur.engine.convert import Converter, DocumentOutcome, parse_endpoint
from passeur.engine.io import dump_json
from passeur.issues import IssuePolicy
from passeur.model import Invoice, Totals, recompute
from passeur.plugins import Registry
from passeur.serialize import structure

SAMPLE = "acomba-invoice.json"


def load_sample(name: str = SAMPLE) -> Any:
    """One of the documents shipped in `passeur/samples/` (money read as Decimal)."""
    text = (importlib.resources.files("passeur") / "samples" / name).read_text("utf-8")
    return json.loads(text, parse_float=Decimal)


def _convert(registry: Registry, value: Any, source: str, target: str) -> DocumentOutcome:
    converter = Converter(registry, parse_endpoint(registry, source),
                          parse_endpoint(registry, target), policy=IssuePolicy.WARN,
                          source_label=f"demo:{source}")
    return converter.convert(value)


def _totals_table(canonical: dict[str, Any]) -> Table:
    """Reported and recomputed totals side by side: a disagreement is shown, not fixed."""
    invoice = structure(canonical, Invoice)
    reported = invoice.totals or Totals()
    computed = recompute(invoice)
    table = Table(title="totals at the hub (passeur.invoice)")
    table.add_column("total")
    table.add_column("reported by Acomba", justify="right")
    table.add_column("recomputed from the lines", justify="right")
    for name in ("net", "tax", "gross", "paid", "due"):
        mine, theirs = getattr(computed, name), getattr(reported, name)
        table.add_row(name, "" if theirs is None else str(theirs),
                      "" if mine is None else str(mine))
    return table


@cli.command("demo")
@click.option("--json", "as_json", is_flag=True,
              help="Print the three documents and their issues as one JSON object.")
@click.pass_context
@handle_errors
def demo_command(ctx: click.Context, as_json: bool) -> None:
    """Convert an embedded Acomba invoice to VosFactures and back, showing every step.

    Nothing to set up: the invoice ships with passeur (Québec taxes TPS 5 % + TVQ 9.975 %,
    a comment line, three products). It goes through the real pipeline: the Acomba
    mapping to the canonical model, the checks at the hub, the VosFactures mapping, then
    back to Acomba. Warnings show what VosFactures cannot represent (two taxes on one
    line) instead of hiding it.

    \b
    Next steps:
      passeur convert my-invoices.ndjson --from acomba --to vosfactures -o out.ndjson
      passeur route acomba vosfactures
      passeur sandbox vosfactures --port 8080 --token DEMO --seed 50
    """
    registry = registry_of(ctx)
    source = load_sample()
    canonical = _convert(registry, source, "acomba", "passeur")
    to_vf = _convert(registry, source, "acomba", "vosfactures")
    back = _convert(registry, to_vf.output, "vosfactures", "acomba") \
        if to_vf.output is not None else None
    outcomes = {"acomba -> passeur": canonical, "acomba -> vosfactures": to_vf}
    if back is not None:
        outcomes["vosfactures -> acomba"] = back
    failed = any(o.failed for o in outcomes.values())

    if as_json:
        print_json(json.loads(dump_json({
            "input": source,
            "canonical": canonical.output,
            "vosfactures": to_vf.output,
            "acomba_again": back.output if back else None,
            "steps": {name: o.as_json() for name, o in outcomes.items()},
        })))
    else:
        console.print(Panel.fit("Acomba invoice 10044 (embedded sample) -> VosFactures -> "
                                "Acomba", title="passeur demo"))
        if canonical.output is not None:
            console.print(_totals_table(canonical.output))
        console.print("[bold]VosFactures create request:[/]")
        console.print(dump_json(to_vf.output, indent=2), markup=False, highlight=False)
        for name, outcome in outcomes.items():
            status = "[red]failed[/]" if outcome.failed else "[green]ok[/]"
            console.print(f"[bold]{name}[/]: {status}, {len(outcome.issues)} issue(s)")
            for issue in outcome.issues:
                console.print(f"  {issue}", markup=False, highlight=False)
    if failed:
        ctx.exit(EXIT_FAILURE)
