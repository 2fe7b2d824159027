"""Everything one run works with, opened once: the sync file, both systems' sync adapters,
the converters per document type, and the store."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import attrs

from passeur.engine.convert import Converter, parse_endpoint
from passeur.engine.sync.adapter import SyncAdapter
from passeur.engine.sync.folder import FolderSyncAdapter
from passeur.engine.sync.syncfile import Side, SyncSpec
from passeur.errors import UsageError
from passeur.issues import Level
from passeur.plugins import Registry
from passeur.schema import Capabilities
from passeur.state import Store

__all__ = ["Event", "SyncContext", "open_context"]

#: A progress callback: (stage, done, total or None).
Event = Callable[[str, int, int | None], None]


def adapter_for(connection: Any, client: Any) -> SyncAdapter:
    """A connection's part of a sync: a folder's adapter for a `[folder]` connection, else
    the one its system declares, else a generic one over the DocumentClient methods."""
    from passeur.engine.sync.generic import ClientAdapter

    if connection.folder is not None:  # files in a folder, whatever the system
        return FolderSyncAdapter(client, connection.variant)
    factory = connection.system.sync_adapter
    if factory is None:
        return ClientAdapter(client, connection.variant, connection.system)
    adapter: SyncAdapter = factory(client, connection.variant)
    return adapter


def _adapter(side: Side, transport: Any = None) -> SyncAdapter:
    conn = side.connection
    client = conn.client(**({"async_transport": transport} if transport is not None else {}))
    return adapter_for(conn, client)


@attrs.define
class SyncContext:
    spec: SyncSpec
    registry: Registry
    store: Store
    source: SyncAdapter
    target: SyncAdapter
    converters: dict[str, Converter]
    mapping_version: str
    #: The run's date, read once when it opens: what a document the run writes of its own
    #: accord (a reissue's credit note) is dated, whatever the plan's items (or a test) see.
    today: datetime.date = attrs.field(factory=datetime.date.today)

    def capabilities(self, doctype: str) -> Capabilities:
        conn = self.spec.target.connection
        spec = self.registry.document_type(conn.variant or conn.system.name, doctype)
        return spec.capabilities_for(conn.variant)

    async def aclose(self) -> None:
        for adapter in (self.source, self.target):
            await adapter.aclose()


def _endpoint(registry: Registry, side: Side, doctype: str) -> Any:
    conn = side.connection
    return parse_endpoint(registry, f"{conn.variant or conn.system.name}.{doctype}")


def open_context(spec: SyncSpec, registry: Registry, store: Store, *,
                 today: datetime.date | None = None) -> SyncContext:
    """Compile the mappings (a mapping that does not check stops here, before any read) and
    open both systems; `today` is the run's date (by default the clock's, once)."""
    from passeur.engine.sync.compare import content_hash

    if spec.mapping is not None:  # the sync file's own mapping: checked like `passeur check`
        from passeur.dsl.checker import check_file
        from passeur.engine.examples import example_pipeline

        report = check_file(spec.mapping, registry, pipeline=example_pipeline)
        if not report.ok:
            errors = [f.render() for f in report.findings if not report.ok and
                      f.level >= Level.ERROR]
            raise UsageError(f"{spec.path}: mapping {spec.mapping} does not check; nothing "
                             "was read:\n" + "\n".join(errors))
    converters: dict[str, Converter] = {}
    for doctype in spec.doctypes:
        converters[doctype] = Converter(
            registry, _endpoint(registry, spec.source, doctype),
            _endpoint(registry, spec.target, doctype), policy=spec.issue_policy,
            mapping=spec.mapping, source_label=spec.source.name,
            seller=spec.source.connection.seller or spec.target.connection.seller,
            terms=spec.source.connection.payment_terms
            or spec.target.connection.payment_terms)
    paths = sorted({str(step.mapping.path) for c in converters.values() for step in c.steps})
    version = content_hash([_read(p) for p in paths])[:12] if paths else "none"
    return SyncContext(spec, registry, store, _adapter(spec.source), _adapter(spec.target),
                       converters, version, today or datetime.date.today())


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return path
