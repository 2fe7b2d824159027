"""A field of the input read again where its first read surely ran is not read again.

`QteFacture * PrixFinal -> net_amount` after `QteFacture <-> quantity` and
`PrixFinal <-> unit_price_net` read both fields of each line a second time: two `dict.get`
calls per line, about 5 % of such a mapping's time. A mapping never modifies its input, so
a second `item.get(key, _A)` gives what the first gave, provided that:

- the first read ran: it is one of the first lines of a rule, after nothing but other such
  reads (which cannot raise), and that rule is at the scope's own level (in no `if`, no
  loop of an aggregate) of the same function and the same item of a block (a block's own
  reads are forgotten when it ends);
- its variable still holds what it read: it is assigned once (its read) in all the lines
  so far (a date parsed in place, `_t2 = _fromiso(_t2)`, makes it unusable).

The later read is then a copy of that variable into its own (`_t27 = _t24`), so whatever
its rule does with it never touches the first. Forward fast path only; explain and backward
read every field where they use it. What a rule writes and which issues it gives are the
same either way (a failing operand names the field by its site, not by its read).
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["HeldReads"]

_KEY = r"(?:'[^'\\\n]*'|\"[^\"\\\n]*\")"
_READ = re.compile(rf"(_t\d+) = ([A-Za-z_]\w*)\.get\({_KEY}, _A\)")
_COPY = re.compile(r"_t\d+ = _t\d+")
#: a temporary assigned (`=`, augmented, `:=`, an item of it, a `for` target)
_ASSIGNED = re.compile(
    r"(?<![\w.])(_t\d+)\s*(?:\[[^\]\n]*\]\s*)?(?:[-+*/%@&|^]|//|\*\*|<<|>>)?=(?!=)"
    r"|(?<![\w.])(_t\d+)\s*:=")
_FOR = re.compile(r"\bfor\s+([^:]*?)\s+in\b")
_TEMP = re.compile(r"(?<![\w.])_t\d+(?!\w)")


class HeldReads:
    """The reads of one generated function that a later read of the same field may reuse."""

    def __init__(self) -> None:
        self.start(on=False)

    def start(self, *, on: bool) -> None:
        """A new function; `on` for the forward fast path only."""
        self.on = on
        self.inputs = {"src"}  # the input document and block items: dicts, never modified
        self.held: dict[tuple[str, str], str] = {}
        self.assigned: Counter[str] = Counter()
        self.scopes: list[tuple[int, dict[tuple[str, str], str]]] = [(1, {})]
        self.rules: list[tuple[int, int]] = []  # (first body line, body indentation)

    def saw(self, line: str) -> None:
        """Count the temporaries an emitted line assigns."""
        if not self.on:
            return
        for match in _ASSIGNED.finditer(line):
            self.assigned[match.group(1) or match.group(2)] += 1
        for match in _FOR.finditer(line):
            self.assigned.update(_TEMP.findall(match.group(1)))

    def rule_opened(self, start: int, indent: int) -> None:
        self.rules.append((start, indent))

    def rule_closed(self) -> None:
        self.rules.pop()

    def scope_opened(self, indent: int, item: str) -> None:
        """The body of a block's loop (at `indent`), over `item`."""
        if self.on:
            self.scopes.append((indent, dict(self.held)))
            self.inputs.add(item)

    def scope_closed(self) -> None:
        if self.on:
            self.held = self.scopes.pop()[1]

    def reusable(self, var: str, key: str) -> str | None:
        """The variable already holding `var.get(key, _A)`, if any."""
        if not self.on:
            return None
        found = self.held.get((var, key))
        return found if found is not None and self.assigned[found] == 1 else None

    def read(self, var: str, key: str, target: str, lines: list[str], indent: int) -> None:
        """`target = var.get(key, _A)` was just emitted (the last of `lines`) at `indent`."""
        if not self.on or var not in self.inputs or not self.rules:
            return
        start, level = self.rules[-1]
        if indent != level or level - 1 != self.scopes[-1][0]:
            return
        for line in lines[start:-1]:
            text = line.strip()
            match = _READ.fullmatch(text)
            if not ((match is not None and match.group(2) in self.inputs)
                    or _COPY.fullmatch(text)):
                return
        self.held[(var, key)] = target
