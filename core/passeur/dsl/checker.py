"""Static checks of mapping files before any document moves (`passeur check`).

Everything that can be known without a document is checked here, against the schemas the
systems declare: paths, function calls and their argument types, tables used both ways,
required target fields left unmapped, writes to read-only fields, directions a system cannot
be read or written in. Then the compiler runs and every `example` block is run both ways.
Every problem is collected (never only the first), each at file:line:col with a caret.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path as FsPath
from typing import Any

import attrs

from passeur.canonical import CANONICAL
from passeur.dsl import ast
from passeur.dsl.checker_examples import PipelineFactory, run_examples
from passeur.dsl.checker_types import (
    ExprTyper,
    Side,
    article,
    quiet_resolve,
    type_of_field,
)
from passeur.dsl.coverage import DirectionCoverage, measure
from passeur.dsl.functions import MappingFunction, type_accepts
from passeur.dsl.problems import Problem, caret_lines
from passeur.errors import MappingError, PasseurError, UnknownDocumentTypeError
from passeur.issues import Level
from passeur.plugins import Registry
from passeur.schema import FieldSpec, FieldType
from passeur.suggest import suggest

__all__ = ["FileReport", "Finding", "check_file", "check_paths", "check_text"]

DIRECTIONS = ("forward", "backward")


@attrs.frozen
class Finding:
    """One problem `passeur check` reports: where (with a caret), how bad, and details."""

    problem: Problem
    level: Level = Level.ERROR
    detail: str = ""

    def render(self) -> str:
        head = f"{self.problem.position}: {self.level}: {self.problem.message}"
        caret = caret_lines(self.problem.source, self.problem.line, self.problem.column)
        extra = "".join(f"\n    {line}" for line in self.detail.splitlines())
        return head + caret + extra

    def as_json(self) -> dict[str, Any]:
        p = self.problem
        return {"file": p.file, "line": p.line, "column": p.column, "level": str(self.level),
                "code": p.code, "message": p.message, "detail": self.detail}


@attrs.define
class FileReport:
    """The outcome of checking one mapping file."""

    file: str
    findings: list[Finding] = attrs.field(factory=list)
    rules: int = 0
    examples: int = 0
    examples_failed: int = 0
    coverage: list[DirectionCoverage] = attrs.field(factory=list)
    extends: bool = False  # a layer: its coverage is what it may remove from its base
    layer: list[str] = attrs.field(factory=list)  # that, as `check --coverage` lines

    @property
    def ok(self) -> bool:
        return not any(f.level >= Level.ERROR for f in self.findings)

    def as_json(self, coverage: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file": self.file, "ok": self.ok, "rules": self.rules, "examples": self.examples,
            "examples_failed": self.examples_failed,
            "problems": [f.as_json() for f in self.findings]}
        if coverage:
            data["coverage"] = [c.as_json() for c in self.coverage]
            if self.extends:
                data["layer"] = self.layer
        return data


_ROUNDING = frozenset({"round", "money", "decimal", "integer"})


def _unrounded_division(expr: ast.Expr) -> ast.Arith | None:
    """A `/` whose quotient reaches the written value without a rounding function (its
    digits would be the 200 of the exact context); conditions compute no written value."""
    if isinstance(expr, ast.Arith):
        if expr.op == "/":
            return expr
        return _unrounded_division(expr.left) or _unrounded_division(expr.right)
    if isinstance(expr, ast.Neg):
        return _unrounded_division(expr.operand)
    if isinstance(expr, ast.If):
        return _unrounded_division(expr.then) or _unrounded_division(expr.otherwise)
    if isinstance(expr, ast.Call) and expr.name not in _ROUNDING:
        if expr.name in ast.AGGREGATES:
            return _unrounded_division(expr.args[-1]) if expr.args else None
        return next((d for a in expr.args if (d := _unrounded_division(a)) is not None), None)
    return None


class _FileChecker(ExprTyper):
    """Checks one parsed file; findings accumulate in `report`."""

    def __init__(self, tree: ast.MappingFile, registry: Registry, report: FileReport) -> None:
        self.tree = tree
        self.registry = registry
        self.report = report
        self.functions: dict[str, MappingFunction] = dict(registry.functions)
        self.tables: dict[str, ast.Table] = {}
        self.sides: dict[str, Side] = {}
        self.sources: dict[str, str] = {tree.file: tree.source}
        self.seen: set[Problem] = set()
        self._lens = False  # typing one side of a `<->` rule
        self._blocks: tuple[ast.Each, ...] = ()  # the blocks around the rule being checked
        self._in_item = False  # typing a group aggregate's argument (it reads one item)

    # -- reporting ---------------------------------------------------------------------------

    def add(self, file: str, line: int, column: int, message: str, code: str,
            level: Level = Level.ERROR, detail: str = "") -> None:
        problem = Problem(file or self.tree.file, line, column, message, code,
                          self.sources.get(file or self.tree.file, self.tree.source))
        if problem not in self.seen:  # a table shared by several rules is reported once
            self.seen.add(problem)
            self.report.findings.append(Finding(problem, level, detail))

    # -- the passes --------------------------------------------------------------------------

    def run(self) -> list[ast.RuleInScope]:
        root = set() if self.tree.file.startswith("<") else {
            str(FsPath(self.tree.file).resolve())}
        statements = self._expand(self.tree, root)
        for table in (s for s in statements if isinstance(s, ast.Table)):
            if table.name in self.tables:
                self.add(table.file, table.line, table.column,
                         f"table `{table.name}` is defined twice", "table")
            self.tables[table.name] = table
        header = self.tree.header
        if header is not None:
            self._resolve_header(header)
        rules = list(ast.iter_rules(tuple(statements)))
        self.report.rules = len(rules)
        self._check_blocks(tuple(statements), ())
        self._check_drops(tuple(statements), ())
        for scoped in rules:
            self._check_rule(scoped)
        self._unused_lets(tuple(statements), rules)
        if len(self.sides) == 2:
            self._check_targets(rules)
            self._check_capabilities(rules)
            for example in self.tree.examples:
                self._check_example_keys(example)
            self.report.extends = self.tree.extends
            if not self.tree.extends:  # the route carries what this file does not say
                self._coverage(rules, tuple(statements))
        return rules

    def _expand(self, tree: ast.MappingFile, seen: set[str]) -> list[ast.Statement]:
        """The file's statements with included libraries spliced in (tables and rules)."""
        from passeur.dsl.lets import bind_library_lets, top_lets

        out: list[ast.Statement] = []
        statements = list(tree.statements)
        library: dict[str, ast.Let] = {}  # the `let`s of the libraries included so far
        for index, statement in enumerate(statements):
            if not isinstance(statement, ast.Include):
                out.append(statement)
                continue
            target = FsPath(tree.file).parent / statement.path
            key = str(target.resolve())
            if key in seen:
                continue  # cycles are the compiler's to report
            try:
                from passeur.dsl.parser import parse_file

                included = parse_file(target)
            except OSError:
                self.add(tree.file, statement.line, statement.column,
                         f'included file "{statement.path}" not found', "include")
                continue
            except UnicodeDecodeError:
                self.add(tree.file, statement.line, statement.column,
                         f'included file "{statement.path}" is not UTF-8 text', "include")
                continue
            except MappingError as exc:
                for problem in getattr(exc, "problems", ()):
                    self.report.findings.append(Finding(problem))
                continue
            self.sources[included.file] = included.source
            expanded = self._expand(included, seen | {key})
            given = top_lets(expanded)
            if given:  # the rules after the include see the library's `let`s
                library.update(given)
                statements[index + 1:] = bind_library_lets(tree, statements[index + 1:],
                                                           library)
            out.extend(s for s in expanded
                       if isinstance(s, (ast.Table, ast.Rule, ast.Each, ast.Drop)))
        return out

    def _unused_lets(self, statements: tuple[ast.Statement, ...],
                     rules: list[ast.RuleInScope]) -> None:
        """A `let` no rule reads is a warning (a typo in a name reads a field instead)."""
        from passeur.dsl.lets import let_refs

        used: set[int] = set()
        for scoped in rules:
            rule = scoped.rule
            for expr in (rule.left, rule.right, rule.default, rule.when):
                used.update(id(ref.let) for ref in let_refs(expr))
        stack = list(statements)
        while stack:
            statement = stack.pop()
            if isinstance(statement, ast.Each):
                stack.extend(statement.body)
                used.update(id(ref.let) for ref in let_refs(statement.where))
            elif isinstance(statement, ast.Let) and id(statement) not in used:
                self.add(statement.file, statement.line, statement.column,
                         f"`let {statement.name}` is never read", "let", Level.WARNING)

    def _resolve_header(self, header: ast.Header) -> None:
        for name, ref in (("left", header.left), ("right", header.right)):
            try:
                spec, variant = self.registry.resolve(ref.system)
                doctype = self.registry.document_type(ref.system, ref.doctype)
            except UnknownDocumentTypeError as exc:  # the caret goes under the doctype
                self.add(self.tree.file, ref.line, ref.column + len(ref.system) + 1, str(exc),
                         "header")
                continue
            except PasseurError as exc:
                self.add(self.tree.file, ref.line, ref.column, str(exc), "header")
                continue
            self.sides[name] = Side(ref.text, doctype, variant, spec.name == CANONICAL)

    # -- paths -------------------------------------------------------------------------------

    def resolve(self, side_name: str, prefix: tuple[str, ...], path: ast.Path,
                file: str = "") -> FieldSpec | None:
        """The field a path names, or None after reporting why it names none."""
        side = self.sides.get(side_name)
        if side is None:
            return None
        parts = (*prefix, *path.parts)
        specs = side.fields
        found: FieldSpec | None = None
        for index, part in enumerate(parts):
            if found is not None and found.type is FieldType.ANY:
                return found  # free-form: anything below is accepted
            if found is not None and not found.fields:
                if index >= len(prefix):
                    self.add(file, path.line, self._column(path, index - len(prefix)),
                             f"field `{'.'.join(parts[:index])}` of {side.label} is "
                             f"{article(found.type.value)} {found.type.value} and has no "
                             f"field `{part}`", "path")
                return None
            found = next((s for s in specs if s.name == part), None)
            if found is None and index == len(prefix) == 0 and len(parts) == 1 \
                    and part in self.tables:
                self.add(file, path.line, path.column,
                         f"`{part}` is a table, not a field; translate a value through it "
                         f"with `via {part}` at the end of the rule", "table")
                return None
            if found is None:
                if index >= len(prefix):  # an unknown block path is reported on the block
                    inside = f" (inside `{'.'.join(parts[:index])}`)" if index else ""
                    best = suggest(part, [s.name for s in specs])
                    hint = f"; did you mean `{best}`?" if best else ""
                    self.add(file, path.line, self._column(path, index - len(prefix)),
                             f"unknown field `{part}` in {side.label}{inside}{hint}", "path")
                return None
            specs = found.fields
        return found

    def _column(self, path: ast.Path, index: int) -> int:
        """The column of part `index` of a path (names in backquotes count their quotes)."""
        source = self.sources.get(self.tree.file, "")
        offset = sum(len(p) + 1 for p in path.parts[:index]) + len(path.text) - len(
            ".".join(path.parts))  # after `^.` or `$.`
        lines = source.splitlines()
        if 0 < path.line <= len(lines):
            text = lines[path.line - 1]
            start = path.column - 1
            if text[start + offset:].startswith(path.parts[index]):
                return path.column + offset
        return path.column

    def _check_blocks(self, statements: tuple[ast.Statement, ...],
                      blocks: tuple[ast.Each, ...]) -> None:
        for statement in statements:
            if not isinstance(statement, ast.Each):
                continue
            left_prefix = tuple(p for b in blocks for p in b.left.parts)
            right_prefix = tuple(p for b in blocks for p in b.right.parts)
            for side_name, prefix, path in (("left", left_prefix, statement.left),
                                            ("right", right_prefix, statement.right)):
                spec = self.resolve(side_name, prefix, path)
                if spec is not None and spec.type not in (FieldType.LIST, FieldType.ANY):
                    self.add("", path.line, path.column,
                             f"`{statement.word}` needs a list, but `{path.text}` of "
                             f"{self.sides[side_name].label} is "
                             f"{article(spec.type.value)} {spec.type.value}", "each")
            if statement.key is not None:
                inner_left = (*left_prefix, *statement.left.parts)
                inner_right = (*right_prefix, *statement.right.parts)
                self.resolve("left", inner_left, statement.key[0])
                self.resolve("right", inner_right, statement.key[1])
            if statement.group_by is not None:  # read on each item of the list read
                read_side = "right" if statement.arrow == ast.BACKWARD else "left"
                inner = (*(left_prefix if read_side == "left" else right_prefix),
                         *(statement.left if read_side == "left" else statement.right).parts)
                for path in statement.group_by:
                    self.resolve(read_side, inner, path)
            if statement.where is not None:  # read on each item read (left but in `group <-`)
                self._blocks = (*blocks, statement)
                backward = statement.group_by is not None and statement.arrow == ast.BACKWARD
                self._type_of(statement.where, "right" if backward else "left",
                              (*right_prefix, *statement.right.parts) if backward
                              else (*left_prefix, *statement.left.parts), "")
            self._check_blocks(statement.body, (*blocks, statement))

    def _check_drops(self, statements: tuple[ast.Statement, ...],
                     blocks: tuple[ast.Each, ...]) -> None:
        """`drop PATH` names a field of the side it removes from (right for `->`)."""
        for statement in statements:
            if isinstance(statement, ast.Each):
                self._check_drops(statement.body, (*blocks, statement))
            elif isinstance(statement, ast.Drop):
                side = "right" if statement.direction == "forward" else "left"
                prefix = tuple(p for b in blocks
                               for p in (b.right if side == "right" else b.left).parts)
                self.resolve(side, prefix, statement.path, statement.file)

    # -- rules -------------------------------------------------------------------------------

    def _check_rule(self, scoped: ast.RuleInScope) -> None:
        rule = scoped.rule
        self._blocks = scoped.blocks
        prefixes = {"left": scoped.left_prefix, "right": scoped.right_prefix}
        sources = {"left": rule.left, "right": rule.right}
        self._lens = rule.arrow == ast.BOTH
        try:
            kinds = {side_name: self._type_of(expr, side_name, prefixes[side_name], rule.file)
                     for side_name, expr in sources.items()}
        finally:
            self._lens = False
        if rule.keys:
            self._check_objects(scoped)
        extra_side = "right" if rule.arrow == ast.BACKWARD else "left"
        for extra in (rule.default, rule.when):
            if extra is not None:
                self._type_of(extra, extra_side, prefixes[extra_side], rule.file)
        if rule.via is not None:
            self._check_table(scoped)
        if rule.arrow != ast.BOTH:
            written = rule.left if rule.arrow == ast.FORWARD else rule.right
            for expr in (written, rule.default):
                division = _unrounded_division(expr) if expr is not None else None
                if division is not None:
                    self.add(rule.file, division.line, division.column,
                             "this division is written with all its digits (1 / 3 gives "
                             "200 of them); round it: `round(..., 2)` or `money(...)`",
                             "division", Level.WARNING)
        for direction in scoped.directions:
            self._check_read_only(scoped, direction)
            self._check_enum_values(scoped, direction)
            if rule.via is None:
                self._check_written_type(scoped, direction, kinds)

    def _check_objects(self, scoped: ast.RuleInScope) -> None:
        """`each key, value in L <-> R`: both sides name objects (or free-form fields)."""
        for side_name, path, prefix in (("left", scoped.rule.left, scoped.left_prefix),
                                        ("right", scoped.rule.right, scoped.right_prefix)):
            side = self.sides.get(side_name)
            if side is None or not isinstance(path, ast.Path) or path.scoped:
                continue
            spec = quiet_resolve(side.fields, (*prefix, *path.parts))
            if spec is not None and spec.type not in (FieldType.OBJECT, FieldType.ANY):
                self.add(scoped.rule.file, path.line, path.column,
                         f"`each key, value in` needs an object, but `{path.text}` of "
                         f"{side.label} is {article(spec.type.value)} {spec.type.value}",
                         "keys")

    def _check_written_type(self, scoped: ast.RuleInScope, direction: str,
                            kinds: dict[str, str]) -> None:
        """A value whose type is certain (a function's result, a literal, arithmetic) must
        fit the canonical field it is written to. Systems' own fields are not checked: on
        the wire, amounts and dates often travel as text."""
        rule = scoped.rule
        source_side, target_side = (("left", "right") if direction == "forward"
                                    else ("right", "left"))
        source = rule.left if source_side == "left" else rule.right
        target = rule.right if target_side == "right" else rule.left
        side = self.sides.get(target_side)
        if side is None or not side.canonical or not isinstance(target, ast.Path):
            return
        if not isinstance(source, (ast.Call, ast.LiteralValue, ast.Arith, ast.Neg)):
            return
        if isinstance(source, ast.LiteralValue) and source.value is None:
            return
        prefix = scoped.left_prefix if target_side == "left" else scoped.right_prefix
        spec = quiet_resolve(side.fields, (*prefix, *target.parts))
        if spec is None:
            return
        wanted, given = type_of_field(spec, side), kinds[source_side]
        if not type_accepts(wanted, given):
            self.add(rule.file, source.line, source.column,
                     f"this gives {article(given)} {given}, but `{target.text}` of "
                     f"{side.label} holds {article(wanted)} {wanted}", "type")

    def _check_table(self, scoped: ast.RuleInScope) -> None:
        rule = scoped.rule
        column = rule.via_column or rule.column
        table = self.tables.get(rule.via or "")
        if table is None:
            best = suggest(rule.via or "", list(self.tables))
            hint = f"; did you mean `{best}`?" if best else ""
            self.add(rule.file, rule.line, column, f"unknown table `{rule.via}`{hint}", "table")
            return
        if rule.arrow == ast.BOTH and len(scoped.directions) == 2 and not rule.keep \
                and not rule.keys:  # the compiler says why renamed keys cannot go back
            problem = table.one_to_one_problem()
            if problem is not None:
                self.add(rule.file, rule.line, column,
                         f"table `{table.name}` is used both ways but is not one-to-one: "
                         f"{problem}; add `keep` or write two one-way rules", "table")

    # -- targets -----------------------------------------------------------------------------

    def _targets(self, scoped: ast.RuleInScope, direction: str) -> list[tuple[str, ast.Path]]:
        rule = scoped.rule
        if direction == "forward":
            return [("right", p) for p in ast.iter_paths(rule.right)]
        return [("left", p) for p in ast.iter_paths(rule.left)]

    def _check_enum_values(self, scoped: ast.RuleInScope, direction: str) -> None:
        """Values a rule can only ever write (literals, table results) must be among those
        an enum field allows: "invoce" for `kind` is caught here, not by the target system."""
        rule = scoped.rule
        targets = self._targets(scoped, direction)
        if len(targets) != 1 or rule.keys:
            return
        side_name, path = targets[0]
        side = self.sides.get(side_name)
        if side is None:
            return
        prefix = scoped.left_prefix if side_name == "left" else scoped.right_prefix
        spec = quiet_resolve(side.fields, (*prefix, *path.parts))
        if spec is None or spec.type is not FieldType.ENUM or not spec.allowed:
            return
        source = rule.left if direction == "forward" else rule.right
        written: list[tuple[Any, str, int, int]] = []
        if rule.via is not None and rule.via in self.tables:
            table = self.tables[rule.via]
            for entry in table.entries:
                if direction not in ast.directions(entry.arrow):
                    continue
                literal = entry.right if direction == "forward" else entry.left
                if literal is not None:
                    written.append((literal.value, table.file, literal.line, literal.column))
        elif isinstance(source, ast.LiteralValue):
            written.append((source.value, rule.file, source.line, source.column))
        for value, file, line, column in written:
            if isinstance(value, str) and value not in spec.allowed:
                best = suggest(value, spec.allowed)
                hint = f'; did you mean "{best}"?' if best else ""
                self.add(file, line, column,
                         f'"{value}" is not allowed in `{".".join((*prefix, *path.parts))}` '
                         f"of {side.label}{hint} (allowed: {', '.join(spec.allowed)})",
                         "enum")

    def _check_read_only(self, scoped: ast.RuleInScope, direction: str) -> None:
        for side_name, path in self._targets(scoped, direction):
            side = self.sides.get(side_name)
            if side is None:
                continue
            prefix = scoped.left_prefix if side_name == "left" else scoped.right_prefix
            spec = quiet_resolve(side.fields, (*prefix, *path.parts))
            if spec is not None and spec.read_only:
                hint = ""
                if scoped.rule.arrow == ast.BOTH:
                    hint = "; write `->`" if direction == "backward" else "; write `<-`"
                    hint += " instead of `<->`"
                self.add(scoped.rule.file, path.line, path.column,
                         f"field `{'.'.join((*prefix, *path.parts))}` of {side.label} is "
                         f"read-only and cannot be written {direction}{hint}", "read-only")

    def _check_targets(self, rules: list[ast.RuleInScope]) -> None:
        if self.tree.extends:
            return  # the composed route writes what this file does not
        header = self.tree.header
        assert header is not None
        for direction in DIRECTIONS:
            target_name = "right" if direction == "forward" else "left"
            side = self.sides[target_name]
            ref = header.right if direction == "forward" else header.left
            written = set(self._written(rules, direction))
            for missing in _unwritten(side.fields, written, side.variant, ()):
                self.add(self.tree.file, ref.line, ref.column,
                         f"required field `{missing}` of {side.label} is never written "
                         f"{direction} (no rule writes it)", "required")

    def _written(self, rules: list[ast.RuleInScope],
                 direction: str) -> Iterator[tuple[str, ...]]:
        for scoped in rules:
            if direction not in scoped.directions:
                continue
            for side_name, path in self._targets(scoped, direction):
                prefix = scoped.left_prefix if side_name == "left" else scoped.right_prefix
                yield (*prefix, *path.parts)

    def _check_capabilities(self, rules: list[ast.RuleInScope]) -> None:
        header = self.tree.header
        assert header is not None
        for direction in DIRECTIONS:
            if not any(direction in r.directions for r in rules):
                continue
            source, target = (("left", "right") if direction == "forward"
                              else ("right", "left"))
            for role, side_name in (("read", source), ("written", target)):
                side = self.sides[side_name]
                if side.canonical or _can(side, role):
                    continue
                ref = header.left if side_name == "left" else header.right
                variant = f" ({side.variant})" if side.variant else ""
                self.add(self.tree.file, ref.line, ref.column,
                         f"{side.label}{variant} cannot be {role}, yet rules run "
                         f"{direction}", "capability", Level.WARNING)

    # -- coverage ----------------------------------------------------------------------------

    def _check_example_keys(self, example: ast.Example) -> None:
        """Keys of an example's documents that the side's schema does not know: the example
        would document a field that does not exist (a warning: real payloads carry extras)."""
        lines = self.tree.source.splitlines()
        for side_name, document in (("left", example.left), ("right", example.right)):
            side = self.sides[side_name]
            for key, known in _unknown_keys(document, side.fields):
                line, column = _find_key(lines, example.line, example.end_line, key)
                best = suggest(key, known)
                hint = f"; did you mean `{best}`?" if best else ""
                self.add(example.file, line, column,
                         f'example "{example.name}": {side.label} has no field `{key}`{hint}',
                         "example-field", Level.WARNING)

    def _coverage(self, rules: list[ast.RuleInScope],
                  statements: tuple[ast.Statement, ...]) -> None:
        for direction in DIRECTIONS:
            source, target = (("left", "right") if direction == "forward"
                              else ("right", "left"))
            read: list[tuple[str, ...]] = []
            for scoped in rules:
                if direction not in scoped.directions:
                    continue
                prefix = scoped.left_prefix if source == "left" else scoped.right_prefix
                read.extend((*prefix, *p.parts) for p in scoped.sides()[source])
            read.extend(_block_keys(statements, (), source))
            fields = self.sides[source].fields
            read = [r for r in read if not _is_list(fields, r)]
            self.report.coverage.append(measure(direction, self.sides[source].label,
                                                self.sides[target].label, fields, read))


def _is_list(fields: tuple[FieldSpec, ...], parts: tuple[str, ...]) -> bool:
    spec = quiet_resolve(fields, parts)
    return spec is not None and spec.type is FieldType.LIST


def _block_keys(statements: tuple[ast.Statement, ...], prefix: tuple[str, ...],
                side: str) -> Iterator[tuple[str, ...]]:
    for statement in statements:
        if isinstance(statement, ast.Each):
            inner = (*prefix, *(statement.left if side == "left" else statement.right).parts)
            if statement.key is not None:
                key = statement.key[0 if side == "left" else 1]
                yield (*inner, *key.parts)
            yield from _block_keys(statement.body, inner, side)


def _unwritten(fields: Iterable[FieldSpec], written: set[tuple[str, ...]], variant: str | None,
               prefix: tuple[str, ...]) -> Iterator[str]:
    """Required fields no rule writes; the children of a field are checked only when the
    field itself is written (an optional object left out entirely is fine)."""
    for spec in fields:
        parts = (*prefix, spec.name)
        touched = any(w[:len(parts)] == parts for w in written)
        if spec.is_required(variant) and not spec.read_only and not touched:
            yield ".".join(parts)
        elif touched and spec.fields and not any(w == parts for w in written):
            yield from _unwritten(spec.fields, written, variant, parts)


def _unknown_keys(document: Any, fields: tuple[FieldSpec, ...]
                  ) -> Iterator[tuple[str, list[str]]]:
    """(key, known names) for each key of a document its schema does not declare."""
    if not isinstance(document, dict):
        return
    by_name = {spec.name: spec for spec in fields}
    for key, value in document.items():
        spec = by_name.get(key)
        if spec is None:
            yield key, list(by_name)
        elif spec.type is FieldType.ANY or not spec.fields:
            continue
        elif isinstance(value, list):
            for item in value:
                yield from _unknown_keys(item, spec.fields)
        else:
            yield from _unknown_keys(value, spec.fields)


def _find_key(lines: list[str], first: int, last: int, key: str) -> tuple[int, int]:
    """Where `"key":` is written inside an example block (the block's start if nowhere)."""
    quoted = f'"{key}"'
    for number in range(first, min(max(last, first), len(lines)) + 1):
        column = lines[number - 1].find(quoted)
        if column >= 0:
            return number, column + 1
    return first, 1


def _can(side: Side, role: str) -> bool:
    doctype = side.doctype
    if side.variant is None and doctype.variant_capabilities:
        options = list(doctype.variant_capabilities.values())
    else:
        options = [doctype.capabilities_for(side.variant)]
    if role == "read":
        return any(c.list or c.get for c in options)
    return any(c.create or c.update for c in options)


# -- entry points ------------------------------------------------------------------------


def check_text(text: str, file: str, registry: Registry, *, run: bool = True,
               pipeline: PipelineFactory | None = None) -> FileReport:
    """Check mapping text; `run=False` skips compiling and running the examples. A pair
    mapping's examples run through `pipeline` (convert's: use passeur.checking, which gives
    it), else through the mapping alone."""
    from passeur.dsl.parser import parse_text

    report = FileReport(file)
    try:
        tree = parse_text(text, file)
    except MappingError as exc:
        report.findings.extend(Finding(p) for p in getattr(exc, "problems", ()))
        if not report.findings:
            report.findings.append(Finding(Problem(file, 1, 1, str(exc), "syntax", text)))
        return report
    checker = _FileChecker(tree, registry, report)
    checker.run()
    if run and tree.header is not None:
        outcome = run_examples(tree, text, file, registry,
                               [f.problem for f in report.findings], pipeline)
        report.findings.extend(Finding(p, level, detail)
                               for p, level, detail in outcome.problems)
        report.examples, report.examples_failed = outcome.run, outcome.failed
        if getattr(outcome.compiled, "base", None):
            _layer_findings(report, outcome.compiled, text)
    report.findings.sort(key=lambda f: (f.problem.file != file, f.problem.file,
                                        f.problem.line, f.problem.column))
    return report


def _layer_findings(report: FileReport, compiled: Any, text: str) -> None:
    """What each rule of a layer overrides in its base, and what the layer may remove."""
    from passeur.dsl.layers import layer_report

    layer = layer_report(compiled)
    for position, level, message in layer.notes:
        report.findings.append(Finding(Problem(position.file, position.line, position.column,
                                               message, "layer", text), level))
    report.layer = layer.coverage_lines()


def check_file(path: str | FsPath, registry: Registry, *, run: bool = True,
               pipeline: PipelineFactory | None = None) -> FileReport:
    """Check one mapping file (the file name in messages is the path as given)."""
    from passeur.dsl.loader import not_utf8

    data = FsPath(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report = FileReport(str(path))
        report.findings.append(Finding(not_utf8(str(path), data, exc)))
        return report
    return check_text(text, str(path), registry, run=run, pipeline=pipeline)


def check_paths(paths: Iterable[str | FsPath], registry: Registry, *,
                pipeline: PipelineFactory | None = None) -> list[FileReport]:
    """Check files and every `*.map` file under directories, in a stable order."""
    files: list[FsPath] = []
    for raw in paths:
        path = FsPath(raw)
        files.extend(sorted(path.rglob("*.map")) if path.is_dir() else [path])
    return [check_file(p, registry, pipeline=pipeline) for p in files]
