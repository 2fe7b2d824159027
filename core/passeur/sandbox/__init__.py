"""Local sandboxes of live systems: the shared machinery (serving, faults, data, paging).

A plugin builds its sandbox as an ASGI application with these helpers and declares it as
`SystemSpec.sandbox_factory`; `passeur sandbox <system>` and the tests serve it on loopback.
"""

from passeur.sandbox.app import Sandbox
from passeur.sandbox.faults import FaultConfig, FaultMiddleware, FaultStats
from passeur.sandbox.generator import Company, DataGenerator, Product
from passeur.sandbox.pagination import page_window, parse_int, skip_top_window
from passeur.sandbox.pdf import tiny_pdf
from passeur.sandbox.server import RunningServer, bind_loopback, serve_forever, serve_in_thread
from passeur.sandbox.store import Table
from passeur.sandbox.validation import FieldErrors
from passeur.sandbox.wire import BadJSON, JSONResponse, dumps, loads

__all__ = [
    "BadJSON",
    "Company",
    "DataGenerator",
    "FaultConfig",
    "FaultMiddleware",
    "FaultStats",
    "FieldErrors",
    "JSONResponse",
    "Product",
    "RunningServer",
    "Sandbox",
    "Table",
    "bind_loopback",
    "dumps",
    "loads",
    "page_window",
    "parse_int",
    "serve_forever",
    "serve_in_thread",
    "skip_top_window",
    "tiny_pdf",
]
