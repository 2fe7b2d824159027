"""Problems found in documents, as values: a conversion returns them, it does not raise them.

One bad line never hides the nine good ones: checks collect every `Issue` they find and the
caller decides, through an `IssuePolicy`, whether a level stops the work.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

__all__ = ["Issue", "IssuePolicy", "Level", "MappingPosition", "worst_level"]


class Level(enum.IntEnum):
    """How serious an issue is; ordered so that `max()` gives the worst."""

    INFO = 10
    WARNING = 20
    ERROR = 30

    def __str__(self) -> str:
        return self.name.lower()


class IssuePolicy(enum.Enum):
    """What to do with a problem a target cannot represent (`--on-issue`)."""

    IGNORE = "ignore"
    WARN = "warn"
    ERROR = "error"

    def level(self) -> Level | None:
        """The level an issue raised under this policy gets, or None when it is dropped."""
        return {IssuePolicy.IGNORE: None, IssuePolicy.WARN: Level.WARNING,
                IssuePolicy.ERROR: Level.ERROR}[self]


@attrs.frozen
class MappingPosition:
    """Where in a mapping file a rule stands (1-based line and column)."""

    file: str
    line: int
    column: int
    rule: str | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@attrs.frozen
class Issue:
    """One problem in one document: what, where in the data, where it came from."""

    level: Level
    message: str
    code: str = ""
    path: str = "$"
    source: str | None = None
    mapping: MappingPosition | None = None

    def __str__(self) -> str:
        where = f" at {self.mapping}" if self.mapping else ""
        code = f" [{self.code}]" if self.code else ""
        origin = f" ({self.source})" if self.source else ""
        return f"{self.level}{code}: {self.path}: {self.message}{where}{origin}"


def worst_level(issues: Iterable[Issue]) -> Level | None:
    """The most serious level among `issues`, or None when there are none."""
    return max((i.level for i in issues), default=None)
