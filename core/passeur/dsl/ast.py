"""The typed syntax tree of a mapping file: what the parser builds and every tool reads.

Every node keeps the 1-based line and column where it starts, so the checker, the compiler and
`explain` can all point at the exact spot. Nodes are frozen: tools never rewrite the tree, they
build new values from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Literal, TypeAlias

import attrs

__all__ = [
    "AGGREGATES",
    "BACKWARD",
    "BOTH",
    "FORWARD",
    "Arith",
    "BoolOp",
    "Call",
    "Compare",
    "Drop",
    "Each",
    "Example",
    "Expr",
    "Extends",
    "Header",
    "If",
    "Include",
    "Let",
    "LetRef",
    "LiteralValue",
    "MappingFile",
    "Neg",
    "Not",
    "Path",
    "Rule",
    "RuleInScope",
    "SideRef",
    "Statement",
    "Table",
    "TableEntry",
    "Value",
    "children",
    "directions",
    "iter_paths",
    "iter_rules",
]

BOTH = "<->"
FORWARD = "->"
BACKWARD = "<-"
#: Calls the compiler handles itself (over lists), not looked up among registered functions.
AGGREGATES = frozenset({"sum", "count", "position"})
#: `position()`: the number of the current item in its `each` list (1 for the first).
POSITION = "position"
Arrow: TypeAlias = Literal["<->", "->", "<-"]
Direction: TypeAlias = Literal["forward", "backward"]


def directions(arrow: str) -> frozenset[str]:
    """The directions ("forward", "backward") an arrow works in."""
    return {BOTH: frozenset({"forward", "backward"}), FORWARD: frozenset({"forward"}),
            BACKWARD: frozenset({"backward"})}[arrow]


def _pos() -> Any:
    return attrs.field(default=0, kw_only=True, eq=False)


# ---------------------------------------------------------------- expressions


@attrs.frozen
class LiteralValue:
    """A literal: text, exact decimal number, true/false or null."""

    value: str | Decimal | bool | None
    line: int = _pos()
    column: int = _pos()


@attrs.frozen
class Path:
    """A dotted field path, relative to the document (or to the item inside `each`); `up`
    levels above the item (`^.x`), or from the document itself when `root` (`$.x`)."""

    parts: tuple[str, ...]
    line: int = _pos()
    column: int = _pos()
    up: int = attrs.field(default=0, kw_only=True)
    root: bool = attrs.field(default=False, kw_only=True)

    @property
    def scoped(self) -> bool:
        """Read from an enclosing scope (`^.` or `$.`), not from the current item."""
        return self.up > 0 or self.root

    @property
    def text(self) -> str:
        lead = "$." if self.root else "^." * self.up
        return lead + ".".join(self.parts)


@attrs.frozen
class Call:
    """A call of a registered function (or of the aggregates `sum` and `count`)."""

    name: str
    args: tuple[Expr, ...]
    line: int = _pos()
    column: int = _pos()


@attrs.frozen
class Arith:
    """Exact decimal arithmetic: op is one of + - * /."""

    op: str
    left: Expr
    right: Expr
    line: int = _pos()
    column: int = _pos()


@attrs.frozen
class Neg:
    operand: Expr
    line: int = _pos()
    column: int = _pos()


@attrs.frozen
class Compare:
    """op is one of = != < <= > >=."""

    op: str
    left: Expr
    right: Expr
    line: int = _pos()
    column: int = _pos()


@attrs.frozen
class BoolOp:
    """op is "and" or "or"."""

    op: str
    left: Expr
    right: Expr
    line: int = _pos()
    column: int = _pos()


@attrs.frozen
class Not:
    operand: Expr
    line: int = _pos()
    column: int = _pos()


@attrs.frozen
class If:
    cond: Expr
    then: Expr
    otherwise: Expr
    line: int = _pos()
    column: int = _pos()


@attrs.frozen
class LetRef:
    """A use of a `let` name (`net`, or `net.x` for a field of its value): bound by the
    parser (passeur.dsl.lets) to the `Let` it names, so no pass mistakes it for a field."""

    name: str
    parts: tuple[str, ...]
    let: Let = attrs.field(eq=False, repr=False)
    line: int = _pos()
    column: int = _pos()


Expr: TypeAlias = LiteralValue | Path | Call | Arith | Neg | Compare | BoolOp | Not | If \
    | LetRef
Value: TypeAlias = str | Decimal | bool | None


# ---------------------------------------------------------------- statements


@attrs.frozen
class SideRef:
    """`acomba.invoice` in a header: a system (or variant) name and a document type."""

    system: str
    doctype: str
    line: int = _pos()
    column: int = _pos()

    @property
    def text(self) -> str:
        return f"{self.system}.{self.doctype}"


@attrs.frozen
class Header:
    left: SideRef
    right: SideRef
    line: int = _pos()
    column: int = _pos()
    end_line: int = _pos()


@attrs.frozen
class Extends:
    """What a layer builds on: `route` (the route passeur would take without this file), a
    mapping's name (`acomba-vosfactures-invoice`) or, when `is_file`, a path to a file."""

    target: str = "route"
    is_file: bool = False
    line: int = _pos()
    column: int = _pos()
    end_line: int = _pos()

    @property
    def is_route(self) -> bool:
        return self.target == "route" and not self.is_file

    @property
    def text(self) -> str:
        from passeur.dsl.printer import literal_text

        return literal_text(self.target) if self.is_file else self.target


@attrs.frozen
class Drop:
    """`drop -> PATH` (or `drop PATH`): a layer removes what its base writes at PATH of the
    right side, forward; `drop <- PATH` the same on the left side, backward."""

    path: Path
    arrow: str = "->"
    line: int = _pos()
    column: int = _pos()
    end_line: int = _pos()
    file: str = attrs.field(default="", kw_only=True, eq=False)

    @property
    def direction(self) -> str:
        return "forward" if self.arrow == FORWARD else "backward"

    @property
    def text(self) -> str:
        return f"drop {self.arrow} {self.path.text}"


@attrs.frozen
class Include:
    path: str
    line: int = _pos()
    column: int = _pos()
    end_line: int = _pos()


@attrs.frozen
class TableEntry:
    """`"FACTURES" <-> "invoice"`; a fallback (`else -> "x"`) has `left` None for `->` and
    `right` None for `<-`, i.e. the side that `else` stands for."""

    left: LiteralValue | None
    arrow: str
    right: LiteralValue | None
    line: int = _pos()
    column: int = _pos()
    end_line: int = _pos()

    @property
    def is_fallback(self) -> bool:
        return self.left is None or self.right is None


@attrs.frozen
class Table:
    name: str
    entries: tuple[TableEntry, ...]
    line: int = _pos()
    column: int = _pos()
    end_line: int = _pos()
    file: str = attrs.field(default="", kw_only=True, eq=False)
    #: a table read from a CSV file: (its path as written, left column, arrow, right column,
    #: the `else` value or None); its entries are the file's rows
    data: tuple[str, str, str, str, LiteralValue | None] | None = attrs.field(
        default=None, kw_only=True, eq=False)

    def pairs(self, direction: str) -> list[tuple[Value, Value]]:
        """(from, to) value pairs in one direction, in file order, fallbacks excluded."""
        out: list[tuple[Value, Value]] = []
        for e in self.entries:
            if e.is_fallback or direction not in directions(e.arrow):
                continue
            assert e.left is not None and e.right is not None
            pair = (e.left.value, e.right.value)
            out.append(pair if direction == "forward" else (pair[1], pair[0]))
        return out

    def fallback(self, direction: str) -> TableEntry | None:
        arrow = FORWARD if direction == "forward" else BACKWARD
        return next((e for e in self.entries if e.is_fallback and e.arrow == arrow), None)

    def one_to_one_problem(self) -> str | None:
        """Why this table cannot be used both ways, or None when it can."""
        for direction in ("forward", "backward"):
            if self.fallback(direction) is not None:
                return "it has an `else` fallback"
            seen: dict[Any, Any] = {}
            for source, target in self.pairs(direction):
                key = _hashable(source)
                if key in seen and seen[key] != _hashable(target):
                    return f"{_show(source)} has two translations"
                seen[key] = _hashable(target)
        forward = {(_hashable(a), _hashable(b)) for a, b in self.pairs("forward")}
        backward = {(_hashable(b), _hashable(a)) for a, b in self.pairs("backward")}
        if forward != backward:
            return "some entries work only one way"
        return None


    def read_back_problem(self) -> str | None:
        """Why writing through this table backward (under `keep`) may write a value that does
        not read back as the view's value, or None. Forward-only entries and an `else ->`
        fallback are fine: `keep` leaves their originals in place."""
        fallback = self.fallback("backward")
        if fallback is not None and fallback.left is not None:
            return (f"its `else <-` fallback writes {_show(fallback.left.value)} for any "
                    f"value it does not know, which reads back as something else; remove "
                    f"the `else <-` line (an unknown value is then reported)")
        forward: dict[Any, Any] = {}
        for source, target in self.pairs("forward"):
            forward.setdefault(_hashable(source), target)
        for view, written in self.pairs("backward"):
            back = forward.get(_hashable(written), _MISSING)
            otherwise = self.fallback("forward")
            if back is _MISSING and otherwise is not None and otherwise.right is not None:
                back = otherwise.right.value
            if back is _MISSING or _hashable(back) != _hashable(view):
                got = "nothing" if back is _MISSING else _show(back)
                return (f"{_show(view)} is written back as {_show(written)}, which reads "
                        f"back as {got}; make the entries agree")
        return None


_MISSING = object()


def _hashable(value: Value) -> tuple[str, Value]:
    # True == 1 == Decimal(1) in Python; keep the kinds apart.
    return (type(value).__name__ if not isinstance(value, (int, Decimal))
            or isinstance(value, bool) else "number", value)


def _show(value: Value) -> str:
    from passeur.dsl.printer import literal_text

    return literal_text(value)


@attrs.frozen
class Rule:
    """`left ARROW right [via T] [default X] [when C] [keep]` on one line."""

    left: Expr
    arrow: str
    right: Expr
    via: str | None = None
    default: Expr | None = None
    when: Expr | None = None
    keep: bool = False
    line: int = _pos()
    column: int = _pos()
    end_line: int = _pos()
    via_column: int = attrs.field(default=0, kw_only=True, eq=False)
    file: str = attrs.field(default="", kw_only=True, eq=False)
    #: `each key, value in LEFT <-> RIGHT [via T]`: the object's keys renamed through the
    #: table, its values copied (left and right are the two objects' paths)
    keys: bool = attrs.field(default=False, kw_only=True)
    #: `each key, value in L <-> R as EXPR`: the new key, from the name `key`
    rename: Expr | None = attrs.field(default=None, kw_only=True)

    @property
    def text(self) -> str:
        from passeur.dsl.printer import rule_text

        return rule_text(self)


@attrs.frozen
class Let:
    """`let NAME = EXPR`: a value computed once per item of its scope (the file, or one
    item of an `each` block) and read by name in the rules after it, in that scope and the
    blocks inside it. It reads the side its rules read (left forward, right backward)."""

    name: str
    expr: Expr
    #: the list paths around it (outermost first), so its paths resolve from its own scope
    left_prefix: tuple[str, ...] = attrs.field(default=(), kw_only=True, eq=False)
    right_prefix: tuple[str, ...] = attrs.field(default=(), kw_only=True, eq=False)
    line: int = _pos()
    column: int = _pos()
    end_line: int = _pos()
    file: str = attrs.field(default="", kw_only=True, eq=False)


@attrs.frozen
class Each:
    """A per-item block: `each LEFT ARROW RIGHT [key L = R] [where C]` ... `end`, or a
    `group LEFT ARROW RIGHT by PATHS` ... `end` (a summary: one item per group)."""

    left: Path
    arrow: str
    right: Path
    key: tuple[Path, Path] | None
    body: tuple[Statement, ...]
    line: int = _pos()
    column: int = _pos()
    end_line: int = _pos()
    #: `where CONDITION`: a filter on the left items (see docs, "Filters")
    where: Expr | None = attrs.field(default=None, kw_only=True)
    #: `group L -> R by F, G`: one item per distinct value of the `by` fields (docs,
    #: "Grouping and summaries"); None for an `each` block
    group_by: tuple[Path, ...] | None = attrs.field(default=None, kw_only=True)

    @property
    def word(self) -> str:
        """The block's keyword, as messages name it."""
        return "each" if self.group_by is None else "group"

    @property
    def head(self) -> str:
        """The block's first line as written (without comments)."""
        from passeur.dsl.printer import expr_text

        where = f" where {expr_text(self.where)}" if self.where is not None else ""
        if self.group_by is not None:
            by = ", ".join(expr_text(p) for p in self.group_by)
            return (f"group {expr_text(self.left)} {self.arrow} {expr_text(self.right)} "
                    f"by {by}{where}")
        key = ""
        if self.key is not None:
            key = f" key {expr_text(self.key[0])} = {expr_text(self.key[1])}"
        return f"each {expr_text(self.left)} {self.arrow} {expr_text(self.right)}{key}{where}"


@attrs.frozen
class Example:
    """An example: a left document and the right document the mapping must produce."""

    name: str
    left: Any
    right: Any
    left_text: str = attrs.field(eq=False)
    right_text: str = attrs.field(eq=False)
    #: first and last line of each JSON document (for the printer's comments)
    left_lines: tuple[int, int] = attrs.field(default=(0, 0), kw_only=True, eq=False)
    right_lines: tuple[int, int] = attrs.field(default=(0, 0), kw_only=True, eq=False)
    line: int = _pos()
    column: int = _pos()
    end_line: int = _pos()
    file: str = attrs.field(default="", kw_only=True, eq=False)


Statement: TypeAlias = Header | Extends | Include | Table | Rule | Each | Example | Drop | Let


@attrs.frozen
class MappingFile:
    """One parsed file: its statements in order (includes are not expanded here)."""

    file: str
    statements: tuple[Statement, ...]
    source: str = attrs.field(default="", eq=False, repr=False)
    #: (line, "# text") of every comment, for the printer.
    comments: tuple[tuple[int, str], ...] = attrs.field(default=(), eq=False, repr=False)

    @property
    def header(self) -> Header | None:
        return next((s for s in self.statements if isinstance(s, Header)), None)

    @property
    def extends(self) -> bool:
        return any(isinstance(s, Extends) for s in self.statements)

    @property
    def extends_statement(self) -> Extends | None:
        return next((s for s in self.statements if isinstance(s, Extends)), None)

    @property
    def includes(self) -> list[Include]:
        return [s for s in self.statements if isinstance(s, Include)]

    @property
    def tables(self) -> list[Table]:
        return [s for s in self.statements if isinstance(s, Table)]

    @property
    def examples(self) -> list[Example]:
        return [s for s in self.statements if isinstance(s, Example)]


@attrs.frozen
class RuleInScope:
    """A rule with the `each` blocks around it (outermost first).

    `left_prefix` / `right_prefix` are the list paths the rule's paths are relative to, and
    `directions` the directions it runs in once the blocks' arrows are taken into account.
    """

    rule: Rule
    blocks: tuple[Each, ...]

    @property
    def left_prefix(self) -> tuple[str, ...]:
        return tuple(p for b in self.blocks for p in b.left.parts)

    @property
    def right_prefix(self) -> tuple[str, ...]:
        return tuple(p for b in self.blocks for p in b.right.parts)

    @property
    def directions(self) -> frozenset[str]:
        result = directions(self.rule.arrow)
        for block in self.blocks:
            result &= directions(block.arrow)
        return result

    def sides(self) -> dict[str, list[Path]]:
        """The paths the rule reads or writes, by side ("left"/"right"), relative paths.

        For `->` the right side is a target path and everything else (guard, default) is read
        on the left; for `<-` the reverse; for `<->` each side's paths belong to that side.
        """
        rule = self.rule
        left = list(iter_paths(rule.left))
        right = list(iter_paths(rule.right))
        extra = [p for e in (rule.default, rule.when) if e is not None for p in iter_paths(e)]
        if rule.arrow == BACKWARD:
            right += extra
        else:
            left += extra
        return {"left": left, "right": right}


def children(node: Expr) -> tuple[Expr, ...]:
    """The expressions directly inside one (a call's arguments, an operator's operands...);
    a `LetRef`'s `let` is not among them: walkers that follow names say so themselves."""
    if isinstance(node, Call):
        return node.args
    if isinstance(node, (Arith, Compare, BoolOp)):
        return (node.left, node.right)
    if isinstance(node, (Neg, Not)):
        return (node.operand,)
    if isinstance(node, If):
        return (node.cond, node.then, node.otherwise)
    return ()


def iter_paths(expr: Expr) -> Iterator[Path]:
    """Every path an expression mentions, in source order (aggregate arguments included)."""
    if isinstance(expr, Path):
        yield expr
    elif isinstance(expr, Call):
        if expr.name in AGGREGATES and len(expr.args) == 2 and isinstance(expr.args[0], Path):
            # sum(LIST, EXPR): EXPR is read on each item; give its paths from the list on.
            items = expr.args[0]
            yield items
            for inner in iter_paths(expr.args[1]):
                yield attrs.evolve(inner, parts=items.parts + inner.parts)
            return
        for arg in expr.args:
            yield from iter_paths(arg)
    elif isinstance(expr, (Arith, Compare, BoolOp)):
        yield from iter_paths(expr.left)
        yield from iter_paths(expr.right)
    elif isinstance(expr, (Neg, Not)):
        yield from iter_paths(expr.operand)
    elif isinstance(expr, If):
        yield from iter_paths(expr.cond)
        yield from iter_paths(expr.then)
        yield from iter_paths(expr.otherwise)


def iter_rules(statements: tuple[Statement, ...] | MappingFile,
               blocks: tuple[Each, ...] = ()) -> Iterator[RuleInScope]:
    """Every rule of a file (or of a list of statements), with its enclosing blocks."""
    if isinstance(statements, MappingFile):
        statements = statements.statements
    for statement in statements:
        if isinstance(statement, Rule):
            yield RuleInScope(statement, blocks)
        elif isinstance(statement, Each):
            yield from iter_rules(statement.body, (*blocks, statement))
