"""Identifier validation through python-stdnum; a bad number is an `Issue`, never an exception.

NEQ (Québec) and QST numbers have no module in python-stdnum: only their shape is checked,
and the issue text says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from stdnum import bic, iban
from stdnum.be import ogm_vcs
from stdnum.be import vat as be_vat
from stdnum.ca import bn as ca_bn
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren, siret

from passeur.model.common import IdentifierScheme

__all__ = ["compact", "validate_bic", "validate_iban", "validate_identifier",
           "validate_structured_communication"]

_NEQ = re.compile(r"^\d{10}$")
_QST = re.compile(r"^\d{10}TQ\d{4}$")


def _shape(pattern: re.Pattern[str], label: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        cleaned = re.sub(r"[\s-]", "", value).upper()
        if not pattern.match(cleaned):
            raise ValidationError(f"not the shape of a {label}")
        return cleaned
    return check


_VALIDATORS: dict[IdentifierScheme, Callable[[str], str]] = {
    IdentifierScheme.VAT: eu_vat.validate,
    IdentifierScheme.SIREN: siren.validate,
    IdentifierScheme.SIRET: siret.validate,
    IdentifierScheme.BCE: be_vat.validate,
    IdentifierScheme.BN: ca_bn.validate,
    IdentifierScheme.GST: ca_bn.validate,
    IdentifierScheme.NEQ: _shape(_NEQ, "NEQ (10 digits)"),
    IdentifierScheme.QST: _shape(_QST, "QST number (10 digits, TQ, 4 digits)"),
}


def _reason(validator: Callable[[str], object], value: str) -> str | None:
    """None when `validator` accepts `value`, else python-stdnum's reason."""
    try:
        validator(value)
    except ValidationError as exc:
        return str(exc) or type(exc).__name__
    return None


def validate_identifier(scheme: IdentifierScheme, value: str) -> str | None:
    """None when `value` is valid for `scheme` (or the scheme has no rule), else the reason."""
    validator = _VALIDATORS.get(scheme)
    return None if validator is None else _reason(validator, value)


def compact(scheme: IdentifierScheme, value: str) -> str:
    """The canonical spelling of a valid identifier (spaces and dots removed...)."""
    module = {IdentifierScheme.VAT: eu_vat, IdentifierScheme.SIREN: siren,
              IdentifierScheme.SIRET: siret, IdentifierScheme.BCE: be_vat,
              IdentifierScheme.BN: ca_bn, IdentifierScheme.GST: ca_bn}.get(scheme)
    if module is None:
        return re.sub(r"\s", "", value)
    return str(module.compact(value))


def validate_iban(value: str) -> str | None:
    return _reason(iban.validate, value)


def validate_bic(value: str) -> str | None:
    return _reason(bic.validate, value)


def validate_structured_communication(value: str) -> str | None:
    """Belgian OGM-VCS (+++123/4567/89012+++)."""
    return _reason(ogm_vcs.validate, value)
