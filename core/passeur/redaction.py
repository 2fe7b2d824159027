"""Request/response tracing with secrets removed.

Secrets leak through three doors: the query string (`api_token=`), the JSON body
(`"api_token": ...`, passwords) and headers (`Authorization`). The redactor closes all three
by key name, and also replaces any known secret value wherever else it appears, in the forms
a server echoing a request would show it (URL-encoded, JSON-escaped, after `Basic `).

Every secret a connection reads is also registered process-wide (`register_secrets`): the
command line masks its output, error messages and logs with `redact_text`, and the
`SecretFilter` installed on httpx's own loggers keeps them from printing a request URL with
`api_token=` in clear. A secret registered once stays masked until the process ends.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

__all__ = ["MASK", "SECRET_KEYS", "Redactor", "SecretFilter", "forget_secrets", "logger",
           "redact_text", "register_secrets"]

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


#: The shortest value masked wherever it appears (shorter ones only after their key).
MIN_SECRET = 6


def _forms(secret: str) -> set[str]:
    """The ways a secret shows up in text a server sends back."""
    escaped = json.dumps(secret)[1:-1]
    return {secret, quote(secret, safe=""), quote_plus(secret), escaped,
            json.dumps(secret, ensure_ascii=False)[1:-1], escaped.replace("/", "\\/")}


#: `name=value`, `"name": "value"`, `name: value` for a secret-looking name, in free text
#: (an error page quoting the request, a log line): the value is masked whatever it is.
_KEYED = re.compile(
    r"""(?ix)(\b(?:api[_-]?token|access[_-]?token|refresh[_-]?token|token|password|passwd|
    secret(?:[_-]?key)?|licen[cs]e(?:[_-]?code)?|api[_-]?key|x-api-key)\b["']?\s*[:=]\s*["']?)
    (?!(?:true|false|null|none)\b|\*\*\*)([^"'&\s,;}<>]+)""")
_AUTHORIZATION = re.compile(r"(?i)\b(authorization[\"']?\s*[:=]\s*[\"']?)"
                            r"(?:(basic|bearer|token)\s+)?([^\s\"',;}<>]+)")
_SCHEME = re.compile(r"(?i)\b(basic|bearer)\s+([A-Za-z0-9+/=._~-]{8,})")


class Redactor:
    """Masks secrets in URLs, headers, JSON-like data and free text."""

    def __init__(self, secrets: Iterable[str] = (), keys: Iterable[str] = ()) -> None:
        # a value shorter than MIN_SECRET is masked by its key only: replaced everywhere it
        # would mangle ordinary words ("lic" in "conflict") without hiding a real secret
        known = {s for s in secrets if s and len(s) >= MIN_SECRET}
        self.secrets = tuple(sorted({f for s in known for f in _forms(s) if len(f) >= 3},
                                    key=len, reverse=True))
        self.keys = SECRET_KEYS | {_norm(k) for k in keys}

    def is_secret_key(self, key: str) -> bool:
        return _norm(key) in self.keys

    def text(self, value: str, *, keyed: bool = True) -> str:
        """`value` with every known secret masked, and (`keyed`) every value written after
        a secret-looking name (`api_token=`, `"password": `, `Authorization: Basic `)."""
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        if not keyed or not any(c in value for c in "=:"):
            return value
        value = _AUTHORIZATION.sub(
            lambda m: m.group(1) + (m.group(2) + " " if m.group(2) else "") + MASK, value)
        value = _KEYED.sub(lambda m: m.group(1) + MASK, value)
        return _SCHEME.sub(lambda m: m.group(1) + " " + MASK, value)

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


# --- process-wide: every secret a connection read ------------------------------------------

_lock = threading.Lock()
_known: set[str] = set()
_process = Redactor()


def register_secrets(values: Iterable[str]) -> None:
    """Mask these values (and their encoded forms) in everything `redact_text` cleans."""
    global _process
    with _lock:
        before = len(_known)
        _known.update(v for v in values if v)
        if len(_known) != before:
            _process = Redactor(secrets=_known)


def forget_secrets() -> None:
    """Forget every registered secret (for tests and embedding tools that run many
    independent jobs in one process; a command line process never needs it)."""
    global _process
    with _lock:
        _known.clear()
        _process = Redactor()


def redact_text(text: str, *, keyed: bool = True) -> str:
    """`text` with every registered secret masked, and (`keyed`, for free text) any value
    written after a secret's name; structured output (JSON reports) passes keyed=False."""
    return _process.text(text, keyed=keyed)


def redact_url(url: str) -> str:
    """A URL with its user info, secret query parameters and registered secrets masked."""
    return _process.url(url)


class SecretFilter(logging.Filter):
    """Cleans a log record of secrets before any handler sees it (httpx logs every request
    URL at INFO, `api_token=` included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit: leave it to logging
            return True
        cleaned = redact_text(_URL.sub(lambda m: redact_url(m.group()), message))
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


_URL = re.compile(r"https?://[^\s\"'<>]+")

#: Loggers of the libraries that may print what passeur sends.
THIRD_PARTY_LOGGERS = ("httpx", "httpcore", "uvicorn.access", "uvicorn.error")


def install_filters() -> None:
    """Put a `SecretFilter` on passeur's and httpx's loggers (once)."""
    for name in ("passeur", "passeur.http", *THIRD_PARTY_LOGGERS):
        target = logging.getLogger(name)
        if not any(isinstance(f, SecretFilter) for f in target.filters):
            target.addFilter(SecretFilter())


install_filters()
