"""Deeply immutable containers for the free-form parts of canonical records (`extensions`).

A frozen record holding a plain dict is frozen only on the surface: `Product().extensions
["x"] = 1` changed a document every other holder shared, and `hash(Product())` raised.
`FrozenDict` and `FrozenList` are dict and list subclasses (so JSON, cattrs, `==` and
`isinstance` treat them as before) that refuse every change and hash by content.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

__all__ = ["FrozenDict", "FrozenList", "freeze", "frozen_mapping"]


def _refuse(self: object, *args: object, **kwargs: object) -> NoReturn:
    raise TypeError(f"{type(self).__name__} cannot be changed: records are immutable "
                    "(build a new one with attrs.evolve)")


class FrozenDict(dict[str, Any]):
    """A dict that cannot change, hashable when its values are."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))

    def __copy__(self) -> FrozenDict:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenDict:
        return self


class FrozenList(list[Any]):
    """A list that cannot change, hashable when its items are."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenList, (list(self),))

    def __copy__(self) -> FrozenList:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenList:
        return self


def freeze(value: Any) -> Any:
    """`value` with every dict and list in it frozen (other values as they are)."""
    if isinstance(value, (FrozenDict, FrozenList)):
        return value
    if isinstance(value, Mapping):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return FrozenList(freeze(v) for v in value)
    return value


def frozen_mapping(value: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> Any:
    """The converter of a record's `extensions`: a FrozenDict of frozen values."""
    return freeze(dict(value or {}))
