"""Text -> `MappingFile`: the Lark LALR parser (built once per process) and its error messages.

Syntax errors are reported for consultants: file:line:col, the line with a caret, and what was
expected in plain words rather than terminal names.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import unicodedata
from decimal import Decimal
from importlib import resources
from pathlib import Path as FsPath
from typing import Any

import attrs
from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from passeur import limits
from passeur.dsl import ast
from passeur.dsl.lets import bind_lets
from passeur.dsl.problems import MappingSyntaxError, Problem
from passeur.dsl.tables import read_csv_table

__all__ = ["get_parser", "parse_file", "parse_text"]

# Terminal names -> the words a consultant reads. Groups collapse into one phrase.
_ARROWS = {"BOTH", "FORWARD", "BACKWARD"}
_OPERATORS = {"PLUS", "MINUS", "TIMES", "DIVIDE", "EQ", "NE", "LT", "LE", "GT", "GE", "AND", "OR"}
_MODIFIERS = {"VIA", "DEFAULT", "WHEN", "KEEP"}
_WORDS = {
    "ROOT": '"$"', "PARENT": '"^"',
    "_NL": "a newline", "$END": "the end of the file", "NAME": "a name",
    "QUOTED_NAME": "a name", "STRING": "a text in quotes", "NUMBER": "a number",
    "JSON": "a JSON object", "DOT": "a dot", "LPAR": '"("', "RPAR": '")"',
    "COMMA": '","',
}
_ORDER = ["an arrow (<->, -> or <-)", "an operator", "a modifier (via, default, when, keep)"]


_VALUE_STARTS = {"NAME", "QUOTED_NAME", "NUMBER", "STRING", "LPAR", "MINUS", "NOT", "IF",
                 "TRUE", "FALSE", "NULL", "ROOT", "PARENT"}
_VALUE = "a value (a name, a number, a text in quotes...)"


def _expected_words(expected: set[str]) -> list[str]:
    words: list[str] = []
    if {"NAME", "NUMBER", "STRING"} <= expected:
        # Where any expression may start, say so once instead of listing its first tokens.
        words.append(_VALUE)
        expected = expected - _VALUE_STARTS
    arrows = expected & _ARROWS
    if arrows == {"BOTH"}:
        words.append('"<->"')
    elif arrows:
        words.append(_ORDER[0])
    ops = expected & _OPERATORS
    if ops == {"EQ"}:
        words.append('"="')
    elif ops:
        words.append(_ORDER[1])
    if expected & _MODIFIERS:
        words.append(_ORDER[2])
    rest = expected - _ARROWS - _OPERATORS - _MODIFIERS
    for name in sorted(rest, key=lambda n: (n not in _WORDS, n)):
        word = _WORDS.get(name) or f'"{name.lower()}"'
        if word not in words:
            words.append(word)
    return words


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def _found(token: Token) -> str:
    if token.type in ("_NL", "$END"):
        return "end of line" if token.type == "_NL" else "end of file"
    kind = {"NAME": "name", "QUOTED_NAME": "name", "STRING": "text", "NUMBER": "number"}
    text = json.dumps(str(token).strip(), ensure_ascii=False)
    if token.type in kind:
        return f"{kind[token.type]} {text}"
    return f"word {text}" if str(token).isalpha() else text


_collector = threading.local()


def _on_comment(token: Token) -> Token:
    found = getattr(_collector, "comments", None)
    if found is not None:
        found.append((token.line, str(token).rstrip()))
    return token


@functools.cache
def get_parser() -> Lark:
    """The LALR parser; Lark's own cache makes building it cheap across processes too."""
    grammar = resources.files("passeur.dsl").joinpath("mapping.lark").read_text("utf-8")
    options: dict[str, Any] = {"parser": "lalr", "strict": True, "propagate_positions": True,
                               "maybe_placeholders": False,
                               "lexer_callbacks": {"COMMENT": _on_comment}}
    try:
        return Lark(grammar, cache=True, **options)
    except OSError:  # an unwritable temporary directory: build without the cache
        return Lark(grammar, **options)


def _unquote(token: str) -> str:
    value: str = json.loads(token)
    return value


def _name(token: Token) -> str:
    text = str(token)
    return text[1:-1] if token.type == "QUOTED_NAME" else text


def _end_line(meta: Any, line: int, source: str) -> int:
    """The line a statement's last real token is on (its closing newline swallows blanks)."""
    text = source[meta.start_pos:meta.end_pos].rstrip()
    return line + text.count("\n")


@attrs.frozen
class _Where:
    expr: ast.Expr


@v_args(meta=True)
class _Builder(Transformer[Token, ast.MappingFile]):
    """Lark tree -> typed AST nodes, each with its line and column."""

    def __init__(self, file: str, source: str) -> None:
        super().__init__()
        self.file = file
        self.source = source

    # expressions
    def string(self, meta: Any, children: list[Token]) -> ast.LiteralValue:
        return ast.LiteralValue(_unquote(children[0]), line=meta.line, column=meta.column)

    def number(self, meta: Any, children: list[Token]) -> ast.LiteralValue:
        return ast.LiteralValue(Decimal(str(children[0])), line=meta.line, column=meta.column)

    def true(self, meta: Any, _c: list[Any]) -> ast.LiteralValue:
        return ast.LiteralValue(True, line=meta.line, column=meta.column)

    def false(self, meta: Any, _c: list[Any]) -> ast.LiteralValue:
        return ast.LiteralValue(False, line=meta.line, column=meta.column)

    def null(self, meta: Any, _c: list[Any]) -> ast.LiteralValue:
        return ast.LiteralValue(None, line=meta.line, column=meta.column)

    def path(self, meta: Any, children: list[Token]) -> ast.Path:
        names = [t for t in children if t.type in ("NAME", "QUOTED_NAME")]
        up = sum(1 for t in children if t.type == "PARENT")
        root = any(t.type == "ROOT" for t in children)
        return ast.Path(tuple(_name(t) for t in names), line=meta.line, column=meta.column,
                        up=up, root=root)

    def call(self, meta: Any, children: list[Any]) -> ast.Call:
        name, *args = children
        return ast.Call(str(name), tuple(a for a in args if a is not None),
                        line=meta.line, column=meta.column)

    def arith(self, meta: Any, children: list[Any]) -> ast.Arith:
        left, op, right = children
        return ast.Arith(str(op), left, right, line=op.line, column=op.column)

    def neg(self, meta: Any, children: list[Any]) -> ast.Neg:
        return ast.Neg(children[1], line=meta.line, column=meta.column)

    def compare(self, meta: Any, children: list[Any]) -> ast.Compare:
        left, op, right = children
        return ast.Compare(str(op), left, right, line=op.line, column=op.column)

    def and_(self, meta: Any, children: list[Any]) -> ast.BoolOp:
        return ast.BoolOp("and", children[0], children[1], line=meta.line, column=meta.column)

    def or_(self, meta: Any, children: list[Any]) -> ast.BoolOp:
        return ast.BoolOp("or", children[0], children[1], line=meta.line, column=meta.column)

    def not_(self, meta: Any, children: list[Any]) -> ast.Not:
        return ast.Not(children[0], line=meta.line, column=meta.column)

    def ifexpr(self, meta: Any, children: list[Any]) -> ast.If:
        cond, then, otherwise = children
        return ast.If(cond, then, otherwise, line=meta.line, column=meta.column)

    # statements
    def side(self, meta: Any, children: list[Token]) -> ast.SideRef:
        return ast.SideRef(str(children[0]), str(children[1]), line=meta.line,
                           column=meta.column)

    def header(self, meta: Any, children: list[Any]) -> ast.Header:
        return ast.Header(children[0], children[2], line=meta.line, column=meta.column,
                          end_line=_end_line(meta, meta.line, self.source))

    def mapping_name(self, meta: Any, children: list[Token]) -> Token:
        text = "".join(str(t) for t in children)
        written = self.source[meta.start_pos:meta.end_pos]
        if written != text:
            raise MappingSyntaxError(Problem(
                self.file, meta.line, meta.column, f"write the mapping's name without spaces: "
                f"`{text}`", "syntax", self.source))
        return Token("MAPPING_NAME", text)

    def extends(self, meta: Any, children: list[Token]) -> ast.Extends:
        target = children[0]
        is_file = target.type == "STRING"
        return ast.Extends(_unquote(target) if is_file else str(target), is_file,
                           line=meta.line, column=meta.column, end_line=meta.line)

    def drop(self, meta: Any, children: list[Any]) -> ast.Drop:
        arrow = str(children[0]) if len(children) == 2 else ast.FORWARD
        return ast.Drop(children[-1], arrow, line=meta.line, column=meta.column,
                        end_line=meta.line, file=self.file)

    def include(self, meta: Any, children: list[Token]) -> ast.Include:
        return ast.Include(_unquote(children[0]), line=meta.line, column=meta.column,
                           end_line=meta.line)

    def table_entry(self, meta: Any, children: list[Any]) -> ast.TableEntry:
        left, arrow, right = children
        return ast.TableEntry(left, str(arrow), right, line=meta.line, column=meta.column,
                              end_line=meta.line)

    def table_fallback(self, meta: Any, children: list[Any]) -> ast.TableEntry:
        arrow, value = str(children[0]), children[1]
        left, right = (None, value) if arrow == ast.FORWARD else (value, None)
        return ast.TableEntry(left, arrow, right, line=meta.line, column=meta.column,
                              end_line=meta.line)

    def table_file(self, meta: Any, children: list[Any]) -> ast.Table:
        name, path, left, arrow, right, *fallback = children
        columns = [_unquote(c) if c.type == "STRING" else str(c) for c in (left, right)]
        entries = list(read_csv_table(self.file, self.source, meta, _unquote(path),
                                      columns[0], str(arrow), columns[1]))
        otherwise = fallback[0] if fallback else None
        if otherwise is not None:
            entries.append(ast.TableEntry(None, ast.FORWARD, otherwise, line=meta.line,
                                          column=meta.column, end_line=meta.line))
        return ast.Table(str(name), tuple(entries), line=meta.line, column=meta.column,
                         end_line=meta.line, file=self.file,
                         data=(_unquote(path), columns[0], str(arrow), columns[1], otherwise))

    def table(self, meta: Any, children: list[Any]) -> ast.Table:
        name, *entries = children
        return ast.Table(str(name), tuple(entries), line=meta.line, column=meta.column,
                         end_line=_end_line(meta, meta.line, self.source), file=self.file)

    def each_key(self, meta: Any, children: list[Any]) -> tuple[ast.Path, ast.Path]:
        return (children[0], children[2])

    def each_where(self, meta: Any, children: list[Any]) -> _Where:
        return _Where(children[0])

    def each(self, meta: Any, children: list[Any]) -> ast.Each:
        left, arrow, right, *rest = children
        key = rest.pop(0) if rest and isinstance(rest[0], tuple) else None
        where = rest.pop(0).expr if rest and isinstance(rest[0], _Where) else None
        return ast.Each(left, str(arrow), right, key, tuple(rest), line=meta.line,
                        column=meta.column, end_line=_end_line(meta, meta.line, self.source),
                        where=where)

    def group(self, meta: Any, children: list[Any]) -> ast.Each:
        left, arrow, right, *rest = children
        by = tuple(c for c in rest if isinstance(c, ast.Path))
        where = next((c.expr for c in rest if isinstance(c, _Where)), None)
        body = tuple(c for c in rest if not isinstance(c, (ast.Path, _Where)))
        return ast.Each(left, str(arrow), right, None, body, line=meta.line,
                        column=meta.column, end_line=_end_line(meta, meta.line, self.source),
                        where=where, group_by=by)

    def keys_as(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        return ("as", children[0])

    def each_keys(self, meta: Any, children: list[Any]) -> ast.Rule:
        left, arrow, right, *extra = children
        option: tuple[str, Any] = extra[0] if extra else ("", None)
        name, column = option[1] if option[0] == "via" else (None, 0)
        return ast.Rule(left, str(arrow), right, via=name, via_column=column,
                        line=meta.line, column=meta.column,
                        end_line=_end_line(meta, meta.line, self.source), file=self.file,
                        keys=True, rename=option[1] if option[0] == "as" else None)

    def example(self, meta: Any, children: list[Token]) -> ast.Example:
        name, left, right = children
        return ast.Example(_unquote(name), self._json(left), self._json(right),
                           left_text=str(left), right_text=str(right),
                           left_lines=(left.line or 0, left.end_line or 0),
                           right_lines=(right.line or 0, right.end_line or 0), line=meta.line,
                           column=meta.column, end_line=_end_line(meta, meta.line, self.source),
                           file=self.file)

    def _json(self, token: Token) -> Any:
        try:
            return json.loads(str(token), parse_float=Decimal)
        except json.JSONDecodeError as exc:
            line = (token.line or 1) + exc.lineno - 1
            column = exc.colno + ((token.column or 1) - 1 if exc.lineno == 1 else 0)
            raise MappingSyntaxError(Problem(self.file, line, column,
                                             f"invalid JSON in example: {exc.msg}",
                                             "syntax", self.source)) from None

    def via(self, meta: Any, children: list[Token]) -> tuple[str, Any]:
        return ("via", (str(children[0]), meta.column))

    def default(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        return ("default", children[0])

    def when(self, meta: Any, children: list[Any]) -> tuple[str, Any]:
        return ("when", children[0])

    def keep(self, meta: Any, _c: list[Any]) -> tuple[str, Any]:
        return ("keep", True)

    def let(self, meta: Any, children: list[Any]) -> ast.Let:
        name, _eq, expr = children
        return ast.Let(str(name), expr, line=meta.line, column=meta.column,
                       end_line=_end_line(meta, meta.line, self.source), file=self.file)

    def rule(self, meta: Any, children: list[Any]) -> ast.Rule:
        left, arrow, right, *mods = children
        options: dict[str, Any] = {}
        for name, value in mods:
            if name in options:
                raise MappingSyntaxError(Problem(
                    self.file, meta.line, meta.column,
                    f"`{name}` is written twice in this rule", "syntax", self.source))
            options[name] = value
        via = options.pop("via", None)
        return ast.Rule(left, str(arrow), right, via=via[0] if via else None,
                        via_column=via[1] if via else 0, line=meta.line, column=meta.column,
                        end_line=_end_line(meta, meta.line, self.source), file=self.file, **options)

    def start(self, meta: Any, children: list[Any]) -> ast.MappingFile:
        return ast.MappingFile(self.file, tuple(children), self.source)


def _unclosed_block(source: str, before: int | None = None) -> tuple[str, int] | None:
    """The innermost block left open at the end of the text (or before line `before`), as
    (keyword, line)."""
    stack: list[tuple[str, int]] = []
    for number, line in enumerate(source.splitlines(), start=1):
        if before is not None and number >= before:
            break
        word = line.split("#", 1)[0].strip().split(" ", 1)[0]
        if word in ("each", "table", "example"):
            stack.append((word, number))
        elif word == "end" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _acceptable(exc: UnexpectedToken) -> set[str]:
    """The terminals that could really come next (LALR lookaheads over-approximate)."""
    try:
        accepted = set(exc.interactive_parser.accepts())  # type: ignore[no-untyped-call]
    except Exception:  # pragma: no cover - older Lark without interactive parsers
        accepted = set()
    return accepted or set(exc.expected)


#: Arrows from other languages, and the one to write instead.
_FOREIGN_ARROWS = (("<=>", "<->"), ("=>", "->"), ("\u2192", "->"), ("\u2190", "<-"),
                   ("\u2194", "<->"), ("<==", "<-"), ("==>", "->"))


def _foreign_arrow(source: str, line: int, column: int) -> tuple[int, str, str] | None:
    """An arrow written the way other languages do, near where parsing stopped."""
    lines = source.splitlines()
    if not 0 < line <= len(lines):
        return None
    text = lines[line - 1]
    for written, meant in _FOREIGN_ARROWS:
        found = text.find(written, max(0, column - 4))
        if found >= 0 and found <= column:
            return found + 1, written, meant
    return None


def _syntax_error(exc: UnexpectedInput, file: str, source: str) -> MappingSyntaxError:
    line, column = exc.line, exc.column
    arrow = _foreign_arrow(source, line, column) if line and column else None
    if arrow is not None:
        at, written, meant = arrow
        return MappingSyntaxError(Problem(
            file, line, at, f"syntax error: `{written}` is not an arrow of the mapping "
            f"language; write `{meant}` (or `<->` both ways, `->` left to right, `<-` right "
            "to left)", "syntax", source))
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        expected = _expected_words(_acceptable(exc))
        if token.type == "$END":
            lines = source.splitlines() or [""]
            line, column = len(lines), len(lines[-1]) + 1
        elif token.type == "_NL":
            # Point just after the last character of the line, not at the next line.
            line = token.line or line
            column = token.column or column
        message = f"syntax error: unexpected {_found(token)}; expected {_join(expected)}"
        opened = _unclosed_block(source) if token.type == "$END" else None
        if opened is not None:
            message = (f"syntax error: unexpected end of file: the `{opened[0]}` block "
                       f"opened at line {opened[1]} has no `end`")
        table = _unclosed_block(source, line) if token.type not in ("$END", "_NL") else None
        if table is not None and table[0] == "table" and '"end"' in expected:
            message = (f"syntax error: unexpected {_found(token)}: the `table` block opened "
                       f"at line {table[1]} has no `end` (a table holds only entries: write "
                       f"`end` on the line before)")
        return MappingSyntaxError(Problem(file, line, column, message, "syntax", source),
                                  expected)
    if isinstance(exc, UnexpectedCharacters):
        char = exc.char
        hint = ""
        if char == '"':
            hint = " (a text in quotes must close on the same line)"
        elif char == "{":
            hint = " (JSON is only allowed after `left` or `right` in an example block)"
            opened = _unclosed_block(source)
            if opened is not None and opened[0] == "example":
                return MappingSyntaxError(Problem(
                    file, line, column, f"syntax error: the `example` block opened at line "
                    f"{opened[1]} has no `end` (write `end` on its own line after the "
                    "`right` document)", "syntax", source))
        # The lexer's list of allowed tokens over-approximates; the character is the news.
        message = f"syntax error: unexpected character {json.dumps(char)}{hint}"
        return MappingSyntaxError(Problem(file, line, column, message, "syntax", source))
    return MappingSyntaxError(Problem(file, max(line, 1), max(column, 1), "syntax error",
                                      "syntax", source))


#: Tree nodes of expressions: each one is a level of nesting.
_EXPRESSIONS = frozenset({"ifexpr", "or_", "and_", "not_", "compare", "arith", "neg", "call",
                          "let_expr"})
_NAME_PART = r"(?:[^\W\d]\w*+|`[^`\n]++`)"
#: A path of more names than the limit (looked for on long lines only, before Lark, whose
#: list building is quadratic in the length of one path).
_LONG_PATH = re.compile(r"(?<![\w`])" + _NAME_PART + r"(?:[ \t]*\.[ \t]*" + _NAME_PART + ")"
                        + f"{{{limits.MAX_PATH_PARTS}}}")


def _limit_error(file: str, source: str, line: int, column: int,
                 message: str) -> MappingSyntaxError:
    return MappingSyntaxError(Problem(file, line, column, message, "limit", source))


def _long_path_in_text(text: str, file: str) -> None:
    """Refuse a path beyond `MAX_PATH_PARTS` names on a long line before parsing."""
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) < 1000:
            continue
        found = _LONG_PATH.search(line)
        if found is not None and line[:found.start()].count('"') % 2 == 0:
            raise _limit_error(file, text, number, found.start() + 1, _path_message())


def _path_message() -> str:
    return (f"this path has more than {limits.MAX_PATH_PARTS} names (the limit: no document "
            f"nests deeper than {limits.MAX_DEPTH} levels)")


def _check_limits(tree: Tree[Token], file: str, source: str) -> None:
    """Refuse, at its line:col, what is nested beyond the limits of `passeur.limits`: every
    later pass (checker, compiler, generated Python) can then rely on a bounded depth.
    Walks the tree with its own stack, so the walk itself has no depth limit."""
    stack: list[tuple[Tree[Token], int, int, int]] = [(tree, 0, 0, 1)]
    while stack:
        node, depth, blocks, branches = stack.pop()
        meta = node.meta
        if node.data == "each":
            blocks += 1
            if blocks > limits.MAX_EACH_DEPTH:
                raise _limit_error(file, source, meta.line, meta.column,
                                   f"`each` blocks nest more than {limits.MAX_EACH_DEPTH} "
                                   "deep here (the limit); map the inner lists in a "
                                   "mapping of their own")
        elif node.data in _EXPRESSIONS:
            depth += 1
            if depth > limits.MAX_EXPRESSION_DEPTH:
                raise _limit_error(file, source, meta.line, meta.column,
                                   "this expression nests more than "
                                   f"{limits.MAX_EXPRESSION_DEPTH} levels deep (the limit); "
                                   "name a part of it with `let` and use the name")
        elif node.data == "path":
            names = [t for t in node.children if isinstance(t, Token)
                     and t.type in ("NAME", "QUOTED_NAME")]
            if len(names) > limits.MAX_PATH_PARTS:
                extra = names[limits.MAX_PATH_PARTS]
                raise _limit_error(file, source, extra.line or meta.line,
                                   extra.column or meta.column, _path_message())
        for index, child in enumerate(node.children):
            if not isinstance(child, Tree):
                continue
            if node.data == "ifexpr" and index == 2 and child.data == "ifexpr":
                # `else if`: the chain goes on at the same depth, one branch more
                if branches + 1 > limits.MAX_IF_BRANCHES:
                    raise _limit_error(file, source, child.meta.line, child.meta.column,
                                       f"this `if` has more than {limits.MAX_IF_BRANCHES} "
                                       "branches (the limit); translate the values through "
                                       "a `table`")
                stack.append((child, depth - 1, blocks, branches + 1))
            else:
                stack.append((child, depth, blocks, 1))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_lone_surrogate(text: str, file: str) -> None:
    """A Python string may hold a lone surrogate (U+D800-U+DFFF), which no file read as
    UTF-8 can: it is no character, could not be written or hashed, and is refused here,
    located, instead of failing later in a path or the compile cache (issue 12)."""
    found = _SURROGATE.search(text)
    if found is None:
        return
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    shown = _SURROGATE.sub("\ufffd", text)  # the source under the caret can be printed
    raise MappingSyntaxError(Problem(
        file, line, column, f"syntax error: U+{ord(found.group()):04X} is a lone surrogate, "
        "not a character (the text is not valid Unicode)", "syntax", shown))


def parse_text(text: str, file: str = "<text>") -> ast.MappingFile:
    """Parse mapping text; raises `MappingSyntaxError` with position and expected words."""
    # a BOM is no character of the text; names match whatever way an accent was typed (NFD
    # `é` from some editors is NFC `é` here, like the schemas' names)
    text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
    _refuse_lone_surrogate(text, file)
    source = text if text.endswith("\n") else text + "\n"
    _long_path_in_text(text, file)
    comments: list[tuple[int, str]] = []
    _collector.comments = comments
    try:
        tree = get_parser().parse(source)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, file, text) from None
    finally:
        _collector.comments = None
    _check_limits(tree, file, text)
    try:
        result: ast.MappingFile = _Builder(file, text).transform(tree)
        result = bind_lets(attrs.evolve(result, comments=tuple(comments)))
    except VisitError as exc:
        if isinstance(exc.orig_exc, MappingSyntaxError):
            raise exc.orig_exc from None
        if isinstance(exc.orig_exc, ValueError):  # a quoted text json cannot read (a control
            meta = getattr(exc.obj, "meta", None)  # character inside it...): the user's typo
            line = getattr(meta, "line", 1) or 1
            column = getattr(meta, "column", 1) or 1
            message = str(exc.orig_exc).split(": line ")[0].lower()
            raise MappingSyntaxError(Problem(file, line, column, f"syntax error: {message}",
                                             "syntax", text)) from None
        raise
    return result


def parse_file(path: str | FsPath) -> ast.MappingFile:
    """Parse a mapping file (UTF-8, a BOM accepted); the file name in messages is the path
    as given."""
    text = FsPath(path).read_text(encoding="utf-8-sig")
    return parse_text(text, str(path))
