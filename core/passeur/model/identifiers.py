"""Identifier validation through python-stdnum; a bad number is an `Issue`, never an exception.

NEQ (Québec) and QST numbers have no module in python-stdnum: only their shape is checked,
and the issue text says so. python-stdnum is imported when a number is first checked, not
with the model: its `stdnum.util` loads ssl and pydoc, a tenth of a start that checks none.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from types import ModuleType

from passeur.model.common import IdentifierScheme

__all__ = ["compact", "validate_bic", "validate_iban", "validate_identifier",
           "validate_structured_communication"]

_NEQ = re.compile(r"^\d{10}$")
_QST = re.compile(r"^\d{10}TQ\d{4}$")


def _stdnum(name: str) -> ModuleType:
    """`stdnum.NAME` (python-stdnum), imported on first use."""
    return importlib.import_module(f"stdnum.{name}")


class _ShapeError(ValueError):
    """A number of a scheme python-stdnum has no module for, not of its shape."""


def _shape(pattern: re.Pattern[str], label: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        cleaned = re.sub(r"[\s-]", "", value).upper()
        if not pattern.match(cleaned):
            raise _ShapeError(f"not the shape of a {label}")
        return cleaned
    return check


#: scheme -> the python-stdnum module that validates and compacts it
_MODULES: dict[IdentifierScheme, str] = {
    IdentifierScheme.VAT: "eu.vat",
    IdentifierScheme.SIREN: "fr.siren",
    IdentifierScheme.SIRET: "fr.siret",
    IdentifierScheme.BCE: "be.vat",
    IdentifierScheme.BN: "ca.bn",
    IdentifierScheme.GST: "ca.bn",
}
_SHAPES: dict[IdentifierScheme, Callable[[str], str]] = {
    IdentifierScheme.NEQ: _shape(_NEQ, "NEQ (10 digits)"),
    IdentifierScheme.QST: _shape(_QST, "QST number (10 digits, TQ, 4 digits)"),
}


def _reason(module: str, value: str) -> str | None:
    """None when python-stdnum's `module` accepts `value`, else its reason."""
    exceptions = _stdnum("exceptions")
    try:
        _stdnum(module).validate(value)
    except exceptions.ValidationError as exc:
        return str(exc) or type(exc).__name__
    return None


def validate_identifier(scheme: IdentifierScheme, value: str) -> str | None:
    """None when `value` is valid for `scheme` (or the scheme has no rule), else the reason."""
    module = _MODULES.get(scheme)
    if module is not None:
        return _reason(module, value)
    shape = _SHAPES.get(scheme)
    if shape is None:
        return None
    try:
        shape(value)
    except _ShapeError as exc:
        return str(exc)
    return None


def compact(scheme: IdentifierScheme, value: str) -> str:
    """The canonical spelling of a valid identifier (spaces and dots removed...)."""
    module = _MODULES.get(scheme)
    if module is None:
        return re.sub(r"\s", "", value)
    return str(_stdnum(module).compact(value))


def validate_iban(value: str) -> str | None:
    return _reason("iban", value)


def validate_bic(value: str) -> str | None:
    return _reason("bic", value)


def validate_structured_communication(value: str) -> str | None:
    """Belgian OGM-VCS (+++123/4567/89012+++)."""
    return _reason("be.ogm_vcs", value)
