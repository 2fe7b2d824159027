"""Content hashes and field diffs: how a sync tells unchanged from changed.

Values are compared as a person would read them on an invoice: `"122"`, `122.00` and
`Decimal("122.0")` are one amount, an absent field and an empty one are both "nothing".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["content_hash", "diff", "same"]


def _plain(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, Decimal | int | float):
        return format(Decimal(str(value)).normalize(), "f")
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def content_hash(value: Any) -> str:
    """A short stable hash of a JSON value (key order and number spelling do not count)."""
    text = json.dumps(_plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _scalar(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return str(value).strip()
    return number.normalize() if number.is_finite() else str(value)


def same(a: Any, b: Any) -> bool:
    """Whether two scalar values say the same thing."""
    return bool(_scalar(a) == _scalar(b))


def diff(desired: Any, have: Any, path: str = "") -> list[dict[str, Any]]:
    """Where `have` (a stored record in the shape of `desired`, see SyncAdapter.comparable)
    differs from `desired`: [{"path", "target", "source"}], in document order."""
    if isinstance(have, Mapping):
        wanted = desired if isinstance(desired, Mapping) else {}
        out: list[dict[str, Any]] = []
        for key, value in have.items():
            out += diff(wanted.get(key), value, f"{path}.{key}" if path else str(key))
        return out
    if isinstance(have, list):
        wanted_list = list(desired) if isinstance(desired, list) else []
        out = []
        for index, value in enumerate(have):
            item = wanted_list[index] if index < len(wanted_list) else None
            out += diff(item, value, f"{path}[{index}]")
        for index in range(len(have), len(wanted_list)):
            out.append({"path": f"{path}[{index}]", "target": None,
                        "source": _plain(wanted_list[index])})
        return out
    if same(desired, have):
        return []
    return [{"path": path, "target": _plain(have), "source": _plain(desired)}]
