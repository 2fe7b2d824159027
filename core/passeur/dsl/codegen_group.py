"""The code of a `group` block: a summary of a list, one item per distinct `by` value.

Written one way, the summary is computed from the items (over the original summary when
written backward: the fields no rule writes come back from the original item of the same
group); the other way it is checked against the items written (put then get), its items
matched to the computed ones by group, never by position (see passeur.dsl.values,
match_summary).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from passeur.dsl import ast
from passeur.dsl.codegen_expr import ExprEmitter, Scope
from passeur.dsl.ir import IRBlock, IRRule, written_path

__all__ = ["GroupEmitter", "written_into"]


def _target(item: IRRule | IRBlock, direction: str) -> tuple[str, ...] | None:
    """The path an item writes in one direction, as its names."""
    path = written_path(item, direction)
    return path.parts if path is not None else None


def written_into(items: tuple[IRRule | IRBlock, ...] | list[IRRule | IRBlock],
                  direction: str) -> frozenset[tuple[str, ...]]:
    """Targets of a scope that another target of the same scope extends (`extensions` when
    a rule writes `extensions.added`): values written there must be the output's own."""
    targets = {t for item in items if direction in item.directions
               and (t := _target(item, direction)) is not None}
    return frozenset(p for p in targets
                     if any(len(q) > len(p) and q[:len(p)] == p for q in targets))


def _targets(block: IRBlock, forward: bool) -> tuple[tuple[str, ...], ...]:
    """The summary fields the rules of a group write (the way the group is written)."""
    return tuple(target.parts for rule in block.body if isinstance(rule, IRRule)
                 for target in [rule.rule.right if forward else rule.rule.left]
                 if isinstance(target, ast.Path))


def group_keys(block: IRBlock, forward: bool) -> tuple[tuple[str, ...], ...]:
    """The summary fields that say which group an item summarises: those written from the
    `by` fields alone (`number(tax) -> rate`), with no `sum`, `count` or `position`. A
    summary item is matched by them; without any, by position."""
    found = []
    for rule in block.body:
        if not isinstance(rule, IRRule):
            continue
        source, target = (rule.rule.left, rule.rule.right) if forward \
            else (rule.rule.right, rule.rule.left)
        if not isinstance(target, ast.Path):
            continue
        stack: list[ast.Expr] = [source]
        reads_by = False
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Call) and node.name in ast.AGGREGATES:
                break
            reads_by |= isinstance(node, ast.Path) and not node.scoped
            stack.extend(ast.children(node))
        else:
            if reads_by:
                found.append(target.parts)
    return tuple(found)


class GroupEmitter(ExprEmitter):
    """`group` blocks, both ways, for the rule emitter (passeur.dsl.codegen)."""

    quiet = False  # computing a summary to compare, not to write: explain traces nothing

    if TYPE_CHECKING:  # defined by the rule emitter
        def write(self, var: str, parts: tuple[str, ...], value: str) -> None: ...
        def open_rule(self, index: int) -> int: ...
        def close_rule(self, index: int, start: int, handler: str | None = None) -> None: ...
        def one_way(self, item: IRRule, scope: Scope, direction: str) -> None: ...
        def where(self, block: IRBlock, scope: Scope, side: str = "left") -> str: ...

    # -------------------------------------------------------------- groups

    def group(self, block: IRBlock, scope: Scope, direction: str) -> None:
        """A summary: one item per group of the list read, its rules reading the group."""
        forward = direction == "forward"
        write_path = block.each.right if forward else block.each.left
        start = self.open_rule(block.index)
        rows = self.group_rows(block, scope, direction)
        self.emit(f"if {rows} is not _A:")
        self.indent += 1
        if scope.orig is not None:  # written over the original summary, item by group
            old = self.read(scope.orig, write_path.parts)
            self.emit(f"if type({rows}) is list: {rows} = _summary_over({rows}, {old}, "
                      f"{_targets(block, forward)!r}, {group_keys(block, forward)!r})")
        self.write(scope.out, write_path.parts, rows)
        self.indent -= 1
        self.close_rule(block.index, start)

    def group_rows(self, block: IRBlock, scope: Scope, direction: str) -> str:
        """Emit the summary of the list read from `scope.src`; returns the variable holding
        it (a list, or the list's own absent or null)."""
        each = block.each
        assert each.group_by is not None
        forward = direction == "forward"
        read_path, write_path = (each.left, each.right) if forward else (each.right, each.left)
        read_base = scope.path_left if forward else scope.path_right
        write_base = scope.path_right if forward else scope.path_left
        items = self.read(scope.src, read_path.parts)
        rows, index, members = self.tmp("rows"), self.tmp("i"), self.tmp("m")
        first, out = self.tmp("s"), self.tmp("row")
        list_base = self.path_template(read_base, read_path.parts)
        site = self.site(list_base)
        keys = tuple(p.parts for p in each.group_by)
        self.emit(f"{rows} = {items}")
        self.emit(f"if {items} is not _A and {items} is not None:")
        self.indent += 1
        self.emit(f"_at = {site}; {rows} = []; {items} = _items({items})")
        mask = self.group_filter(block, scope, items, list_base, forward)
        self.emit(f"for {index}, {members} in enumerate(_groups({items}, {keys!r}, {mask})):")
        self.indent += 1
        self.emit(f"{out} = {{}}; {rows}.append({out}); {first} = {members}[0][1]")
        item_base = f"{list_base}[{{{members}[0][0]}}]"
        row_base = self.path_template(write_base, write_path.parts) + f"[{{{index}}}]"
        inner = Scope(src=first, out=out, orig=None,
                      path_left=item_base if forward else row_base,
                      path_right=row_base if forward else item_base,
                      depth=scope.depth + 1, index=index, group=members,
                      group_base=list_base, outs=(*scope.outs, scope.out),
                      parents=(*scope.parents, (scope.src, scope.path_left,
                                                scope.path_right)))
        self.written_into.append(written_into(block.body, direction))
        for rule in block.body:
            assert isinstance(rule, IRRule)
            self.one_way(rule, inner, direction)
        self.written_into.pop()
        self.indent -= 2
        return rows

    def group_filter(self, block: IRBlock, scope: Scope, items: str, list_base: str,
                     forward: bool) -> str:
        """A group's `where`: whether each item counts (a list of booleans), or "None"."""
        if block.each.where is None:
            return "None"
        mask, index, item = self.tmp("mask"), self.tmp("k"), self.tmp("x")
        self.emit(f"{mask} = []")
        self.emit(f"for {index}, {item} in enumerate({items}):")
        self.indent += 1
        self.emit(f"if type({item}) is not dict: {mask}.append(True); continue")
        base = f"{list_base}[{{{index}}}]"
        parents = (*scope.parents, (scope.src, scope.path_left, scope.path_right))
        item_scope = Scope(src=item, out=item, orig=None, path_left=base if forward else "",
                           path_right="" if forward else base, depth=scope.depth + 1,
                           parents=parents)
        self.emit(f"_at = {self.site(base)}")  # a failing condition names the item
        keep = self.where(block, item_scope, "left" if forward else "right")
        self.emit(f"{mask}.append({keep})")
        self.indent -= 1
        return mask

    def group_check(self, block: IRBlock, scope: Scope, direction: str) -> None:
        """A `->` summary, backward (a `<-` one forward): the view's summary must be the one
        the items written back give (put then get), else an error names the first field
        that differs; a view without it says nothing."""
        (summary_direction,) = block.directions
        forward = summary_direction == "forward"
        summary = block.each.right if forward else block.each.left
        view_base = scope.path_right if forward else scope.path_left
        start = self.open_rule(block.index)
        view = self.read(scope.src, summary.parts)
        self.emit(f"if {view} is not _A:")  # a null summary is checked like `[]`
        self.indent += 1
        # the written side, read like the summary's own direction reads it
        items = Scope(src=scope.out, out="_A", orig=None, path_left=scope.path_left,
                      path_right=scope.path_right, depth=scope.depth,
                      parents=tuple((out, left, right) for out, (_src, left, right)
                                    in zip(scope.outs, scope.parents, strict=True)))
        self.quiet = True
        try:
            rows = self.group_rows(block, items, summary_direction)
        finally:
            self.quiet = False
        targets = _targets(block, forward)
        summary_base = self.path_template(view_base, summary.parts)
        list_site = self.site(summary_base)
        item = self.tmp("k")
        item_site = self.site(summary_base + f"[{{{item}}}]")
        first_site = len(self.sites)
        for parts in targets:
            self.site(summary_base + f"[{{{item}}}]"
                      + "".join(f".{p}" for p in parts).replace("{", "{{")
                      .replace("}", "}}"))
        difference = self.tmp("diff")
        keys = group_keys(block, forward)  # items matched by group, not by position
        self.emit(f"{difference} = _summary({view}, {rows} if type({rows}) is list "
                  f"else [], {targets!r}, {keys!r})")
        self.emit(f"if {difference} is not None:")
        self.emit(f"    {item} = {difference}[1]")
        written = "written back" if forward else "written"  # `->` checked backward
        self.emit(f"    _at = {first_site} + {difference}[2] if {difference}[2] >= 0 else "
                  f"{list_site} if {difference}[2] == -1 else {item_site}")
        self.emit(f"    _summary_problem({difference}[0], {difference}[3], "
                  f"{difference}[4], {written!r})")
        if not forward:
            # a `<-` summary is written over the original: the fields no rule writes come
            # back from the original item of the same group, so they are not lost
            self.indent -= 1
            self.close_rule(block.index, start)
            return
        # a field of the view's summary no rule writes would be lost: report it
        extra, field = self.tmp("extra"), self.tmp("f")
        extra_site = self.site(self.path_template(view_base, summary.parts)
                               + f"[{{{item}}}].{{{field}}}")
        self.emit(f"{extra} = _summary_extra({view}, {targets!r})")
        self.emit(f"if {extra} is not None:")
        self.emit(f"    {item} = {extra}[0]; {field} = {extra}[1]; _at = {extra_site}; "
                  f"_extra_field({extra}[2], {written!r})")
        self.indent -= 1
        self.close_rule(block.index, start)

