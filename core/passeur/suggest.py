""""Did you mean ...?" for every name a user can misspell (systems, fields, hooks, commands)."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["did_you_mean", "suggest"]


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to `name`, or None when nothing is close enough."""
    import difflib  # only when a name is misspelt (it compiles regexes at import)

    pool = list(candidates)
    matches = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    lowered = {c.lower(): c for c in pool}
    return lowered.get(name.lower())


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`"; did you mean 'x'?"` or the empty string, ready to append to a message."""
    best = suggest(name, candidates)
    return f"; did you mean {best!r}?" if best else ""
