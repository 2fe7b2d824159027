"""HTTP Basic as a sandbox checks it: both live systems accept it, with different names for
the user and password (VosFactures login/password, ERP Connector licence/secret key)."""

from __future__ import annotations

import base64
import binascii
import hmac

__all__ = ["basic_matches"]


def basic_matches(header: str, user: str, password: str) -> bool:
    """Whether an `Authorization` header carries exactly `user:password` (compared in
    constant time, so a sandbox does not teach timing attacks' bad habits to its clients)."""
    if header[:6].lower() != "basic ":
        return False
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    given_user, _, given_password = decoded.partition(":")
    return (hmac.compare_digest(given_user.encode(), user.encode())
            and hmac.compare_digest(given_password.encode(), password.encode()))
