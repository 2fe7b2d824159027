"""AST -> checked IR: names resolved (functions, tables), arrows checked, lenses decomposed.

Every problem is collected as a `Problem` (never raised one at a time), so `passeur check` can
report all of them in one run. The IR is what the code generator reads; it keeps the AST nodes
so every generated statement can point back at its line and column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from passeur.dsl import ast
from passeur.dsl.lets import let_refs
from passeur.dsl.printer import expr_text, rule_text
from passeur.dsl.problems import Problem
from passeur.suggest import did_you_mean

__all__ = ["IRBlock", "IRDrop", "IRLet", "IRMapping", "IRRule", "LensStep", "analyze"]


@attrs.frozen
class LensStep:
    """One invertible function around a lens path: fn(inner, *args)."""

    call: ast.Call
    function: Any  # MappingFunction
    inverse: Any | None  # MappingFunction, or None under `keep` (write back as is)
    args: tuple[ast.Expr, ...]
    #: a part of its field (`before`, `after`): written back with the function's `put`
    #: over the field's current value
    part: bool = False


@attrs.frozen
class Lens:
    """A path wrapped in invertible functions; steps are innermost first."""

    path: ast.Path
    steps: tuple[LensStep, ...]


@attrs.frozen
class IRRule:
    index: int
    rule: ast.Rule
    blocks: tuple[ast.Each, ...]
    directions: frozenset[str]
    table: ast.Table | None = None
    left_lens: Lens | None = None  # for <-> rules
    right_lens: Lens | None = None
    #: `each key, value in ... as EXPR`: the renaming, a lens over the name `key`
    rename: Lens | None = attrs.field(default=None, kw_only=True)

    @property
    def position(self) -> tuple[str, int, int]:
        return (self.rule.file, self.rule.line, self.rule.column)


@attrs.define(eq=False)
class IRLet:
    """A `let` of one scope: computed at the start of the scope, in the directions whose
    rules read it (forward when left-side rules read it, backward for right-side ones)."""

    index: int
    let: ast.Let
    directions: set[str] = attrs.field(factory=set)


@attrs.frozen
class IRBlock:
    index: int  # its entry in the rule table (for errors about the lists themselves)
    each: ast.Each
    blocks: tuple[ast.Each, ...]
    directions: frozenset[str]
    body: tuple[IRRule | IRBlock, ...]
    file: str
    lets: tuple[IRLet, ...] = ()


@attrs.frozen
class IRDrop:
    """`drop PATH` in a layer: the base's writes at PATH are removed (see passeur.dsl.layers)."""

    index: int
    drop: ast.Drop
    blocks: tuple[ast.Each, ...]
    directions: frozenset[str]


@attrs.define
class IRMapping:
    """A checked mapping: items in file order and everything they refer to."""

    items: list[IRRule | IRBlock]
    tables: dict[str, ast.Table]
    functions: dict[str, Any]
    #: (file, line, column, text) per rule or block index, for messages and explain.
    rules: list[tuple[str, int, int, str]]
    problems: list[Problem]
    #: `drop` statements (a layer's removals), with the blocks around them.
    drops: list[IRDrop] = attrs.field(factory=list)
    #: the top-level `let`s (a block's own are in `IRBlock.lets`)
    lets: list[IRLet] = attrs.field(factory=list)


class _Analyzer:
    def __init__(self, files: list[ast.MappingFile], functions: Mapping[str, Any]) -> None:
        self.files = files
        self.sources = {f.file: f.source for f in files}
        self.registry_functions = functions
        self.problems: list[Problem] = []
        self.tables: dict[str, ast.Table] = {}
        self.used_functions: dict[str, Any] = {}
        self.rules: list[tuple[str, int, int, str]] = []
        self.drops: list[IRDrop] = []
        self.lets: dict[int, IRLet] = {}  # by id of the ast.Let
        self.scope_lets: list[list[IRLet]] = [[]]
        self.in_group = False  # checking the rules of a `group` block

    def problem(self, file: str, node: Any, message: str, code: str = "mapping",
                column: int | None = None) -> None:
        self.problems.append(Problem(file, node.line, column or node.column, message, code,
                                     self.sources.get(file)))

    # -------------------------------------------------------------- names

    def collect_tables(self, statements: list[tuple[str, ast.Statement]]) -> None:
        for file, statement in statements:
            if not isinstance(statement, ast.Table):
                continue
            if statement.name in self.tables:
                first = self.tables[statement.name]
                self.problem(file, statement, f"table {statement.name} is already defined at "
                             f"{first.file}:{first.line}:{first.column}", "duplicate-table")
                continue
            self.tables[statement.name] = statement
            self.check_table(file, statement)

    def check_table(self, file: str, table: ast.Table) -> None:
        seen: dict[str, ast.TableEntry] = {}
        sources: dict[tuple[str, Any], ast.TableEntry] = {}
        for entry in table.entries:
            for direction in sorted(ast.directions(entry.arrow)):
                if entry.is_fallback:
                    break
                literal = entry.left if direction == "forward" else entry.right
                assert literal is not None
                key = (direction, (type(literal.value).__name__, literal.value))
                first = sources.get(key)
                if first is not None:
                    self.problem(file, entry, f"table {table.name} already translates "
                                 f"{expr_text(literal)} {direction} at line {first.line}; "
                                 "remove one of the two entries", "duplicate-entry")
                    break
                sources[key] = entry
            if entry.is_fallback:
                if entry.arrow == ast.BOTH:
                    self.problem(file, entry, "`else <->` cannot work both ways; write "
                                 "`else -> VALUE` and `else <- VALUE`", "table")
                elif entry.arrow in seen:
                    self.problem(file, entry, f"table {table.name} already has an "
                                 f"`else {entry.arrow}` fallback", "table")
                seen[entry.arrow] = entry

    def function(self, file: str, call: ast.Call) -> Any | None:
        found = self.registry_functions.get(call.name)
        if found is None:
            known = list(self.registry_functions) + sorted(ast.AGGREGATES)
            self.problem(file, call, f"unknown function `{call.name}`"
                         f"{did_you_mean(call.name, known)}", "unknown-function")
            return None
        arity = getattr(found, "arity_problem", None)
        message = arity(len(call.args)) if arity is not None else None
        if message:
            self.problem(file, call, message, "arity")
        self.used_functions[call.name] = found
        return found

    def check_expr(self, file: str, expr: ast.Expr) -> None:
        """Resolve the functions an expression calls; aggregates have their own shape."""
        if isinstance(expr, ast.Call):
            if expr.name in ast.AGGREGATES and self.in_group:
                self.group_aggregate(file, expr)
                self.in_group = False  # its argument reads one item
                try:
                    for arg in expr.args:
                        self.check_expr(file, arg)
                finally:
                    self.in_group = True
                return
            if expr.name in ast.AGGREGATES:
                self.check_aggregate(file, expr)
            else:
                self.function(file, expr)
            for arg in expr.args:
                self.check_expr(file, arg)
        elif isinstance(expr, (ast.Arith, ast.Compare, ast.BoolOp)):
            self.check_expr(file, expr.left)
            self.check_expr(file, expr.right)
        elif isinstance(expr, (ast.Neg, ast.Not)):
            self.check_expr(file, expr.operand)
        elif isinstance(expr, ast.If):
            for part in (expr.cond, expr.then, expr.otherwise):
                self.check_expr(file, part)

    def check_aggregate(self, file: str, call: ast.Call) -> None:
        if call.name == ast.POSITION:
            return  # said by the checker (it knows the blocks around the rule)
        first = call.args[0] if call.args else None
        if call.name == "count" and (len(call.args) != 1 or not isinstance(first, ast.Path)):
            self.problem(file, call, "count() takes one list path: count(LigneFacture)",
                         "aggregate")
        if call.name == "sum":
            if len(call.args) == 1 and isinstance(first, ast.Path) and len(first.parts) >= 2:
                return
            if len(call.args) == 2 and isinstance(first, ast.Path):
                return
            self.problem(file, call, "sum() takes a list and a field or an expression: "
                         "sum(LigneFacture.PrixFinal) or sum(LigneFacture, QteFacture * "
                         "PrixFinal)", "aggregate")

    def group_aggregate(self, file: str, call: ast.Call) -> None:
        """Inside a `group`: `sum(EXPR)` over the group's items, `count()` of them."""
        if call.name == "count" and call.args:
            self.problem(file, call, "inside a `group`, count() takes no argument: it is the "
                         "number of items in the group", "aggregate")
        if call.name == "sum" and len(call.args) != 1:
            self.problem(file, call, "inside a `group`, sum() takes one expression, read on "
                         "each item of the group: sum(QteFacture * PrixFinal)", "aggregate")

    def group_reads(self, file: str, group: ast.Each, expr: ast.Expr | None) -> None:
        """A group's rules read its `by` fields (the same on all its items) and aggregates;
        any other field of an item differs from one item to the next."""
        assert group.group_by is not None
        stack = [expr] if expr is not None else []
        keys = {p.parts for p in group.group_by}
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Call) and node.name in ast.AGGREGATES:
                continue
            if isinstance(node, ast.Path) and not node.scoped and node.parts not in keys:
                self.problem(file, node, f"`{expr_text(node)}` is a field of each item, not "
                             f"of the group: read it inside `sum(...)`, or add it to `by`",
                             "group")
            stack.extend(ast.children(node))

    # -------------------------------------------------------------- lenses

    def lens(self, file: str, rule: ast.Rule, expr: ast.Expr) -> Lens | None:
        """Decompose one side of a `<->` rule, or report why it cannot be solved backward."""
        steps: list[LensStep] = []
        node = expr
        while isinstance(node, ast.Call) and node.name not in ast.AGGREGATES:
            function = self.function(file, node)
            if not node.args:
                self.problem(file, node, f"`{node.name}()` has no field to read or write",
                             "lens")
                return None
            for extra in node.args[1:]:
                if not isinstance(extra, ast.LiteralValue):
                    self.problem(file, extra, f"in a `<->` rule the extra arguments of "
                                 f"`{node.name}` must be constants, not "
                                 f"`{expr_text(extra)}`", "lens")
                    return None
            if function is not None and getattr(function, "put", None) is not None:
                if expr is not rule.left or node is not expr \
                        or not isinstance(node.args[0], ast.Path):
                    self.problem(file, node, f"`{node.name}` reads a part of a left field: "
                                 f"write it alone around the left path of a `<->` rule "
                                 f"(`{node.name}(Nom, \" \") <-> buyer.first_name`)", "lens")
                    return None
                steps.append(LensStep(node, function, None, node.args[1:], part=True))
                node = node.args[0]
                continue
            if function is not None:
                inverse = self.inverse_of(file, rule, node, function,
                                          "left" if expr is rule.left else "right")
                if inverse is False:
                    return None
                steps.append(LensStep(node, function, inverse or None, node.args[1:]))
            node = node.args[0]
        if isinstance(node, ast.LetRef):
            return None  # said by let_uses
        if not isinstance(node, ast.Path):
            what = _describe(node)
            self.problem(
                file, node, f"{what} cannot be solved backward, so this rule cannot work both "
                f"ways; write `{_one_way(rule, ast.FORWARD)}` and a separate "
                f"`{_one_way(rule, ast.BACKWARD)}` rule", "lossy")
            return None
        return Lens(node, tuple(reversed(steps)))

    def inverse_of(self, file: str, rule: ast.Rule, call: ast.Call, function: Any,
                   side: str) -> Any:
        """The inverse function, None (keep writes back as is) or False (refused)."""
        inverse_name = getattr(function, "inverse", None)
        lossy = bool(getattr(function, "lossy", False))
        inverse = self.registry_functions.get(inverse_name) if inverse_name else None
        if inverse_name and inverse is None:
            self.problem(file, call, f"`{call.name}` names an inverse `{inverse_name}` that is "
                         "not registered", "lens")
            return False
        if (lossy or inverse is None) and not rule.keep:
            reason = "loses information" if lossy else "has no inverse"
            self.problem(
                file, call, f"`{call.name}` {reason}, so `<->` cannot write it back; write "
                f"`{_one_way(rule, ast.FORWARD)}` and a separate "
                f"`{_one_way(rule, ast.BACKWARD)}` rule, or add `keep` to write back the "
                "original value when it did not change", "lossy")
            return False
        if not rule.keep:
            # put(get(s), s) == s needs what get runs to be undone exactly by what put runs:
            # a function read on the left, the inverse of one solved on the right. (The
            # other way round, put checks each value it writes: see codegen.read_back.)
            what = ""
            if side == "left":
                what = getattr(function, "inexact", "")
            elif inverse is not None:
                what = getattr(inverse, "inexact", "") or (
                    f"its inverse `{inverse.name}` loses information"
                    if getattr(inverse, "lossy", False) else "")
            if what:
                self.problem(
                    file, call, f"`{call.name}` does not give back exactly what it read "
                    f"({what}), so `<->` would change the document it writes back "
                    f"to; add `keep` (the original is written back when the value did not "
                    f"change), or write `{_one_way(rule, ast.FORWARD)}` and a separate "
                    f"`{_one_way(rule, ast.BACKWARD)}` rule", "lossy")
                return False
        if inverse is not None:
            self.used_functions[inverse.name] = inverse
        return inverse

    # -------------------------------------------------------------- rules

    def rule(self, file: str, rule: ast.Rule, blocks: tuple[ast.Each, ...]) -> IRRule | None:
        index = len(self.rules)
        self.rules.append((file, rule.line, rule.column, rule_text(rule)))
        dirs = ast.directions(rule.arrow)
        for block in blocks:
            dirs &= ast.directions(block.arrow)
        if not dirs:
            self.problem(file, rule, f"this `{rule.arrow}` rule is inside a block that only "
                         "works the other way, so it never runs", "direction")
        table = None
        if rule.via is not None:
            table = self.tables.get(rule.via)
            if table is None:
                self.problem(file, rule, f"unknown table {rule.via}"
                             f"{did_you_mean(rule.via, list(self.tables))}", "unknown-table",
                             column=rule.via_column or None)
        for extra in (rule.default, rule.when):
            if extra is not None:
                self.check_expr(file, extra)
        self.let_uses(file, rule, dirs)
        self.scoped_paths(file, rule, blocks)
        if rule.keys:
            return self.keys_rule(file, rule, blocks, index, dirs, table)
        if rule.arrow == ast.BOTH:
            return self.both_ways(file, rule, blocks, index, dirs, table)
        if rule.keep:
            self.problem(file, rule, "`keep` only applies to `<->` rules (it says what to "
                         "write back)", "keep")
        target = rule.right if rule.arrow == ast.FORWARD else rule.left
        source = rule.left if rule.arrow == ast.FORWARD else rule.right
        if not isinstance(target, ast.Path):
            side = "right" if rule.arrow == ast.FORWARD else "left"
            self.problem(file, target, f"the {side} side of `{rule.arrow}` is the field it "
                         f"writes and must be a path, not `{expr_text(target)}`", "target")
            return None
        self.check_expr(file, source)
        return IRRule(index, rule, blocks, dirs, table)

    def both_ways(self, file: str, rule: ast.Rule, blocks: tuple[ast.Each, ...], index: int,
                  dirs: frozenset[str], table: ast.Table | None) -> IRRule | None:
        ok = True
        if rule.when is not None:
            self.problem(file, rule.when, "a guard (`when`) makes a rule one-way; write "
                         f"`{_one_way(rule, ast.FORWARD)} when ...` and "
                         f"`{_one_way(rule, ast.BACKWARD)} when ...`", "guard")
            ok = False
        if rule.default is not None and not rule.keep:
            self.problem(file, rule.default, "a default loses information (the value it "
                         "fills in cannot be told from a real one), so `<->` cannot write it "
                         f"back; write `{_one_way(rule, ast.FORWARD)} default "
                         f"{expr_text(rule.default)}` and a separate "
                         f"`{_one_way(rule, ast.BACKWARD)}` rule, or add `keep`", "lossy")
            ok = False
        if table is not None and rule.keep:
            reason = table.read_back_problem()
            if reason is not None:
                self.problem(file, rule, f"table {table.name} cannot be written back by "
                             f"`<->`: {reason}, or write `{_one_way(rule, ast.FORWARD)}` and "
                             f"a separate `{_one_way(rule, ast.BACKWARD)}` rule",
                             "lossy", column=rule.via_column or None)
                ok = False
        if table is not None and not rule.keep:
            reason = table.one_to_one_problem()
            if reason is not None:
                self.problem(file, rule, f"table {table.name} is not one-to-one ({reason}), "
                             "so `<->` cannot write it back; write "
                             f"`{_one_way(rule, ast.FORWARD)}` and a separate "
                             f"`{_one_way(rule, ast.BACKWARD)}` rule, or add `keep`",
                             "lossy", column=rule.via_column or None)
                ok = False
        left = self.lens(file, rule, rule.left)
        right = self.lens(file, rule, rule.right)
        if not ok or left is None or right is None:
            return None
        return IRRule(index, rule, blocks, dirs, table, left, right)

    def keys_rule(self, file: str, rule: ast.Rule, blocks: tuple[ast.Each, ...], index: int,
                  dirs: frozenset[str], table: ast.Table | None) -> IRRule | None:
        """`each key, value in L ARROW R [via T]`: both sides are objects' paths; `<->`
        renames the keys back through the table, which must then be a bijection."""
        ok = True
        for extra, word in ((rule.default, "default"), (rule.when, "when")):
            if extra is not None:  # pragma: no cover - the grammar has no place for them
                self.problem(file, extra, f"`{word}` does not apply to `each key, value`",
                             "keys")
                ok = False
        if rule.arrow == ast.BOTH and table is not None:
            reason = table.one_to_one_problem()
            if reason is not None:
                self.problem(file, rule, f"table {table.name} is not one-to-one ({reason}), "
                             "so the keys it renames cannot be renamed back: give each key "
                             "one name each way, or write `->` (and a separate `<-` line)",
                             "lossy", column=rule.via_column or None)
                ok = False
        rename = None
        if rule.rename is not None:
            rename = self.key_rename(file, rule, rule.rename)
            ok = ok and rename is not None
        if not ok:
            return None
        if rule.arrow != ast.BOTH:
            return IRRule(index, rule, blocks, dirs, table, rename=rename)
        assert isinstance(rule.left, ast.Path) and isinstance(rule.right, ast.Path)
        return IRRule(index, rule, blocks, dirs, table, Lens(rule.left, ()),
                      Lens(rule.right, ()), rename=rename)

    def key_rename(self, file: str, rule: ast.Rule, expr: ast.Expr) -> Lens | None:
        """`as EXPR`: functions of the name `key`, each with an exact inverse (backward the
        keys are renamed back through them, and checked to read forward the same). Forward
        only (`->`), any text function will do: nothing is renamed back."""
        if rule.arrow == ast.FORWARD:
            lens = self.forward_rename(file, expr)
        else:
            start = len(self.problems)
            lens = self.lens(file, rule, expr)
            self.reword_for_keys(rule, expr, start)
        if lens is None:
            return None
        if lens.path.parts != ("key",) or lens.path.scoped:
            self.problem(file, lens.path, f"a key renaming reads the name `key`, not "
                         f"`{expr_text(lens.path)}`: as prefix(key, \"x_\")", "keys")
            return None
        if any(step.part for step in lens.steps):  # (forward_rename marks no part)
            self.problem(file, expr, "a key renaming cannot take a part of the key "
                         "(`before`, `after`); use a table", "keys")
            return None
        return lens

    def forward_rename(self, file: str, expr: ast.Expr) -> Lens | None:
        """`->` ... `as EXPR`: the functions around `key`, applied forward only (no inverse
        needed; two keys renamed alike are an error when the document is read)."""
        steps: list[LensStep] = []
        node = expr
        while isinstance(node, ast.Call) and node.name not in ast.AGGREGATES:
            function = self.function(file, node)
            if function is None:
                return None
            if not node.args:
                self.problem(file, node, f"`{node.name}()` has no key to rename: "
                             f"as {node.name}(key, ...)", "keys")
                return None
            for extra in node.args[1:]:
                if not isinstance(extra, ast.LiteralValue):
                    self.problem(file, extra, _KEY_ARGUMENTS.format(
                        name=node.name, arg=f"`{expr_text(extra)}`"), "keys")
                    return None
            if node is expr and getattr(function, "returns", "string") != "string":
                written = expr_text(node).replace("`key`", "key")
                self.problem(file, node, f"`{node.name}` gives a {function.returns}, and an "
                             f"object's key is a text: as text({written})", "keys")
                return None
            steps.append(LensStep(node, function, None, node.args[1:]))
            node = node.args[0]
        if not isinstance(node, ast.Path):
            self.problem(file, node, f"a key renaming reads the name `key`, not "
                         f"{_describe(node)}: as prefix(key, \"x_\")", "keys")
            return None
        return Lens(node, tuple(reversed(steps)))

    def reword_for_keys(self, rule: ast.Rule, expr: ast.Expr, start: int) -> None:
        """The lens problems of an `as EXPR` renaming, said for keys: a key renaming has no
        `keep` and no separate `<-` rule; its one-way form is the `->` statement."""
        renaming = expr_text(expr).replace("`key`", "key")
        fix = (f"write `each key, value in {expr_text(rule.left)} -> {expr_text(rule.right)} "
               f"as {renaming}` (forward only), or rename through a one-to-one table "
               "(`via TABLE`)" if rule.arrow == ast.BOTH else
               "rename through a table (`via TABLE`)")
        for at, problem in enumerate(self.problems[start:], start):
            message = problem.message
            if problem.code == "lossy" and ", so `<->`" in message:
                message = (message.split(", so `<->`")[0] + ", so the keys it renames cannot "
                           f"be renamed back; {fix}")
            elif message.startswith("in a `<->` rule the extra arguments of `"):
                name = message.split("`")[3]
                arg = message.split(" must be constants, not ", 1)[1].strip("`")
                message = _KEY_ARGUMENTS.format(name=name, arg=f"`{arg}`")
            self.problems[at] = attrs.evolve(problem, message=message)

    def let_uses(self, file: str, rule: ast.Rule, dirs: frozenset[str]) -> None:
        """Each `let` a rule reads runs in the rule's direction; one read on both sides is
        refused (its paths belong to one document)."""
        if rule.arrow == ast.BOTH:
            for ref in let_refs(rule.left) + let_refs(rule.right):
                self.problem(file, ref, f"`{ref.name}` is a `let` name: a `<->` rule cannot "
                             "write it back; use it in a one-way rule (`->` or `<-`)", "let")
            return
        direction = "forward" if rule.arrow == ast.FORWARD else "backward"
        if direction not in dirs:
            return
        source = rule.left if direction == "forward" else rule.right
        for ref in let_refs(source) + let_refs(rule.default) + let_refs(rule.when):
            found = self.lets.get(id(ref.let))
            if found is None:
                continue
            other = found.directions - {direction}
            if other:
                side, other_side = (("left", "right") if direction == "forward"
                                    else ("right", "left"))
                self.problem(file, ref, f"`{ref.name}` is read on the {side} side here and "
                             f"on the {other_side} side by an earlier rule; a `let` reads "
                             "one document: give each side its own `let`", "let")
                continue
            found.directions.add(direction)

    def scoped_paths(self, file: str, rule: ast.Rule, blocks: tuple[ast.Each, ...]) -> None:
        """`^.x` and `$.x` read an enclosing scope: never written (every item would write
        the same field), never above the document."""
        written: list[ast.Expr] = []
        if rule.arrow == ast.BOTH:
            written = [rule.left, rule.right]
        else:
            written = [rule.right if rule.arrow == ast.FORWARD else rule.left]
        for expr in written:
            for path in ast.iter_paths(expr):
                if path.scoped:
                    self.problem(file, path, f"`{expr_text(path)}` reads a field outside "
                                 "this item and cannot be written (every item would write "
                                 "it); read it in a one-way rule (`->` or `<-`)", "scope")
        for read in (rule.left, rule.right, rule.default, rule.when):
            for path in ast.iter_paths(read) if read is not None else ():
                if path.up > len(blocks):
                    where = (f"inside {len(blocks)} `each` block" + "s" * (len(blocks) != 1)
                             if blocks else "outside any `each` block")
                    self.problem(file, path, f"`{expr_text(path)}` goes {path.up} level"
                                 f"{'s' * (path.up != 1)} up, but this rule is {where}",
                                 "scope")

    def let(self, file: str, let: ast.Let) -> None:
        index = len(self.rules)
        self.rules.append((file, let.line, let.column, f"let {let.name} = "
                           f"{expr_text(let.expr)}"))
        self.check_expr(file, let.expr)
        found = IRLet(index, let)
        self.lets[id(let)] = found
        self.scope_lets[-1].append(found)

    def block(self, file: str, each: ast.Each, blocks: tuple[ast.Each, ...]) -> IRBlock:
        index = len(self.rules)
        self.rules.append((file, each.line, each.column, each.head))
        if each.where is not None:
            self.check_expr(file, each.where)
            for ref in let_refs(each.where):  # it would read absent: say so
                self.problem(file, ref, f"`{ref.name}` is a `let` name, and a `where` cannot "
                             "read one (a `where` is read in both directions, a `let` in "
                             "one); write its expression in the `where`", "let")
        dirs = ast.directions(each.arrow)
        for outer in blocks:
            dirs &= ast.directions(outer.arrow)
        inner = (*blocks, each)
        if each.group_by is not None:
            return IRBlock(index, each, blocks, dirs, self.group_body(file, each, inner),
                           file)
        self.scope_lets.append([])
        body = self.statements(file, [(file, s) for s in each.body], inner)
        lets = tuple(self.scope_lets.pop())
        return IRBlock(index, each, blocks, dirs, tuple(body), file, lets)

    def group_body(self, file: str, group: ast.Each,
                   blocks: tuple[ast.Each, ...]) -> tuple[IRRule, ...]:
        """A group's rules: one-way like the group, reading the group (see group_reads)."""
        if group.arrow == ast.BOTH:
            self.problem(file, group, "a group is a summary computed from the items, so "
                         "`<->` cannot write it back; write `->` (backward, the summary in "
                         "the view is checked against the items written back)", "group")
        body: list[IRRule] = []
        for statement in group.body:
            if not isinstance(statement, ast.Rule) or statement.keys:
                what = {ast.Let: "`let`", ast.Drop: "`drop`"}.get(type(statement),
                                                                   "a block")
                self.problem(file, statement, f"only rules may appear inside a `group` "
                             f"block, not {what}", "group")
                continue
            if statement.arrow != group.arrow and group.arrow != ast.BOTH:
                self.problem(file, statement, f"a rule inside a `group {group.arrow}` block "
                             f"is one-way like it: write `{group.arrow}`", "group")
                continue
            read = statement.left if statement.arrow == ast.FORWARD else statement.right
            for expr in (read, statement.default, statement.when):
                self.group_reads(file, group, expr)
            self.in_group = True
            try:
                found = self.rule(file, statement, blocks)
            finally:
                self.in_group = False
            if found is not None:
                body.append(found)
        return tuple(body)

    def drop(self, file: str, drop: ast.Drop, blocks: tuple[ast.Each, ...]) -> None:
        index = len(self.rules)
        self.rules.append((file, drop.line, drop.column, drop.text))
        dirs = frozenset({drop.direction})
        for outer in blocks:
            dirs &= ast.directions(outer.arrow)
        if not dirs:
            self.problem(file, drop, f"this `{drop.text}` is inside a block that only works "
                         "the other way, so it never applies", "direction")
        self.drops.append(IRDrop(index, drop, blocks, dirs))

    def same_field(self, items: list[IRRule | IRBlock]) -> None:
        """Two `<->` rules of one scope writing the same field in one direction: the last
        would silently win there, and the laws break for the first."""
        for side in ("left", "right"):
            seen: dict[tuple[str, ...], IRRule] = {}
            for item in items:
                if not isinstance(item, IRRule) or item.left_lens is None \
                        or item.right_lens is None:
                    continue
                lens = item.left_lens if side == "left" else item.right_lens
                if side == "left" and lens.steps and lens.steps[0].part:
                    continue  # parts of one field (`before` and `after`) write it together
                first = seen.setdefault(lens.path.parts, item)
                if first is item:
                    continue
                direction = "backward" if side == "left" else "forward"
                self.problem(
                    item.rule.file, lens.path,
                    f"`{lens.path.text}` is already written {direction} by the `<->` rule at "
                    f"line {first.rule.line} (`{rule_text(first.rule)}`): {direction}, the "
                    f"last rule would silently win; make one of them one-way (`"
                    f"{_one_way(item.rule, ast.FORWARD if side == 'left' else ast.BACKWARD)}"
                    "`)", "duplicate-target")

    def statements(self, file: str, statements: list[tuple[str, ast.Statement]],
                   blocks: tuple[ast.Each, ...] = ()) -> list[IRRule | IRBlock]:
        items: list[IRRule | IRBlock] = []
        for origin, statement in statements:
            if isinstance(statement, ast.Rule):
                found = self.rule(origin, statement, blocks)
                if found is not None:
                    items.append(found)
            elif isinstance(statement, ast.Each):
                items.append(self.block(origin, statement, blocks))
            elif isinstance(statement, ast.Drop):
                self.drop(origin, statement, blocks)
            elif isinstance(statement, ast.Let):
                self.let(origin, statement)
            elif blocks and not isinstance(statement, ast.Rule):
                self.problem(origin, statement, "only rules, `drop` and `each` blocks may "
                             "appear inside an `each` block", "block")
        self.same_field(items)
        self.inside_a_list(items)
        return items

    def inside_a_list(self, items: list[IRRule | IRBlock]) -> None:
        """A field written inside the list a block of the same scope writes: the list
        replaces the object holding the field, or the field's object the list. (A field
        written *as* the list is the one-way fallback of any two `->` rules: the last one
        present wins, as in `each ListeReglement -> payments` and `each ListeModePaiements
        <-> payments`.)"""
        for direction in ("forward", "backward"):
            forward = direction == "forward"
            lists = [(item, (item.each.right if forward else item.each.left))
                     for item in items if isinstance(item, IRBlock)
                     and direction in item.directions]
            for item in items:
                if direction not in item.directions:
                    continue
                written = written_path(item, direction)
                for block, listed in lists:
                    if block is item or written is None \
                            or len(written.parts) <= len(listed.parts) \
                            or written.parts[:len(listed.parts)] != listed.parts:
                        continue
                    self.problem(
                        block.file if isinstance(item, IRBlock) else item.rule.file, written,
                        f"`{written.text}` is inside the list `{listed.text}` that the block "
                        f"at line {block.each.line} (`{block.each.head}`) writes "
                        f"{direction}: the one written last would silently replace the "
                        "other; write it outside the list, or as a rule inside the block",
                        "duplicate-target")


def written_path(item: IRRule | IRBlock, direction: str) -> ast.Path | None:
    """The path an item writes in one direction (a block: its list; a `<->` rule: its
    lens's path), or None when it writes no path."""
    forward = direction == "forward"
    if isinstance(item, IRBlock):
        return item.each.right if forward else item.each.left
    if item.rule.arrow == ast.BOTH:
        lens = item.right_lens if forward else item.left_lens
        return lens.path if lens is not None else None
    target = item.rule.right if forward else item.rule.left
    return target if isinstance(target, ast.Path) else None


def _describe(node: ast.Expr) -> str:
    if isinstance(node, ast.Arith):
        return f"arithmetic (`{node.op}`)"
    if isinstance(node, ast.Call):
        return f"the aggregate `{node.name}`"
    if isinstance(node, ast.LiteralValue):
        return "a constant"
    if isinstance(node, ast.If):
        return "`if ... then ... else`"
    return f"`{expr_text(node)}`"


def _innermost(expr: ast.Expr) -> ast.Expr:
    while isinstance(expr, ast.Call) and expr.args and expr.name not in ast.AGGREGATES:
        expr = expr.args[0]
    return expr


#: A key renaming's function given something other than constants after the key.
_KEY_ARGUMENTS = ("a key renaming gives `{name}` the name `key` first and constants after it, "
                  "not {arg} (it would differ from one key to the next): "
                  "as {name}(key, \"x_\")")


def _one_way(rule: ast.Rule, arrow: str) -> str:
    """The rule rewritten with a one-way arrow: the written side becomes its bare path."""
    via = f" via {rule.via}" if rule.via else ""
    if arrow == ast.FORWARD:
        return f"{expr_text(rule.left)} -> {expr_text(_innermost(rule.right))}{via}"
    return f"{expr_text(_innermost(rule.left))} <- {expr_text(rule.right)}{via}"


def analyze(files: list[ast.MappingFile], statements: list[tuple[str, ast.Statement]],
            functions: Mapping[str, Any]) -> IRMapping:
    """Check a mapping whose includes are already expanded into `statements` (origin file,
    statement) and build its IR; problems are collected, never raised."""
    analyzer = _Analyzer(files, functions)
    analyzer.collect_tables(statements)
    body: list[tuple[str, ast.Statement]] = [
        (f, s) for f, s in statements
        if isinstance(s, (ast.Rule, ast.Each, ast.Drop, ast.Let))]
    items = analyzer.statements("", body)
    return IRMapping(items, analyzer.tables, analyzer.used_functions, analyzer.rules,
                     analyzer.problems, analyzer.drops, analyzer.scope_lets[0])
