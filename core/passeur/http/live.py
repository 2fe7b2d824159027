"""What `passeur pull` and `passeur push` need from a system's live client.

A plugin's `SystemSpec.client_factory(config, settings=..., transport=...)` returns an
object with these methods; core drives it without knowing which system it talks to.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

__all__ = ["DocumentClient"]


@runtime_checkable
class DocumentClient(Protocol):
    """The document-level operations of a live client, by passeur document type name."""

    def iter_documents(self, doctype: str, *,
                       since: datetime.date | None = None) -> Iterator[dict[str, Any]]:
        """Every document of `doctype` (changed or issued on/after `since`), to the end."""
        ...

    async def acreate_document(self, doctype: str,
                               document: Mapping[str, Any]) -> dict[str, Any]:
        """Create one document (in the system's own JSON form); the created record."""
        ...

    def document_key(self, doctype: str, document: Mapping[str, Any]) -> str:
        """A short human label of a document (its number, oid...) for reports."""
        ...

    def close(self) -> None: ...

    async def aclose(self) -> None: ...
