"""A sandbox's table of endpoints: path patterns, the handler of each method, whether the
endpoint needs a login; the lookup and the method rules every `RequestApp` sandbox repeats.

A pattern matches the whole path (named groups become the handler's keyword arguments);
HEAD is answered by the GET handler; a method without a handler gets the `Allow` list.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping

import attrs
from starlette.responses import Response

__all__ = ["Handler", "Route", "RouteMatch", "RouteTable"]

Handler = Callable[..., Awaitable[Response]]


@attrs.frozen
class Route:
    """One endpoint: its path pattern, a handler per method, and whether it needs a login."""

    pattern: re.Pattern[str]
    methods: Mapping[str, Handler]
    login: bool = True

    def handler(self, method: str) -> Handler | None:
        """The handler of `method` (HEAD is GET's), or None when the method is not allowed."""
        method = method.upper()
        return self.methods.get("GET" if method == "HEAD" else method)

    def allow(self, *extra: str) -> str:
        """The `Allow` header of a 405: the methods handled, then `extra` ones (OPTIONS)."""
        return ", ".join([*self.methods, *extra])


@attrs.frozen
class RouteMatch:
    """A route a path matched and the path's named parts."""

    route: Route
    params: dict[str, str]


class RouteTable:
    """The endpoints in order; the first whose pattern matches the whole path wins."""

    def __init__(self, routes: Iterable[tuple[str, Mapping[str, Handler], bool]]) -> None:
        self.routes = tuple(Route(re.compile(pattern), dict(methods), login)
                            for pattern, methods, login in routes)

    def match(self, path: str) -> RouteMatch | None:
        """The route for `path` with its named parts, or None (a 404)."""
        for route in self.routes:
            found = route.pattern.fullmatch(path)
            if found:
                return RouteMatch(route, found.groupdict())
        return None
