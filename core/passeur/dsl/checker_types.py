"""The types `passeur check` gives expressions, against the schemas of the two sides.

A path has its field's type, a call its function's result, arithmetic a decimal; each call's
arguments are checked against the function's parameters on the way, and, in a `<->` rule,
against what its inverse writes back. The file checker (passeur.dsl.checker) builds on this.
"""

from __future__ import annotations

from typing import Any

import attrs

from passeur.dsl import ast
from passeur.dsl.codegen_expr import is_text_join
from passeur.dsl.functions import MappingFunction, type_accepts
from passeur.issues import Level
from passeur.schema import DocumentType, FieldSpec, FieldType
from passeur.suggest import suggest

__all__ = ["ExprTyper", "Side", "article", "literal_type", "quiet_resolve", "type_of_field"]


@attrs.frozen
class Side:
    """One side of a mapping header, resolved against the registry."""

    label: str  # "acomba.invoice" as written
    doctype: DocumentType
    variant: str | None
    canonical: bool

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        return self.doctype.fields


_TYPE_NAMES = {
    FieldType.STRING: "string", FieldType.ENUM: "string", FieldType.INTEGER: "integer",
    FieldType.DECIMAL: "decimal", FieldType.BOOLEAN: "boolean", FieldType.LIST: "list",
}


def type_of_field(spec: FieldSpec, side: Side) -> str:
    if spec.type is FieldType.DATE:
        # The canonical plain form holds date objects; a system's reader may give text or
        # a date, so the checker cannot tell there.
        return "date" if side.canonical else "any"
    return _TYPE_NAMES.get(spec.type, "any")


#: Functions that bring a quotient back to a scale of its own.


def article(type_name: str) -> str:
    return "an" if type_name[0] in "aeiou" else "a"



class ExprTyper:
    """Expression typing for the file checker, which provides reporting and resolution."""

    sides: dict[str, Side]
    functions: dict[str, MappingFunction]
    _lens: bool  # typing one side of a `<->` rule
    _blocks: tuple[ast.Each, ...]  # the blocks around the rule being checked
    _in_item: bool  # typing a group aggregate's argument (it reads one item)

    def add(self, file: str, line: int, column: int, message: str, code: str,
            level: Level = Level.ERROR, detail: str = "") -> None:
        raise NotImplementedError

    def resolve(self, side_name: str, prefix: tuple[str, ...], path: ast.Path,
                file: str = "") -> FieldSpec | None:
        raise NotImplementedError

    def _type_of(self, expr: ast.Expr, side: str, prefix: tuple[str, ...], file: str) -> str:
        """The type name an expression yields; reports unknown paths and bad calls."""
        if isinstance(expr, ast.LiteralValue):
            return literal_type(expr.value)
        if isinstance(expr, ast.Path):
            if expr.scoped:  # `^.x` / `$.x`: from an enclosing scope's prefix
                keep = 0 if expr.root else max(0, len(self._blocks) - expr.up)
                prefix = tuple(p for b in self._blocks[:keep]
                               for p in (b.left if side == "left" else b.right).parts)
            spec = self.resolve(side, prefix, expr, file)
            side_info = self.sides.get(side)
            return "any" if spec is None or side_info is None else type_of_field(spec,
                                                                                   side_info)
        if isinstance(expr, ast.Call):
            return self._type_of_call(expr, side, prefix, file)
        if isinstance(expr, ast.LetRef):
            return self._type_of_let(expr, side)
        if isinstance(expr, ast.Arith):
            if is_text_join(expr, self.functions):  # "QC-" + code joins texts
                for operand in (expr.left, expr.right):
                    self._type_of(operand, side, prefix, file)
                return "string"
            for operand in (expr.left, expr.right):
                self._numeric(operand, side, prefix, file, f"`{expr.op}`")
            return "decimal"
        if isinstance(expr, ast.Neg):
            self._numeric(expr.operand, side, prefix, file, "`-`")
            return "decimal"
        if isinstance(expr, (ast.Compare, ast.BoolOp)):
            self._type_of(expr.left, side, prefix, file)
            self._type_of(expr.right, side, prefix, file)
            return "boolean"
        if isinstance(expr, ast.Not):
            self._type_of(expr.operand, side, prefix, file)
            return "boolean"
        self._type_of(expr.cond, side, prefix, file)
        then = self._type_of(expr.then, side, prefix, file)
        otherwise = self._type_of(expr.otherwise, side, prefix, file)
        return then if then == otherwise else "any"

    def _type_of_let(self, ref: ast.LetRef, side: str) -> str:
        """A `let` name has its expression's type, its paths read from the let's own scope
        on the side of the rule reading it; a field of the value (`net.x`) is any."""
        let = ref.let
        prefix = let.left_prefix if side == "left" else let.right_prefix
        shadowed = quiet_resolve(self.sides[side].fields, (*prefix, let.name)) \
            if side in self.sides else None
        if shadowed is not None:
            self.add(let.file, let.line, let.column + 4,
                     f"`let {let.name}` hides the field `{let.name}` of "
                     f"{self.sides[side].label}; choose another name", "let")
        kind = self._type_of(let.expr, side, prefix, let.file)
        return "any" if ref.parts else kind

    def _numeric(self, expr: ast.Expr, side: str, prefix: tuple[str, ...], file: str,
                 operator: str) -> None:
        kind = self._type_of(expr, side, prefix, file)
        if kind in ("date", "boolean", "list"):
            self.add(file, expr.line, expr.column,
                     f"{operator} needs numbers, but this is {article(kind)} {kind}", "type")

    def _type_of_call(self, call: ast.Call, side: str, prefix: tuple[str, ...],
                      file: str) -> str:
        if call.name in ast.AGGREGATES:
            return self._type_of_aggregate(call, side, prefix, file)
        function = self.functions.get(call.name)
        if function is None:
            for arg in call.args:
                self._type_of(arg, side, prefix, file)
            best = suggest(call.name, [*self.functions, *ast.AGGREGATES])
            hint = f"; did you mean `{best}`?" if best else ""
            self.add(file, call.line, call.column, f"unknown function `{call.name}`{hint}",
                     "function")
            return "any"
        arity = function.arity_problem(len(call.args))
        if arity is not None:
            self.add(file, call.line, call.column, f"{arity} ({function.signature()})",
                     "function")
        for index, arg in enumerate(call.args):
            kind = self._type_of(arg, side, prefix, file)
            try:
                expected = function.param_type(index)
            except IndexError:
                continue
            if not type_accepts(expected, kind):
                self.add(file, arg.line, arg.column,
                         f"argument {index + 1} of `{call.name}` must be "
                         f"{article(expected)} {expected}, but this is {article(kind)} "
                         f"{kind} ({function.signature()})", "type")
            elif index > 0 and isinstance(arg, ast.LiteralValue):
                self._check_literal_argument(function, index, arg, file)
            if index == 0 and self._lens:
                self._check_inverse_type(call, function, kind, file)
        return function.returns

    def _check_inverse_type(self, call: ast.Call, function: MappingFunction, kind: str,
                            file: str) -> None:
        """In a `<->` rule the inverse writes the field back: it must give the field's own
        kind (`text` of a boolean would be written back by `number`, which cannot)."""
        inverse = self.functions.get(function.inverse or "")
        if inverse is None or "any" in (kind, inverse.returns):
            return
        if type_accepts(kind, inverse.returns) or type_accepts(inverse.returns, kind):
            return
        hint = {"boolean": "; for a boolean write `boolean_text(...)`",
                "date": "; for a date write `format_date(...)`"}.get(kind, "")
        self.add(file, call.line, call.column,
                 f"`{call.name}` of {article(kind)} {kind} cannot be written back by `<->`: "
                 f"its inverse `{inverse.name}` gives {article(inverse.returns)} "
                 f"{inverse.returns}, not {article(kind)} {kind}{hint}", "lossy")

    def _check_literal_argument(self, function: MappingFunction, index: int,
                                arg: ast.LiteralValue, file: str) -> None:
        """Patterns and rounding modes written as literals are checked before any run."""
        from passeur.dsl.functions import FunctionError
        from passeur.dsl.functions_dates import compile_pattern
        from passeur.dsl.functions_numbers import rounding_mode

        try:
            if function.name in ("date", "format_date") and index == 1:
                compile_pattern(str(arg.value))
            elif function.name in ("money", "decimal", "round") and index == 2:
                rounding_mode(arg.value)
        except FunctionError as exc:
            self.add(file, arg.line, arg.column, str(exc), "function")

    def _type_of_aggregate(self, call: ast.Call, side: str, prefix: tuple[str, ...],
                           file: str) -> str:
        if call.name == ast.POSITION:
            if call.args:
                self.add(file, call.line, call.column, "position() takes no argument: it is "
                         "the number of the current item of the `each` block", "function")
            elif not self._blocks:
                self.add(file, call.line, call.column, "position() is the number of the "
                         "current item of an `each` block; this rule is outside any",
                         "function")
            return "integer"
        if self._blocks and self._blocks[-1].group_by is not None and not self._in_item:
            # inside a group: sum(EXPR) over its items (said by the compiler otherwise)
            if call.name == "sum" and len(call.args) == 1:
                self._in_item = True
                try:
                    self._numeric(call.args[0], side, prefix, file, "`sum`")
                finally:
                    self._in_item = False
            return "integer" if call.name == "count" else "decimal"
        wanted = (1, 2) if call.name == "sum" else (1,)
        if len(call.args) not in wanted or not isinstance(call.args[0], ast.Path):
            usage = ("sum(LIST.FIELD) or sum(LIST, EXPRESSION)" if call.name == "sum"
                     else "count(LIST)")
            self.add(file, call.line, call.column, f"write {usage}", "function")
            return "integer" if call.name == "count" else "decimal"
        items = call.args[0]
        self.resolve(side, prefix, items, file)
        if len(call.args) == 2:
            self._numeric(call.args[1], side, (*prefix, *items.parts), file, "`sum`")
        return "integer" if call.name == "count" else "decimal"


def literal_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "any"
    return "integer" if value == value.to_integral_value() else "decimal"


def quiet_resolve(fields: tuple[FieldSpec, ...], parts: tuple[str, ...]) -> FieldSpec | None:
    specs, found = fields, None
    for part in parts:
        if found is not None and found.type is FieldType.ANY:
            return found
        found = next((s for s in specs if s.name == part), None)
        if found is None:
            return None
        if found.read_only:
            return found
        specs = found.fields
    return found
