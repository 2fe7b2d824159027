"""Request/response tracing with secrets removed.

Secrets leak through three doors: the query string (`api_token=`), the JSON body
(`"api_token": ...`, passwords) and headers (`Authorization`). The redactor closes all three
by key name, and also replaces any known secret value wherever else it appears.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["MASK", "SECRET_KEYS", "Redactor", "logger"]

logger = logging.getLogger("passeur.http")

MASK = "***"

#: Names (compared lower-case, ignoring `_` and `-`) whose values are always secret.
SECRET_KEYS = frozenset({
    "apitoken", "token", "password", "passwd", "secret", "secretkey", "authorization",
    "proxyauthorization", "licence", "license", "licencecode", "apikey", "xapikey",
    "integrationtoken", "cookie", "setcookie", "accesstoken", "refreshtoken",
})


def _norm(key: str) -> str:
    return re.sub(r"[_\-\s\[\]]", "", key.lower())


class Redactor:
    """Masks secrets in URLs, headers, JSON-like data and free text."""

    def __init__(self, secrets: Iterable[str] = (), keys: Iterable[str] = ()) -> None:
        self.secrets = tuple(sorted({s for s in secrets if s and len(s) >= 3}, key=len,
                                    reverse=True))
        self.keys = SECRET_KEYS | {_norm(k) for k in keys}

    def is_secret_key(self, key: str) -> bool:
        return _norm(key) in self.keys

    def text(self, value: str) -> str:
        for secret in self.secrets:
            value = value.replace(secret, MASK)
        return value

    def url(self, url: str) -> str:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = MASK + "@" + netloc.rsplit("@", 1)[1]
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode([(k, MASK if self.is_secret_key(k) else v) for k, v in pairs],
                              safe="[]*,:$' ")
        return self.text(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {k: (MASK if self.is_secret_key(k) else self.text(v)) for k, v in headers.items()}

    def data(self, value: Any) -> Any:
        """A copy of JSON-like data with secret keys and values masked."""
        if isinstance(value, Mapping):
            return {k: (MASK if isinstance(k, str) and self.is_secret_key(k) and v is not None
                        else self.data(v)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value
