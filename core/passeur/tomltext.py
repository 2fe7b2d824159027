"""TOML files users write (connection and sync files), read with their errors located.

tomllib says where a syntax error is in a suffix, "(at line 4, column 9)"; every other
refusal of those files starts with FILE:LINE, so a TOML error is given the same form,
FILE:LINE:COLUMN, that editors and terminals turn into a link.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from passeur.errors import InputError

__all__ = ["load_toml"]

_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_END = re.compile(r"\s*\(at end of document\)$")


def load_toml(text: str, name: str) -> dict[str, Any]:
    """The table of TOML `text`; an `InputError` "NAME:LINE:COLUMN: not valid TOML: ..."
    when it is not TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _AT.search(message)
        if at:
            where = f"{name}:{at.group(1)}:{at.group(2)}"
            message = message[:at.start()]
        elif _END.search(message):
            where = f"{name}:{text.count(chr(10)) + 1}"
            message = _END.sub("", message) + " (at the end of the file)"
        else:
            where = name
        raise InputError(f"{where}: not valid TOML: {message}") from None
