"""The plugin host: find plugins through entry points, load each in isolation, collect what
they register, and report every plugin that cannot be used without stopping the others.

Nothing here runs at import time: `make_plugin_manager()` builds a manager and `load_registry()`
fills a `Registry`. Allow- and deny-lists come from `PASSEUR_PLUGINS` and
`PASSEUR_DISABLE_PLUGINS` (comma-separated entry-point or distribution names).
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pluggy

from passeur import hookspecs
from passeur.errors import (
    DuplicateSystemError,
    PluginHookError,
    UnknownDocumentTypeError,
    UnknownSystemError,
)
from passeur.plugin_discovery import discover, loader
from passeur.schema import DocumentType, SystemSpec
from passeur.suggest import did_you_mean, suggest

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginRecord",
    "Registry",
    "load_registry",
    "make_plugin_manager",
]

ENTRY_POINT_GROUP = "passeur"
LOG = logging.getLogger("passeur.plugins")
HOOK_PREFIX = "passeur_"
CORE_PLUGINS: tuple[str, ...] = ("passeur.canonical", "passeur.dsl.functions",
                                 "passeur.engine.sync.flows")


@attrs.frozen
class PluginRecord:
    """One plugin as `passeur plugins` shows it: where it comes from and what it provides."""

    name: str
    module: str
    distribution: str | None = None
    version: str | None = None
    systems: tuple[str, ...] = ()
    error: str | None = None
    mapping_dirs: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()  # registrations refused (a name another plugin has)
    overrides: tuple[str, ...] = ()  # registrations that replaced another's (override=True)

    def as_json(self, registry: Registry | None = None) -> dict[str, Any]:
        doctypes: dict[str, list[str]] = {}
        flows = [] if registry is None else registry.flows_of(self.name)
        if registry is not None:
            for system in self.systems:
                spec = registry.systems.get(system)
                if spec is not None:
                    doctypes[system] = list(spec.document_type_names)
        return {
            "name": self.name,
            "module": self.module,
            "distribution": self.distribution,
            "version": self.version,
            "systems": list(self.systems),
            "document_types": doctypes,
            "mapping_dirs": list(self.mapping_dirs),
            "flows": flows,
            "refused": list(self.refused),
            "overrides": list(self.overrides),
            "error": self.error,
        }


class _PluginManager(pluggy.PluginManager):
    """Treats every `passeur_*` function of a plugin as a hook implementation.

    Without this, a misspelled, undecorated hook would be silently ignored; with it, the
    misspelling becomes an unknown hook that the host reports.
    """

    def parse_hookimpl_opts(self, plugin: object, name: str) -> pluggy.HookimplOpts | None:
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith(HOOK_PREFIX):
            attr = getattr(plugin, name, None)
            if inspect.isroutine(attr):
                opts = pluggy.HookimplOpts(
                    wrapper=False, hookwrapper=False, optionalhook=False,
                    tryfirst=False, trylast=False, specname=None,
                )
        return opts


def make_plugin_manager() -> pluggy.PluginManager:
    """A plugin manager that knows passeur's hooks and holds no plugin yet."""
    pm = _PluginManager("passeur")
    pm.add_hookspecs(hookspecs)
    return pm


def _names(value: str | None) -> frozenset[str] | None:
    if value is None or not value.strip():
        return None
    return frozenset(part.strip() for part in value.split(",") if part.strip())


@attrs.define
class Registry:
    """What the loaded plugins provide, and the plugins that failed."""

    pm: pluggy.PluginManager
    plugins: list[PluginRecord] = attrs.field(factory=list)
    systems: dict[str, SystemSpec] = attrs.field(factory=dict)
    system_plugin: dict[str, str] = attrs.field(factory=dict)
    functions: dict[str, Any] = attrs.field(factory=dict)
    formats: dict[str, Any] = attrs.field(factory=dict)
    mapping_dirs: list[Path] = attrs.field(factory=list)
    #: The consultant's folders of mapping files (`--mapping-dir`), searched before the
    #: shipped ones; $PASSEUR_MAPPING_PATH comes after them (passeur.dsl.routes).
    search_path: list[Path] = attrs.field(factory=list)
    mapping_dir_plugin: dict[Path, str] = attrs.field(factory=dict)
    function_plugin: dict[str, str] = attrs.field(factory=dict)
    format_plugin: dict[str, str] = attrs.field(factory=dict)
    #: The sync flows by name (passeur.engine.sync.flows.SyncFlow), "documents" built in.
    sync_flows: dict[str, Any] = attrs.field(factory=dict)
    sync_flow_plugin: dict[str, str] = attrs.field(factory=dict)

    @property
    def errors(self) -> list[PluginRecord]:
        return [p for p in self.plugins if p.error is not None]

    def system(self, name: str) -> SystemSpec:
        """The system called `name`; the error suggests the closest known name."""
        try:
            return self.systems[name]
        except KeyError:
            known = sorted(self.systems)
            raise UnknownSystemError(name, known, suggest(name, known)) from None

    def resolve(self, name: str) -> tuple[SystemSpec, str | None]:
        """A system name, a variant name that only one system has (`acomba` is
        `erpconnector` with erp=acomba), or an alias that only one system declares (`src` is
        `sagesrc`), as (system, variant or None). A name means the system first, then the
        variant, then the alias: an alias never hides another system."""
        if name in self.systems:
            return self.systems[name], None
        owners = [s for s in self.systems.values() if name in s.variants]
        if len(owners) == 1:
            return owners[0], name
        if not owners:
            aliased = [s for s in self.systems.values() if name in s.aliases]
            if len(aliased) == 1:
                return aliased[0], None
        known = sorted(self.systems)
        others = sorted({*(v for s in self.systems.values() for v in s.variants),
                         *(a for s in self.systems.values() for a in s.aliases)})
        raise UnknownSystemError(name, known, suggest(name, known + others))

    def flows_of(self, plugin: str) -> list[str]:
        """The sync flows a plugin provides (as kept: a refused one is not its)."""
        return sorted(n for n, owner in self.sync_flow_plugin.items() if owner == plugin)

    def detect_format(self, name: str, head: bytes) -> str | None:
        """The format (`system.doctype`) a plugin recognises in an input, from its file
        name and first bytes (`passeur_detect_format`, first answer wins), or None."""
        found = self.pm.hook.passeur_detect_format(name=name, head=head)
        return found if isinstance(found, str) and found else None

    def document_type(self, system: str, name: str) -> DocumentType:
        """One document type of one system, with "did you mean" on both names."""
        spec, _variant = self.resolve(system)
        doctype = spec.document_type(name)
        if doctype is None:
            known = list(spec.document_type_names)
            raise UnknownDocumentTypeError(system, name, known, suggest(name, known))
        return doctype


def _check_hooks(pm: pluggy.PluginManager, plugin: object) -> None:
    """Refuse a plugin that implements a hook passeur does not define."""
    known = [name for name in vars(hookspecs) if name.startswith(HOOK_PREFIX)]
    for name, caller in vars(pm.hook).items():
        if not isinstance(caller, pluggy.HookCaller) or caller.spec is not None:
            continue
        if any(impl.plugin is plugin for impl in caller.get_hookimpls()):
            raise PluginHookError(f"unknown hook {name!r}{did_you_mean(name, known)}")


def _register(pm: pluggy.PluginManager, plugin: object, name: str) -> None:
    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginHookError(str(exc)) from None
    try:
        _check_hooks(pm, plugin)
    except PluginHookError:
        pm.unregister(plugin)
        raise


def _gather(
    pm: pluggy.PluginManager, hook_name: str
) -> tuple[list[tuple[str, list[tuple[Any, bool]]]], dict[str, BaseException]]:
    """Call one register hook plugin by plugin, so what each registers (or the exception it
    raises) is pinned on that plugin and one plugin's bug never stops the others.

    Each registration is kept with its `override` flag: `register(item, override=True)`
    replaces what another plugin registered under the same name (and says so in the log)."""
    gathered: list[tuple[str, list[tuple[Any, bool]]]] = []
    failures: dict[str, BaseException] = {}
    for impl in getattr(pm.hook, hook_name).get_hookimpls():
        items: list[tuple[Any, bool]] = []

        def register(item: Any, *, override: bool = False,
                     _items: list[tuple[Any, bool]] = items) -> None:
            _items.append((item, bool(override)))

        args = {"register": register}
        try:
            impl.function(*[args[arg] for arg in impl.argnames])
        except Exception as exc:
            failures[impl.plugin_name] = exc
            continue
        gathered.append((impl.plugin_name, items))
    return gathered, failures


def load_registry(
    *,
    entry_points: bool = True,
    plugins: Sequence[tuple[str, object]] = (),
    environ: Mapping[str, str] | None = None,
) -> Registry:
    """Load every plugin (entry points, then `plugins` given as (name, module)) into a Registry.

    A plugin that fails to import, misnames a hook, raises while registering or provides a
    system name another plugin also provides is recorded with its error and left out.
    """
    env = os.environ if environ is None else environ
    allow = _names(env.get("PASSEUR_PLUGINS"))
    deny = _names(env.get("PASSEUR_DISABLE_PLUGINS")) or frozenset()
    pm = make_plugin_manager()
    registry = Registry(pm=pm)
    records: dict[str, PluginRecord] = {}

    # (name, module, load, distribution name, version)
    candidates: list[tuple[str, str, Callable[[], object], str | None, str | None]] = []
    for module_name in CORE_PLUGINS:
        candidates.append((module_name, module_name, _importer(module_name), None, None))
    if entry_points:
        for ep_name, value, dist_name, version in discover(ENTRY_POINT_GROUP):
            candidates.append((ep_name, value, loader(value), dist_name, version))
    for name, obj in plugins:
        module = getattr(obj, "__name__", name)
        candidates.append((name, module, _given(obj), None, None))

    for name, module, load, dist_name, version in candidates:
        if name not in CORE_PLUGINS:
            wanted = {name, dist_name} - {None}
            if (allow is not None and not wanted & allow) or wanted & deny:
                continue
        record = PluginRecord(name=name, module=module, distribution=dist_name, version=version)
        try:
            plugin = load()
            _register(pm, plugin, name)
        except PluginHookError as exc:
            record = attrs.evolve(record, error=str(exc))
        except Exception as exc:  # an import failure of any kind
            record = attrs.evolve(record, error=f"cannot import {module!r}: "
                                  f"{type(exc).__name__}: {exc}")
        records[name] = record

    _collect_systems(registry, records)
    _collect_named(registry, records, "passeur_register_functions", "function",
                   registry.functions, registry.function_plugin)
    _collect_named(registry, records, "passeur_register_formats", "format",
                   registry.formats, registry.format_plugin)
    _collect_named(registry, records, "passeur_register_sync_flows", "sync flow",
                   registry.sync_flows, registry.sync_flow_plugin)
    _collect_mapping_dirs(registry, records)
    registry.plugins = list(records.values())
    return registry


def _given(obj: object) -> Callable[[], object]:
    def load() -> object:
        return obj
    return load


def _importer(module_name: str) -> Callable[[], types.ModuleType]:
    def load() -> types.ModuleType:
        return importlib.import_module(module_name)
    return load


def _fail(records: dict[str, PluginRecord], name: str, message: str) -> None:
    record = records[name]
    error = message if record.error is None else f"{record.error}; {message}"
    records[name] = attrs.evolve(record, error=error)


def _origin(records: dict[str, PluginRecord], owner: str) -> str:
    """A plugin as messages name it: its distribution and entry point."""
    record = records[owner]
    return f"{record.distribution} ({owner})" if record.distribution else owner


def _note(records: dict[str, PluginRecord], owner: str, field: str, message: str) -> None:
    record = records[owner]
    if field == "refused":
        records[owner] = attrs.evolve(record, refused=(*record.refused, message))
    else:
        records[owner] = attrs.evolve(record, overrides=(*record.overrides, message))


def _collect_systems(registry: Registry, records: dict[str, PluginRecord]) -> None:
    """Systems by name. Two plugins claiming one name are both refused, unless exactly one
    of them registered it with override=True (it then wins, logged). A plugin with a
    refused system keeps nothing: it is taken out of the plugin manager, so its formats,
    functions, mapping folders, commands and hooks are not used either."""
    found: dict[str, list[tuple[str, SystemSpec, bool]]] = {}
    gathered, failures = _gather(registry.pm, "passeur_register_systems")
    refused: set[str] = set(failures)
    for owner, exc in failures.items():
        _fail(records, owner, f"registering systems failed: {type(exc).__name__}: {exc}")
    for owner, specs in gathered:
        for spec, override in specs:
            found.setdefault(spec.name, []).append((owner, spec, override))

    for system_name, providers in sorted(found.items()):
        owners = list(dict.fromkeys(owner for owner, _, _ in providers))
        if len(owners) > 1:
            winners = [p for p in providers if p[2]]
            if len(winners) != 1:
                described = " and ".join(_origin(records, o) for o in owners)
                error = DuplicateSystemError(
                    f"system {system_name!r} is provided by both {described}; "
                    "disable one with PASSEUR_DISABLE_PLUGINS (or register one with "
                    "override=True)")
                for owner in owners:
                    _fail(records, owner, str(error))
                    refused.add(owner)
                continue
            owner, spec, _ = winners[0]
            others = ", ".join(_origin(records, o) for o in owners if o != owner)
            message = (f"system {system_name!r} of {others} replaced by "
                       f"{_origin(records, owner)} (override=True)")
            LOG.info(message)
            _note(records, owner, "overrides", message)
        else:
            owner, spec, _ = providers[-1]
        registry.systems[system_name] = spec
        registry.system_plugin[system_name] = owner
        records[owner] = attrs.evolve(
            records[owner], systems=(*records[owner].systems, system_name))
    for owner in sorted(refused):
        for name in records[owner].systems:
            registry.systems.pop(name, None)
            registry.system_plugin.pop(name, None)
        records[owner] = attrs.evolve(records[owner], systems=())
        if registry.pm.has_plugin(owner):
            registry.pm.unregister(name=owner)


def _collect_named(
    registry: Registry, records: dict[str, PluginRecord], hook_name: str, kind: str,
    store: dict[str, Any], owners: dict[str, str],
) -> None:
    """Functions, formats or sync flows by name: the first registration of a name stays; a later one
    is refused (both origins named) unless it says override=True (it then replaces it,
    logged). Both are reported by `passeur plugins`."""
    gathered, failures = _gather(registry.pm, hook_name)
    for owner, exc in failures.items():
        _fail(records, owner, f"{hook_name} failed: {type(exc).__name__}: {exc}")
    for owner, items in gathered:
        for item, override in items:
            name = getattr(item, "name", None)
            if not isinstance(name, str) or not name:
                _fail(records, owner, f"a registered {kind} has no name: {item!r}")
                continue
            previous = owners.get(name)
            if previous is not None and previous != owner:
                both = f"{_origin(records, previous)} and {_origin(records, owner)}"
                if not override:
                    message = (f"{kind} {name!r} is provided by both {both}; the one of "
                               f"{_origin(records, previous)} is kept (register it with "
                               "override=True to replace it)")
                    LOG.info(message)
                    _note(records, owner, "refused", message)
                    continue
                message = (f"{kind} {name!r} of {_origin(records, previous)} replaced by "
                           f"{_origin(records, owner)} (override=True)")
                LOG.info(message)
                _note(records, owner, "overrides", message)
            store[name] = item
            owners[name] = owner


def _collect_mapping_dirs(registry: Registry, records: dict[str, PluginRecord]) -> None:
    """Each registered directory, resolved (a link in a package leads to the files a
    consultant edits), once, pinned on the plugin that registered it."""
    gathered, failures = _gather(registry.pm, "passeur_register_mapping_dirs")
    for owner, exc in failures.items():
        _fail(records, owner, "passeur_register_mapping_dirs failed: "
              f"{type(exc).__name__}: {exc}")
    for owner, items in gathered:
        for item, _override in items:
            path = Path(item).resolve()
            if not path.is_dir():
                _fail(records, owner, f"mapping directory {path} does not exist")
                continue
            if path in registry.mapping_dir_plugin:
                continue
            registry.mapping_dirs.append(path)
            registry.mapping_dir_plugin[path] = owner
            records[owner] = attrs.evolve(
                records[owner], mapping_dirs=(*records[owner].mapping_dirs, str(path)))


def iter_hook_names() -> Iterable[str]:
    """The names of every hook passeur defines (documentation and tests use this)."""
    return sorted(n for n in vars(hookspecs) if n.startswith(HOOK_PREFIX))
