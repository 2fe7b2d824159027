"""Which generated rule bodies cannot raise, so that they need no `try` of their own.

Every rule of a generated function runs inside `try: ... except Exception: _fail(...)`, so
that one failing rule becomes an issue and the others still run. Entering and leaving that
`try` is a measurable share of a plain copy (`NoFacture -> number`, a field of each line). A
body built only from the lines below cannot raise: reads with `dict.get` from a variable
known to be a dict, absent and null tests, copies of one temporary into another (a field
read again, from a first read that surely ran: passeur.dsl.codegen_reads), writes of a read
value or a constant into a variable known to be a dict (the forward output and each item
object it builds are fresh dicts; the input document and each item of a block were tested
to be dicts before). Such a body is emitted without the `try`; any other body keeps it.
What a rule writes and which issues a document gets are the same either way: the dropped
handler could never run.
"""

from __future__ import annotations

import re

__all__ = ["cannot_raise"]

_KEY = r"(?:'[^'\\\n]*'|\"[^\"\\\n]*\")"
_VAR = r"[A-Za-z_]\w*"
_CONST = r"(?:_K\d+|'[^'\\\n]*'|\"[^\"\\\n]*\"|None|True|False|-?\d+)"
_READ = re.compile(rf"(_t\d+) = ({_VAR})\.get\({_KEY}, _A\)")
_READ_CHILD = re.compile(rf"(_t\d+) = \1\.get\({_KEY}, _A\) if type\(\1\) is dict else _A")
_PARENT = re.compile(rf"(_p\d+) = ({_VAR})\.get\({_KEY}\)")
_MAKE_PARENT = re.compile(rf"if type\((_p\d+)\) is not dict: \1 = ({_VAR})\[{_KEY}\] = \{{\}}")
_TEST = re.compile(r"if (_t\d+) is not _A:")
_DEFAULT_TEST = re.compile(r"if (_t\d+) is _A or \1 is None:")
_SET_CONST = re.compile(rf"(_t\d+) = {_CONST}")
#: a field read again, copied from its first read (passeur.dsl.codegen_reads: assigned)
_COPY = re.compile(r"_t\d+ = _t\d+")
_WRITE = re.compile(rf"({_VAR})\[{_KEY}\] = (?:_t\d+|{_CONST})")


def cannot_raise(body: list[str], dicts: set[str]) -> bool:
    """Whether every line of `body` is one of the forms above, over `dicts` (the variables
    known to hold dicts where the body starts)."""
    known = set(dicts)
    for raw in body:
        line = raw.strip()
        if (m := _READ.fullmatch(line)) is not None or (m := _PARENT.fullmatch(line)) is not None:
            if m.group(2) not in known:
                return False
        elif (m := _MAKE_PARENT.fullmatch(line)) is not None:
            if m.group(2) not in known:
                return False
            known.add(m.group(1))  # a dict from here on, whichever branch ran
        elif (m := _WRITE.fullmatch(line)) is not None:
            if m.group(1) not in known:
                return False
        elif not (_READ_CHILD.fullmatch(line) or _TEST.fullmatch(line)
                  or _DEFAULT_TEST.fullmatch(line) or _SET_CONST.fullmatch(line)
                  or _COPY.fullmatch(line)):
            return False
    return True
