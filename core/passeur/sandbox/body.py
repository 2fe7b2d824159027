"""Reading a request body with a size cap, before any of it is parsed.

A sandbox that reads a 60 MB body whole before refusing the request (or before checking who
sent it) is a memory bomb; `read_body` stops at `limit` bytes, from the declared
`Content-Length` when there is one and while streaming otherwise.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DEFAULT_MAX_BODY", "BodyTooLarge", "read_body"]

#: Largest request body a sandbox reads (10 MiB; a thousand-line invoice is about 300 KiB).
DEFAULT_MAX_BODY = 10 * 1024 * 1024


class BodyTooLarge(Exception):
    """The body is longer than the sandbox accepts (answered 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body larger than {limit} bytes")
        self.limit = limit


async def read_body(request: Any, limit: int = DEFAULT_MAX_BODY) -> bytes:
    """The body of a Starlette `request`, refusing more than `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        declared = declared.strip()
        if declared.isdigit() and (len(declared) > 18 or int(declared) > limit):
            raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)
