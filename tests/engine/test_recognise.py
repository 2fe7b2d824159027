"""A document its reader refuses as not its own is told which installed system it looks
like, computed from the registry's field declarations (no plugin lists another's fields):
the tutorial's third-party sage100 package is recognised the moment it is installed."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from passeur import Issue, Level, Registry, load_registry
from passeur.engine.convert import Converter, parse_endpoint
from passeur.engine.recognise import looks_like, with_hint

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
SAGE = {"DO_Piece": "FA00142", "DO_Date": "2024-03-04", "DO_Tiers": "CDUPONT"}


@cache
def _registry() -> Registry:
    return load_registry()


def _errors(value: Any, source: str) -> list[tuple[str, str, str]]:
    registry = _registry()
    converter = Converter(registry, parse_endpoint(registry, source),
                          parse_endpoint(registry, "passeur"))
    outcome = converter.convert(value)
    assert outcome.failed
    return [(i.code, i.path, i.message) for i in outcome.issues if i.level is Level.ERROR]


def test_a_third_party_document_is_named_from_its_declaration() -> None:
    assert _errors(SAGE, "vosfactures") == [(
        "wire.wrong_system", "$", "no VosFactures invoice field found: this looks like a "
        "Sage 100 invoice (it has `DO_Piece`, `DO_Date`, `DO_Tiers`); read it with "
        "--from sage100")]


def test_a_variant_source_compares_with_its_system_and_says_its_own_words_first() -> None:
    assert _errors(SAGE, "acomba") == [(
        "wire.wrong_system", "$", "no ERP Connector invoice field found (expected NoFacture, "
        "DateFacture, LigneFacture...): this looks like a Sage 100 invoice (it has "
        "`DO_Piece`, `DO_Date`, `DO_Tiers`); read it with --from sage100")]


def test_a_wrapped_document_is_recognised_one_level_down() -> None:
    payload = json.loads((GOLDEN / "acomba_seed004" / "input.json").read_text("utf-8"))
    hint = looks_like(_registry(), {"export": SAGE}, "vosfactures")
    assert hint == ("this looks like a Sage 100 invoice (it has `export.DO_Piece`, "
                    "`export.DO_Date`, `export.DO_Tiers`); read it with --from sage100")
    # seed 004's create payload: its `Facture` holds six ERP Connector invoice fields that
    # VosFactures does not declare (TypeDoc, Référence, Description, DateFacture,
    # InfoClientFacturerA, LigneFacture), more than the three top-level invoice_create keys
    assert looks_like(_registry(), payload, "vosfactures") == (
        "this looks like an ERP Connector invoice (it has `Facture.TypeDoc`, "
        "`Facture.Référence`, `Facture.Description`); read it with --from erpconnector")


def test_one_key_in_common_is_not_enough_and_non_objects_get_no_hint() -> None:
    assert looks_like(_registry(), {"DO_Piece": "FA1", "zzz": 1}, "vosfactures") is None
    assert looks_like(_registry(), [SAGE], "vosfactures") is None
    assert looks_like(_registry(), SAGE, "no-such-system") is None
    # keys the refusing system declares itself do not count for another: VosFactures
    # declares both, so SRC's and the canonical invoice's `number` and `currency` are no hint
    common = {"number": "F1", "currency": "EUR"}
    assert looks_like(_registry(), common, "vosfactures") is None
    assert looks_like(_registry(), SAGE, "sage100") is None


def test_a_tie_names_the_first_system_by_name_and_the_rarest_keys_first() -> None:
    # for ERP Connector, passeur, sagesrc and vosfactures invoices all have both keys: the
    # first name wins; `currency` (3 systems declare it) before `number` (5 do)
    assert looks_like(_registry(), {"number": "F1", "currency": "EUR"}, "erpconnector") == (
        "this looks like a passeur canonical model invoice (it has `currency`, `number`); "
        "read it with --from passeur")


def test_only_the_first_wrong_system_error_is_completed() -> None:
    other = Issue(Level.ERROR, "no X field found", "wire.wrong_system", "$")
    form = Issue(Level.ERROR, "expected an object", "wire.form", "$")
    note = Issue(Level.INFO, "no X field found", "wire.wrong_system", "$")
    out = with_hint(_registry(), SAGE, "vosfactures", [form, note, other, other])
    assert out[:2] == [form, note]
    assert out[2].message.startswith("no X field found: this looks like a Sage 100 invoice")
    assert out[3] == other
