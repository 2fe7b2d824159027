"""Credentials as a sandbox checks them: HTTP Basic (both live systems accept it, with
different names for the user and password), bearer tokens and API tokens sent as text.

Every comparison takes any text a client may send (non-ASCII included) and runs in constant
time, so a sandbox neither crashes on a hostile token nor teaches timing attacks' bad habits
to its clients.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Any

__all__ = ["basic_matches", "bearer_token", "secret_matches"]


def secret_matches(given: Any, expected: str) -> bool:
    """Whether `given` (whatever JSON or a query string carried) is exactly `expected`.

    `hmac.compare_digest` refuses non-ASCII `str`; comparing UTF-8 bytes accepts any text
    (a lone surrogate cannot be encoded and never matches)."""
    if not isinstance(given, str):
        return False
    try:
        raw = given.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(raw, expected.encode("utf-8"))


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization: Bearer TOKEN` header (also `Token token=TOKEN`, the
    Rails form), or None when the header is something else."""
    scheme, _, rest = header.strip().partition(" ")
    rest = rest.strip()
    if scheme.lower() == "bearer" and rest:
        return rest
    if scheme.lower() == "token" and rest.lower().startswith("token="):
        return rest[6:].strip().strip('"') or None
    return None


def basic_matches(header: str, user: str, password: str) -> bool:
    """Whether an `Authorization` header carries exactly `user:password`."""
    if header[:6].lower() != "basic ":
        return False
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False
    given_user, _, given_password = decoded.partition(":")
    # Both halves are compared whatever the first gives, so the time says nothing.
    user_ok = secret_matches(given_user, user)
    password_ok = secret_matches(given_password, password)
    return user_ok and password_ok
