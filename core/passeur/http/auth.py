"""Authentication schemes: each turns a `Call` into an authenticated `Call`.

They are values, not httpx hooks, because VosFactures puts its token in the JSON body of
writes; a body rewrite has to happen before the request is encoded.
"""

from __future__ import annotations

import base64
from typing import Protocol

import attrs

from passeur.http.call import Call

__all__ = ["Auth", "BasicAuth", "BearerAuth", "NoAuth", "TokenAuth"]


class Auth(Protocol):
    """What every scheme offers: apply it, and name the values the tracer must mask."""

    @property
    def secrets(self) -> tuple[str, ...]: ...

    def apply(self, call: Call) -> Call: ...


@attrs.frozen
class NoAuth:
    """No credentials (a public endpoint, or a test)."""

    @property
    def secrets(self) -> tuple[str, ...]:
        return ()

    def apply(self, call: Call) -> Call:
        return call


@attrs.frozen(repr=False)
class TokenAuth:
    """A token sent as a parameter: `where` is "query", "body" or "auto".

    "auto" follows VosFactures: in the query string for reads, in the JSON body of writes
    that have an object body, in the query string otherwise.
    """

    token: str
    name: str = "api_token"
    where: str = attrs.field(default="auto",
                             validator=attrs.validators.in_(("query", "body", "auto")))

    def __repr__(self) -> str:
        return f"TokenAuth(name={self.name!r}, where={self.where!r}, token=***)"

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.token,)

    def apply(self, call: Call) -> Call:
        in_body = self.where == "body" or (self.where == "auto" and not call.is_read)
        if in_body and (isinstance(call.json, dict) or (call.json is None and
                        self.where == "body")):
            body = dict(call.json or {})
            body[self.name] = self.token
            return attrs.evolve(call, json=body)
        return attrs.evolve(call, params=(*call.params, (self.name, self.token)))


@attrs.frozen(repr=False)
class BasicAuth:
    """HTTP Basic (VosFactures login/password, ERP Connector licence/secret)."""

    username: str
    password: str

    def __repr__(self) -> str:
        return f"BasicAuth(username={self.username!r}, password=***)"

    @property
    def secrets(self) -> tuple[str, ...]:
        raw = f"{self.username}:{self.password}".encode()
        return (self.username, self.password, base64.b64encode(raw).decode("ascii"))

    def apply(self, call: Call) -> Call:
        raw = f"{self.username}:{self.password}".encode()
        header = "Basic " + base64.b64encode(raw).decode("ascii")
        return attrs.evolve(call, headers={**call.headers, "Authorization": header})


@attrs.frozen(repr=False)
class BearerAuth:
    """`Authorization: Bearer TOKEN` (personal access tokens, OAuth / OIDC access tokens)."""

    token: str

    def __repr__(self) -> str:
        return "BearerAuth(token=***)"

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.token,)

    def apply(self, call: Call) -> Call:
        return attrs.evolve(call, headers={**call.headers,
                                           "Authorization": f"Bearer {self.token}"})
