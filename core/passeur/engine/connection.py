"""Connection files: which live system to talk to, with which settings, in TOML.

    # acme.toml: the VosFactures account of ACME
    system = "vosfactures"            # a system, or a variant such as "acomba"

    [settings]
    account = "acme"                  # https://acme.vosfactures.fr
    api_token = { env = "ACME_VOSFACTURES_TOKEN" }

    [http]                            # optional
    rate_limit = 10                   # requests per second for this account, all workers
    timeout = 30                      # seconds
    max_attempts = 5                  # first try included

A system whose documents do not name their seller (Acomba: the company is the ERP's own)
gets it from a `seller`: a seller file (`seller = "our-company.toml"`, relative to the
connection file) or a `[seller]` table of the party's fields (`passeur.engine.seller`); a
sync from that connection completes each sale invoice's seller with it. Its default
`payment_terms` (a terms file or a `[payment_terms]` table: `days`, `description`;
`passeur.engine.terms`) complete the sale invoices that carry no due date nor terms.

A connection may be a folder instead of an account: a `[folder]` table with a `path`
(relative to the connection file) and a file-name `pattern` such as "{number}.xml" makes the
system's documents the files of that folder (`passeur.engine.folder`); no account setting is
needed then.

Secrets (settings the system flags `secret`, and any setting named like a password or a
token) are only ever read from environment variables: a file that holds one in clear is
refused, with the line to fix, so connection files can be shared and committed safely.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs

from passeur.engine.folder import FolderClient, FolderSettings
from passeur.engine.seller import SellerConfig, seller_setting
from passeur.engine.terms import TermsConfig, terms_setting
from passeur.errors import InputError, UsageError
from passeur.http import HttpSettings, RetryPolicy
from passeur.plugins import Registry
from passeur.redaction import register_secrets
from passeur.schema import ConfigField, FieldType, SystemSpec
from passeur.suggest import did_you_mean
from passeur.tomltext import load_toml

__all__ = ["Connection", "load_connection", "parse_connection"]

_SECRET_NAME = re.compile(r"(token|password|passwd|secret|licen[cs]e|api_?key)", re.I)
_TOP_KEYS = ("system", "settings", "http", "folder", "seller", "payment_terms")
_FOLDER_KEYS = ("path", "pattern")
_HTTP_KEYS = ("rate_limit", "burst", "timeout", "connect_timeout", "max_attempts",
              "base_delay", "max_delay")


@attrs.frozen(repr=False)
class Connection:
    """A resolved connection: secrets already read from the environment (never shown)."""

    name: str
    system: SystemSpec
    variant: str | None
    settings: Mapping[str, Any]
    secret_names: frozenset[str]
    http: HttpSettings
    folder: FolderSettings | None = None  # files in a folder instead of a live API
    formats: Mapping[str, Any] = attrs.field(factory=dict)
    seller: SellerConfig | None = None  # completes the seller its documents do not name
    payment_terms: TermsConfig | None = None  # the terms its invoices do not carry

    def __repr__(self) -> str:
        shown = {k: ("***" if k in self.secret_names else v) for k, v in self.settings.items()}
        return f"Connection({self.name!r}, system={self.system.name!r}, settings={shown})"

    def client(self, **kw: Any) -> Any:
        """A live client from the system's `client_factory(config, settings=..., ...)`, or
        for a `[folder]` connection a `FolderClient` with the same methods."""
        if self.folder is not None:
            return FolderClient(self.system.name, self.folder, self.formats)
        factory = self.system.client_factory
        if factory is None:
            raise UsageError(f"system {self.system.name!r} has no live API client")
        return factory(dict(self.settings), settings=self.http, **kw)


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?\s*=", re.M)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _where(name: str, text: str, key: str) -> str:
    line = _line_of(text, key)
    if line is None:  # a table: its [key] header
        match = re.search(rf"^[ \t]*\[[ \t]*{re.escape(key)}[ \t]*\]", text, re.M)
        line = text.count("\n", 0, match.start()) + 1 if match else None
    return f"{name}:{line}" if line else name


def _number(name: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise UsageError(f"{name}: [http] {key} must be a positive number, got {value!r}")
    return float(value)


def _typed(where: str, key: str, field: ConfigField, value: Any, variable: str | None) -> Any:
    """A setting's value as its field declares it (a whole number, a Decimal; an enum is a
    variant, checked below), or a UsageError at the file and line: a client would otherwise
    meet the wrong type deep in a run. A value from an environment variable is text."""
    given = f"{value!r}" + (f" (from {variable})" if variable else "")
    kind = field.type
    if kind is FieldType.INTEGER:
        if isinstance(value, str) and variable and re.fullmatch(r"[+-]?\d+", value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise UsageError(f"{where}: {key} must be a whole number, got {given}")
        return value
    if kind is FieldType.DECIMAL:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise UsageError(f"{where}: {key} must be a number, got {given}")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise UsageError(f"{where}: {key} must be a number, got {given}") from None
        if not number.is_finite():
            raise UsageError(f"{where}: {key} must be a number, got {given}")
        return number
    return value


#: Requests per second for one account when the connection file does not say (the
#: documented default: every worker of a run shares it, so `--concurrency` never floods).
DEFAULT_RATE_LIMIT = 10.0


def _http(name: str, table: Any) -> HttpSettings:
    if table is None:
        table = {}
    if not isinstance(table, dict):
        raise UsageError(f"{name}: [http] must be a table")
    for key in table:
        if key not in _HTTP_KEYS:
            raise UsageError(f"{name}: unknown [http] setting {key!r}"
                             f"{did_you_mean(key, _HTTP_KEYS)} (known: {', '.join(_HTTP_KEYS)})")
    values = {k: _number(name, k, v) for k, v in table.items()}
    retry = RetryPolicy(max_attempts=int(values.get("max_attempts", 5)),
                        base_delay=values.get("base_delay", 0.5),
                        max_delay=values.get("max_delay", 30.0))
    return HttpSettings(timeout=values.get("timeout", 30.0),
                        connect_timeout=values.get("connect_timeout", 10.0), retry=retry,
                        rate_limit=values.get("rate_limit", DEFAULT_RATE_LIMIT),
                        burst=int(values.get("burst", 1)))


def parse_connection(text: str, registry: Registry, *, name: str = "<connection>",
                     environ: Mapping[str, str] | None = None,
                     base: Path | None = None) -> Connection:
    """A `Connection` from TOML text; `name` (the file) prefixes every error message."""
    env = os.environ if environ is None else environ
    data = load_toml(text, name)
    for key in data:
        if key not in _TOP_KEYS:
            raise UsageError(f"{_where(name, text, key)}: unknown key {key!r}"
                             f"{did_you_mean(key, _TOP_KEYS)} (a connection file has: "
                             "system, [settings], [http], [folder], seller, payment_terms)")
    system_name = data.get("system")
    if not isinstance(system_name, str) or not system_name:
        known = ", ".join(sorted(s for s in registry.systems if s != "passeur")) or "none"
        raise UsageError(f'{name}: missing `system = "<name>"` (installed systems: {known})')
    try:
        spec, variant = registry.resolve(system_name)
    except UsageError as exc:  # the file and line to fix, like every other error here
        raise UsageError(f"{_where(name, text, 'system')}: {exc}") from None
    raw = data.get("settings", {})
    if not isinstance(raw, dict):
        raise UsageError(f"{_where(name, text, 'settings')}: [settings] must be a table")
    declared = {c.name: c for c in spec.config}
    settings: dict[str, Any] = {}
    secrets: set[str] = set()
    for key, value in raw.items():
        where = _where(name, text, key)
        field = declared.get(key)
        if field is None:
            raise UsageError(f"{where}: {spec.name} has no setting {key!r}"
                             f"{did_you_mean(key, declared)} (it has: "
                             f"{', '.join(declared) or 'none'})")
        secret = field.secret or bool(_SECRET_NAME.search(key))
        if isinstance(value, dict):
            if set(value) != {"env"} or not isinstance(value["env"], str):
                raise UsageError(f'{where}: write {key} = {{ env = "VARIABLE" }} to read it '
                                 "from an environment variable")
            variable = value["env"]
            if variable not in env or env[variable] == "":
                raise UsageError(f"{where}: environment variable {variable} (for {key}) is "
                                 "not set")
            settings[key] = _typed(where, key, field, env[variable], f"${variable}")
        elif secret:
            suggestion = f"{spec.name}_{key}".upper()
            raise UsageError(f"{where}: {key} is a secret and must not be written in the file "
                             f'in clear; write {key} = {{ env = "{suggestion}" }} and set '
                             f"{suggestion} in the environment")
        else:
            settings[key] = _typed(where, key, field, value, None)
        if secret:
            secrets.add(key)
        _refuse_url_credentials(where, key, settings[key])
    if spec.variant_setting:
        if variant is not None:
            given = settings.get(spec.variant_setting)
            if given not in (None, variant):
                raise UsageError(f"{name}: system {system_name!r} but "
                                 f"{spec.variant_setting} = {given!r}")
            settings[spec.variant_setting] = variant
        variant = settings.get(spec.variant_setting)
        if variant is not None and variant not in spec.variants:
            raise UsageError(f"{_where(name, text, spec.variant_setting)}: unknown "
                             f"{spec.variant_setting} {variant!r}"
                             f"{did_you_mean(str(variant), spec.variants)} (one of: "
                             f"{', '.join(spec.variants)})")
    folder = _folder(name, text, data.get("folder"), base)
    for field in spec.config:
        if folder is not None:
            break  # a folder needs no account settings
        if field.name not in settings and field.default is not None:
            settings[field.name] = field.default
        if not field.satisfied_by(settings):
            variable = f"{spec.name}_{field.name}".upper()
            how = (f'{field.name} = {{ env = "{variable}" }}' if field.secret
                   else f"{field.name} = ...")
            alternative = (f", or {' and '.join(field.instead)} instead" if field.instead
                           else "")
            raise UsageError(f"{name}: missing setting {field.name!r} for {spec.name} "
                             f"({field.description or field.name}); add `{how}` under "
                             f"[settings]{alternative}")
    formats = {key: fmt for key, fmt in registry.formats.items()
               if key.startswith(f"{spec.name}.")}
    register_secrets(str(settings[k]) for k in secrets if settings.get(k))
    seller = None
    if "seller" in data:
        seller = seller_setting(data["seller"], _where(name, text, "seller"), base, name)
    terms = None
    if "payment_terms" in data:
        terms = terms_setting(data["payment_terms"], _where(name, text, "payment_terms"),
                              base, name)
    return Connection(name=name, system=spec, variant=variant, settings=settings,
                      secret_names=frozenset(secrets), http=_http(name, data.get("http")),
                      folder=folder, formats=formats, seller=seller,
                      payment_terms=terms)


def _folder(name: str, text: str, table: Any, base: Path | None) -> FolderSettings | None:
    """The `[folder]` table: a path (relative to the connection file) and a pattern."""
    if table is None:
        return None
    if not isinstance(table, dict):
        raise UsageError(f"{_where(name, text, 'folder')}: [folder] must be a table")
    for key in table:
        if key not in _FOLDER_KEYS:
            raise UsageError(f"{_where(name, text, key)}: unknown [folder] setting {key!r}"
                             f"{did_you_mean(key, _FOLDER_KEYS)} (known: path, pattern)")
    path = table.get("path")
    if not isinstance(path, str) or not path:
        raise UsageError(f'{name}: [folder] needs path = "<folder>"')
    pattern = table.get("pattern", "{number}.json")
    if not isinstance(pattern, str) or "{" not in pattern or "/" in pattern:
        raise UsageError(f"{_where(name, text, 'pattern')}: [folder] pattern must name a "
                         'field and no folder, e.g. pattern = "{number}.xml"')
    folder = Path(path)
    if not folder.is_absolute() and base is not None:
        folder = base / folder
    return FolderSettings(folder, pattern)


def _refuse_url_credentials(where: str, key: str, value: Any) -> None:
    """A URL with user info (`https://user:secret@host`) holds a secret in clear: refused,
    whether in the file or in the environment (it would be shown wherever the URL is)."""
    if not isinstance(value, str) or "@" not in value or "://" not in value:
        return
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return
    if parts.scheme and "@" in parts.netloc:
        raise UsageError(f"{where}: {key} has credentials in it (user:password@); they "
                         "would be shown wherever the URL is: remove them and put them in "
                         "the connection's own secret settings, read from the environment")


def load_connection(path: str | Path, registry: Registry, *,
                    environ: Mapping[str, str] | None = None) -> Connection:
    """Read a connection file (see the module docstring for its form)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{file}: connection file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{file}: cannot read the connection file: "
                         f"{exc.strerror or exc}") from None
    return parse_connection(text, registry, name=str(file), environ=environ,
                            base=file.parent)
