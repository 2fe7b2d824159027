"""`passeur fmt`: rewrite mapping files in the canonical layout (comments are kept)."""

from __future__ import annotations

from pathlib import Path

import click

from passeur.cli.app import (
    EXIT_FAILURE,
    EXIT_INPUT,
    EXIT_OUTPUT,
    cli,
    console,
    err_console,
    print_json,
)
from passeur.dsl.parser import parse_text
from passeur.dsl.printer import format_file
from passeur.errors import MappingError, OutputError
from passeur.outputs import atomic_text_output


def _files(paths: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        found.extend(sorted(path.rglob("*.map")) if path.is_dir() else [path])
    return found


@cli.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--check", is_flag=True,
              help="Only report files that are not formatted (exit 1 if any); write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def fmt_command(paths: tuple[str, ...], check: bool, as_json: bool) -> None:
    """Format mapping files in the canonical layout, keeping every comment.

    One rule per line, two-space blocks, aligned table values; comments and single blank
    lines are kept (a trailing comment never moves left). Formatting is idempotent: a
    formatted file is left unchanged. Directories are searched for *.map files. A file that
    does not parse is reported (file:line:col and a caret) and left untouched; exit 3.

    \b
    Examples:
      passeur fmt mappings/erpconnector/erpconnector-invoice.map
      passeur fmt mappings/                  every .map file below
      passeur fmt --check mappings/          in CI: exit 1 when a file needs formatting
    """
    changed: list[str] = []
    errors: list[str] = []
    unreadable = unwritten = False
    for path in _files(paths):
        try:
            text = path.read_text(encoding="utf-8")
            formatted = format_file(parse_text(text, str(path)))
        except (MappingError, OSError, UnicodeDecodeError) as exc:
            errors.append(str(exc))
            unreadable = True
            continue
        if formatted == text:
            continue
        if not check:
            try:
                with atomic_text_output(path) as out:  # a crash never leaves half a file
                    out.write(formatted)
            except OutputError as exc:
                errors.append(str(exc))
                unwritten = True
                continue
        changed.append(str(path))
    if as_json:
        print_json({"changed" if not check else "unformatted": changed, "errors": errors})
    else:
        for message in errors:
            err_console.print(f"error: {message}", markup=False, highlight=False)
        verb = "would reformat" if check else "reformatted"
        for name in changed:
            console.print(f"{verb} {name}", markup=False)
        if not changed and not errors:
            console.print("all files are formatted", markup=False)
    if errors:
        raise SystemExit(EXIT_INPUT if unreadable or not unwritten else EXIT_OUTPUT)
    if check and changed:
        raise SystemExit(EXIT_FAILURE)
