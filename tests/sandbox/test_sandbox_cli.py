"""`passeur sandbox SYSTEM` finds the factory through the registry and passes the options."""

from __future__ import annotations

import json
from decimal import Decimal

import attrs
import httpx
import pytest
from click.testing import CliRunner

import passeur.cli.sandbox_cmd as sandbox_cmd
from passeur import load_registry
from passeur.cli.app import State, cli
from passeur.sandbox import LazyFactory, bind_loopback, serve_in_thread
from passeur_vosfactures.sandbox import create_app as vf_app


@pytest.fixture
def registry():
    """The real registry; VosFactures' factory replaced by the plain function (a plugin may
    declare one) while ERP Connector's stays lazy, as the plugins declare it."""
    loaded = load_registry()
    lazy = LazyFactory("passeur_erpconnector.sandbox:create_app")
    for name, factory in (("vosfactures", vf_app), ("erpconnector", lazy)):
        loaded.systems[name] = attrs.evolve(loaded.systems[name], sandbox_factory=factory)
    return loaded


@pytest.fixture
def served(monkeypatch):
    """Replace the blocking server: serve in a thread, make a request, stop."""
    calls = []

    def fake_serve_forever(app, host, port, on_ready):
        with serve_in_thread(app, host, port) as server:
            on_ready(server.base_url)
            calls.append({"app": app, "host": host, "port": port, "url": server.base_url,
                          "probe": probe(app, server.base_url)})

    def probe(app, url):
        if app.name == "vosfactures":
            return httpx.get(f"{url}/invoices.json",
                             params={"api_token": "T", "period": "all", "per_page": 100})
        return httpx.get(f"{url}/api/Entity/CustomerInvoice", auth=("L", "S"))

    monkeypatch.setattr(sandbox_cmd, "serve_forever", fake_serve_forever)
    return calls


def invoke(registry, *args):
    return CliRunner().invoke(cli, ["sandbox", *args], obj=State(registry))


def test_vosfactures_with_token_seed_and_faults(registry, served):
    result = invoke(registry, "vosfactures", "--token", "T", "--seed", "30", "--latency-ms",
                    "5", "--rate-limit", "50", "--fail-rate", "0", "--lost-response-rate", "0",
                    "--json")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    call = served[0]
    assert printed["base_url"] == call["url"] and call["url"].startswith("http://127.0.0.1:")
    assert printed["options"] == {"seed": 30, "latency_ms": 5.0, "rate_limit": 50.0,
                                  "fail_rate": 0.0, "lost_response_rate": 0.0}
    assert "T" not in json.dumps(printed["options"])
    assert call["probe"].status_code == 200 and len(call["probe"].json()) == 30
    assert call["app"].faults.latency_ms == 5.0 and call["app"].faults.rate_limit == 50.0


def test_erpconnector_variant_licence_and_extra_options(registry, served):
    result = invoke(registry, "acomba", "--licence", "L", "--secret", "S", "--seed", "8",
                    "-o", "tax_group=TPS5_TVQ9975", "-o", "pending_polls=2")
    assert result.exit_code == 0, result.output
    assert "erpconnector (acomba) sandbox listening on http://127.0.0.1:" in result.output
    assert result.output.splitlines()[1:] == [
        "  erp: acomba", "  basic: L:S", "  CompanyId: 1", "  invoice_number: required",
        "  base path: /api", "  tax_group: TPS5_TVQ9975", "  invoices: 8"]
    state = served[0]["app"].state
    assert (state.erp, state.pending_polls, state.taxes[1].rate) == (
        "acomba", 2, Decimal("0.09975"))
    assert len(served[0]["probe"].json()) == 8


@pytest.mark.parametrize(("args", "message"), [
    (["vosfactures", "--licence", "L"],
     "error: option --licence does not apply to the vosfactures sandbox (it takes: "),
    (["vosfactures", "--erp", "acomba"],
     "error: the vosfactures system has no variants (--erp/--variant)"),
    (["erpconnector", "--erp", "sage"],
     "error: unknown erp 'sage' for erpconnector; choose one of acomba, quickbooks"),
    (["erpconnector", "-o", "pending_polls=soon"],
     "error: option pending_polls='soon': expected a value of type int"),
    (["erpconnector", "-o", "tax_group=NOPE"],
     "error: cannot start the erpconnector sandbox: unknown tax group 'NOPE'"),
    (["erpconnector", "--host", "0.0.0.0"],
     "error: a sandbox only listens on a loopback address, not '0.0.0.0'"),
])
def test_usage_errors_exit_2_with_a_clear_message(registry, args, message, monkeypatch):
    if "--host" in args:
        monkeypatch.setattr(sandbox_cmd, "serve_forever", sandbox_cmd.serve_forever)
    result = invoke(registry, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_system_without_sandbox_is_a_usage_error(registry):
    registry.systems["vosfactures"] = attrs.evolve(registry.systems["vosfactures"],
                                                   sandbox_factory=None)
    result = invoke(registry, "vosfactures")
    assert (result.exit_code, result.output.strip()) == (
        2, "error: the vosfactures system has no sandbox")


def test_help_teaches_with_examples():
    result = CliRunner().invoke(cli, ["sandbox", "--help"])
    assert result.exit_code == 0
    assert "passeur sandbox vosfactures --port 8080 --token MYTOKEN --seed 200" in result.output
    assert "--lost-response-rate" in result.output


def test_a_port_in_use_is_a_live_system_error(registry):
    taken = bind_loopback("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        result = invoke(registry, "vosfactures", "--port", str(port))
        assert result.exit_code == 4, result.output
        assert result.output.strip() == (f"error: cannot listen on 127.0.0.1:{port}: "
                                         "Address already in use")
    finally:
        taken.close()
