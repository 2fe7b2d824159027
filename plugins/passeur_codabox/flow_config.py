"""The sync-file keys of the `codabox-clearfacts` flow, checked before anything is read.

```toml
flow = "codabox-clearfacts"
[source]
connection = "codabox.toml"  # CodaBox as the software vendor: base_url, software_company
[target]
connection = "clearfacts.toml"
[statements]
to = "clearfacts"            # or "folder" (folder = "...", format = "coda" | "camt053")
[invoices]
to = "clearfacts"            # or "none"
[delivery]
on_uncertain_upload = "report"
[resolve]
"FEED_INDEX" = "delivered"   # or "reupload": an uncertain upload settled by hand
[offices.dupont]
username = "pod66"
password = { env = "DUPONT_CODABOX_PASSWORD" }
[offices.dupont.journals]
"BE40 9740 8087 8037" = { journal = "BNP courant", activated = true }
```

Every refusal names `file:line` through the `where(key, table)` the caller gives (the sync
file reader's), and says what to write instead. docs/sync.md has the commented example.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs
from stdnum import iban as stdnum_iban

from passeur import UsageError
from passeur.sync import UNCERTAIN_POLICIES, did_you_mean, register_secrets
from passeur_codabox.delivery import Journal, journals
from passeur_codabox.syncflow import KEYS

__all__ = ["KEYS", "FlowOptions", "OfficeOptions", "StatementTarget", "parse_options"]

Where = Callable[[str, "str | None"], str]

_STATEMENTS = ("to", "folder", "format", "category")
_STATEMENT_TARGETS = ("clearfacts", "folder")
_STATEMENT_FORMATS = ("coda", "camt053")
_INVOICES = ("to",)
_INVOICE_TARGETS = ("clearfacts", "none")
_DELIVERY = ("on_uncertain_upload",)
_OFFICE = ("username", "password", "journals")
_RESOLUTIONS = ("delivered", "reupload")


@attrs.frozen
class OfficeOptions:
    """One accounting office: its CodaBox login and its bank journals."""

    name: str
    username: str
    password: str = attrs.field(repr=False)
    journals: Mapping[str, Journal] = attrs.field(factory=dict)

    def settings(self, source: Mapping[str, Any]) -> dict[str, Any]:
        """The CodaBox connection settings of this office: the [source] connection's
        (base_url, software_company) with this login."""
        return {**source, "username": self.username, "password": self.password}


@attrs.frozen
class StatementTarget:
    """Where CODA statements go: the administration's ClearFacts archive (`category`), or
    files in `folder` as received (`coda`) or as camt.053."""

    to: str = "clearfacts"
    folder: Path | None = None
    format: str = "coda"
    category: str = "CODA"


@attrs.frozen
class FlowOptions:
    offices: tuple[OfficeOptions, ...]
    statements: StatementTarget = StatementTarget()
    invoices: str = "clearfacts"
    on_uncertain_upload: str = "report"
    resolve: Mapping[str, str] = attrs.field(factory=dict)

    def journal(self, iban: str) -> tuple[OfficeOptions, Journal] | None:
        for office in self.offices:
            if iban in office.journals:
                return office, office.journals[iban]
        return None


def _table(data: Mapping[str, Any], key: str, known: tuple[str, ...], where: Where,
           parent: str | None = None) -> dict[str, Any]:
    value = data.get(key, {})
    label = f"{parent}.{key}" if parent else key
    if not isinstance(value, dict):
        raise UsageError(f"{where(key, parent)}: {label} must be a table ([{label}])")
    for name in value:
        if name not in known:
            raise UsageError(f"{where(name, label)}: unknown key {name!r} in [{label}]"
                             f"{did_you_mean(name, known)} (it has: {', '.join(known)})")
    return value


def _choice(table: Mapping[str, Any], key: str, allowed: tuple[str, ...], default: str,
            where: Where, parent: str) -> str:
    value = table.get(key, default)
    if value not in allowed:
        raise UsageError(f"{where(key, parent)}: {key} must be one of {', '.join(allowed)}, "
                         f"got {value!r}")
    return str(value)


def _password(table: Mapping[str, Any], label: str, where: Where,
              environ: Mapping[str, str]) -> str:
    value = table.get("password")
    variable = value.get("env") if isinstance(value, dict) and set(value) == {"env"} else None
    if not isinstance(variable, str) or not variable:
        at = (where("password", label) if "password" in table
              else where(label, None))
        raise UsageError(f'{at}: [{label}] needs password = {{ env = "VARIABLE" }} (the office\'s '
                         "CodaBox password, never written in the file)")
    found = environ.get(variable, "")
    if not found:
        raise UsageError(f"{where('password', label)}: environment variable {variable} (for "
                         "password) is not set")
    register_secrets([found])
    return found


def parse_options(data: Mapping[str, Any], where: Where,
                  base: Path, environ: Mapping[str, str] | None = None) -> FlowOptions:
    """The flow's options from a sync file's data (`base`: the file's folder); [source]
    and [target] are the sync file's own sides, checked by `passeur.engine.sync`."""
    env = os.environ if environ is None else environ
    st = _table(data, "statements", _STATEMENTS, where)
    to = _choice(st, "to", _STATEMENT_TARGETS, "clearfacts", where, "statements")
    fmt = _choice(st, "format", _STATEMENT_FORMATS, "coda", where, "statements")
    folder = None
    if to == "folder":
        if not isinstance(st.get("folder"), str) or not st["folder"].strip():
            raise UsageError(f"{where('to', 'statements')}: statements to a folder need "
                             'folder = "DIR" (relative to the sync file)')
        folder = (base / st["folder"]).resolve()
    elif "folder" in st or "format" in st:
        raise UsageError(f"{where('folder' if 'folder' in st else 'format', 'statements')}: "
                         'folder and format apply to to = "folder" only (statements go to '
                         "the ClearFacts archive as CODA files)")
    category = st.get("category", "CODA")
    if not isinstance(category, str) or not category.strip():
        raise UsageError(f"{where('category', 'statements')}: category must be the id of a "
                         "FINANCIAL archive category, e.g. \"CODA\"")
    inv = _table(data, "invoices", _INVOICES, where)
    invoices = _choice(inv, "to", _INVOICE_TARGETS, "clearfacts", where, "invoices")
    delivery = _table(data, "delivery", _DELIVERY, where)
    policy = _choice(delivery, "on_uncertain_upload", UNCERTAIN_POLICIES, "report", where,
                     "delivery")
    resolve_table = data.get("resolve", {})
    if not isinstance(resolve_table, dict):
        raise UsageError(f"{where('resolve', None)}: resolve must be a table ([resolve])")
    resolve: dict[str, str] = {}
    for index, value in resolve_table.items():
        if value not in _RESOLUTIONS:
            raise UsageError(f"{where(index, 'resolve')}: an uncertain upload is resolved as "
                             f"\"delivered\" (it is in ClearFacts) or \"reupload\" (it is "
                             f"not), got {value!r}")
        resolve[str(index)] = str(value)
    offices_table = data.get("offices")
    if not isinstance(offices_table, dict) or not offices_table:
        raise UsageError(f"{where('offices', None)}: the flow needs at least one office: "
                         '[offices.NAME] with username = "...", password = { env = "..." } '
                         "and [offices.NAME.journals]")
    offices = []
    seen: dict[str, str] = {}
    for name, table in offices_table.items():
        label = f"offices.{name}"
        if not isinstance(table, dict):
            raise UsageError(f"{where(name, 'offices')}: [{label}] must be a table")
        _table(offices_table, name, _OFFICE, where, "offices")
        username = table.get("username")
        if not isinstance(username, str) or not username.strip():
            raise UsageError(f"{where(label, None)}: [{label}] needs username = "
                             '"..." (the office\'s CodaBox login, from get-credentials)')
        password = _password(table, label, where, env)
        raw = table.get("journals", {})
        if not isinstance(raw, dict):
            raise UsageError(f"{where('journals', label)}: journals must be a table of "
                             'IBAN = { journal = "NAME", activated = true }')
        try:
            found = journals(raw, where=f"{label}.journals")
        except UsageError as exc:  # the message names the key; point at its line
            key = str(exc).split(":", 1)[0].removeprefix(f"{label}.journals.").split(".")[0]
            raise UsageError(f"{where(key, f'{label}.journals')}: {exc}") from None
        for raw_iban in raw:
            iban = stdnum_iban.compact(str(raw_iban))
            if iban in seen:
                raise UsageError(f"{where(str(raw_iban), f'{label}.journals')}: IBAN {iban} "
                                 f"is configured for offices {seen[iban]} and {name}; an "
                                 "account belongs to one office")
            seen[iban] = str(name)
        offices.append(OfficeOptions(str(name), username.strip(), password, found))
    return FlowOptions(offices=tuple(offices),
                       statements=StatementTarget(to, folder, fmt, category.strip()),
                       invoices=invoices, on_uncertain_upload=policy, resolve=resolve)
