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

import attrs

from passeur.dsl import ast
from passeur.dsl.codegen_expr import Scope, is_iso_date, is_text_join, scope_base
from passeur.dsl.codegen_fuse import FusionEmitter, find_fusions
from passeur.dsl.codegen_group import written_into
from passeur.dsl.codegen_plain import cannot_raise
from passeur.dsl.ir import IRBlock, IRLet, IRMapping, IRRule, Lens
from passeur.dsl.runtime import Generated

__all__ = ["Generated", "generate", "is_text_join"]


class _Gen(FusionEmitter):
    """Rules, lenses and blocks, both directions, over the expression compiler."""

    #: the variables known to hold dicts, where a rule that cannot raise loses its `try`
    #: (forward fast path only: None when explaining and backward)
    plain: set[str] | None = None

    # -------------------------------------------------------------- writing

    def write(self, var: str, parts: tuple[str, ...], value: str) -> None:
        """Write `value` at `parts` of `var`. When another rule of the same scope writes
        inside `parts`, the value (possibly an object of the input) is copied first, so that
        rule never modifies the document being converted; other writes pay nothing."""
        variable = value.isidentifier() and not keyword.iskeyword(value)  # not True/None
        if variable and self.written_into and parts in self.written_into[-1]:
            self.emit(f"if type({value}) is dict or type({value}) is list: "
                      f"{value} = _clone({value})")
        parent = var
        for part in parts[:-1]:
            nxt = self.tmp("p")
            self.emit(f"{nxt} = {parent}.get({part!r})")
            self.emit(f"if type({nxt}) is not dict: {nxt} = {parent}[{part!r}] = {{}}")
            parent = nxt
        self.emit(f"{parent}[{parts[-1]!r}] = {value}")

    def trace(self, base: str, parts: tuple[str, ...], index: int) -> None:
        if self.explain and not self.quiet:
            path = self.path_template(base, parts)
            self.emit(f"_tr.append((f{path!r}, {index}, _br, _df))")

    # -------------------------------------------------------------- rules

    def open_rule(self, index: int) -> int:
        """Start a rule's `try`; returns where its lines start (for the line table)."""
        self.emit("try:")
        self.indent += 1
        if self.explain:
            self.emit("_br = None; _df = False")
        self.held_reads.rule_opened(len(self.lines), self.indent)
        return len(self.lines)

    def close_rule(self, index: int, start: int, handler: str | None = None) -> None:
        """End a rule's `try`: its failure goes to `_fail`, or is kept in `handler` (a
        `let`'s error, reported when a rule reads the let)."""
        self.indent -= 1
        self.held_reads.rule_closed()
        if self.plain is not None and cannot_raise(self.lines[start:], self.plain):
            # no `try` needed (see passeur.dsl.codegen_plain): the body moves out of it
            del self.lines[start - 1]
            self.lines[start - 1:] = [line[4:] for line in self.lines[start - 1:]]
            self.spans.append((start - 1, len(self.lines), index))
            return
        self.emit("except Exception as _e:")
        if handler is None:
            self.emit(f"    _fail(_e, {index}, _at, locals())")
        else:
            self.emit(f"    {handler} = _letfail(_e, {index}, _at, locals())")
        self.spans.append((start, len(self.lines), index))

    def one_way(self, item: IRRule, scope: Scope, direction: str) -> None:
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

    def lookup(self, item: IRRule, value: str, direction: str, scope: Scope, side: str,
               rule: ast.Rule) -> None:
        assert item.table is not None
        name = item.table.name
        source = rule.left if side == "left" else rule.right
        base = scope.path_left if side == "left" else scope.path_right
        site = self.site(self.path_template(scope_base(source, scope, side, base),
                                            source.parts)) \
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
            if is_iso_date(step.function, (lens.path, *step.args)):
                self.emit(f"    _at = {site}")
                self.iso_date(step.function.name, value, value, "    ")
                continue
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

    def both_ways(self, item: IRRule, scope: Scope, direction: str) -> None:
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
            self.indent += 1
            if any(step.part for step in write_lens.steps):
                # one part of a field absent: the field's other part must not go with it
                now = self.read(scope.out, parts)
                self.emit(f"if isinstance({now}, str): _at = {read_site}; _part_absent({now})")
            self.emit(f"_drop_path({scope.out}, {parts!r})")
            self.indent -= 1
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

    def read_back(self, item: IRRule, scope: Scope, value: str, site: int) -> None:
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

    def keep_check(self, item: IRRule, scope: Scope) -> None:
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

    def block(self, block: IRBlock, scope: Scope, direction: str) -> None:
        each = block.each
        forward = direction == "forward"
        read_path = each.left if forward else each.right
        write_path = each.right if forward else each.left
        read_base = scope.path_left if forward else scope.path_right
        start = self.open_rule(block.index)
        items = self.read(scope.src, read_path.parts)
        site = self.site(self.path_template(read_base, read_path.parts))
        self.unless_absent(items, scope, write_path, forward)
        self.emit(f"_at = {site}")
        self.emit(f"if type({items}) is not list: {items} = _items({items})")
        depth = scope.depth
        # Every block has its own item variable: a failure's data path finds loop indexes by
        # identity, which must never look at a sibling block's stale item.
        index, item, out = self.tmp("i"), self.tmp("s"), f"_o{depth}"
        result = self.tmp("list")
        originals = None
        excluded = hidden = None
        if not forward:
            assert scope.orig is not None
            old = self.read(scope.orig, each.left.parts)
            every = old
            if each.where is not None:
                if each.key is not None:  # a keyed view item finds its line even if hidden
                    every = self.tmp("all")
                    self.emit(f"{every} = {old}")
                excluded = self.filter_originals(block, scope, old)
            originals = self.tmp("orig")
            if each.key is not None:
                key_left, key_right = each.key
                keys = self.tmp("keys")
                self.emit(f"{keys} = [_getp(_x, {key_right.parts!r}) for _x in {items}]")
                self.emit(f"{originals} = _match({every}, lambda _x: _getp(_x, "
                          f"{key_left.parts!r}), {keys})")
                if excluded is not None:  # a hidden line the view edits is written over
                    hidden = self.tmp("hidden")
                    self.emit(f"{hidden} = {excluded}")
                    self.emit(f"{excluded} = [_e for _e in {hidden} "
                              f"if not any(_e[1] is _y for _y in {originals})]")
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
        self.emit(f"if type({item}) is not dict:")
        self.emit(f"    try: _at = {item_site}; _not_object({item})")
        self.emit(f"    except Exception as _e: _fail(_e, {block.index}, _at, locals())")
        self.emit("    continue")
        if forward and self.plain is not None:  # the item is a dict, its output a fresh one
            self.plain |= {item, out}
            self.held_reads.scope_opened(self.indent, item)
        left_base = self.path_template(scope.path_left, each.left.parts) + item_template
        right_base = self.path_template(scope.path_right, each.right.parts) + item_template
        parents = (*scope.parents, (scope.src, scope.path_left, scope.path_right))
        if forward and each.where is not None:
            item_scope = Scope(src=item, out=out, orig=None, path_left=left_base,
                               path_right=right_base, depth=depth + 1, parents=parents)
            self.emit(f"if not {self.where(block, item_scope)}: continue")
        self.emit(f"{result}.append({out})")
        inner = Scope(src=item, out=out, orig=orig_item, path_left=left_base,
                      path_right=right_base, depth=depth + 1,
                      index=index if counted or self.explain else "",
                      parents=parents, outs=(*scope.outs, scope.out))
        # Each inner rule has its own try, so one bad line never hides the other lines.
        self.lets(block.lets, inner, direction)
        self.items(block.body, inner, direction)
        if not forward and each.where is not None:
            # put then get: an item written back that the filter would leave out when read
            # again is not written (an error naming the view's item)
            written = attrs.evolve(inner, src=out, path_left=left_base)
            self.emit(f"if not {self.where(block, written)}:")
            self.emit(f"    {result}.pop()")
            if hidden is not None:  # the hidden line it was written over stays as it was
                self.emit(f"    {excluded}.extend(_e for _e in {hidden} if _e[1] is "
                          f"{orig_item})")
            self.emit(f"    try: _at = {item_site}; _left_out({item})")
            self.emit(f"    except Exception as _e: _fail(_e, {block.index}, _at, locals())")
        if forward and self.plain is not None:
            self.held_reads.scope_closed()
        self.indent -= 1
        if excluded is not None:
            self.emit(f"for _k, _x in sorted({excluded}, key=lambda _e: _e[0]): "
                      f"{result}.insert(_k, _clone(_x))")
        if forward:
            self.fused_write(block, scope)
        self.write(scope.out, write_path.parts, result)
        self.indent -= 1
        self.close_rule(block.index, start)
        if forward:
            self.fused_end(block, scope)

    def unless_absent(self, value: str, scope: Scope, write_path: ast.Path,
                      forward: bool) -> None:
        """A list or object read whole: null is written as null, absent writes nothing
        (backward: removes the field), anything else continues in the `else:` opened here
        (the caller closes it)."""
        self.emit(f"if {value} is None:")
        self.indent += 1
        self.write(scope.out, write_path.parts, "None")
        self.indent -= 1
        self.emit(f"elif {value} is _A:")
        self.emit(f"    _drop_path({scope.out}, {write_path.parts!r})" if not forward
                  else "    pass")
        self.emit("else:")
        self.indent += 1

    def lets(self, lets: tuple[IRLet, ...] | list[IRLet], scope: Scope,
             direction: str) -> None:
        """A scope's `let`s, each computed once (in its own `try`: a failure is its error,
        kept in `_E<index>`, leaves the let `_X`: the first rule that reads it reports it,
        and every rule that reads it writes nothing, as with the expression in its place)."""
        side = "left" if direction == "forward" else "right"
        base = scope.path_left if side == "left" else scope.path_right
        for found in lets:
            if direction not in found.directions:
                continue
            variable = f"_L{found.index}"
            self.let_vars[id(found.let)] = variable
            expr = found.let.expr
            if isinstance(expr, ast.Path):  # a bad value read through it is named by its path
                self.let_paths[id(found.let)] = self.path_template(
                    scope_base(expr, scope, side, base), expr.parts)
            self.emit(f"{variable} = _X")
            start = self.open_rule(found.index)
            self.emit(f"{variable} = {self.expr(found.let.expr, scope, side)}")
            self.close_rule(found.index, start, f"_E{found.index}")

    def where(self, block: IRBlock, scope: Scope, side: str = "left") -> str:
        """The block's filter over `scope.src` (a left item; the read side's in a group);
        a failure is the block's error and leaves the item out. Returns a variable holding
        True or False."""
        assert block.each.where is not None
        keep = self.tmp("keep")
        self.emit(f"{keep} = False")
        self.emit("try:")
        self.indent += 1
        value = self.expr(block.each.where, scope, side)
        self.emit(f"{keep} = _truth({value})")
        self.indent -= 1
        self.emit("except Exception as _e:")
        self.emit(f"    _fail(_e, {block.index}, _at, locals())")
        return keep

    def filter_originals(self, block: IRBlock, scope: Scope, old: str) -> str:
        """Backward under `where`: the original items the filter leaves out are kept as
        they are, at their places; the view is matched against the others only."""
        excluded, kept = self.tmp("out"), self.tmp("in")
        self.emit(f"{excluded} = []")
        self.emit(f"if type({old}) is list:")
        self.indent += 1
        self.emit(f"{kept} = []")
        self.emit(f"for _k, _x in enumerate({old}):")
        self.indent += 1
        self.emit("if type(_x) is not dict:")
        self.emit(f"    {kept}.append(_x); continue")
        parents = (*scope.parents, (scope.src, scope.path_left, scope.path_right))
        item_scope = Scope(src="_x", out="_x", orig=None, path_left="", path_right="",
                           depth=scope.depth + 1, parents=parents)
        keep = self.where(block, item_scope)
        self.emit(f"if {keep}: {kept}.append(_x)")
        self.emit(f"else: {excluded}.append((_k, _x))")
        self.indent -= 1
        self.emit(f"{old} = {kept}")
        self.indent -= 1
        return excluded

    def items(self, items: tuple[IRRule | IRBlock, ...] | list[IRRule | IRBlock],
              scope: Scope, direction: str) -> None:
        self.written_into.append(written_into(items, direction))
        # the forward fast path at the top: a line total the next block computes with it
        fusions = (find_fusions(items) if self.plain is not None and scope.depth == 0
                   and direction == "forward" else {})
        for number, item in enumerate(items):
            if direction not in item.directions:
                continue
            if number in fusions:
                self.fused_total(fusions[number], scope)
            elif isinstance(item, IRBlock) and item.each.group_by is not None:
                self.group(item, scope, direction)
            elif isinstance(item, IRBlock):
                self.block(item, scope, direction)
            elif item.rule.keys:
                self.keys_rule(item, scope, direction)
            elif item.rule.arrow == ast.BOTH:
                self.both_ways(item, scope, direction)
            else:
                self.one_way(item, scope, direction)
        self.written_into.pop()
        for item in items:  # a one-way summary, the other way: checked, never written
            if isinstance(item, IRBlock) and item.each.group_by is not None \
                    and direction not in item.directions and item.directions:
                self.group_check(item, scope, direction)

    # -------------------------------------------------------------- object keys

    def key_rename(self, lens: Lens, renamed: str, key: str, site: int,
                   forward: bool) -> None:
        """`as EXPR`: forward the functions, backward their inverses; a key renamed back
        must read forward as the view's key again, else it is an error naming it."""
        if forward:
            self.emit(f"_at = {site}")  # a failure names the key, not the object
            self.apply_steps(lens, renamed)
            return
        self.lens_solve(lens, renamed, site)
        again = self.tmp("again")
        self.emit(f"{again} = {renamed}")
        self.apply_steps(lens, again)
        self.emit(f"if not _same({again}, {key}): _at = {site}; _unwritable({key}, {again})")

    def apply_steps(self, lens: Lens, value: str) -> None:
        """A lens's functions, innermost first, on `value` in place."""
        for step in lens.steps:
            extra = "".join(f", {self.const(a.value)}" for a in step.args
                            if isinstance(a, ast.LiteralValue))
            self.emit(f"{value} = {self.fn(step.function.name)}({value}{extra})")

    def keys_rule(self, item: IRRule, scope: Scope, direction: str) -> None:
        """`each key, value in L <-> R [via T]`: a new object with each key renamed through
        the table (the inverse table backward), each value as it is."""
        rule = item.rule
        forward = direction == "forward"
        read_path, write_path = (rule.left, rule.right) if forward else (rule.right, rule.left)
        assert isinstance(read_path, ast.Path) and isinstance(write_path, ast.Path)
        read_base = scope.path_left if forward else scope.path_right
        write_base = scope.path_right if forward else scope.path_left
        start = self.open_rule(item.index)
        source = self.read(scope.src, read_path.parts)
        site = self.site(self.path_template(read_base, read_path.parts))
        key, value, new, renamed = self.tmp("k"), self.tmp("v"), self.tmp("obj"), self.tmp("nk")
        key_site = self.site(self.path_template(read_base, read_path.parts) + f".{{{key}}}")
        self.unless_absent(source, scope, write_path, forward)
        was = self.tmp("was")  # new key -> the key it was, for the message
        self.emit(f"_at = {site}; {new} = {{}}; {was} = {{}}")
        self.emit(f"for {key}, {value} in _object({source}).items():")
        self.indent += 1
        self.emit(f"{renamed} = {key}")
        if item.table is not None:
            self.lookup_code(renamed, item.table.name, direction, key_site)
        if item.rename is not None:
            self.key_rename(item.rename, renamed, key, key_site, forward)
        self.emit(f"if {renamed} in {new}: _at = {key_site}; "
                  f"_renamed_twice({key}, {renamed}, {was}[{renamed}])")
        self.emit(f"{new}[{renamed}] = {value}; {was}[{renamed}] = {key}")
        self.indent -= 1
        self.write(scope.out, write_path.parts, new)
        self.trace(write_base, write_path.parts, item.index)
        self.indent -= 1
        self.close_rule(item.index, start)

    def function(self, name: str, direction: str) -> list[str]:
        self.lines = []
        self.indent = 1
        if direction == "forward":
            scope = Scope(src="src", out="out", orig=None, path_left="", path_right="")
            signature = f"def {name}(src, out, _issues, _strict, _tr):"
        else:
            scope = Scope(src="src", out="out", orig="orig", path_left="", path_right="")
            signature = f"def {name}(src, out, orig, _issues, _strict, _tr):"
        self.plain = {"src", "out"} if direction == "forward" and not self.explain else None
        self.held_reads.start(on=self.plain is not None)
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
    """Whether a rule of this block (not of a block inside it) reads `position()`, directly
    or through a `let`."""
    stack: list[ast.Expr] = [e for item in body if isinstance(item, IRRule)
                             for e in (item.rule.left, item.rule.right, item.rule.default,
                                       item.rule.when) if e is not None]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Call) and node.name == ast.POSITION:
            return True
        if isinstance(node, ast.LetRef):
            stack.append(node.let.expr)
        stack.extend(ast.children(node))
    return False


_NAME = re.compile(r"\b_[A-Za-z]\w*\b")
#: Names the runtime namespace defines (see passeur.dsl.compiled).
_HELPERS = frozenset({
    "_A", "_X", "_letfailed", "_letfail", "_D", "_I", "_N", "_num", "_arith", "_concat",
    "_eq", "_ne", "_order", "_truth", "_lookup", "_child", "_items", "_drop_path", "_getp",
    "_match", "_bypos", "_clone", "_not_object", "_fail", "_same", "_unwritable",
    "_left_out", "_groups", "_summary", "_summary_problem", "_summary_over", "_object",
    "_renamed_twice", "_part_absent", "_fromiso", "_summary_extra", "_extra_field",
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
