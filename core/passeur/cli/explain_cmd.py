"""`passeur explain`: run a mapping on one document and say where each output value came from."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from passeur.cli.app import (
    EXIT_FAILURE,
    cli,
    console,
    err_console,
    handle_errors,
    print_json,
    registry_of,
)
from passeur.cli.route_cmd import mapping_dir_option, use_mapping_dirs
from passeur.dsl.explain import (
    TraceStep,
    filter_steps,
    format_steps,
    normalise,
    silent_rules,
    steps_json,
)
from passeur.errors import InputError, MappingError, UsageError
from passeur.issues import Level, worst_level

__all__ = ["explain_command", "read_document", "run_explain"]


def read_document(path: Path) -> dict[str, Any]:
    """One JSON document, numbers as Decimal (never float); errors name the line and column."""
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at "
                         f"offset {exc.start})") from None
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected one JSON object (a document), got "
                         f"{type(data).__name__}")
    return data


def read_as_convert(registry: Any, compiled: Any, value: dict[str, Any], backward: bool,
                    label: str) -> dict[str, Any]:
    """The document as `convert` reads it (its system's wire reader: the `Facture` wrapper
    of ERP Connector, decimals typed, dates...), so explain runs on what convert runs on."""
    from passeur.engine.convert import Converter, Endpoint

    def endpoint(side: Any) -> Endpoint:
        return Endpoint(side.variant or side.system, side.system, side.variant, side.doctype)

    source, target = ((compiled.right, compiled.left) if backward
                      else (compiled.left, compiled.right))
    try:
        converter = Converter(registry, endpoint(source), endpoint(target), steps=[],
                              source_label=label)
    except UsageError:
        return value  # a side with no registered reader: read as plain JSON
    record, issues = converter.read_source(value)
    if record is None:
        raise InputError(f"{label}: cannot be read as {source}: "
                         + "; ".join(str(i) for i in issues))
    return record


def run_explain(compiled: Any, record: dict[str, Any],
                backward: bool) -> tuple[Any, list[TraceStep], list[Any]]:
    """Output, trace and issues of the compiler's explain variant, for one direction."""
    name = "explain_backward" if backward else "explain_forward"
    explain = getattr(compiled, name, None)
    if explain is None:
        raise UsageError("this version of the mapping compiler has no explain variant")
    result, trace = explain(record)
    return result.value, [normalise(t, result.value) for t in trace], list(result.issues)


@cli.command("explain")
@click.argument("mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("input_file", metavar="INPUT", type=click.Path(allow_dash=True,
                                                               path_type=Path))
@click.option("--field", "field_path", metavar="PATH",
              help="Only this output field (and what lies under it), e.g. lines.quantity.")
@click.option("--backward", is_flag=True,
              help="Run right to left (INPUT is a document of the right-hand side).")
@mapping_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@handle_errors
def explain_command(ctx: click.Context, mapping: Path, input_file: Path,
                    field_path: str | None, backward: bool, mapping_dirs: tuple[Path, ...],
                    as_json: bool) -> None:
    """Show, for each output field, the rule that produced it.

    Runs MAPPING on the document in INPUT (a JSON file, or - for standard input) and lists
    every field written with its value, the rule (file:line:column), the branch an `if`
    took and whether a default fired. The normal conversion path records none of this; it
    runs a separate explain build of the mapping. With --field, the rules that could have
    written the field but did not are listed too, with the reason (a failure, a guard, an
    absent source). Exits 1 when a rule failed on the document (the failures are printed
    after the fields).

    \b
    Examples:
      passeur explain mappings/erpconnector/erpconnector-invoice.map invoice.json
      passeur explain mappings/erpconnector/erpconnector-invoice.map invoice.json \\
          --field lines.quantity
      passeur explain mappings/erpconnector/erpconnector-invoice.map canonical.json \\
          --backward --json
    """
    import passeur.dsl as dsl

    if str(input_file) != "-" and not input_file.exists():
        raise InputError(f"no such file: {input_file}")
    record = read_document(input_file)
    load_mapping = getattr(dsl, "load_mapping", None)
    if load_mapping is None:
        raise MappingError("the mapping compiler is not available")
    registry = registry_of(ctx)
    use_mapping_dirs(registry, mapping_dirs)
    compiled = load_mapping(mapping, registry)
    record = read_as_convert(registry, compiled, record, backward, str(input_file))
    value, steps, issues = run_explain(compiled, record, backward)
    shown = filter_steps(steps, field_path)
    if field_path:
        direction = "backward" if backward else "forward"
        shown += silent_rules(compiled.ast, direction, field_path, steps, issues)
    if field_path and not shown:
        raise UsageError(f"no output field {field_path!r} was written by this mapping; "
                         "written: " + ", ".join(sorted({s.path for s in steps})[:20]))
    if as_json:
        print_json({"mapping": str(mapping), "direction": "backward" if backward else "forward",
                    "output": value, "fields": steps_json(shown),
                    "issues": [str(i) for i in issues]})
    else:
        console.print(format_steps(shown), markup=False, highlight=False)
        for issue in issues:
            err_console.print(str(issue), markup=False, highlight=False)
    if worst_level(issues) is Level.ERROR:
        ctx.exit(EXIT_FAILURE)
