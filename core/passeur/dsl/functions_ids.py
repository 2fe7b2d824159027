"""Business identifiers normalised and validated through python-stdnum (never rewritten here).

Each function returns the compact form a matching cascade compares (`FR40303265045`,
`0403019261`, `BE71096123456769`...) and refuses a number whose check digits are wrong, so a
typo is reported at mapping time instead of creating a duplicate client. Compacting drops
spaces and dots, hence every one is lossy; the `*_format` ones give the printed form.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

from passeur.dsl.functions import FunctionError, MappingFunction, expect_str, nullsafe, show

__all__ = ["FUNCTIONS"]

#: python-stdnum's exception classes, by name, and what each says of a number
_REASONS: tuple[tuple[str, str], ...] = (
    ("InvalidChecksum", "its check digits are wrong"),
    ("InvalidLength", "it has the wrong length"),
    ("InvalidFormat", "it has the wrong format"),
    ("InvalidComponent", "a part of it is not valid"),
)


def _stdnum(name: str) -> ModuleType:
    """`stdnum.NAME`, imported when a mapping first calls one of these functions (its
    `stdnum.util` loads ssl and pydoc: a start that validates no number never needs it)."""
    return importlib.import_module(f"stdnum.{name}")


def _validator(module: str, what: str) -> Callable[[Any], str]:
    def validate(value: Any) -> str:
        text = expect_str(value, what)
        errors = _stdnum("exceptions")
        try:
            return str(_stdnum(module).validate(text))
        except errors.ValidationError as exc:
            reason = next((r for cls, r in _REASONS if isinstance(exc, getattr(errors, cls))),
                          "it is not valid")
            raise FunctionError(f"value {show(text)} is not {what}: {reason}") from None

    return validate


def _formatter(module: str, what: str, template: str = "{}") -> Callable[[Any], str]:
    check = _validator(module, what)

    def format_(value: Any) -> str:
        return template.format(_stdnum(module).format(check(value)))

    return format_


_VAT = "a valid European VAT number"
_SIREN = "a valid SIREN"
_SIRET = "a valid SIRET"
_BCE = "a valid Belgian enterprise number"
_IBAN = "a valid IBAN"
_BIC = "a valid BIC"
_OGM = "a valid Belgian structured communication"


def _fn(name: str, impl: Callable[[Any], str], doc: str) -> MappingFunction:
    return MappingFunction(name, ("string",), "string", nullsafe(impl), lossy=True, doc=doc)


FUNCTIONS = (
    _fn("vat", _validator("eu.vat", _VAT), 'EU VAT number, compact: "FR40303265045".'),
    _fn("siren", _validator("fr.siren", _SIREN), 'French SIREN, 9 digits: "732829320".'),
    _fn("siret", _validator("fr.siret", _SIRET), "French SIRET, 14 digits."),
    _fn("bce", _validator("be.vat", _BCE),
        'Belgian enterprise number (BCE/KBO), 10 digits: "0403019261".'),
    _fn("iban", _validator("iban", _IBAN), 'IBAN, compact: "BE71096123456769".'),
    _fn("iban_format", _formatter("iban", _IBAN), 'IBAN in groups: "BE71 0961 2345 6769".'),
    _fn("bic", _validator("bic", _BIC), 'BIC in capitals: "GEBABEBB".'),
    _fn("ogm", _validator("be.ogm_vcs", _OGM),
        'Belgian structured communication, 12 digits: "010806817183".'),
    _fn("ogm_format", _formatter("be.ogm_vcs", _OGM, "+++{}+++"),
        'Structured communication as printed: "+++010/8068/17183+++".'),
)
