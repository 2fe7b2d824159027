"""What a compiled mapping runs with besides its code: the generated source's tables
(`Generated`) and plain facts drawn once from the IR (`Facts`). A mapping loaded from the
route cache (`passeur.dsl.route_cache`) has only these, so it runs, merges over its base and
names a failing rule at file:line:col without importing the syntax tree, the IR or the
checker; whatever needs those (`passeur check`, `--explain`'s traced code) analyses the file
again on first use."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["Facts", "Generated"]


@attrs.frozen
class Generated:
    """The module source and the table from generated lines back to rules."""

    source: str
    #: (first generated line, last generated line, rule index)
    line_table: tuple[tuple[int, int, int], ...]
    sites: tuple[str, ...]
    #: (index name, list variable, item variable) of each fast-path loop
    loops: tuple[tuple[str, str, str], ...] = ()


@attrs.frozen
class Facts:
    """What running a mapping needs of its IR, as plain data (picklable, no IR class)."""

    #: (file, line, column, rule text) per rule index: where a failing rule is said to be
    rules: tuple[tuple[str, int, int, str], ...]
    #: rule index of every `let` -> its name (a failing let is named in the message)
    let_names: dict[int, str]
    #: top-level lists a backward block rebuilds (not copied from the original up front)
    rebuilt: frozenset[str]
    #: per direction, the top-level paths written and whether the rule is exact (`<->`)
    written: dict[str, tuple[tuple[tuple[str, ...], bool], ...]]
    #: per direction, the paths written as a layer sees them (passeur.dsl.merge.Written)
    layer_written: dict[str, tuple[Any, ...]]
    #: lookup dicts per (table, direction), and each one's fallback (ABSENT: none)
    tables: dict[Any, Any]
    fallbacks: dict[Any, Any]
    #: the registry functions the code calls, by name
    functions: tuple[str, ...]
    extends: bool
    #: how `passeur route` names what an `extends` builds on ("the route", or its text)
    extends_what: str | None
