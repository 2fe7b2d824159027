"""`let` names, bound once after parsing: every use of a name a `let` gave becomes a `LetRef`
to that `Let`, so the checker, the compiler and the printer never mistake it for a field.

A name is visible in the rules after its `let`, in its scope (the file, or one `each`
block) and in the blocks inside it. A second `let` of one name in one scope is refused; an
inner block may give a name again (the inner one is meant there).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from passeur.dsl import ast
from passeur.dsl.problems import MappingSyntaxError, Problem

__all__ = ["bind_lets", "bind_library_lets", "let_refs", "top_lets"]


def bind_lets(tree: ast.MappingFile) -> ast.MappingFile:
    """The file with its `let` uses bound; raises `MappingSyntaxError` on a name given twice."""
    if not any(_has_let(s) for s in tree.statements):
        return tree
    binder = _Binder(tree)
    return attrs.evolve(tree, statements=binder.statements(tree.statements, {}, (), ()))


def top_lets(statements: Iterable[ast.Statement]) -> dict[str, ast.Let]:
    """The file-level `let`s among statements (what a library gives where it is included)."""
    return {s.name: s for s in statements if isinstance(s, ast.Let)}


def bind_library_lets(tree: ast.MappingFile, statements: Sequence[ast.Statement],
                      library: dict[str, ast.Let]) -> tuple[ast.Statement, ...]:
    """The statements after an `include`, bound again with the library's `let`s visible
    (the file's own `let`s of the same name still hide them, after their line)."""
    if not library:
        return tuple(statements)
    return _Binder(tree).statements(tuple(statements), library, (), ())


def _has_let(statement: ast.Statement) -> bool:
    if isinstance(statement, ast.Let):
        return True
    return isinstance(statement, ast.Each) and any(_has_let(s) for s in statement.body)


class _Binder:
    def __init__(self, tree: ast.MappingFile) -> None:
        self.tree = tree

    def statements(self, statements: tuple[ast.Statement, ...], outer: dict[str, ast.Let],
                   left: tuple[str, ...], right: tuple[str, ...]) -> tuple[ast.Statement, ...]:
        scope = dict(outer)
        own: dict[str, ast.Let] = {}
        out: list[ast.Statement] = []
        for statement in statements:
            if isinstance(statement, ast.Let):
                first = own.get(statement.name)
                if first is not None:
                    raise MappingSyntaxError(Problem(
                        self.tree.file, statement.line, statement.column,
                        f"`{statement.name}` is already given by the `let` at line "
                        f"{first.line}; choose another name", "let", self.tree.source))
                let = attrs.evolve(statement, expr=_bind(statement.expr, scope),
                                   left_prefix=left, right_prefix=right,
                                   file=self.tree.file)
                own[let.name] = scope[let.name] = let
                out.append(let)
            elif isinstance(statement, ast.Rule):
                # the written side is a field, never a name
                left_scope = {} if statement.arrow == ast.BACKWARD else scope
                right_scope = {} if statement.arrow == ast.FORWARD else scope
                out.append(attrs.evolve(
                    statement, left=_bind(statement.left, left_scope),
                    right=_bind(statement.right, right_scope),
                    default=None if statement.default is None else _bind(statement.default,
                                                                         scope),
                    when=None if statement.when is None else _bind(statement.when, scope)))
            elif isinstance(statement, ast.Each):
                body = self.statements(statement.body, scope, (*left, *statement.left.parts),
                                       (*right, *statement.right.parts))
                where = None if statement.where is None else _bind(statement.where, scope)
                out.append(attrs.evolve(statement, body=body, where=where))
            else:
                out.append(statement)
        return tuple(out)


def _bind(expr: ast.Expr, scope: dict[str, ast.Let]) -> ast.Expr:
    if not scope:
        return expr
    if isinstance(expr, ast.LetRef):  # bound before: to the `let` the name means now
        let = scope.get(expr.name)
        return expr if let is None or let is expr.let else attrs.evolve(expr, let=let)
    if isinstance(expr, ast.Path):
        let = scope.get(expr.parts[0])
        if let is None or expr.scoped:
            return expr
        return ast.LetRef(expr.parts[0], expr.parts[1:], let, line=expr.line,
                          column=expr.column)
    if isinstance(expr, ast.Call):
        if expr.name in ast.AGGREGATES and len(expr.args) == 2:
            # sum(LIST, EXPR): EXPR reads the items; a name still means its `let`
            return attrs.evolve(expr, args=(_bind(expr.args[0], scope),
                                            _bind(expr.args[1], scope)))
        return attrs.evolve(expr, args=tuple(_bind(a, scope) for a in expr.args))
    if isinstance(expr, (ast.Arith, ast.Compare, ast.BoolOp)):
        return attrs.evolve(expr, left=_bind(expr.left, scope), right=_bind(expr.right, scope))
    if isinstance(expr, (ast.Neg, ast.Not)):
        return attrs.evolve(expr, operand=_bind(expr.operand, scope))
    if isinstance(expr, ast.If):
        return attrs.evolve(expr, cond=_bind(expr.cond, scope), then=_bind(expr.then, scope),
                            otherwise=_bind(expr.otherwise, scope))
    return expr


def let_refs(expr: ast.Expr | None) -> list[ast.LetRef]:
    """The `let` names an expression reads, directly or through other `let`s."""
    found: list[ast.LetRef] = []
    stack: list[ast.Expr] = [expr] if expr is not None else []
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, ast.LetRef):
            found.append(node)
            if id(node.let) not in seen:
                seen.add(id(node.let))
                stack.append(node.let.expr)
        else:
            stack.extend(ast.children(node))
    return found
