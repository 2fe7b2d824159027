"""The matching cascade that finds a document's client or product in the target.

Each step compares one kind of value, normalised the way its identifier is written: VAT
numbers, SIREN (France), BCE/KBO (Belgium) through python-stdnum's `compact`, NEQ (Québec,
ten digits), codes and external ids as they are, e-mail addresses case-insensitively, names
without accents, punctuation, case or legal form. The first step that finds exactly one
record wins; a step that finds several stops the cascade as ambiguous (never a guess).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

__all__ = ["FIELDS", "Index", "Match", "normalise"]


def _stdnum(module: str) -> Callable[[str], str]:
    def compact(value: str) -> str:
        import importlib

        try:
            return str(importlib.import_module(module).compact(value)).upper()
        except Exception:  # a malformed number still compares in its own spelling
            return re.sub(r"[\s.\-/]", "", value).upper()

    return compact


_LEGAL = re.compile(r"\b(inc|ltee|ltd|llc|sa|sas|sarl|sprl|srl|bv|nv|gmbh|senc|cie|co)\b")


def _name(value: str) -> str:
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    text = _LEGAL.sub(" ", text)
    return " ".join(text.split())


def _vat(value: str) -> str:
    text = re.sub(r"[\s.\-/]", "", value).upper()
    return _stdnum("stdnum.eu.vat")(text) if text[:2].isalpha() else text


#: The cascade's fields and how each is normalised.
FIELDS: Mapping[str, Callable[[str], str]] = {
    "external_id": str.strip,
    "code": str.strip,
    "vat": _vat,
    "siren": lambda v: _stdnum("stdnum.fr.siren")(re.sub(r"^FR\d{2}", "", _vat(v))),
    "bce": lambda v: _stdnum("stdnum.be.vat")(v),
    "neq": lambda v: re.sub(r"\D", "", v),
    "email": lambda v: v.strip().casefold(),
    "name": _name,
}


def normalise(field: str, value: str) -> str:
    return FIELDS[field](value)


@attrs.frozen
class Match:
    """What the cascade found: one record (by which field), several, or none."""

    record: Mapping[str, Any] | None = None
    field: str | None = None
    ambiguous: tuple[str, ...] = ()  # ids of the records that matched equally


class Index:
    """The target's records of one kind, indexed by every cascade field they carry."""

    def __init__(self, records: Iterable[Mapping[str, Any]],
                 values: Callable[[Mapping[str, Any]], Mapping[str, str]],
                 ident: Callable[[Mapping[str, Any]], str]) -> None:
        self._values = values
        self._ident = ident
        self._by: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
        for record in records:
            self.add(record)

    def add(self, record: Mapping[str, Any]) -> None:
        for field, value in self._values(record).items():
            if field in FIELDS and value:
                self._by.setdefault((field, normalise(field, value)), []).append(record)

    def find(self, hints: Mapping[str, str], cascade: Sequence[str]) -> Match:
        for field in cascade:
            value = hints.get(field)
            if not value:
                continue
            found = self._by.get((field, normalise(field, value)), [])
            if len(found) == 1:
                return Match(found[0], field)
            if len(found) > 1:
                return Match(None, field, tuple(self._ident(r) for r in found))
        return Match()
