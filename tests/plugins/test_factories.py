"""The built-in systems declare their live client and sandbox through SystemSpec factories,
which is how core (pull, push, sandbox) reaches them without importing a plugin."""

from __future__ import annotations

import inspect

import pytest

from passeur import UsageError, load_registry
from passeur.http import DocumentClient


@pytest.mark.parametrize(("system", "config"), [
    ("vosfactures", {"base_url": "http://127.0.0.1:9", "api_token": "t"}),
    ("vosfactures", {"base_url": "http://127.0.0.1:9", "login": "l", "password": "p"}),
    ("erpconnector", {"base_url": "http://127.0.0.1:9", "erp": "acomba", "company_id": "1",
                      "licence": "L", "secret": "S"}),
])
def test_client_factory_builds_a_document_client(system: str, config: dict[str, str]) -> None:
    spec = load_registry().system(system)
    assert spec.client_factory is not None
    client = spec.client_factory(config)
    try:
        assert isinstance(client, DocumentClient)
    finally:
        client.close()


def test_client_factory_refuses_missing_credentials() -> None:
    spec = load_registry().system("vosfactures")
    assert spec.client_factory is not None
    with pytest.raises(UsageError, match="vosfactures needs api_token, or login and password"):
        spec.client_factory({"base_url": "http://127.0.0.1:9"})


@pytest.mark.parametrize(("system", "options"), [
    ("vosfactures", {"token", "seed", "latency_ms", "rate_limit", "fail_rate",
                     "lost_response_rate"}),
    ("erpconnector", {"licence", "secret", "erp", "seed", "latency_ms", "rate_limit",
                      "fail_rate", "lost_response_rate"}),
])
def test_sandbox_factory_takes_the_documented_options(system: str, options: set[str]) -> None:
    spec = load_registry().system(system)
    assert spec.sandbox_factory is not None
    assert options <= set(inspect.signature(spec.sandbox_factory).parameters)
