"""The sandboxes' endpoint table: the first pattern matching the whole path wins, its named
groups are the handler's arguments, HEAD is GET's, and a 405 lists the methods handled."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from passeur.sandbox import RouteTable


async def _get(*args: Any, **kwargs: Any) -> Response:
    return Response("get")


async def _put(*args: Any, **kwargs: Any) -> Response:
    return Response("put")


TABLE = RouteTable([
    (r"/feed/(?P<feed_id>[0-9]{1,18})/", {"GET": _get, "PUT": _put}, True),
    (r"/feed/(?P<name>[a-z]+)/", {"POST": _put}, False),
    (r"/login", {"POST": _put}, False),
])


def test_the_whole_path_must_match_and_named_parts_are_given() -> None:
    found = TABLE.match("/feed/42/")
    assert found is not None
    assert found.params == {"feed_id": "42"}
    assert found.route.login is True
    assert TABLE.match("/feed/42") is None  # no trailing slash: the sandbox decides
    assert TABLE.match("/feed/42/x") is None
    assert TABLE.match("/x/login") is None
    assert TABLE.match("/login/") is None


def test_the_first_matching_route_wins() -> None:
    found = TABLE.match("/feed/abc/")
    assert found is not None and found.params == {"name": "abc"}
    assert found.route.login is False
    assert found.route is TABLE.routes[1]


def test_methods_head_is_get_and_the_allow_list() -> None:
    route = TABLE.routes[0]
    assert route.handler("GET") is _get
    assert route.handler("head") is _get
    assert route.handler("put") is _put
    assert route.handler("DELETE") is None
    assert route.allow() == "GET, PUT"
    assert route.allow("OPTIONS") == "GET, PUT, OPTIONS"
    assert TABLE.routes[2].handler("HEAD") is None
