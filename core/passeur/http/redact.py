"""The redactor of the HTTP layer (it lives in `passeur.redaction`, which the command line
imports without loading httpx)."""

from passeur.redaction import (
    MASK,
    SECRET_KEYS,
    Redactor,
    SecretFilter,
    logger,
    redact_text,
    register_secrets,
)

__all__ = ["MASK", "SECRET_KEYS", "Redactor", "SecretFilter", "logger", "redact_text",
           "register_secrets"]
