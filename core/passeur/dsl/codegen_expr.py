"""Expressions -> Python statements: the half of the compiler that reads values.

Each expression becomes straight-line statements over local variables (dict lookups, a class
check before each arithmetic operation) and a Python expression naming the result; the
statement half (rules, lenses, blocks: passeur.dsl.codegen) builds on it. `_at` is set to a
*site* (an index into the sites table) before each read that can fail, so a failure names
the data it was reading.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from passeur.dsl import ast
from passeur.dsl.codegen_reads import HeldReads
from passeur.dsl.ir import IRMapping

__all__ = ["ExprEmitter", "Scope", "is_text_join", "scope_base"]


def _py(value: Any) -> str:
    return repr(value)


@attrs.frozen
class Scope:
    """Where generated code stands: variable names for source, output and original."""

    src: str
    out: str
    orig: str | None  # backward only: the original item being written over
    path_left: str  # data path template of the current left item ("" at the root)
    path_right: str
    depth: int = 0
    #: the enclosing scopes, outermost (the document) first: (src, path_left, path_right)
    parents: tuple[tuple[str, str, str], ...] = ()
    #: the loop index of the current item, when a rule reads `position()`
    index: str = ""
    #: inside a `group`: the variable holding its (index, item) pairs, and the data path
    #: template of the list they come from
    group: str = ""
    group_base: str = ""
    #: the output variables of the enclosing scopes (outermost first), as `parents`
    outs: tuple[str, ...] = ()

    def above(self, path: ast.Path) -> tuple[str, str, str]:
        """(src, path_left, path_right) of the scope a `^.` or `$.` path reads from."""
        here = (self.src, self.path_left, self.path_right)
        chain = (*self.parents, here)
        if path.root:
            return chain[0]
        return chain[max(0, len(chain) - 1 - path.up)]



class ExprEmitter:
    """Emission state and the expression compiler; `_Gen` adds the statements."""

    def __init__(self, ir: IRMapping, explain: bool) -> None:
        self.ir = ir
        self.explain = explain
        self.lines: list[str] = []
        self.indent = 1
        self.counter = 0
        self.consts: dict[Any, str] = {}
        self.const_lines: list[str] = []
        self.sites: list[str] = []
        self.spans: list[tuple[int, int, int]] = []
        self.bound: dict[str, str] = {}
        self.loops: list[tuple[str, str, str]] = []
        self.table_index: dict[str, int] = {}
        self.written_into: list[frozenset[tuple[str, ...]]] = []  # per scope, innermost last
        self.let_vars: dict[int, str] = {}  # id of an ast.Let -> its local variable
        self.held_reads = HeldReads()  # reads a later read of the same field reuses
        self.let_paths: dict[int, str] = {}  # id of a `let NAME = PATH` -> PATH's data path

    # -------------------------------------------------------------- emitting

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)
        self.held_reads.saw(line)

    def tmp(self, stem: str = "t") -> str:
        self.counter += 1
        return f"_{stem}{self.counter}"

    def const(self, value: Any) -> str:
        if isinstance(value, Decimal):
            key = ("D", str(value))
            if key not in self.consts:
                name = f"_K{len(self.consts)}"
                self.consts[key] = name
                self.const_lines.append(f"{name} = _D({str(value)!r})")
            return self.consts[key]
        return _py(value)

    def loop(self, index: str, item: str, items: str, partner: str | None = None,
             partners: str | None = None, counted: bool = False) -> None:
        """`for` over a list. The fast path keeps no index (unless a rule reads
        `position()`): a failure finds it again by identity (see `Generated.loops`); the
        explain variant needs it for its paths."""
        pair = f"{item}, {partner}" if partner else item
        source = f"zip({items}, {partners})" if partner else items
        if self.explain or counted:
            self.emit(f"for {index}, ({pair}) in enumerate({source}):" if partner
                      else f"for {index}, {item} in enumerate({items}):")
        else:
            self.loops.append((index, items, item))
            self.emit(f"for {pair} in {source}:")

    def fn(self, name: str) -> str:
        """The module-level alias of a registered function (bound once, read fast)."""
        alias = f"_f_{name.replace('.', '__')}"
        if alias not in self.bound:
            self.bound[alias] = f"{alias} = _F[{name!r}]"
        return alias

    def table(self, name: str, direction: str) -> tuple[str, str]:
        index = self.table_index.setdefault(name, len(self.table_index))
        lookup, fallback = f"_T{index}{direction[0]}", f"_FB{index}{direction[0]}"
        if lookup not in self.bound:
            self.bound[lookup] = f"{lookup} = _T[{(name, direction)!r}]"
            self.bound[fallback] = f"{fallback} = _FB[{(name, direction)!r}]"
        return lookup, fallback

    def lookup_code(self, value: str, name: str, direction: str, site: int) -> None:
        """Translate `value` through a table in place; ABSENT stays ABSENT. The common case
        (a known value) is one dict lookup; misses go to the helper (fallback or error)."""
        lookup, fallback = self.table(name, direction)
        found = self.tmp("found")
        self.emit(f"if {value} is not _A:")
        # an object or a list cannot be a key: the helper says so with the value
        self.emit(f"    _at = {site}; {found} = {lookup}.get({value}, _A) "
                  f"if type({value}) is str or {value}.__hash__ is not None else _A")
        self.emit(f"    {value} = {found} if {found} is not _A else "
                  f"_lookup({lookup}, {value}, {fallback}, {name!r})")

    def site(self, template: str) -> int:
        self.sites.append(template)
        return len(self.sites) - 1

    # -------------------------------------------------------------- reading

    def read(self, var: str, parts: tuple[str, ...], root_is_dict: bool = True,
             shared: bool = False) -> str:
        """Emit the reads of a path from `var`; returns the variable holding the value.
        `shared`: the caller only reads that variable, so a field read already may be
        returned as the variable of its first read (no copy)."""
        first, *rest = parts
        held = self.held_reads.reusable(var, first) if root_is_dict else None
        if held is not None and shared and not rest:
            return held
        target = self.tmp()
        if held is not None:
            self.emit(f"{target} = {held}")
        elif root_is_dict:
            self.emit(f"{target} = {var}.get({first!r}, _A)")
            self.held_reads.read(var, first, target, self.lines, self.indent)
        else:
            self.emit(f"{target} = _child({var}, {first!r})")
        for part in rest:
            self.emit(f"{target} = {target}.get({part!r}, _A) "
                      f"if type({target}) is dict else _A")
        return target

    def path_template(self, base: str, parts: tuple[str, ...]) -> str:
        """A data path as a format template: loop indexes are `{_iN}` fields, and braces in
        field names are doubled so a name can never inject code or a format field."""
        text = ".".join(p.replace("{", "{{").replace("}", "}}") for p in parts)
        return f"{base}.{text}" if base else text

    def expr(self, e: ast.Expr, scope: Scope, side: str, top: bool = False) -> str:
        """Emit statements computing `e` over `scope.src`; returns a Python expression."""
        base = scope.path_left if side == "left" else scope.path_right
        if isinstance(e, ast.LiteralValue):
            return self.const(e.value)
        if isinstance(e, ast.Path):
            return self.read(scope.above(e)[0] if e.scoped else scope.src, e.parts)
        if isinstance(e, ast.LetRef):
            variable = self.let_vars.get(id(e.let), "_A")
            if variable != "_A":  # a failed let stops the rule here, where it is read
                self.emit(f"if {variable} is _X: _letfailed(_E{variable[2:]})")
            return self.read(variable, e.parts, root_is_dict=False) if e.parts else variable
        if isinstance(e, ast.Call):
            if e.name == ast.POSITION:
                return f"({scope.index} + 1)" if scope.index else "_A"
            if e.name in ast.AGGREGATES:
                return self.aggregate(e, scope, side)
            return self.call(e, scope, side, base)
        if isinstance(e, ast.Arith):
            t, fast, checks, slow = self.arith(e, scope, side, base)
            if fast is None:
                self.emit(f"{t} = {slow}")
            else:
                self.emit(f"{t} = {fast} if {checks} else {slow}" if checks
                          else f"{t} = {fast}")
            return t
        if isinstance(e, ast.Neg):
            a, site_a = self.operand(e.operand, scope, side, base)
            t = self.tmp()
            self.emit(f"{t} = -{a} if {is_number(a, '_ca')} else _arith('neg', {a}, 0, "
                      f"{site_a}, -1)")
            return t
        if isinstance(e, ast.Compare):
            a = self.expr(e.left, scope, side)
            b = self.expr(e.right, scope, side)
            t = self.tmp()
            if e.op == "=":
                self.emit(f"{t} = _eq({a}, {b})")
            elif e.op == "!=":
                self.emit(f"{t} = _ne({a}, {b})")
            else:
                self.emit(f"{t} = _order({e.op!r}, {a}, {b})")
            return t
        if isinstance(e, ast.Not):
            a = self.expr(e.operand, scope, side)
            t = self.tmp()
            self.emit(f"{t} = not _truth({a})")
            return t
        if isinstance(e, ast.BoolOp):
            t = self.tmp()
            a = self.expr(e.left, scope, side)
            self.emit(f"{t} = _truth({a})")
            self.emit(f"if {'' if e.op == 'and' else 'not '}{t}:")
            self.indent += 1
            b = self.expr(e.right, scope, side)
            self.emit(f"{t} = _truth({b})")
            self.indent -= 1
            return t
        if isinstance(e, ast.If):
            return self.if_chain(e, scope, side, top)
        raise TypeError(f"cannot compile {e!r}")  # pragma: no cover

    def if_chain(self, e: ast.If, scope: Scope, side: str, top: bool) -> str:
        """`if ... else if ... else ...` as flat code: each branch's condition is computed
        only when no earlier branch was taken (a `_done` flag), at the same indentation
        whatever the number of branches (Python refuses 100 nested blocks)."""
        t, done = self.tmp(), self.tmp("done")
        self.emit(f"{done} = False")
        node: ast.Expr = e
        first = True
        while isinstance(node, ast.If):
            if not first:
                self.emit(f"if not {done}:")
                self.indent += 1
            c = self.expr(node.cond, scope, side)
            self.emit(f"if _truth({c}):")
            self.indent += 1
            if top and self.explain:
                self.emit('_br = "then"' if first else '_br = "else"')
            self.emit(f"{t} = {self.expr(node.then, scope, side)}")
            self.emit(f"{done} = True")
            self.indent -= 1
            if not first:
                self.indent -= 1
            first = False
            node = node.otherwise
        self.emit(f"if not {done}:")
        self.indent += 1
        if top and self.explain:
            self.emit('_br = "else"')
        self.emit(f"{t} = {self.expr(node, scope, side)}")
        self.indent -= 1
        return t

    def arith(self, e: ast.Arith, scope: Scope, side: str,
              base: str) -> tuple[str, str | None, str, str]:
        """Emit the operands of `e`; returns (its variable, the operator expression or None
        when there is no fast path, the class checks that allow it ("" for none), the
        helper call that computes it otherwise)."""
        a, site_a = self.operand(e.left, scope, side, base)
        b, site_b = self.operand(e.right, scope, side, base)
        t = self.tmp()
        if is_text_join(e, self.ir.functions):
            return t, None, "", f"_concat({a}, {b}, {site_a}, {site_b})"
        slow = f"_arith({e.op!r}, {a}, {b}, {site_a}, {site_b})"
        if e.op == "/":
            return t, None, "", slow
        # Two numbers (Decimal or int, as JSON gives a whole quantity): the operator
        # itself. Anything else (text, absent, null, a boolean) goes to the helper, which
        # knows which operand to blame.
        checks = [is_number(v, c) for v, node, c in ((a, e.left, "_ca"), (b, e.right, "_cb"))
                  if not _is_number(node)]
        return t, f"{a} {e.op} {b}", " and ".join(checks), slow

    def operand(self, e: ast.Expr, scope: Scope, side: str, base: str) -> tuple[str, int]:
        """An arithmetic operand and the site naming it (a path), or -1. The operand's
        variable is only read (an operator's argument), so a field read already is used
        as its first read left it."""
        value = (self.read(scope.above(e)[0] if e.scoped else scope.src, e.parts, shared=True)
                 if isinstance(e, ast.Path) else self.expr(e, scope, side))
        return value, self.site_of(e, scope, side, base)

    def site_of(self, e: ast.Expr | None, scope: Scope, side: str, base: str) -> int:
        """The site naming the value of `e` in messages: a path's, or the path a `let`
        names (`let t = Prenom`: a bad `t` is named `Prenom`, as written in its place);
        -1 for any other expression."""
        if isinstance(e, ast.Path):
            return self.site(self.path_template(scope_base(e, scope, side, base), e.parts))
        if isinstance(e, ast.LetRef) and id(e.let) in self.let_paths:
            template = self.let_paths[id(e.let)]
            if e.parts:
                template = self.path_template(template, e.parts)
            return self.site(template)
        return -1

    def call(self, e: ast.Call, scope: Scope, side: str, base: str) -> str:
        function = self.ir.functions.get(e.name)
        args = [self.expr(a, scope, side) for a in e.args]
        t = self.tmp()
        site = self.site_of(e.args[0] if e.args else None, scope, side, base)
        call = f"{self.fn(e.name)}({', '.join(args)})"
        if is_iso_date(function, e.args) and args[0].startswith("_t"):
            self.emit(f"_at = {site}")
            self.emit(f"if {args[0]} is _A: {t} = _A")
            self.emit("else:")
            self.iso_date(e.name, args[0], t, "    ")
        elif (function is not None and getattr(function, "accepts_absent", False)) or not args:
            self.emit(f"_at = {site}; {t} = {call}")
        else:
            # temporaries and `let` values (`_L`: absent when the let failed) may be absent
            guard = " or ".join(f"{a} is _A" for a in args if a.startswith(("_t", "_L")))
            if guard:
                self.emit(f"_at = {site}; {t} = _A if {guard} else {call}")
            else:
                self.emit(f"_at = {site}; {t} = {call}")
        return t

    def iso_date(self, name: str, value: str, target: str, indent: str) -> None:
        """`date(value)` with the ISO pattern: the C parser called directly on a text of the
        form YYYY-MM-DD (what `date` itself does first); anything else, or a text the parser
        refuses, goes to `date`, which gives the same value or the same message as ever."""
        call = f"{self.fn(name)}({value})"
        self.emit(f"{indent}if type({value}) is str and len({value}) == 10 and {value}[4] == '-' "
                  f"and {value}[7] == '-' and {value}.isascii():")
        self.emit(f"{indent}    try: {target} = _fromiso({value})")
        self.emit(f"{indent}    except ValueError: {target} = {call}")
        self.emit(f"{indent}else: {target} = {call}")

    def group_aggregate(self, e: ast.Call, scope: Scope, side: str) -> str:
        """`count()` and `sum(EXPR)` over the items of the current group; absent and null
        values are skipped, like in any sum."""
        t = self.tmp()
        if e.name == "count":
            self.emit(f"{t} = len({scope.group})")
            return t
        index, item, acc = self.tmp("j"), self.tmp("it"), self.tmp("acc")
        self.emit(f"{acc} = 0")
        self.emit(f"for {index}, {item} in {scope.group}:")
        self.indent += 1
        item_base = f"{scope.group_base}[{{{index}}}]"
        inner = attrs.evolve(scope, src=item, group="", index="")
        inner = (attrs.evolve(inner, path_left=item_base) if side == "left"
                 else attrs.evolve(inner, path_right=item_base))
        arg = e.args[0]
        value = self.expr(arg, inner, side)
        value_site = (self.site(self.path_template(item_base, arg.parts))
                      if isinstance(arg, ast.Path) and not arg.scoped else -1)
        self.accumulate(acc, value, value_site)
        self.indent -= 1
        self.emit(f"{t} = {acc}")
        return t

    def accumulate(self, acc: str, value: str, site: int) -> None:
        """`acc += value` in a sum: absent and null are skipped, a number added as it is,
        a text that reads as a number accepted, anything else an error at `site`."""
        self.emit(f"if {is_number(value, '_ca')}: {acc} += {value}")
        self.emit(f"elif {value} is not _A and {value} is not None:")
        self.emit(f"    _at = {site}; {acc} = {acc} + _num({value})")

    def aggregate(self, e: ast.Call, scope: Scope, side: str) -> str:
        if scope.group:
            return self.group_aggregate(e, scope, side)
        base = scope.path_left if side == "left" else scope.path_right
        first = e.args[0]
        assert isinstance(first, ast.Path)
        single = len(e.args) == 1
        list_parts = first.parts[:-1] if e.name == "sum" and single else first.parts
        items = self.read(scope.src, list_parts)
        t = self.tmp()
        site = self.site(self.path_template(base, list_parts))
        self.emit(f"if {items} is _A or {items} is None:")
        self.emit(f"    {t} = {items}")
        self.emit("else:")
        self.indent += 1
        self.emit(f"_at = {site}")
        self.emit(f"if type({items}) is not list: {items} = _items({items})")
        if e.name == "count":
            self.emit(f"{t} = len({items})")
        else:
            index, item, acc = self.tmp("j"), self.tmp("it"), self.tmp("acc")
            self.emit(f"{acc} = 0")
            self.loop(index, item, items)
            self.indent += 1
            inner_base = self.path_template(base, list_parts) + f"[{{{index}}}]"
            inner = (attrs.evolve(scope, src=item, path_left=inner_base) if side == "left"
                     else attrs.evolve(scope, src=item, path_right=inner_base))
            fused: tuple[str, str, str] | None = None
            if single:
                value = self.read(item, first.parts[-1:], root_is_dict=False)
                value_site = self.site(self.path_template(inner_base, first.parts[-1:]))
            else:
                self.emit(f"if type({item}) is not dict: continue")
                term = e.args[1]
                if isinstance(term, ast.Arith):
                    value, fast, checks, slow = self.arith(
                        term, inner, side, inner_base)
                    if fast is not None and checks:
                        # the hot case, `sum(lines, qty * price)` over numbers: the product
                        # goes straight into the total (two numbers make a number)
                        fused = (fast, checks, slow)
                        self.emit(f"if {checks}: {acc} += {fast}")
                        self.emit("else:")
                        self.indent += 1
                    self.emit(f"{value} = {slow}" if fast is None or fused else
                              f"{value} = {fast}")
                else:
                    value = self.expr(term, inner, side)
                value_site = -1
            self.accumulate(acc, value, value_site)
            if fused is not None:
                self.indent -= 1
            self.indent -= 1
            self.emit(f"{t} = {acc}")
        self.indent -= 1
        return t


def scope_base(path: ast.Path, scope: Scope, side: str, base: str) -> str:
    """The data path a path's value is named from in messages (its own scope's)."""
    if not path.scoped:
        return base
    _src, left, right = scope.above(path)
    return left if side == "left" else right


def is_iso_date(function: Any, args: tuple[ast.Expr, ...] | list[ast.Expr]) -> bool:
    """Whether a call is the built-in `date` with its default ISO pattern."""
    from passeur.dsl.functions_dates import ISO, _date

    if getattr(function, "impl", None) is not _date or not args:
        return False
    rest = args[1:]
    return not rest or (len(rest) == 1 and isinstance(rest[0], ast.LiteralValue)
                        and rest[0].value == ISO)


def is_text_join(node: ast.Arith, functions: Mapping[str, Any] | None = None) -> bool:
    """`"QC-" + strNoProduit`: a `+` with a text on one side joins texts. A text is a
    literal in quotes, another join (`$.No + "-" + text(n)` is `($.No + "-") + text(n)`),
    or a call of a function that gives one (`text`, `upper`...; `functions` says which)."""
    return node.op == "+" and any(_is_text(x, functions) for x in (node.left, node.right))


def _is_text(node: ast.Expr, functions: Mapping[str, Any] | None) -> bool:
    if isinstance(node, ast.LiteralValue):
        return isinstance(node.value, str)
    if isinstance(node, ast.Arith):
        return is_text_join(node, functions)
    if isinstance(node, ast.Call) and functions is not None:
        return getattr(functions.get(node.name), "returns", None) == "string"
    if isinstance(node, ast.LetRef) and not node.parts:  # a let is the expression it names
        return _is_text(node.let.expr, functions)
    return False


def is_number(value: str, scratch: str) -> str:
    """The test that `value` is a number the operators take as is (Decimal or int, never a
    boolean, whose class is bool): its class read once into `scratch` and compared by
    identity, Decimal first (a set lookup of the class costs several times as much)."""
    return f"(({scratch} := type({value})) is _D or {scratch} is _I)"


def _is_number(node: ast.Expr) -> bool:
    """A number literal: a Decimal constant, no class check needed."""
    return isinstance(node, ast.LiteralValue) and isinstance(node.value, Decimal)
