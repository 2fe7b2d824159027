"""A sync adapter for any `passeur.http.DocumentClient` (a folder of files, a system that
declares no adapter of its own): creates and reads only, no lookup, no update.

A record is known by the first id-like field it has (`id`, a number, a task id); a create
whose answer has none is `Unconfirmed`. With no way to look a document up, an uncertain
write stays uncertain; a target with a guard of its own (a folder refuses other bytes under
one name) still never gets a second copy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from passeur.engine.sync.adapter import AdapterDefaults, Stored, Unconfirmed

__all__ = ["ClientAdapter"]


class ClientAdapter(AdapterDefaults):
    """`SyncAdapter` over the DocumentClient methods alone."""

    def __init__(self, client: Any, variant: str | None = None, system: Any = None) -> None:
        self.client = client
        self.system = system  # its document types say where a created id is

    def _id_fields(self, doctype: str) -> tuple[str, ...]:
        spec = self.system.document_type(doctype) if self.system is not None else None
        return tuple(spec.created_id_fields) if spec is not None else ("id",)

    def identify(self, doctype: str, record: Mapping[str, Any]) -> Stored | None:
        for field in self._id_fields(doctype):
            value = record.get(field) if isinstance(record, Mapping) else None
            if value not in (None, ""):
                return Stored(str(value), str(value), None, record)
        return None

    async def alist(self, doctype: str, *,
                    since: str | None = None) -> AsyncIterator[dict[str, Any]]:
        for record in self.client.iter_documents(doctype):
            yield record

    def comparable(self, doctype: str, body: Mapping[str, Any],
                   record: Mapping[str, Any]) -> dict[str, Any]:
        return {k: record.get(k) for k in body if k in record}

    async def acreate(self, doctype: str, body: Mapping[str, Any]) -> Stored:
        answer = await self.client.acreate_document(doctype, body)
        stored = self.identify(doctype, answer) if isinstance(answer, Mapping) else None
        if stored is None:
            raise Unconfirmed(f"the answer to the create does not say which {doctype} was "
                              "stored; it may have been created")
        return stored

    async def aclose(self) -> None:
        await self.client.aclose()
