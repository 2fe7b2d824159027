"""Local sandboxes of live systems: the shared machinery (serving, faults, data, paging).

A plugin builds its sandbox as an ASGI application with these helpers and declares it as
`SystemSpec.sandbox_factory` (best as `LazyFactory("plugin.sandbox:create_app")`);
`passeur sandbox <system>` and the tests serve it on loopback. Submodules load on first use
so that declaring a sandbox costs nothing until one runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from passeur.sandbox.app import RequestApp, Sandbox
    from passeur.sandbox.auth import basic_matches, bearer_token, secret_matches
    from passeur.sandbox.body import DEFAULT_MAX_BODY, BodyTooLarge, read_body
    from passeur.sandbox.faults import FaultConfig, FaultMiddleware, FaultStats, lose_response
    from passeur.sandbox.generator import Company, DataGenerator, Product
    from passeur.sandbox.lazy import LazyFactory
    from passeur.sandbox.multipart import BadForm, FormPart, parse_form
    from passeur.sandbox.pagination import page_window, parse_int, skip_top_window
    from passeur.sandbox.pdf import tiny_pdf
    from passeur.sandbox.routes import Route, RouteMatch, RouteTable
    from passeur.sandbox.routing import (
        NOT_AVAILABLE_STATUS,
        RecordIdConvertor,
        not_available_message,
    )
    from passeur.sandbox.server import (
        RunningServer,
        bind_loopback,
        is_loopback,
        serve_forever,
        serve_in_thread,
    )
    from passeur.sandbox.store import Table, record_id
    from passeur.sandbox.validation import FieldErrors
    from passeur.sandbox.wire import BadJSON, JSONResponse, dumps, loads

_WHERE = {
    "RequestApp": "app", "Sandbox": "app",
    "basic_matches": "auth", "bearer_token": "auth", "secret_matches": "auth",
    "DEFAULT_MAX_BODY": "body", "BodyTooLarge": "body", "read_body": "body",
    "Route": "routes", "RouteMatch": "routes", "RouteTable": "routes",
    "NOT_AVAILABLE_STATUS": "routing", "RecordIdConvertor": "routing",
    "not_available_message": "routing",
    "FaultConfig": "faults", "FaultMiddleware": "faults", "FaultStats": "faults",
    "lose_response": "faults",
    "Company": "generator", "DataGenerator": "generator", "Product": "generator",
    "LazyFactory": "lazy",
    "BadForm": "multipart", "FormPart": "multipart", "parse_form": "multipart",
    "page_window": "pagination", "parse_int": "pagination", "skip_top_window": "pagination",
    "tiny_pdf": "pdf",
    "RunningServer": "server", "bind_loopback": "server", "is_loopback": "server",
    "serve_forever": "server",
    "serve_in_thread": "server",
    "Table": "store", "record_id": "store",
    "FieldErrors": "validation",
    "BadJSON": "wire", "JSONResponse": "wire", "dumps": "wire", "loads": "wire",
}

__all__ = [
    "DEFAULT_MAX_BODY",
    "NOT_AVAILABLE_STATUS",
    "BadForm",
    "BadJSON",
    "BodyTooLarge",
    "Company",
    "DataGenerator",
    "FaultConfig",
    "FaultMiddleware",
    "FaultStats",
    "FieldErrors",
    "FormPart",
    "JSONResponse",
    "LazyFactory",
    "Product",
    "RecordIdConvertor",
    "RequestApp",
    "Route",
    "RouteMatch",
    "RouteTable",
    "RunningServer",
    "Sandbox",
    "Table",
    "basic_matches",
    "bearer_token",
    "bind_loopback",
    "dumps",
    "is_loopback",
    "loads",
    "lose_response",
    "not_available_message",
    "page_window",
    "parse_form",
    "parse_int",
    "read_body",
    "record_id",
    "secret_matches",
    "serve_forever",
    "serve_in_thread",
    "skip_top_window",
    "tiny_pdf",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'passeur.sandbox' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"passeur.sandbox.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
