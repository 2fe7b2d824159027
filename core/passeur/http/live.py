"""What `passeur pull` and `passeur push` need from a system's live client, and the base
every live client builds on.

A plugin's `SystemSpec.client_factory(config, settings=..., transport=...)` returns an
object with the `DocumentClient` methods; core drives it without knowing which system it
talks to. `LiveClient` holds the sync client, the async one made on first use on the same
account (so both share one rate budget), and their closing, so no plugin re-implements it.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol, Self, runtime_checkable

import httpx

from passeur.http.auth import Auth
from passeur.http.client import AsyncHttpClient, HttpClient, HttpSettings
from passeur.http.errors import ErrorBody, common_error_body

__all__ = ["DocumentClient", "LiveClient"]


class LiveClient:
    """The HTTP side of one account of a live system: `http` (threads) and `ahttp` (asyncio)."""

    def __init__(self, base_url: str, *, auth: Auth, account: str,
                 settings: HttpSettings | None = None,
                 headers: Mapping[str, str] | None = None,
                 transport: httpx.BaseTransport | None = None,
                 async_transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 error_body: ErrorBody = common_error_body) -> None:
        self.base_url = base_url.rstrip("/")
        self._error_body = error_body
        self._auth = auth
        self._settings = settings or HttpSettings()
        self._account = account
        self._headers = dict(headers) if headers else None
        self._async_transport = async_transport
        self.http = HttpClient(self.base_url, auth=auth, settings=self._settings,
                               transport=transport, account=account, headers=self._headers,
                               sleep=sleep, error_body=error_body)
        self._ahttp: AsyncHttpClient | None = None

    @property
    def ahttp(self) -> AsyncHttpClient:
        """The asyncio client on the same account (same budget), made on first use."""
        if self._ahttp is None:
            self._ahttp = AsyncHttpClient(self.base_url, auth=self._auth,
                                          settings=self._settings,
                                          transport=self._async_transport,
                                          account=self._account, headers=self._headers,
                                          error_body=self._error_body)
        return self._ahttp

    def close(self) -> None:
        self.http.close()

    async def aclose(self) -> None:
        if self._ahttp is not None:
            await self._ahttp.aclose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
