"""Fixtures for the mapping-language tests: a registry with stand-in functions, a private
compiled-mapping cache per test."""

from __future__ import annotations

import types
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from passeur import load_registry
from passeur.dsl.functions import FunctionError, MappingFunction


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test compiles into its own cache directory (never the user's)."""
    directory = tmp_path_factory.mktemp("mapping-cache")
    monkeypatch.setenv("PASSEUR_CACHE_DIR", str(directory))
    return directory


def _cents(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, (Decimal, int)):
        raise FunctionError(f"value {value!r} is not an amount".replace("'", '"'))
    return int(Decimal(value) * 100)


def _euros(value: Any) -> Any:
    return None if value is None else Decimal(value) / 100


def _shout(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _prefix(value: Any, text: str) -> Any:
    return None if value is None else f"{text}{value}"


def _unprefix(value: Any, text: str) -> Any:
    if value is None:
        return None
    if not value.startswith(text):
        raise FunctionError(f'value "{value}" does not start with "{text}"')
    return value[len(text):]


def _presence(value: Any) -> str:
    from passeur.dsl import ABSENT

    return "absent" if value is ABSENT else "null" if value is None else "present"


STAND_INS = types.ModuleType("lang_stand_ins")


def passeur_register_functions(register: Any) -> None:
    register(MappingFunction("t_cents", ("decimal",), "integer", _cents, inverse="t_euros"))
    register(MappingFunction("t_euros", ("integer",), "decimal", _euros, inverse="t_cents"))
    register(MappingFunction("t_shout", ("string",), "string", _shout, lossy=True))
    register(MappingFunction("t_prefix", ("string", "string"), "string", _prefix,
                             inverse="t_unprefix"))
    register(MappingFunction("t_unprefix", ("string", "string"), "string", _unprefix,
                             inverse="t_prefix"))
    register(MappingFunction("t_noinverse", ("any",), "any", lambda v: v))
    register(MappingFunction("t_presence", ("any",), "string", _presence,
                             accepts_absent=True))


STAND_INS.passeur_register_functions = passeur_register_functions  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def registry() -> Any:
    """Installed plugins plus the stand-in functions above (names prefixed t_)."""
    return load_registry(plugins=[("lang_stand_ins", STAND_INS)])
