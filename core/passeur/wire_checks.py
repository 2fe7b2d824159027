"""The first checks every JSON reader makes on a document, with one wording for all systems.

A reader that gets a list where it wants an object, or an object with none of its fields,
says so in the same words and codes whatever the system: `wire.form` for a value of the
wrong shape, `wire.wrong_system` for a document that is not this system's. For the latter
the engine adds which installed system it looks like (`passeur.engine.recognise`, from the
registry's field declarations), so no plugin lists another plugin's field names.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from passeur.issues import Issue, Level

__all__ = ["FORM", "WRONG_SYSTEM", "describe", "expect_list", "expect_object", "not_this_system",
           "wire_error"]

#: the code of an issue about a value of the wrong shape (a list for an object...)
FORM = "wire.form"
#: the code of an issue saying a document is not this system's
WRONG_SYSTEM = "wire.wrong_system"


def wire_error(message: str, path: str = "$", source: str = "", code: str = FORM) -> Issue:
    """An ERROR about a document being read, at a data path of its source."""
    return Issue(Level.ERROR, message, code, path, source or None)


def describe(value: Any) -> str:
    """What a JSON value is, in words: "a list", "an object", "a string", "null"..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float | Decimal):
        return "a number"
    return type(value).__name__


def expect_object(value: Any, what: str, source: str = "", path: str = "$") -> Issue | None:
    """None when `value` is an object; else the error `expected WHAT object, got a list`."""
    if isinstance(value, dict):
        return None
    return wire_error(f"expected {what} object, got {describe(value)}", path, source)


def expect_list(value: Any, what: str, source: str = "", path: str = "$") -> Issue | None:
    """None when `value` is a list; else the error `expected a list of WHAT, got an object`."""
    if isinstance(value, list):
        return None
    return wire_error(f"expected a list of {what}, got {describe(value)}", path, source)


def not_this_system(what: str, path: str = "$", source: str = "", expected: str = "") -> Issue:
    """The error of an object with none of this system's fields (`expected` names a few);
    the engine adds the installed system it looks like."""
    hint = f" (expected {expected})" if expected else ""
    return wire_error(f"no {what} field found{hint}", path, source, WRONG_SYSTEM)
