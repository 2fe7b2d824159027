"""The e-invoice part of the shared corpus, read in place, with the MANIFEST's facts."""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from conftest import TESTDATA

from passeur import load_registry
from passeur.engine.convert import Converter, DocumentOutcome, parse_endpoint


def manifest(*kinds: str) -> list[tuple[str, dict[str, str]]]:
    """(path, facts) of every MANIFEST row of the given kinds."""
    rows = []
    with (TESTDATA / "MANIFEST.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] in kinds:
                facts = {}
                for part in row["facts"].split(";"):
                    key, _, value = part.strip().partition("=")
                    facts[key.split(": ")[-1]] = value
                rows.append((row["path"], facts))
    return rows


def files(*kinds: str) -> Iterator[Path]:
    for path, _ in manifest(*kinds):
        yield TESTDATA / path


_REGISTRY = None


def registry() -> Any:
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = load_registry()
    return _REGISTRY


@functools.cache
def converter(source: str, target: str) -> Converter:
    """One converter per pair for the whole run (finding a route parses every mapping)."""
    reg = registry()
    return Converter(reg, parse_endpoint(reg, source), parse_endpoint(reg, target))


def read(system: str, path: Path) -> DocumentOutcome:
    return converter(system, "passeur").convert(path.read_bytes())


def comparable(canonical: dict[str, Any]) -> dict[str, Any]:
    """A canonical document without what depends on where it was read."""
    out = dict(canonical)
    out.pop("source", None)
    out.pop("computed_totals", None)
    return out


def decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def assert_facts(canonical: dict[str, Any], facts: dict[str, str]) -> None:
    """number, type, date, currency, net, tax, total, prepaid, payable and line count."""
    totals = canonical.get("totals") or {}
    assert canonical.get("number") == facts["id"]
    assert (canonical.get("extensions") or {}).get("type_code") == facts["type"]
    assert str(canonical.get("issue_date")) == facts["date"]
    assert canonical.get("currency", "EUR") == facts["cur"]
    for key, field in (("net", "net"), ("vat", "tax"), ("total", "gross"),
                       ("payable", "due")):
        if key in facts:
            assert decimal(totals.get(field)) == Decimal(facts[key]), (key, totals.get(field))
    assert decimal(totals.get("paid")) == (Decimal(facts["prepaid"]) if "prepaid" in facts
                                           else None) or decimal(totals.get("paid")) == 0
    assert len(canonical.get("lines") or []) == int(facts["lines"])
