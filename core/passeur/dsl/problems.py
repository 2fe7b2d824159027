"""Problems in a mapping file as values, and the exceptions that carry them.

The parser and the compiler collect every problem they find (a `Problem` with file, line and
column) so `passeur check` can report all of them in one run; the exceptions only wrap the list
when a caller wants to stop at the first failed file.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from passeur.errors import MappingError, MappingRuntimeError

__all__ = ["MappingCompileError", "MappingRuleError", "MappingSyntaxError", "Problem",
           "caret_lines"]


def caret_lines(source: str | None, line: int, column: int) -> str:
    """The source line and a caret under `column` (both indented two spaces), or ''."""
    if not source or line < 1:
        return ""
    lines = source.splitlines()
    if line > len(lines):
        return ""
    text = lines[line - 1]
    pad = "".join("\t" if ch == "\t" else " " for ch in text[: max(column - 1, 0)])
    return f"\n  {text}\n  {pad}^"


@attrs.frozen
class Problem:
    """One thing wrong in a mapping file, at a 1-based line and column."""

    file: str
    line: int
    column: int
    message: str
    code: str = "mapping"
    source: str | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def position(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def __str__(self) -> str:
        return f"{self.position}: {self.message}{caret_lines(self.source, self.line, self.column)}"


class MappingSyntaxError(MappingError):
    """A mapping file that does not parse; the message has file:line:col and a caret."""

    def __init__(self, problem: Problem, expected: Sequence[str] = ()) -> None:
        self.problem = problem
        self.problems = (problem,)
        self.expected = tuple(expected)
        super().__init__(str(problem))


class MappingCompileError(MappingError):
    """A mapping file that parses but cannot be compiled; `problems` lists every reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class MappingRuleError(MappingRuntimeError):
    """A rule failed on one document: where in the mapping, which rule, which data, which value.

    The first line of the message is `file:line:col: sentence about the value at its path`,
    the second names the rule, so a consultant sees both the data and the line to fix.
    """

    def __init__(self, position: str, message: str, rule: str, path: str,
                 value: object) -> None:
        self.position = position
        self.short = f"{position}: {message}"
        self.rule = rule
        self.path = path
        self.value = value
        super().__init__(f"{self.short}\n  rule: {rule}")
