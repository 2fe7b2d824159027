"""`passeur explain`: run a mapping on one document and say where each output value came from."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any, BinaryIO

import attrs
import click

from passeur.cli.app import (
    EXIT_FAILURE,
    EXIT_INPUT,
    cli,
    console,
    handle_errors,
    registry_of,
)
from passeur.cli.convert_cmd import print_issues
from passeur.cli.route_cmd import mapping_dir_option, use_mapping_dirs
from passeur.dsl.explain import (
    TraceStep,
    filter_steps,
    format_steps,
    has_path,
    normalise,
    same_value,
    silent_rules,
    steps_json,
    value_at,
)
from passeur.dsl.functions import show
from passeur.engine.convert import Converter, Endpoint, parse_endpoint
from passeur.engine.io import dump_json
from passeur.errors import InputError, PasseurError, UsageError
from passeur.issues import Level, worst_level

__all__ = ["explain_command", "explained_steps", "traced_converter"]


def _endpoint(registry: Any, side: Any) -> Endpoint:
    return parse_endpoint(registry, f"{side.variant or side.system}.{side.doctype}")


def traced_converter(registry: Any, mapping: Path, source: str | None, target: str | None,
                     backward: bool, label: str) -> Converter:
    """The converter `convert --mapping MAPPING` would build, tracing: the same reader, the
    same compiled steps (a layer's route with the hub between them), the same writer.
    Without --from/--to the sides are the mapping's own, read in the direction asked."""
    import passeur.dsl as dsl

    compiled = dsl.load_mapping(mapping, registry)
    left, right = _endpoint(registry, compiled.left), _endpoint(registry, compiled.right)
    if source is None and target is None:
        src, dst = (right, left) if backward else (left, right)
    else:
        if backward:
            raise UsageError("give either --backward or --from/--to: with --from and --to "
                             "the direction follows from the sides")
        src = parse_endpoint(registry, source) if source else (
            right if target and parse_endpoint(registry, target).system == left.system
            else left)
        dst = parse_endpoint(registry, target, src) if target else (
            left if src.system == right.system else right)
    return Converter(registry, src, dst, mapping=mapping, source_label=label, trace=True)


def _document(converter: Converter, stream: BinaryIO, number: int, label: str) -> Any:
    """Document `number` of the input, read as `convert` reads it (a problem reading it
    is reported by the converter as convert reports it)."""
    count = 0
    for item in converter.read(stream):
        count += 1
        if item.index == number:
            return item
    raise InputError(f"{label} holds {count} document(s); there is no document {number}")


def written_back(converter: Converter, output: Any) -> Any:
    """convert's output in the plain form the rules wrote (the target's reader undoes the
    writer's envelope and formats), or None when it cannot be read back (a binary file)."""
    if output is None:
        return None
    if converter.writer is None:
        return output  # canonical JSON is plain already
    try:
        plain, _issues = converter.writer.read(output, "<output>")
    except (PasseurError, TypeError, ValueError):
        return None
    return plain


def explained_steps(converter: Converter, output: Any = None) -> list[TraceStep]:
    """The converter's traced steps as explain's fields, with the document each is in. A
    field of the output shows the value convert writes (`output`, read back), and says so
    when the rule gave another one or the writer leaves the field out."""
    traced = converter.traced or []
    several = len(traced) > 1
    written = written_back(converter, output)
    target = converter.target.name
    steps: list[TraceStep] = []
    for step in traced:
        where = f"{Path(str(step.mapping.path or step.mapping.file)).name} ({step.direction})"
        for entry in step.entries:
            found = normalise(entry, step.output)
            if (step.written is not None and not getattr(entry, "recorded", False)
                    and not has_path(step.output, found.path)):
                found = attrs.evolve(found, value=value_at(step.written, found.path),
                                     note="the canonical document leaves it out (a default "
                                     "value, or the hub dropped it)")
            elif step.final and written is not None and not found.overridden:
                found = _as_written(found, written, target)
            steps.append(attrs.evolve(found, final=step.final,
                                      document=where if several else ""))
    return steps


def _as_written(found: TraceStep, written: Any, target: str) -> TraceStep:
    if not has_path(written, found.path):
        return attrs.evolve(found, note=f"not in convert's output: the {target} writer "
                            "leaves it out")
    value = value_at(written, found.path)
    if same_value(found.value, value):
        return found
    return attrs.evolve(found, value=value, note=f"the rule gave {show(found.value)}; "
                        f"convert writes {show(value)} (completed at the hub or by the "
                        f"{target} writer)")


@cli.command("explain")
@click.argument("mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("input_file", metavar="INPUT", type=click.Path(allow_dash=True,
                                                               path_type=Path))
@click.option("--field", "field_path", metavar="PATH",
              help="Only this output field (and what lies under it), e.g. lines.quantity.")
@click.option("--backward", is_flag=True,
              help="Run right to left (INPUT is a document of the right-hand side).")
@click.option("--from", "source", metavar="SYSTEM[.DOCTYPE]",
              help="The system INPUT comes from, as for convert (default: the mapping's "
              "left side, or its right side with --backward).")
@click.option("--to", "target", metavar="SYSTEM[.DOCTYPE]",
              help="The system to write, as for convert (default: the mapping's other side).")
@click.option("--document", "number", type=click.IntRange(min=1), default=1,
              show_default=True, help="Which document of INPUT to explain (1 is the first).")
@mapping_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@handle_errors
def explain_command(ctx: click.Context, mapping: Path, input_file: Path,
                    field_path: str | None, backward: bool, source: str | None,
                    target: str | None, number: int, mapping_dirs: tuple[Path, ...],
                    as_json: bool) -> None:
    """Show, for each output field, the rule that produced it.

    Converts one document of INPUT (a file, or - for standard input) exactly as `passeur
    convert --mapping MAPPING` does (the same reader, the same compiled rules, the same
    completion and checks at the canonical hub, the same writer) and lists every field
    written with its value, the rule (file:line:column), the branch an `if` took and whether
    a default fired. A layer (`extends`) shows each document of its route in turn, and the
    base rules its own rules overrode. Values are those convert goes on with (after the
    hub). The normal conversion records none of this; explain runs a traced build of the
    same rules. With --field, the rules that could have written the field but did not are
    listed too, with the reason (a failure, a guard, an absent source). Exits 1 when the
    document fails (the problems are printed after the fields), 3 when INPUT cannot be read.

    \b
    Examples:
      passeur explain mappings/erpconnector/erpconnector-invoice.map invoice.json
      passeur explain mappings/erpconnector/erpconnector-invoice.map invoice.json \\
          --field lines.quantity
      passeur explain my-layer.map invoice.json --from acomba --to vosfactures --json
      passeur explain mappings/erpconnector/erpconnector-invoice.map canonical.json \\
          --backward --json
    """
    if str(input_file) != "-" and not input_file.exists():
        raise InputError(f"no such file: {input_file}")
    registry = registry_of(ctx)
    use_mapping_dirs(registry, mapping_dirs)
    label = "<stdin>" if str(input_file) == "-" else str(input_file)
    converter = traced_converter(registry, mapping, source, target, backward, label)
    stream: BinaryIO
    try:
        raw: Any = sys.stdin.buffer
        stream = (io.BufferedReader(raw) if str(input_file) == "-"
                  else open(input_file, "rb"))  # noqa: SIM115 - closed just below
    except OSError as exc:
        raise InputError(f"{input_file}: cannot read: {exc.strerror or exc}") from None
    with stream:
        item = _document(converter, stream, number, label)
    outcome = next(iter(converter.run([item])))
    steps = explained_steps(converter, outcome.output)
    issues = list(outcome.issues)
    shown = filter_steps(steps, field_path)
    if field_path:
        for step in converter.traced or []:
            shown += silent_rules(step.mapping.ast, step.direction, field_path,
                                  [s for s in steps], issues)
    if field_path and not shown:
        raise UsageError(f"no output field {field_path!r} was written by this mapping; "
                         "written: " + ", ".join(sorted({s.path for s in steps})[:20]))
    if as_json:
        click.echo(dump_json({
            "mapping": str(mapping), "from": str(converter.source),
            "to": str(converter.target),
            "direction": "backward" if backward else "forward",
            "output": outcome.output, "failed": outcome.failed,
            "fields": steps_json(shown), "issues": [str(i) for i in issues]}, indent=2))
    else:
        if shown:
            console.print(format_steps(shown), markup=False, highlight=False)
        print_issues(outcome)
    if worst_level(issues) is Level.ERROR or outcome.failed:
        ctx.exit(EXIT_INPUT if outcome.input_error else EXIT_FAILURE)
