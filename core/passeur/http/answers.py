"""Reading what a server's answer must hold: the id of what a create or an upload made, the
part of a GraphQL answer an operation asked for, the id of a listed item.

A missing id is said, never a bare `KeyError`: the error names the request and what was
missing. After a write it is `Uncertain` (the server may have stored the document without
saying under which id: never sent again blindly); after a read it is `UnexpectedResponse`
(nothing was changed). Shared by the plugins whose flows record such answers (ClearFacts'
uploads for the CodaBox flow, SRC's listing for the SRC flow).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from passeur.http.errors import Uncertain, UnexpectedResponse

__all__ = ["answer_id", "answer_part"]


def _missing(request: str, what: str, write: bool) -> Exception:
    if write:
        return Uncertain(f"{request} was answered without {what}: the server may have "
                         "stored it; it is not sent again blindly")
    return UnexpectedResponse(f"{request} was answered without {what}")


def answer_part(answer: Any, key: str, *, request: str, write: bool) -> Mapping[str, Any]:
    """`answer[key]`, which must be an object (`{"uploadFile": {...}}`)."""
    part = answer.get(key) if isinstance(answer, Mapping) else None
    if not isinstance(part, Mapping):
        found = "nothing" if part is None else type(part).__name__
        raise _missing(request, f"{key!r} (an object; it holds {found})", write)
    return part


def answer_id(answer: Any, key: str = "id", *, request: str, write: bool) -> str:
    """The id `answer[key]` as text: a non-empty text or a number (not a boolean)."""
    value = answer.get(key) if isinstance(answer, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        shown = "no object" if not isinstance(answer, Mapping) else (
            f"keys {', '.join(sorted(map(str, answer))) or 'none'}")
        raise _missing(request, f"its {key!r} (the answer has {shown})", write)
    return str(value)
