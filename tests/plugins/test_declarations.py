"""What core used to know about the built-ins is now each system's declaration: the id of a
created document, the reading of error bodies, the sandbox's own options."""

from __future__ import annotations

import asyncio
from typing import Any

import attrs
import httpx
from click.testing import CliRunner

import passeur.cli.sandbox_cmd  # noqa: F401  (registers the command)
from passeur import ConfigField, load_registry
from passeur.cli import cli
from passeur.cli.app import State
from passeur.http import (
    ErrorReading,
    FieldProblem,
    ValidationError,
    classify_response,
    create_all,
    created_id_from,
)


def test_the_created_id_is_where_the_system_says() -> None:
    async def create(document: Any) -> dict[str, Any]:
        return {"DocNo": "F-001", "id": None}

    outcomes = asyncio.run(create_all(create, [{"x": 1}],
                                      created_id=created_id_from(("DocNo",))))
    assert [o.id for o in outcomes] == ["F-001"]
    # the default is `id` only: no system's field names are guessed
    outcomes = asyncio.run(create_all(create, [{"x": 1}]))
    assert [o.id for o in outcomes] == [None]


def test_builtins_declare_their_created_id_fields() -> None:
    registry = load_registry()
    assert registry.document_type("erpconnector", "invoice").created_id_fields == (
        "NoFacture", "OrigRemoteTaskID")
    assert registry.document_type("vosfactures", "invoice").created_id_fields == ("id",)


def _response(status: int, body: Any) -> httpx.Response:
    request = httpx.Request("POST", "https://x.test/docs")
    return httpx.Response(status, json=body, request=request)


def test_a_system_declares_how_its_error_bodies_read() -> None:
    def sage_errors(body: Any) -> ErrorReading:
        faults = body.get("Faults", []) if isinstance(body, dict) else []
        return ErrorReading("Sage refused the document",
                            tuple(FieldProblem(f["Field"], f["Text"]) for f in faults))

    body = {"Faults": [{"Field": "Piece", "Text": "already used"}]}
    error = classify_response(_response(422, body), idempotent=False, url="U",
                              error_body=sage_errors)
    assert isinstance(error, ValidationError)
    assert error.problems == (FieldProblem("Piece", "already used"),)
    assert str(error) == "POST U: HTTP 422: Sage refused the document: Piece: already used"


def test_sandbox_options_come_from_the_declaration() -> None:
    registry = load_registry()
    spec = registry.systems["vosfactures"]
    received: dict[str, Any] = {}

    def factory(**options: Any) -> Any:
        received.update(options)
        raise ValueError("stop here")

    registry.systems["vosfactures"] = attrs.evolve(spec, sandbox_factory=factory, sandbox_options=(
        ConfigField("shop", description="the shop the sandbox serves"),
        ConfigField("key", secret=True, description="the API key")))
    runner = CliRunner()
    result = runner.invoke(cli, ["sandbox", "vosfactures", "--shop", "S1", "--key=K"],
                           obj=State(registry))
    assert received == {"shop": "S1", "key": "K"}
    assert result.exit_code == 2
    result = runner.invoke(cli, ["sandbox", "vosfactures", "--token", "T"], obj=State(registry))
    assert "error: option --token does not apply to the vosfactures sandbox (it takes: " \
        "--shop, --key)" in result.output
    help_text = runner.invoke(cli, ["sandbox", "--help"], obj=State(registry)).output
    assert "Options of the vosfactures sandbox" in help_text
    assert "--shop TEXT" in help_text and "the shop the sandbox serves" in help_text
    assert "--licence TEXT" in help_text  # erpconnector's own, from its declaration
