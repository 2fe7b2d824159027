"""A folder's part of a sync: the `SyncAdapter` of every `[folder]` connection, whatever its
system, so "every new VosFactures invoice as a UBL file in this folder" is a sync file.

A document's file name (the connection's pattern applied to it) is its id, its number and
its idempotency key at once: writing the same document again finds its file, and a different
document with the same name is a conflict (`passeur.engine.folder`). A folder says nothing
about when a file changed, so the whole folder is read on each run and unchanged documents
are recognised by their content. An update replaces the file of the same document in one
step (a temporary file renamed over it). Files hold whole documents: no references.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator, Mapping
from typing import Any

from passeur.engine.folder import FolderClient, file_name
from passeur.engine.sync.adapter import AdapterDefaults, Stored
from passeur.errors import UsageError

__all__ = ["FolderSyncAdapter"]


class FolderSyncAdapter(AdapterDefaults):
    """The sync adapter of a folder connection (see the module docstring)."""

    def __init__(self, client: FolderClient, variant: str | None = None) -> None:
        self.client = client

    def _name(self, record: Mapping[str, Any]) -> str | None:
        try:
            return file_name(self.client.folder.pattern, record)
        except UsageError:
            return None

    def identify(self, doctype: str, record: Mapping[str, Any]) -> Stored | None:
        name = self._name(record)
        return None if name is None else Stored(name, number=name, record=dict(record))

    async def alist(self, doctype: str, *,
                    since: str | None = None) -> AsyncIterator[dict[str, Any]]:
        if not self.client.folder.path.exists():
            return  # a target folder not made yet holds nothing (it is made at the first write)
        for record in self.client.iter_documents(doctype):
            yield record
            await asyncio.sleep(0)

    def stamp(self, doctype: str, body: Mapping[str, Any] | bytes | str,
              key: str) -> dict[str, Any]:
        if isinstance(body, bytes | str):  # a file the converter wrote (UBL, CII, Factur-X)
            return self.client.record_of(doctype, body)
        return dict(body)  # the file name is the key

    def natural_key(self, doctype: str, body: Mapping[str, Any]) -> str | None:
        return self._name(body)

    def comparable(self, doctype: str, body: Mapping[str, Any],
                   record: Mapping[str, Any]) -> dict[str, Any]:
        return {key: record.get(key) for key in body}

    async def acreate(self, doctype: str, body: Mapping[str, Any]) -> Stored:
        created = self.client.create_document(doctype, body)
        return Stored(str(created["id"]), number=str(created["id"]), record=dict(body))

    async def aupdate(self, doctype: str, current: Stored,
                      body: Mapping[str, Any]) -> Stored:
        name = self._name(body)
        if name != current.record_id:
            raise UsageError(f"the updated document would be named {name}, not "
                             f"{current.record_id}; a folder cannot rename a document")
        data = self.client.file_bytes(doctype, body)
        folder = self.client.folder.path
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, folder / name)
        except BaseException:
            os.unlink(temp)
            raise
        return Stored(name, number=name, record=dict(body))

    async def afind(self, doctype: str, key: str,
                    body: Mapping[str, Any]) -> list[dict[str, Any]]:
        name = self._name(body)
        record = None if name is None else await self.aget(doctype, name)
        return [] if record is None else [record]

    async def aget(self, doctype: str, record_id: str) -> dict[str, Any] | None:
        path = self.client.folder.path / record_id
        if not path.is_file():
            return None
        return next(iter(self.client.read_file(doctype, path)), None)
