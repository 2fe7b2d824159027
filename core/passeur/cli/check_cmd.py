"""`passeur check`: check mapping files against the systems' schemas and run their examples."""

from __future__ import annotations

from pathlib import Path

import click

from passeur.checking import FileReport, check_paths
from passeur.cli.app import (
    EXIT_FAILURE,
    EXIT_OK,
    cli,
    console,
    handle_errors,
    print_json,
    registry_of,
)
from passeur.dsl.parser import parse_file
from passeur.errors import InputError, MappingError, PasseurError
from passeur.issues import Level
from passeur.plugins import Registry

__all__ = ["check_command", "render_report", "shipped_mapping_dirs"]

MAX_LISTED = 12


def render_report(report: FileReport, coverage: bool = False) -> str:
    """The human report of one file: its verdict line, then each finding with its caret."""
    errors = sum(1 for f in report.findings if f.level >= Level.ERROR)
    warnings = sum(1 for f in report.findings if f.level is Level.WARNING)
    examples = ""
    if report.examples:
        passed = report.examples - report.examples_failed
        examples = f", {passed}/{report.examples} examples pass"
    if report.ok:
        verdict = f"ok ({report.rules} rules{examples}"
        verdict += f", {warnings} warning{'s' * (warnings != 1)})" if warnings else ")"
    else:
        verdict = (f"FAILED: {errors} error{'s' * (errors != 1)}"
                   + (f", {warnings} warning{'s' * (warnings != 1)}" if warnings else "")
                   + examples)
    lines = [f"{report.file}: {verdict}"]
    lines.extend(f.render() for f in report.findings)
    if coverage and report.extends:
        lines.extend(report.layer)
    if coverage:
        for direction in report.coverage:
            lines.append("  " + direction.summary())
            if direction.dropped:
                shown = ", ".join(direction.dropped[:MAX_LISTED])
                more = len(direction.dropped) - MAX_LISTED
                lines.append(f"    dropped: {shown}" + (f" (and {more} more)" if more > 0
                                                         else ""))
    return "\n".join(lines)


def shipped_mapping_dirs(registry: Registry) -> tuple[Path, ...]:
    """The mapping directories the loaded plugins register."""
    return tuple(registry.mapping_dirs)


def _needs_unloaded(path: Path, registry: Registry) -> str | None:
    """The system a shipped file joins that is not loaded (a pair mapping whose other
    plugin is disabled), or None. Such a file is inactive, not wrong."""
    try:
        header = parse_file(path).header
    except (MappingError, OSError):
        return None  # the check reports it
    if header is None:
        return None
    for side in (header.left, header.right):
        try:
            registry.resolve(side.system)
        except PasseurError:
            return side.system
    return None


@cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--coverage", is_flag=True,
              help="Also show, per direction, which source fields are carried or dropped.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
@handle_errors
def check_command(ctx: click.Context, paths: tuple[Path, ...], coverage: bool,
                  as_json: bool) -> None:
    """Check mapping files before any document moves.

    Every field path is resolved against the schemas the systems declare (with "did you
    mean" suggestions), function calls and their argument types are checked, values written
    to enum fields must be allowed, tables used both ways must be one-to-one, required target
    fields must be written in each direction, read-only fields must not be, and every
    `example` block is run forward and backward (a failure shows a diff).
    All problems are reported in one run, each at file:line:column with a caret.

    Exits 0 only when every file passes (warnings do not fail), 1 otherwise.

    \b
    Examples:
      passeur check                              every mapping passeur and its plugins ship
      passeur check mappings/                    every *.map file under a directory
      passeur check mappings/erpconnector/erpconnector-invoice.map --coverage
      passeur check mappings/ --json | jq '.files[] | select(.ok | not)'
    """
    registry = registry_of(ctx)
    skipped: list[tuple[Path, str]] = []
    if not paths:
        paths = shipped_mapping_dirs(registry)
        files = sorted(f for d in paths for f in d.rglob("*.map"))
        skipped = [(f, s) for f in files if (s := _needs_unloaded(f, registry)) is not None]
        paths = tuple(f for f in files if f not in {s for s, _ in skipped})
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputError("no such file or directory: " + ", ".join(missing))
    reports = check_paths(paths, registry)
    if not reports:
        raise InputError("no mapping file (*.map) found in " + ", ".join(map(str, paths)))
    ok = all(r.ok for r in reports)
    if as_json:
        print_json({"ok": ok, "files": [r.as_json(coverage) for r in reports],
                    "skipped": [{"file": str(f), "system": s} for f, s in skipped]})
    else:
        for file, system in skipped:
            console.print(f"{file}: skipped: system {system!r} is not loaded",
                          markup=False, highlight=False)
        for report in reports:
            console.print(render_report(report, coverage), markup=False, highlight=False)
        failed = sum(1 for r in reports if not r.ok)
        console.print(f"{len(reports)} file{'s' * (len(reports) != 1)} checked, "
                      f"{failed} failed", markup=False, highlight=False)
    ctx.exit(EXIT_OK if ok else EXIT_FAILURE)
