"""Sync files: which documents go from which connection to which, by which mapping, under
which policies (TOML; the complete commented example is in docs/sync.md).

Everything is checked before the first read: unknown keys (with "did you mean"), missing
connection files, secrets in clear (inline connections go through the same reader as
connection files), mappings that do not compile, policies and operations the target does not
grant. Each refusal names file:line and says what to write instead.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from passeur.engine.connection import Connection, load_connection, parse_connection
from passeur.errors import InputError, UsageError
from passeur.issues import IssuePolicy
from passeur.plugins import Registry
from passeur.suggest import did_you_mean
from passeur.tomltext import load_toml

__all__ = ["Side", "SyncSpec", "load_sync_file", "parse_duration", "runs_distributed"]

_TOP = ("name", "store", "distributed", "flow", "doctypes", "source", "target", "mapping",
        "match", "policy", "read", "schedule")
_SIDE = ("connection", "name", "system", "settings", "http", "seller", "payment_terms")
_MAPPING = ("route", "file")
_POLICY = {"on_issue": ("ignore", "warn", "error"),
           "on_missing_reference": ("create", "defer", "fail"),
           "on_conflict": ("report", "skip", "credit_and_reissue"),
           "on_ambiguous": ("fail", "defer")}
_READ = ("look_back", "since", "concurrency")
_SCHEDULE = ("every", "cron")
_MATCH_KINDS = ("client", "product")
DEFAULT_MATCH = {"client": ("external_id", "vat", "siren", "bce", "neq", "email", "name"),
                 "product": ("code", "name")}


@attrs.frozen
class Side:
    """One end of a sync: a connection and the name its records are bound under."""

    name: str
    connection: Connection


@attrs.frozen
class SyncSpec:
    path: Path
    name: str
    store: Path | str  # an SQLite file, or a postgresql:// URL
    doctypes: tuple[str, ...]
    source: Side
    target: Side
    mapping: Path | None
    match: Mapping[str, tuple[str, ...]]
    policy: Mapping[str, str]
    look_back: float  # seconds
    since: datetime.date | None
    concurrency: int
    schedule: str | None
    flow: str = "documents"  # the pipeline it runs (engine/sync/flows.py)
    options: Any = None  # what that flow's parse made of its own keys
    distributed: bool = False  # `distributed = true`: a run goes on the workers' queue
    distributed_at: str | None = None  # file:line of that setting, for refusals naming it

    @property
    def issue_policy(self) -> IssuePolicy:
        return IssuePolicy(self.policy["on_issue"])


def _line(text: str, key: str, after: str | None = None) -> int | None:
    start = 0
    if after is not None:
        header = re.search(rf"^[ \t]*\[{re.escape(after)}\]", text, re.M)
        if header:
            start = header.end()
    found = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?\s*=|^[ \t]*\[{re.escape(key)}[\].]",
                       re.M).search(text, start)
    return text.count("\n", 0, found.start()) + 1 if found else None


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def where(self, key: str, table: str | None = None) -> str:
        line = _line(self.text, key, table)
        return f"{self.path}:{line}" if line else str(self.path)

    def table(self, data: Mapping[str, Any], key: str, known: tuple[str, ...],
              what: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise UsageError(f"{self.where(key)}: {key} must be a table ([{key}])")
        for name in value:
            if name not in known:
                raise UsageError(f"{self.where(name, key)}: unknown key {name!r} in [{key}]"
                                 f"{did_you_mean(name, known)} ({what}: {', '.join(known)})")
        return value


def parse_duration(text: Any, where: str) -> float:
    """Seconds from 90, "90s", "15m", "2h" or "1d"."""
    if isinstance(text, int | float) and not isinstance(text, bool) and text >= 0:
        return float(text)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", str(text))
    if not match:
        raise UsageError(f'{where}: expected a duration such as 90, "90s", "15m", "2h" or '
                         f'"1d", got {text!r}')
    unit = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    return float(match.group(1)) * unit


def _toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _side(reader: _Reader, data: Mapping[str, Any], key: str, registry: Registry,
          environ: Mapping[str, str] | None) -> Side:
    table = reader.table(data, key, _SIDE, "a side has")
    if not table:
        raise UsageError(f"{reader.path}: missing [{key}]; write [{key}] with "
                         'connection = "FILE.toml" (a connection file) or system = "..." and '
                         f"[{key}.settings]")
    if "connection" in table:
        if "system" in table or "settings" in table:
            raise UsageError(f"{reader.where('connection', key)}: [{key}] gives both a "
                             "connection file and an inline system; keep one")
        file = (reader.path.parent / str(table["connection"])).resolve()
        if not file.exists():
            raise UsageError(f"{reader.where('connection', key)}: connection file "
                             f"{table['connection']} not found (looked for {file})")
        connection = load_connection(file, registry, environ=environ)
    elif "system" in table:
        lines = [f"system = {_toml_value(table['system'])}"]
        origins: list[tuple[str, str]] = [("system", key)]  # each line's key and table here
        for part in ("settings", "http"):
            if isinstance(table.get(part), dict):
                lines.append(f"[{part}]")
                origins.append((part, key))
                lines += [f"{k} = {_toml_value(v)}" for k, v in table[part].items()]
                origins += [(k, f"{key}.{part}") for k in table[part]]
        try:
            connection = parse_connection("\n".join(lines), registry,
                                          name=f"{reader.path} [{key}]", environ=environ)
        except UsageError as exc:  # point at the sync file's own line when we can
            found = re.search(r"\[\w+\]:(\d+): (.*)", str(exc), re.S)
            if not found or not 1 <= int(found.group(1)) <= len(origins):
                raise
            setting, table_name = origins[int(found.group(1)) - 1]
            raise UsageError(f"{reader.where(setting, table_name)}: "
                             f"{found.group(2)}") from None
    else:
        raise UsageError(f"{reader.where(key)}: [{key}] needs connection = \"FILE.toml\" or "
                         "system = \"...\"")
    if "seller" in table:  # the side's own seller wins over its connection file's
        from passeur.engine.seller import seller_setting

        where = reader.where("seller", key)
        if where == str(reader.path):
            where = reader.where(f"{key}.seller")
        connection = attrs.evolve(connection, seller=seller_setting(
            table["seller"], where, reader.path.parent, f"{reader.path} [{key}.seller]"))
    if "payment_terms" in table:  # the side's own terms win over its connection file's
        from passeur.engine.terms import terms_setting

        where = reader.where("payment_terms", key)
        if where == str(reader.path):
            where = reader.where(f"{key}.payment_terms")
        connection = attrs.evolve(connection, payment_terms=terms_setting(
            table["payment_terms"], where, reader.path.parent,
            f"{reader.path} [{key}.payment_terms]"))
    name = str(table.get("name") or connection.variant or connection.system.name)
    return Side(name, connection)


def _store_target(reader: _Reader, file: Path, data: Mapping[str, Any],
                  environ: Mapping[str, str]) -> Path | str:
    """Where the sync's state lives: the file's `store` (an SQLite path beside the sync file,
    or a postgresql:// URL), else PASSEUR_STORE from the environment (how a server install
    puts every sync file in one database), else passeur-state.db beside the file. A URL's
    password never sits in the file: libpq reads it from PGPASSWORD or ~/.pgpass."""
    from urllib.parse import urlsplit

    from passeur.state.base import is_store_url

    if "store" not in data:
        chosen = environ.get("PASSEUR_STORE")
        if chosen:
            return chosen if is_store_url(chosen) else Path(chosen)
    value = data.get("store", "passeur-state.db")
    if not isinstance(value, str) or not value:
        raise UsageError(f"{reader.where('store')}: store must be a file name or a "
                         "postgresql:// URL")
    if not is_store_url(value):
        return file.parent / value
    try:
        password = urlsplit(value).password
    except ValueError as exc:
        raise UsageError(f"{reader.where('store')}: not a valid store URL ({exc})") from None
    if password is not None:
        raise UsageError(f"{reader.where('store')}: the store URL holds a password in clear; "
                         "remove it from the file and give it as PGPASSWORD (or in "
                         "~/.pgpass), or put the whole URL in the environment as "
                         "PASSEUR_STORE")
    return value


def runs_distributed(spec: SyncSpec, flag: bool | None = None) -> bool:
    """Whether a run of this sync file is enqueued for `passeur worker` rather than run in
    this process: the command line's choice (`--distributed` True, `--inline` False) over
    the file's `distributed` setting. Every command that starts runs asks this one place."""
    return spec.distributed if flag is None else flag


def _distributed_setting(reader: _Reader, data: Mapping[str, Any]) -> tuple[bool, str | None]:
    """The file's `distributed = true|false` and where it is written (None when absent)."""
    if "distributed" not in data:
        return False, None
    where = reader.where("distributed")
    value = data["distributed"]
    if not isinstance(value, bool):
        raise UsageError(f"{where}: distributed must be true (enqueue each run for `passeur "
                         "worker`) or false (run it in the process that starts it), got "
                         f"{value!r}")
    return value, where


def sync_file_store(path: str | Path, registry: Registry, *,
                    environ: Mapping[str, str] | None = None) -> Path | str:
    """Only the store of a sync file: `runs` and `bindings` read the store, so they need no
    connection secrets (a documents sync file's sides are not resolved; a flow's file is
    read whole, its store rule being the flow's)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return load_sync_file(file, registry, environ=environ).store  # its precise error
    data = load_toml(text, str(file))
    if data.get("flow", "documents") != "documents":
        return load_sync_file(file, registry, environ=environ).store
    return _store_target(_Reader(file, text), file, data,
                         os.environ if environ is None else environ)


def load_sync_file(path: str | Path, registry: Registry, *,
                   environ: Mapping[str, str] | None = None) -> SyncSpec:
    """Read and check a sync file; nothing is read from any system yet."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{file}: sync file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{file}: cannot read the sync file: {exc.strerror or exc}") from None
    data = load_toml(text, str(file))
    reader = _Reader(file, text)
    flow = data.get("flow", "documents")
    if flow != "documents":  # another pipeline, from a plugin (flows.py)
        from passeur.engine.sync.flows import load_flow_spec, unknown_flow

        if not isinstance(flow, str) or flow not in registry.sync_flows:
            raise unknown_flow(str(flow), list(registry.sync_flows), reader.where("flow"))
        return load_flow_spec(reader, data, registry, environ, registry.sync_flows[flow])
    for key in data:
        if key not in _TOP:
            raise UsageError(f"{reader.where(key)}: unknown key {key!r}{did_you_mean(key, _TOP)}"
                             f" (a sync file has: {', '.join(_TOP)})")
    source = _side(reader, data, "source", registry, environ)
    target = _side(reader, data, "target", registry, environ)
    if source.name == target.name:
        raise UsageError(f"{file}: source and target are both named {source.name!r}; give "
                         'one of them name = "..." (bindings are kept per name)')
    doctypes = data.get("doctypes", ["invoice"])
    if not isinstance(doctypes, list) or not all(isinstance(d, str) for d in doctypes):
        raise UsageError(f'{reader.where("doctypes")}: doctypes must be a list such as '
                         '["invoice"]')
    for doctype in doctypes:
        for side, op in ((source, "list"), (target, "create")):
            conn = side.connection
            try:
                spec = registry.document_type(conn.variant or conn.system.name, doctype)
            except UsageError as exc:  # the line to fix, like every refusal here
                raise UsageError(f"{reader.where('doctypes')}: {exc}") from None
            caps = spec.capabilities_for(conn.variant)
            if not getattr(caps, op):
                raise UsageError(f"{reader.where('doctypes')}: {side.name} cannot {op} "
                                 f"{doctype} documents (it allows: "
                                 f"{', '.join(caps.granted()) or 'nothing'})")
            for system in (conn.system,):
                if conn.folder is None and (system.sync_adapter is None
                                            or system.client_factory is None):
                    raise UsageError(f"{file}: system {system.name} cannot take part in a "
                                     "sync (it declares no live client or sync adapter)")
    mapping_table = reader.table(data, "mapping", _MAPPING, "[mapping] has")
    mapping = None
    if "file" in mapping_table:
        mapping = (file.parent / str(mapping_table["file"])).resolve()
        if not mapping.exists():
            raise UsageError(f"{reader.where('file', 'mapping')}: mapping file "
                             f"{mapping_table['file']} not found (looked for {mapping})")
    elif mapping_table.get("route", "default") != "default":
        raise UsageError(f"{reader.where('route', 'mapping')}: route must be \"default\" (the "
                         "route `passeur route` shows); give file = \"...\" for your own")
    match_table = reader.table(data, "match", _MATCH_KINDS, "[match] has")
    match = dict(DEFAULT_MATCH)
    from passeur.engine.sync.match import FIELDS

    for kind, cascade in match_table.items():
        if not isinstance(cascade, list) or not cascade:
            raise UsageError(f"{reader.where(kind, 'match')}: {kind} must be a list of fields, "
                             f"e.g. {list(DEFAULT_MATCH[kind])}")
        for field in cascade:
            if field not in FIELDS:
                raise UsageError(f"{reader.where(kind, 'match')}: unknown match field "
                                 f"{field!r}{did_you_mean(str(field), FIELDS)} (one of: "
                                 f"{', '.join(FIELDS)})")
        match[kind] = tuple(cascade)
    policy_table = reader.table(data, "policy", tuple(_POLICY), "[policy] has")
    policy = {k: v[0] if k != "on_issue" else "warn" for k, v in _POLICY.items()}
    for key, value in policy_table.items():
        if value not in _POLICY[key]:
            raise UsageError(f"{reader.where(key, 'policy')}: {key} must be one of "
                             f"{', '.join(_POLICY[key])}, got {value!r}")
        policy[key] = value
    read = reader.table(data, "read", _READ, "[read] has")
    look_back = parse_duration(read.get("look_back", "1h"), reader.where("look_back", "read"))
    since = None
    if "since" in read:
        try:
            since = datetime.date.fromisoformat(str(read["since"]))
        except ValueError:
            raise UsageError(f"{reader.where('since', 'read')}: since must be a date "
                             f"YYYY-MM-DD, got {read['since']!r}") from None
    concurrency = read.get("concurrency", 8)
    if not isinstance(concurrency, int) or isinstance(concurrency, bool) or not \
            1 <= concurrency <= 64:
        raise UsageError(f"{reader.where('concurrency', 'read')}: concurrency must be a whole "
                         f"number from 1 to 64, got {concurrency!r}")
    schedule_table = reader.table(data, "schedule", _SCHEDULE, "[schedule] has")
    schedule = schedule_table.get("every") or schedule_table.get("cron")
    store = _store_target(reader, file, data, os.environ if environ is None else environ)
    distributed, distributed_at = _distributed_setting(reader, data)
    return SyncSpec(path=file.resolve(), name=str(data.get("name") or file.stem),
                    store=store, doctypes=tuple(doctypes), source=source, target=target,
                    mapping=mapping, match=match, policy=policy, look_back=look_back,
                    since=since, concurrency=concurrency,
                    schedule=None if schedule is None else str(schedule),
                    distributed=distributed, distributed_at=distributed_at)
