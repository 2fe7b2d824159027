"""Connection files: secrets only from the environment, clear errors with file:line."""

from __future__ import annotations

import pytest

from passeur import UsageError, load_registry
from passeur.engine.connection import load_connection, parse_connection
from passeur.errors import InputError

ENV = {"ACME_TOKEN": "tok-abcdef-123", "LIC": "LIC-1", "SEC": "s3cret"}


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def test_vosfactures_connection_reads_its_secret_from_the_environment(registry) -> None:
    text = """system = "vosfactures"
[settings]
account = "acme"
api_token = { env = "ACME_TOKEN" }
[http]
rate_limit = 10
timeout = 5
max_attempts = 3
"""
    conn = parse_connection(text, registry, name="acme.toml", environ=ENV)
    assert conn.system.name == "vosfactures" and conn.variant is None
    assert dict(conn.settings) == {"account": "acme", "api_token": "tok-abcdef-123"}
    assert conn.secret_names == {"api_token"}
    assert (conn.http.rate_limit, conn.http.timeout, conn.http.retry.max_attempts) == (10, 5, 3)
    assert "tok-abcdef-123" not in repr(conn)


def test_login_and_password_stand_in_for_the_token(registry) -> None:
    text = """system = "vosfactures"
[settings]
account = "acme"
login = "compta@acme.example"
password = { env = "ACME_TOKEN" }
"""
    conn = parse_connection(text, registry, name="acme.toml", environ=ENV)
    assert dict(conn.settings) == {"account": "acme", "login": "compta@acme.example",
                                   "password": "tok-abcdef-123"}
    assert conn.secret_names == {"password"}


def test_variant_name_selects_the_erp(registry) -> None:
    text = """system = "acomba"
[settings]
company_id = "2"
licence = { env = "LIC" }
secret = { env = "SEC" }
"""
    conn = parse_connection(text, registry, name="a.toml", environ=ENV)
    assert (conn.system.name, conn.variant, conn.settings["erp"]) == (
        "erpconnector", "acomba", "acomba")
    assert conn.settings["base_url"] == "https://v4.api.onlineerp.solution.quebec/api"


@pytest.mark.parametrize(("text", "message"), [
    ('system = "vosfactures"\n[settings]\naccount = "acme"\napi_token = "tok-abcdef-123"\n',
     'acme.toml:4: api_token is a secret and must not be written in the file in clear; '
     'write api_token = { env = "VOSFACTURES_API_TOKEN" } and set VOSFACTURES_API_TOKEN in '
     'the environment'),
    ('system = "vosfactures"\n[settings]\napi_token = { env = "NOPE" }\n',
     "acme.toml:3: environment variable NOPE (for api_token) is not set"),
    ('system = "vosfactures"\n[settings]\naccont = "acme"\napi_token = { env = "ACME_TOKEN" }\n',
     "acme.toml:3: vosfactures has no setting 'accont'; did you mean 'account'?"),
    ('system = "vosfactures"\n[settings]\naccount = "acme"\n',
     "acme.toml: missing setting 'api_token' for vosfactures (API token); add "
     '`api_token = { env = "VOSFACTURES_API_TOKEN" }` under [settings], or login and '
     "password instead"),
    ('system = "vosfactures"\n[settings]\napi_token = { env = "ACME_TOKEN" }\n[http]\n'
     'rate = 3\n', "acme.toml: unknown [http] setting 'rate'"),
    ('system = "vosfactures"\n[settings]\napi_token = { env = "ACME_TOKEN" }\n[http]\n'
     'rate_limit = -1\n', "acme.toml: [http] rate_limit must be a positive number, got -1"),
    ('[settings]\naccount = "x"\n', 'acme.toml: missing `system = "<name>"`'),
    ('system = "erpconnector"\n[settings]\nerp = "acombaa"\ncompany_id = "1"\n'
     'licence = { env = "LIC" }\nsecret = { env = "SEC" }\n',
     "acme.toml:3: unknown erp 'acombaa'; did you mean 'acomba'?"),
])
def test_bad_connection_files(registry, text: str, message: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_connection(text, registry, name="acme.toml", environ=ENV)
    assert str(info.value).startswith(message)
    assert "tok-abcdef-123" not in str(info.value)


def test_unknown_system_and_bad_toml(registry, tmp_path) -> None:
    with pytest.raises(UsageError, match="unknown system 'vosfacture'; did you mean"):
        parse_connection('system = "vosfacture"\n', registry, environ=ENV)
    bad = tmp_path / "bad.toml"
    bad.write_text('system = "vosfactures\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.toml:1:\d+: not valid TOML: "):
        load_connection(bad, registry, environ=ENV)
    with pytest.raises(InputError, match=r"missing\.toml: connection file not found"):
        load_connection(tmp_path / "missing.toml", registry, environ=ENV)


ACOMBA = 'system = "acomba"\n[settings]\ncompany_id = "2"\nlicence = { env = "LIC" }\n' \
         'secret = { env = "SEC" }\n'


def test_typed_settings_are_read_as_their_type(registry) -> None:
    from decimal import Decimal

    conn = parse_connection(ACOMBA + "task_timeout = 90\ntask_poll_interval = 0.5\n",
                            registry, name="a.toml", environ=ENV)
    assert (conn.settings["task_timeout"], conn.settings["task_poll_interval"]) == (
        90, Decimal("0.5"))
    from_env = parse_connection(ACOMBA + 'task_timeout = { env = "WAIT" }\n', registry,
                                name="a.toml", environ={**ENV, "WAIT": " 120 "})
    assert from_env.settings["task_timeout"] == 120
    client = parse_connection(ACOMBA + "task_timeout = 7\ntask_poll_interval = 0.25\n",
                              registry, name="a.toml", environ=ENV).client()
    try:
        assert (client.poll_timeout, client.poll_interval) == (7.0, 0.25)
    finally:
        client.close()


@pytest.mark.parametrize("line, message", [
    ('task_timeout = "soon"', "a.toml:6: task_timeout must be a whole number, got 'soon'"),
    ("task_timeout = 1.5", "a.toml:6: task_timeout must be a whole number, got 1.5"),
    ("task_timeout = true", "a.toml:6: task_timeout must be a whole number, got True"),
    ('task_poll_interval = "vite"',
     "a.toml:6: task_poll_interval must be a number, got 'vite'"),
    ('task_poll_interval = "nan"', "a.toml:6: task_poll_interval must be a number, got 'nan'"),
    ('task_timeout = { env = "WAIT" }',
     "a.toml:6: task_timeout must be a whole number, got 'one minute' (from $WAIT)"),
])
def test_a_setting_of_the_wrong_type_is_refused_at_its_line(registry, line, message) -> None:
    with pytest.raises(UsageError) as info:
        parse_connection(ACOMBA + line + "\n", registry, name="a.toml",
                         environ={**ENV, "WAIT": "one minute"})
    assert str(info.value) == message
