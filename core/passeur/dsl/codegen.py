"""Checked IR -> Python source: one straight-line function per direction (and explain variants).

The generated code reads like what a careful programmer would write by hand: dict lookups, a
class check before each arithmetic operation, local variables, no interpretation loop. Every
rule sits in its own `try` (free in Python 3.11 until something fails) so one bad value gives
one issue and the other rules still run. `_at` names the data being read when something fails
(an index into `_SITES`); the handler turns it into a data path such as
`LigneFacture[3].PrixFinal`.
"""

from __future__ import annotations

import keyword
import re
from decimal import Decimal
from typing import Any

import attrs

from passeur.dsl import ast
from passeur.dsl.ir import IRBlock, IRLet, IRMapping, IRRule, Lens

__all__ = ["Generated", "generate", "is_text_join"]


@attrs.frozen
class Generated:
    """The module source and the table from generated lines back to rules."""

    source: str
    #: (first generated line, last generated line, rule index)
    line_table: tuple[tuple[int, int, int], ...]
    sites: tuple[str, ...]
    #: (index name, list variable, item variable) of each fast-path loop
    loops: tuple[tuple[str, str, str], ...] = ()


def _py(value: Any) -> str:
    return repr(value)


@attrs.frozen
class _Scope:
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

    def above(self, path: ast.Path) -> tuple[str, str, str]:
        """(src, path_left, path_right) of the scope a `^.` or `$.` path reads from."""
        here = (self.src, self.path_left, self.path_right)
        chain = (*self.parents, here)
        if path.root:
            return chain[0]
        return chain[max(0, len(chain) - 1 - path.up)]


def _target(item: IRRule | IRBlock, direction: str) -> tuple[str, ...] | None:
    """The path an item writes in one direction."""
    forward = direction == "forward"
    if isinstance(item, IRBlock):
        return (item.each.right if forward else item.each.left).parts
    if item.rule.arrow == ast.BOTH:
        lens = item.right_lens if forward else item.left_lens
        return lens.path.parts if lens is not None else None
    target = item.rule.right if forward else item.rule.left
    return target.parts if isinstance(target, ast.Path) else None


def _written_into(items: tuple[IRRule | IRBlock, ...] | list[IRRule | IRBlock],
                  direction: str) -> frozenset[tuple[str, ...]]:
    """Targets of a scope that another target of the same scope extends (`extensions` when
    a rule writes `extensions.added`): values written there must be the output's own."""
    targets = {t for item in items if direction in item.directions
               and (t := _target(item, direction)) is not None}
    return frozenset(p for p in targets
                     if any(len(q) > len(p) and q[:len(p)] == p for q in targets))


class _Gen:
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

    # -------------------------------------------------------------- emitting

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

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
                  f"if {value}.__hash__ is not None else _A")
        self.emit(f"    {value} = {found} if {found} is not _A else "
                  f"_lookup({lookup}, {value}, {fallback}, {name!r})")

    def site(self, template: str) -> int:
        self.sites.append(template)
        return len(self.sites) - 1

    # -------------------------------------------------------------- reading

    def read(self, var: str, parts: tuple[str, ...], root_is_dict: bool = True) -> str:
        """Emit the reads of a path from `var`; returns the variable holding the value."""
        target = self.tmp()
        first, *rest = parts
        if root_is_dict:
            self.emit(f"{target} = {var}.get({first!r}, _A)")
        else:
            self.emit(f"{target} = _child({var}, {first!r})")
        for part in rest:
            self.emit(f"{target} = {target}.get({part!r}, _A) "
                      f"if {target}.__class__ is dict else _A")
        return target

    def path_template(self, base: str, parts: tuple[str, ...]) -> str:
        """A data path as a format template: loop indexes are `{_iN}` fields, and braces in
        field names are doubled so a name can never inject code or a format field."""
        text = ".".join(p.replace("{", "{{").replace("}", "}}") for p in parts)
        return f"{base}.{text}" if base else text

    def expr(self, e: ast.Expr, scope: _Scope, side: str, top: bool = False) -> str:
        """Emit statements computing `e` over `scope.src`; returns a Python expression."""
        base = scope.path_left if side == "left" else scope.path_right
        if isinstance(e, ast.LiteralValue):
            return self.const(e.value)
        if isinstance(e, ast.Path):
            return self.read(scope.above(e)[0] if e.scoped else scope.src, e.parts)
        if isinstance(e, ast.LetRef):
            variable = self.let_vars.get(id(e.let), "_A")
            return self.read(variable, e.parts, root_is_dict=False) if e.parts else variable
        if isinstance(e, ast.Call):
            if e.name == ast.POSITION:
                return f"({scope.index} + 1)" if scope.index else "_A"
            if e.name in ast.AGGREGATES:
                return self.aggregate(e, scope, side)
            return self.call(e, scope, side, base)
        if isinstance(e, ast.Arith):
            a, site_a = self.operand(e.left, scope, side, base)
            b, site_b = self.operand(e.right, scope, side, base)
            t = self.tmp()
            if is_text_join(e):
                self.emit(f"{t} = _concat({a}, {b}, {site_a}, {site_b})")
                return t
            slow = f"_arith({e.op!r}, {a}, {b}, {site_a}, {site_b})"
            if e.op == "/":
                self.emit(f"{t} = {slow}")
            else:
                # Two numbers (Decimal or int, as JSON gives a whole quantity): the
                # operator itself. Anything else (text, absent, null, a boolean) goes to
                # the helper, which knows which operand to blame.
                checks = [f"{v}.__class__ in _N" for v, node in ((a, e.left), (b, e.right))
                          if not _is_number(node)]
                fast = f"{a} {e.op} {b}"
                self.emit(f"{t} = {fast} if {' and '.join(checks)} else {slow}" if checks
                          else f"{t} = {fast}")
            return t
        if isinstance(e, ast.Neg):
            a, site_a = self.operand(e.operand, scope, side, base)
            t = self.tmp()
            self.emit(f"{t} = -{a} if {a}.__class__ in _N else _arith('neg', {a}, 0, "
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

    def if_chain(self, e: ast.If, scope: _Scope, side: str, top: bool) -> str:
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

    def operand(self, e: ast.Expr, scope: _Scope, side: str, base: str) -> tuple[str, int]:
        """An arithmetic operand and the site naming it (a path), or -1."""
        value = self.expr(e, scope, side)
        if isinstance(e, ast.Path):
            return value, self.site(self.path_template(_base(e, scope, side, base), e.parts))
        return value, -1

    def call(self, e: ast.Call, scope: _Scope, side: str, base: str) -> str:
        function = self.ir.functions.get(e.name)
        args = [self.expr(a, scope, side) for a in e.args]
        t = self.tmp()
        first = e.args[0] if e.args else None
        site = self.site(self.path_template(_base(first, scope, side, base), first.parts)) \
            if isinstance(first, ast.Path) else -1
        call = f"{self.fn(e.name)}({', '.join(args)})"
        if (function is not None and getattr(function, "accepts_absent", False)) or not args:
            self.emit(f"_at = {site}; {t} = {call}")
        else:
            guard = " or ".join(f"{a} is _A" for a in args if a.startswith("_t"))
            if guard:
                self.emit(f"_at = {site}; {t} = _A if {guard} else {call}")
            else:
                self.emit(f"_at = {site}; {t} = {call}")
        return t

    def aggregate(self, e: ast.Call, scope: _Scope, side: str) -> str:
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
        self.emit(f"_at = {site}; {items} = _items({items})")
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
            if single:
                value = self.read(item, first.parts[-1:], root_is_dict=False)
                value_site = self.site(self.path_template(inner_base, first.parts[-1:]))
            else:
                self.emit(f"if {item}.__class__ is not dict: continue")
                value = self.expr(e.args[1], inner, side)
                value_site = -1
            # absent and null items are skipped; anything else must be a number
            self.emit(f"if {value}.__class__ in _N: {acc} += {value}")
            self.emit(f"elif {value} is not _A and {value} is not None:")
            self.emit(f"    _at = {value_site}; {acc} = {acc} + _num({value})")
            self.indent -= 1
            self.emit(f"{t} = {acc}")
        self.indent -= 1
        return t

    # -------------------------------------------------------------- writing

    def write(self, var: str, parts: tuple[str, ...], value: str) -> None:
        """Write `value` at `parts` of `var`. When another rule of the same scope writes
        inside `parts`, the value (possibly an object of the input) is copied first, so that
        rule never modifies the document being converted; other writes pay nothing."""
        variable = value.isidentifier() and not keyword.iskeyword(value)  # not True/None
        if variable and self.written_into and parts in self.written_into[-1]:
            self.emit(f"if {value}.__class__ is dict or {value}.__class__ is list: "
                      f"{value} = _clone({value})")
        parent = var
        for part in parts[:-1]:
            nxt = self.tmp("p")
            self.emit(f"{nxt} = {parent}.get({part!r})")
            self.emit(f"if {nxt}.__class__ is not dict: {nxt} = {parent}[{part!r}] = {{}}")
            parent = nxt
        self.emit(f"{parent}[{parts[-1]!r}] = {value}")

    def trace(self, base: str, parts: tuple[str, ...], index: int) -> None:
        if self.explain:
            path = self.path_template(base, parts)
            self.emit(f"_tr.append((f{path!r}, {index}, _br, _df))")

    # -------------------------------------------------------------- rules

    def open_rule(self, index: int) -> int:
        """Start a rule's `try`; returns where its lines start (for the line table)."""
        self.emit("try:")
        self.indent += 1
        if self.explain:
            self.emit("_br = None; _df = False")
        return len(self.lines)

    def close_rule(self, index: int, start: int) -> None:
        self.indent -= 1
        self.emit("except Exception as _e:")
        self.emit(f"    _fail(_e, {index}, _at, locals())")
        self.spans.append((start, len(self.lines), index))

    def one_way(self, item: IRRule, scope: _Scope, direction: str) -> None:
        rule = item.rule
        forward = direction == "forward"
        side = "left" if forward else "right"
        source = rule.left if forward else rule.right
        target = rule.right if forward else rule.left
        assert isinstance(target, ast.Path)
        start = self.open_rule(item.index)
        if rule.when is not None:
            c = self.expr(rule.when, scope, side)
            self.emit(f"if _truth({c}):")
            self.indent += 1
            if self.explain:
                self.emit('_br = "when"')
        v = self.expr(source, scope, side, top=True)
        constant = isinstance(source, ast.LiteralValue)
        if constant and rule.default is None and item.table is None:
            # a constant: written as is, no absent check needed
            self.write(scope.out, target.parts, v)
            self.trace(scope.path_right if forward else scope.path_left, target.parts,
                       item.index)
            if rule.when is not None:
                self.indent -= 1
            self.close_rule(item.index, start)
            return
        value = v
        if constant:
            value = self.tmp("v")
            self.emit(f"{value} = {v}")
        if rule.default is not None:
            self.emit(f"if {value} is _A or {value} is None:")
            self.indent += 1
            if self.explain:
                self.emit("_df = True")
            self.emit(f"{value} = {self.expr(rule.default, scope, side)}")
            self.indent -= 1
            if item.table is not None:
                self.emit("else:")
                self.indent += 1
                self.lookup(item, value, direction, scope, side, rule)
                self.indent -= 1
        elif item.table is not None:
            self.lookup(item, value, direction, scope, side, rule)
        self.emit(f"if {value} is not _A:")
        self.indent += 1
        self.write(scope.out, target.parts, value)
        self.trace(scope.path_right if forward else scope.path_left, target.parts, item.index)
        self.indent -= 1
        if rule.when is not None:
            self.indent -= 1
        self.close_rule(item.index, start)

    def lookup(self, item: IRRule, value: str, direction: str, scope: _Scope, side: str,
               rule: ast.Rule) -> None:
        assert item.table is not None
        name = item.table.name
        source = rule.left if side == "left" else rule.right
        base = scope.path_left if side == "left" else scope.path_right
        site = self.site(self.path_template(_base(source, scope, side, base), source.parts)) \
            if isinstance(source, ast.Path) else -1
        self.lookup_code(value, name, direction, site)

    def lens_get(self, lens: Lens, var: str, base: str) -> str:
        """Read a lens: the path, then its functions innermost first."""
        value = self.read(var, lens.path.parts)
        site = self.site(self.path_template(base, lens.path.parts))
        for step in lens.steps:
            extra = "".join(f", {self.const(a.value)}" for a in step.args
                            if isinstance(a, ast.LiteralValue))
            self.emit(f"if {value} is not _A:")
            self.emit(f"    _at = {site}; {value} = {self.fn(step.function.name)}({value}{extra})")
        return value

    def lens_solve(self, lens: Lens, value: str, site: int, current: str = "") -> None:
        """Undo a lens's functions (outermost first) so `value` can be written at its path;
        a failure names `site`, the field the value was read from. A part (`before`) is
        written into `current`, the variable the field is written in."""
        for step in reversed(lens.steps):
            if step.part:
                extra = "".join(f", {self.const(a.value)}" for a in step.args
                                if isinstance(a, ast.LiteralValue))
                now = self.read(current, lens.path.parts) if current else "_A"
                put = self.fn(f"{step.function.name}.put")
                self.emit(f"if {value} is not _A:")
                self.emit(f"    _at = {site}; {value} = {put}({value}, "
                          f"{now} if {now} is not _A else None{extra})")
                continue
            if step.inverse is None:
                continue  # `keep` with no inverse: the new value is written as it is
            extra = "".join(f", {self.const(a.value)}" for a in step.args
                            if isinstance(a, ast.LiteralValue))
            self.emit(f"if {value} is not _A:")
            self.emit(f"    _at = {site}; {value} = {self.fn(step.inverse.name)}({value}{extra})")

    def both_ways(self, item: IRRule, scope: _Scope, direction: str) -> None:
        rule = item.rule
        assert item.left_lens is not None and item.right_lens is not None
        forward = direction == "forward"
        read_lens, write_lens = ((item.left_lens, item.right_lens) if forward
                                 else (item.right_lens, item.left_lens))
        read_base = scope.path_left if forward else scope.path_right
        write_base = scope.path_right if forward else scope.path_left
        start = self.open_rule(item.index)
        if rule.keep and not forward:
            # First: is the original still right? Then nothing else runs (a view value the
            # inverse could not even read, such as "" for `integer`, is then no error).
            self.keep_check(item, scope)
        value = self.lens_get(read_lens, scope.src, read_base)
        if item.table is not None:
            self.lookup_lens(item, value, direction, read_lens, read_base)
        if rule.default is not None and forward:
            self.emit(f"if {value} is _A or {value} is None:")
            self.indent += 1
            if self.explain:
                self.emit("_df = True")
            self.emit(f"{value} = {self.expr(rule.default, scope, 'left')}")
            self.indent -= 1
        read_site = self.site(self.path_template(read_base, read_lens.path.parts))
        self.lens_solve(write_lens, value, read_site, "" if forward else scope.out)
        parts = write_lens.path.parts
        if forward:
            self.emit(f"if {value} is not _A:")
            self.indent += 1
            self.write(scope.out, parts, value)
            self.trace(write_base, parts, item.index)
            self.indent -= 1
        else:
            self.emit(f"if {value} is _A:")
            self.emit(f"    _drop_path({scope.out}, {parts!r})")
            self.emit("else:")
            self.indent += 1
            if item.right_lens.steps or item.left_lens.steps or item.table is not None:
                self.read_back(item, scope, value, read_site)
            self.write(scope.out, parts, value)
            self.trace(write_base, parts, item.index)
            self.indent -= 1
            if rule.keep:
                self.indent -= 1
                if self.explain:  # say that the original was kept, and by which rule
                    self.emit("else:")
                    self.indent += 1
                    self.emit('_br = "kept"')
                    self.trace(write_base, parts, item.index)
                    self.indent -= 1
        self.close_rule(item.index, start)

    def read_back(self, item: IRRule, scope: _Scope, value: str, site: int) -> None:
        """The put law, checked where it can fail: the value about to be written must read
        forward as the view's value, else the rule refuses it (an error naming the view's
        field) rather than write what reads back as something else (`split` of a line that
        holds the separator, `upper` under `keep` with a new small-letter name...)."""
        assert item.left_lens is not None and item.right_lens is not None
        again = self.tmp("again")
        self.emit(f"{again} = {value}")
        for step in item.left_lens.steps:
            extra = "".join(f", {self.const(a.value)}" for a in step.args
                            if isinstance(a, ast.LiteralValue))
            self.emit(f"if {again} is not _A:")
            self.emit(f"    {again} = {self.fn(step.function.name)}({again}{extra})")
        if item.table is not None:
            self.lookup_code(again, item.table.name, "forward", site)
        self.lens_solve(item.right_lens, again, site)
        view = self.read(scope.src, item.right_lens.path.parts)
        self.emit(f"if not _same({again}, {view}): _at = {site}; _unwritable({view}, {again})")

    def lookup_lens(self, item: IRRule, value: str, direction: str, lens: Lens,
                    base: str) -> None:
        assert item.table is not None
        name = item.table.name
        site = self.site(self.path_template(base, lens.path.parts))
        self.lookup_code(value, name, direction, site)

    def keep_check(self, item: IRRule, scope: _Scope) -> None:
        """Under `keep`: leave the original alone when it still reads as the view's value."""
        assert item.left_lens is not None and item.right_lens is not None
        assert scope.orig is not None
        rule = item.rule
        seen = self.tmp("seen")
        self.emit("try:")
        self.indent += 1
        again = self.lens_get(item.left_lens, scope.orig, scope.path_left)
        if item.table is not None:
            self.lookup_code(again, item.table.name, "forward", -1)
        if rule.default is not None:
            self.emit(f"if {again} is _A or {again} is None:")
            default = self.expr(rule.default, attrs.evolve(scope, src=scope.orig), "left")
            self.emit(f"    {again} = {default}")
        self.lens_solve(item.right_lens, again, -1)
        view = self.read(scope.src, item.right_lens.path.parts)
        self.emit(f"{seen} = {again} is {view} or ({again} is not _A and {view} is not _A "
                  f"and _same({again}, {view}))")
        self.indent -= 1
        self.emit("except Exception:")
        self.emit(f"    {seen} = False")
        self.emit(f"if not {seen}:")
        self.indent += 1

    # -------------------------------------------------------------- blocks

    def block(self, block: IRBlock, scope: _Scope, direction: str) -> None:
        each = block.each
        forward = direction == "forward"
        read_path = each.left if forward else each.right
        write_path = each.right if forward else each.left
        read_base = scope.path_left if forward else scope.path_right
        start = self.open_rule(block.index)
        items = self.read(scope.src, read_path.parts)
        site = self.site(self.path_template(read_base, read_path.parts))
        self.emit(f"if {items} is None:")
        self.indent += 1
        self.write(scope.out, write_path.parts, "None")
        self.indent -= 1
        self.emit(f"elif {items} is _A:")
        self.emit(f"    _drop_path({scope.out}, {write_path.parts!r})" if not forward
                  else "    pass")
        self.emit("else:")
        self.indent += 1
        self.emit(f"_at = {site}; {items} = _items({items})")
        depth = scope.depth
        # Every block has its own item variable: a failure's data path finds loop indexes by
        # identity, which must never look at a sibling block's stale item.
        index, item, out = self.tmp("i"), self.tmp("s"), f"_o{depth}"
        result = self.tmp("list")
        originals = None
        excluded = None
        if not forward:
            assert scope.orig is not None
            old = self.read(scope.orig, each.left.parts)
            if each.where is not None:
                excluded = self.filter_originals(block, scope, old)
            originals = self.tmp("orig")
            if each.key is not None:
                key_left, key_right = each.key
                keys = self.tmp("keys")
                self.emit(f"{keys} = [_getp(_x, {key_right.parts!r}) for _x in {items}]")
                self.emit(f"{originals} = _match({old}, lambda _x: _getp(_x, "
                          f"{key_left.parts!r}), {keys})")
            else:
                self.emit(f"{originals} = _bypos({old}, len({items}))")
        self.emit(f"{result} = []")
        orig_item = None if forward else f"_g{depth}"
        counted = _reads_position(block.body)
        self.loop(index, item, items, orig_item, originals, counted)
        self.indent += 1
        if forward:
            self.emit(f"{out} = {{}}")
        else:
            self.emit(f"{out} = _clone({orig_item}) if {orig_item} is not None else {{}}")
            self.emit(f"if {orig_item} is None: {orig_item} = {{}}")
        item_template = f"[{{{index}}}]"
        item_site = self.site(self.path_template(read_base, read_path.parts) + item_template)
        self.emit(f"if {item}.__class__ is not dict:")
        self.emit(f"    try: _at = {item_site}; _not_object({item})")
        self.emit(f"    except Exception as _e: _fail(_e, {block.index}, _at, locals())")
        self.emit("    continue")
        left_base = self.path_template(scope.path_left, each.left.parts) + item_template
        right_base = self.path_template(scope.path_right, each.right.parts) + item_template
        parents = (*scope.parents, (scope.src, scope.path_left, scope.path_right))
        if forward and each.where is not None:
            item_scope = _Scope(src=item, out=out, orig=None, path_left=left_base,
                                path_right=right_base, depth=depth + 1, parents=parents)
            self.emit(f"if not {self.where(block, item_scope)}: continue")
        self.emit(f"{result}.append({out})")
        inner = _Scope(src=item, out=out, orig=orig_item, path_left=left_base,
                       path_right=right_base, depth=depth + 1,
                       index=index if counted or self.explain else "",
                       parents=(*scope.parents, (scope.src, scope.path_left,
                                                 scope.path_right)))
        # Each inner rule has its own try, so one bad line never hides the other lines.
        self.lets(block.lets, inner, direction)
        self.items(block.body, inner, direction)
        if not forward and each.where is not None:
            # put then get: an item written back that the filter would leave out when read
            # again is not written (an error naming the view's item)
            written = attrs.evolve(inner, src=out, path_left=left_base)
            self.emit(f"if not {self.where(block, written)}:")
            self.emit(f"    {result}.pop()")
            self.emit(f"    try: _at = {item_site}; _left_out({item})")
            self.emit(f"    except Exception as _e: _fail(_e, {block.index}, _at, locals())")
        self.indent -= 1
        if excluded is not None:
            self.emit(f"for _k, _x in {excluded}: {result}.insert(_k, _clone(_x))")
        self.write(scope.out, write_path.parts, result)
        self.indent -= 1
        self.close_rule(block.index, start)

    def lets(self, lets: tuple[IRLet, ...] | list[IRLet], scope: _Scope,
             direction: str) -> None:
        """A scope's `let`s, each computed once (in its own `try`: a failure is its error,
        and the rules reading it see absent, so they write nothing)."""
        side = "left" if direction == "forward" else "right"
        for found in lets:
            if direction not in found.directions:
                continue
            variable = f"_L{found.index}"
            self.let_vars[id(found.let)] = variable
            self.emit(f"{variable} = _A")
            start = self.open_rule(found.index)
            self.emit(f"{variable} = {self.expr(found.let.expr, scope, side)}")
            self.close_rule(found.index, start)

    def where(self, block: IRBlock, scope: _Scope) -> str:
        """The block's filter over `scope.src` (a left item); a failure is the block's
        error and leaves the item out. Returns a variable holding True or False."""
        assert block.each.where is not None
        keep = self.tmp("keep")
        self.emit(f"{keep} = False")
        self.emit("try:")
        self.indent += 1
        value = self.expr(block.each.where, scope, "left")
        self.emit(f"{keep} = _truth({value})")
        self.indent -= 1
        self.emit("except Exception as _e:")
        self.emit(f"    _fail(_e, {block.index}, _at, locals())")
        return keep

    def filter_originals(self, block: IRBlock, scope: _Scope, old: str) -> str:
        """Backward under `where`: the original items the filter leaves out are kept as
        they are, at their places; the view is matched against the others only."""
        excluded, kept = self.tmp("out"), self.tmp("in")
        self.emit(f"{excluded} = []")
        self.emit(f"if {old}.__class__ is list:")
        self.indent += 1
        self.emit(f"{kept} = []")
        self.emit(f"for _k, _x in enumerate({old}):")
        self.indent += 1
        self.emit("if _x.__class__ is not dict:")
        self.emit(f"    {kept}.append(_x); continue")
        parents = (*scope.parents, (scope.src, scope.path_left, scope.path_right))
        item_scope = _Scope(src="_x", out="_x", orig=None, path_left="", path_right="",
                            depth=scope.depth + 1, parents=parents)
        keep = self.where(block, item_scope)
        self.emit(f"if {keep}: {kept}.append(_x)")
        self.emit(f"else: {excluded}.append((_k, _x))")
        self.indent -= 1
        self.emit(f"{old} = {kept}")
        self.indent -= 1
        return excluded

    def items(self, items: tuple[IRRule | IRBlock, ...] | list[IRRule | IRBlock],
              scope: _Scope, direction: str) -> None:
        self.written_into.append(_written_into(items, direction))
        for item in items:
            if direction not in item.directions:
                continue
            if isinstance(item, IRBlock):
                self.block(item, scope, direction)
            elif item.rule.arrow == ast.BOTH:
                self.both_ways(item, scope, direction)
            else:
                self.one_way(item, scope, direction)
        self.written_into.pop()

    def function(self, name: str, direction: str) -> list[str]:
        self.lines = []
        self.indent = 1
        if direction == "forward":
            scope = _Scope(src="src", out="out", orig=None, path_left="", path_right="")
            signature = f"def {name}(src, out, _issues, _strict, _tr):"
        else:
            scope = _Scope(src="src", out="out", orig="orig", path_left="", path_right="")
            signature = f"def {name}(src, out, orig, _issues, _strict, _tr):"
        self.emit("_at = -1")
        if self.explain:
            self.emit("_br = None; _df = False")
        self.lets(self.ir.lets, scope, direction)
        self.items(self.ir.items, scope, direction)
        self.emit("return out")
        # Globals the body reads become default arguments: fast local reads at run time.
        used = sorted(set(_NAME.findall("\n".join(self.lines))) & self.bindable())
        binding = "".join(f", {name}={name}" for name in used)
        return [signature.replace("):", f"{binding}):"), *self.lines]

    def bindable(self) -> set[str]:
        consts = set(self.consts.values())
        return consts | set(self.bound) | _HELPERS


def _reads_position(body: tuple[IRRule | IRBlock, ...]) -> bool:
    """Whether a rule of this block (not of a block inside it) reads `position()`."""
    exprs: list[Any] = []
    for item in body:
        if isinstance(item, IRRule):
            exprs += [item.rule.left, item.rule.right, item.rule.default, item.rule.when]
    lets = [e for e in exprs if e is not None]
    while lets:
        node = lets.pop()
        if isinstance(node, ast.Call):
            if node.name == ast.POSITION:
                return True
            lets.extend(node.args)
        elif isinstance(node, (ast.Arith, ast.Compare, ast.BoolOp)):
            lets.extend((node.left, node.right))
        elif isinstance(node, (ast.Neg, ast.Not)):
            lets.append(node.operand)
        elif isinstance(node, ast.If):
            lets.extend((node.cond, node.then, node.otherwise))
        elif isinstance(node, ast.LetRef):
            lets.append(node.let.expr)
    return False


def _base(path: ast.Path, scope: _Scope, side: str, base: str) -> str:
    """The data path a path's value is named from in messages (its own scope's)."""
    if not path.scoped:
        return base
    _src, left, right = scope.above(path)
    return left if side == "left" else right


def is_text_join(node: ast.Arith) -> bool:
    """`"QC-" + strNoProduit`: a `+` with a text literal on one side joins texts."""
    return node.op == "+" and any(
        isinstance(x, ast.LiteralValue) and isinstance(x.value, str)
        for x in (node.left, node.right))


def _is_number(node: ast.Expr) -> bool:
    """A number literal: a Decimal constant, no class check needed."""
    return isinstance(node, ast.LiteralValue) and isinstance(node.value, Decimal)


_NAME = re.compile(r"\b_[A-Za-z]\w*\b")
#: Names the runtime namespace defines (see passeur.dsl.compiled).
_HELPERS = frozenset({
    "_A", "_D", "_N", "_num", "_arith", "_concat", "_eq", "_ne", "_order",
    "_truth", "_lookup", "_child", "_items", "_drop_path", "_getp",
    "_match", "_bypos", "_clone", "_not_object", "_fail", "_same", "_unwritable",
    "_left_out",
})


def generate(ir: IRMapping, *, explain: bool = False) -> Generated:
    """Python source defining `forward(src, out, ...)` and `backward(src, out, orig, ...)`."""
    gen = _Gen(ir, explain)
    bodies = []
    for direction in ("forward", "backward"):
        gen.spans = []
        bodies.append((gen.function(direction, direction), gen.spans))
    lines = ["# generated by passeur.dsl.codegen; do not edit", *gen.const_lines,
             *gen.bound.values(), ""]
    table: list[tuple[int, int, int]] = []
    for body, spans in bodies:
        # body[0] is the `def` line, generated line offset + 1; a span (start, end) counts
        # body lines after it: its first line is offset + start + 2, its last offset + end + 1
        offset = len(lines)
        lines.extend(body)
        lines.append("")
        table.extend((offset + start + 2, offset + end + 1, index)
                     for start, end, index in spans)
    return Generated("\n".join(lines) + "\n", tuple(table), tuple(gen.sites),
                     tuple(gen.loops))
