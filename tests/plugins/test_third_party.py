"""The example third-party package under tests/plugins/example_plugin, pip-installed by the
nox test session, is discovered through its entry point like any other plugin."""

from __future__ import annotations

import importlib.metadata

import pytest

from passeur import load_registry
from passeur.testing import assert_system_conforms

try:
    importlib.metadata.distribution("passeur-example")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - depends on install
    pytest.skip("passeur-example is installed by `nox -s tests` "
                "(pip install -e tests/plugins/example_plugin)", allow_module_level=True)


def test_example_plugin_is_discovered_through_its_entry_point() -> None:
    registry = load_registry()
    record = next(p for p in registry.plugins if p.name == "example")
    assert (record.distribution, record.version, record.systems, record.error) == (
        "passeur-example", "1.2.3", ("example",), None)
    doctype = registry.document_type("example", "invoice")
    assert doctype.field("InvoiceNo") is not None and doctype.field("InvoiceNo").required
    assert_system_conforms(registry.system("example"))
