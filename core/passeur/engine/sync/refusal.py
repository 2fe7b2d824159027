"""The error a run stops with when a system refuses its credentials, named after the
connection file to fix: shared by the planner (the source's listing, the target's) and the
applier (the writes)."""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from passeur.http import AuthError

__all__ = ["credentials_refused", "named"]


def credentials_refused(connection: Any, exc: AuthError) -> AuthError:
    """The error a run stops with when a system refuses the credentials: which connection,
    what the server said, and which settings to fix (and the environment variables they are
    read from, where the connection file names them)."""
    secrets = sorted(connection.secret_names)
    variables: dict[str, str] = {}
    with contextlib.suppress(OSError, ValueError):
        settings = tomllib.loads(Path(connection.name).read_text("utf-8")).get("settings", {})
        for key in secrets:
            value = settings.get(key)
            if isinstance(value, Mapping) and isinstance(value.get("env"), str):
                variables[key] = value["env"]
    status = f" ({exc.status})" if exc.status is not None else ""
    name = Path(connection.name).name if variables else connection.name
    fixes = [f"{key} in {name}" + (f" (its value comes from the environment variable "
                                   f"{variables[key]})" if key in variables else "")
             for key in secrets]
    fix = ("; check " + " and ".join(fixes)) if fixes else "; check its credentials"
    error = AuthError(f"{name} refused the credentials{status}: {exc.detail}{fix}")
    error.method, error.url, error.status, error.body = exc.method, exc.url, exc.status, exc.body
    error.connection = connection.name  # type: ignore[attr-defined]
    return error


def named(exc: AuthError) -> bool:
    """Whether a refusal already names its connection (made by `credentials_refused`)."""
    return getattr(exc, "connection", None) is not None
