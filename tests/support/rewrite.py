"""An ASGI app in front of a sandbox that rewrites its JSON answers: a server that answers
without what it must (an id, a result), for the tests of what a flow does then."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

__all__ = ["Rewrite"]


class Rewrite:
    """An ASGI app in front of `app` that passes `change(path, body)` over each JSON
    answer."""

    def __init__(self, app: Any, change: Callable[[str, Any], Any]) -> None:
        self.app, self.change = app, change

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        body = bytearray()

        async def hold(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            data = bytes(body)
            with contextlib.suppress(ValueError):
                data = json.dumps(self.change(scope["path"], json.loads(data))).encode()
            headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length",
                                                        str(len(data)).encode())]})
            await send({"type": "http.response.body", "body": data})

        await self.app(scope, receive, hold)
