"""Office settings given once for a system whose documents do not carry them (the seller,
the payment terms): a TOML or JSON file, or the same fields inline as a table of a
connection or sync file. Shared by `passeur.engine.seller` and `passeur.engine.terms` so
that both are named, read and refused the same way."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from passeur.errors import InputError

__all__ = ["file_or_table", "read_setting_file"]

T = TypeVar("T")


def read_setting_file(path: Path, what: str) -> Any:
    """The content of a TOML or JSON settings file (`what`: "seller", "payment terms"); a
    file that cannot be read or parsed is an InputError naming it (and the line for JSON)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the {what} file: {exc}") from None
    import tomllib  # here: its regexes are compiled at import, and most starts read no file

    try:
        return json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not TOML: {exc}") from None


def file_or_table(value: Any, where: str, base: Path | None, origin: str, *, key: str,
                  what: str, example: str, fields: str,
                  load: Callable[[Path], T], from_data: Callable[[Any, str, str], T]) -> T:
    """A connection or sync file's `key`: a settings file's path (relative to `base`, the
    folder of the file that names it) read by `load`, or the fields inline (a `[key]`
    table, read by `from_data` with `origin` naming that file); `where` (file:line) starts
    each refusal."""
    if isinstance(value, str):
        path = Path(value)
        if not path.is_absolute() and base is not None:
            path = base / path
        if not path.is_file():
            raise InputError(f"{where}: {what} file {value} not found (looked for {path})")
        return load(path)
    if isinstance(value, dict):
        return from_data(value, origin, where)
    raise InputError(f'{where}: {key} is a {what} file ({key} = "{example}") or a '
                     f"[{key}] table of {fields}, not {type(value).__name__}")
