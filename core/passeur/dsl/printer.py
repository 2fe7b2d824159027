"""AST -> text in the canonical layout (`passeur fmt`), keeping comments and blank lines.

Printing is a fixed point: printing the parse of printed text gives the same text, so
`passeur fmt --check` can tell whether a file is formatted by formatting it once.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

from passeur.dsl import ast

__all__ = ["expr_text", "format_file", "format_text", "literal_text", "name_text", "rule_text"]

KEYWORDS = frozenset((
    "mapping", "extends", "route", "include", "table", "end", "else", "each", "key",
    "example", "left", "right", "let", "where", "from", "via", "default", "when", "keep", "if",
    "then", "and", "or", "not", "true", "false", "null", "drop", "group", "by", "as",
))
_PLAIN_NAME = re.compile(r"[^\W\d]\w*\Z")
INDENT = "  "


def name_text(name: str) -> str:
    """A field name as written in a path (backquoted when it is not a plain word)."""
    if _PLAIN_NAME.match(name) and name not in KEYWORDS:
        return name
    return f"`{name}`"


def literal_text(value: ast.Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


# Precedence levels, loosest first; an operand printed where a tighter level is required
# gets parentheses.
_IF, _OR, _AND, _NOT, _CMP, _SUM, _PROD, _UNARY, _ATOM = range(9)


def _level(expr: ast.Expr) -> int:
    if isinstance(expr, ast.If):
        return _IF
    if isinstance(expr, ast.BoolOp):
        return _OR if expr.op == "or" else _AND
    if isinstance(expr, ast.Not):
        return _NOT
    if isinstance(expr, ast.Compare):
        return _CMP
    if isinstance(expr, ast.Arith):
        return _SUM if expr.op in "+-" else _PROD
    if isinstance(expr, ast.Neg):
        return _UNARY
    if isinstance(expr, ast.LiteralValue) and isinstance(expr.value, Decimal) \
            and expr.value < 0:
        return _UNARY
    return _ATOM


def _at(expr: ast.Expr, level: int) -> str:
    text = expr_text(expr)
    return f"({text})" if _level(expr) < level else text


def expr_text(expr: ast.Expr) -> str:
    """An expression in canonical form, with only the parentheses it needs."""
    if isinstance(expr, ast.LiteralValue):
        return literal_text(expr.value)
    if isinstance(expr, ast.Path):
        lead = "$." if expr.root else "^." * expr.up
        return lead + ".".join(name_text(p) for p in expr.parts)
    if isinstance(expr, ast.LetRef):
        return ".".join(name_text(p) for p in (expr.name, *expr.parts))
    if isinstance(expr, ast.Call):
        return f"{expr.name}({', '.join(expr_text(a) for a in expr.args)})"
    if isinstance(expr, ast.If):
        return (f"if {expr_text(expr.cond)} then {expr_text(expr.then)} "
                f"else {expr_text(expr.otherwise)}")
    if isinstance(expr, ast.BoolOp):
        level = _level(expr)
        return f"{_at(expr.left, level)} {expr.op} {_at(expr.right, level + 1)}"
    if isinstance(expr, ast.Not):
        # `not (a = b)`: the parentheses are not needed but a reader expects them
        operand = expr.operand
        if isinstance(operand, (ast.Compare, ast.BoolOp)):
            return f"not ({expr_text(operand)})"
        return f"not {_at(operand, _NOT)}"
    if isinstance(expr, ast.Compare):
        return f"{_at(expr.left, _SUM)} {expr.op} {_at(expr.right, _SUM)}"
    if isinstance(expr, ast.Arith):
        level = _level(expr)
        return f"{_at(expr.left, level)} {expr.op} {_at(expr.right, level + 1)}"
    if isinstance(expr, ast.Neg):
        return f"-{_at(expr.operand, _UNARY)}"
    raise TypeError(f"not an expression: {expr!r}")  # pragma: no cover


def _column_text(name: str) -> str:
    """A CSV column: a plain word as is, anything else in quotes."""
    return name if _PLAIN_NAME.match(name) and name not in KEYWORDS else literal_text(name)


def rule_text(rule: ast.Rule) -> str:
    """One rule on one line, modifiers in the documented order."""
    parts = [expr_text(rule.left), rule.arrow, expr_text(rule.right)]
    if rule.keys:
        parts.insert(0, "each key, value in")
    if rule.via is not None:
        parts += ["via", name_text(rule.via)]
    if rule.rename is not None:
        # `key` is a keyword elsewhere; here it is the name the renaming reads
        parts += ["as", expr_text(rule.rename).replace("`key`", "key")]
    if rule.default is not None:
        parts += ["default", expr_text(rule.default)]
    if rule.when is not None:
        parts += ["when", expr_text(rule.when)]
    if rule.keep:
        parts.append("keep")
    return " ".join(parts)


class _Printer:
    """Emits statements with the comments and blank lines found between them."""

    def __init__(self, file: ast.MappingFile) -> None:
        self.lines: list[str] = []
        # lines as the parser counts them: a bare \r (inside a comment) ends no line
        self.source_lines = [line.removesuffix("\r") for line in file.source.split("\n")]
        self.comments = dict(file.comments)
        self.done = 0  # last source line already emitted
        #: output line index -> (trailing comment, its column in the source)
        self.trailing: dict[int, tuple[str, int]] = {}

    def _full_line_comment(self, line: int) -> bool:
        text = self.source_lines[line - 1] if line <= len(self.source_lines) else ""
        return text.lstrip().startswith("#")

    def trivia(self, until: int, depth: int) -> None:
        """Comments and (collapsed) blank lines between the last emitted line and `until`."""
        for line in range(self.done + 1, until):
            if line in self.comments and self._full_line_comment(line):
                self.lines.append(INDENT * depth + self.comments[line])
            elif (line <= len(self.source_lines) and not self.source_lines[line - 1].strip()
                  and self.lines and self.lines[-1] != "" and not _opens_block(self.lines[-1])):
                self.lines.append("")
        self.done = max(self.done, until - 1)

    def emit(self, text: str, line: int, depth: int) -> None:
        trailing = self.comments.get(line) if line and not self._full_line_comment(line) \
            else None
        if trailing:
            source = self.source_lines[line - 1].rstrip()
            self.trailing[len(self.lines)] = (trailing, len(source) - len(trailing))
        self.lines.append(INDENT * depth + text)
        self.done = max(self.done, line)

    def text(self) -> str:
        """The lines with their trailing comments: at least two spaces after the code, and
        never left of the column where the author put them (so aligned comments stay
        aligned)."""
        out = list(self.lines)
        for index, (comment, column) in self.trailing.items():
            out[index] = out[index].ljust(max(len(out[index]) + 2, column)) + comment
        return "\n".join(out) + "\n"

    def json(self, lead: str, text: str, last: int) -> None:
        """An example's JSON as written (its own line breaks and indentation kept)."""
        first, *rest = text.split("\n")
        self.lines.append(lead + first)
        self.lines.extend(rest)
        trailing = self.comments.get(last)
        if trailing and not self._full_line_comment(last):
            source = self.source_lines[last - 1].rstrip()
            self.trailing[len(self.lines) - 1] = (trailing, len(source) - len(trailing))
        self.done = max(self.done, last)

    def statements(self, statements: tuple[ast.Statement, ...], depth: int) -> None:
        for statement in statements:
            self.trivia(statement.line, depth)
            self.statement(statement, depth)

    def close(self, end_line: int, depth: int) -> None:
        self.trivia(end_line, depth + 1)
        if self.lines and self.lines[-1] == "" and len(self.lines) - 1 not in self.trailing:
            self.lines.pop()
        self.emit("end", end_line, depth)

    def statement(self, s: ast.Statement, depth: int) -> None:
        if isinstance(s, ast.Header):
            self.emit(f"mapping {s.left.text} {ast.BOTH} {s.right.text}", s.line, depth)
        elif isinstance(s, ast.Extends):
            self.emit(f"extends {s.text}", s.line, depth)
        elif isinstance(s, ast.Drop):
            self.emit(f"drop {s.arrow} {expr_text(s.path)}", s.line, depth)
        elif isinstance(s, ast.Include):
            self.emit(f"include {literal_text(s.path)}", s.line, depth)
        elif isinstance(s, ast.Rule):
            self.emit(rule_text(s), s.line, depth)
        elif isinstance(s, ast.Let):
            self.emit(f"let {name_text(s.name)} = {expr_text(s.expr)}", s.line, depth)
        elif isinstance(s, ast.Table) and s.data is not None:
            path, left, arrow, right, otherwise = s.data
            fallback = f" else {literal_text(otherwise.value)}" if otherwise else ""
            self.emit(f"table {name_text(s.name)} from {literal_text(path)} "
                      f"{_column_text(left)} {arrow} {_column_text(right)}{fallback}",
                      s.line, depth)
        elif isinstance(s, ast.Table):
            self.emit(f"table {name_text(s.name)}", s.line, depth)
            width = max((len(_entry_left(e)) for e in s.entries), default=0)
            # with a `<->` entry, one-way arrows are padded so that values line up
            wide = any(e.arrow == ast.BOTH for e in s.entries)
            for entry in s.entries:
                self.trivia(entry.line, depth + 1)
                right = literal_text(entry.right.value if entry.right else
                                     entry.left.value if entry.left else None)
                arrow = entry.arrow
                if wide:
                    arrow = {ast.FORWARD: " ->", ast.BACKWARD: "<- "}.get(arrow, arrow)
                self.emit(f"{_entry_left(entry).ljust(width)} {arrow} {right}",
                          entry.line, depth + 1)
            self.close(s.end_line, depth)
        elif isinstance(s, ast.Each):
            self.emit(s.head, s.line, depth)
            self.statements(s.body, depth + 1)
            self.close(s.end_line, depth)
        elif isinstance(s, ast.Example):
            self.emit(f"example {literal_text(s.name)}", s.line, depth)
            for word, text, (first, last) in (("left", s.left_text, s.left_lines),
                                              ("right", s.right_text, s.right_lines)):
                self.trivia(first, depth + 1)
                self.json(f"{INDENT * (depth + 1)}{word} ", text, last)
            self.close(s.end_line, depth)


def _opens_block(line: str) -> bool:
    words = line.lstrip().split(" ", 3)
    if words[:3] == ["each", "key,", "value"] or words[2:3] == ["from"]:
        return False  # `each key, value in ...` and `table NAME from "FILE"`: one line
    return words[0] in ("table", "each", "group", "example")


def _entry_left(entry: ast.TableEntry) -> str:
    if entry.is_fallback:
        return "else"
    assert entry.left is not None
    return literal_text(entry.left.value)


def format_file(file: ast.MappingFile) -> str:
    """The canonical text of a parsed file (comments and single blank lines kept)."""
    printer = _Printer(file)
    printer.statements(file.statements, 0)
    printer.trivia(len(printer.source_lines) + 1, 0)
    while printer.lines and printer.lines[-1] == "":
        printer.lines.pop()
    return printer.text()


def format_text(text: str, file: str = "<text>") -> str:
    """Parse then print: what `passeur fmt` writes."""
    from passeur.dsl.parser import parse_text

    return format_file(parse_text(text, file))
