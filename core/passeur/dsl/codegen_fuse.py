"""A line total and the line block after it, computed in one loop (forward fast path).

`sum(LigneFacture, QteFacture * PrixFinal) -> totals.line_net` followed by
`each LigneFacture ... QteFacture * PrixFinal -> net_amount` reads each line's two fields
and multiplies them twice, once per loop: a sixth of such a mapping's time. Fused, the
block's loop adds each line's product to the total as it computes it, and the total is
written where the block writes its list, so the output is the same dict in the same key
order (nothing writes into the document between the two).

The fused total is used only when it is surely what the sum would give: every product was
two numbers (Decimal or int) and every addition went through. Any other line (a text, an
absent or null field, a boolean, an operation the exact context refuses) leaves the fused
total unused, and the sum is computed as written after the loop, its issues put back at
the sum's place among the document's issues. Under `strict` (the first failure raises) and
when the list is not a list, the sum runs first, as written. The pair is fused only when
nothing can tell: the sum comes right before the block, reads the block's own list and
the same product of two plain fields (or a field and a number) as a top-level, unconditional
rule of the block, the block has no filter and the sum no condition or table.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from passeur.dsl import ast
from passeur.dsl.codegen_expr import Scope
from passeur.dsl.codegen_group import GroupEmitter
from passeur.dsl.ir import IRBlock, IRRule

__all__ = ["Fusion", "FusionEmitter", "find_fusions"]


@attrs.define(eq=False)
class Fusion:
    """A sum rule, the block right after it, and the block's rule computing the same term."""

    total: IRRule
    block: IRBlock
    term: ast.Arith  # the node of the block's rule (compared by identity when emitted)
    active: str = ""  # the variable saying that the block computes the total
    ok: str = ""  # ... that every line took the exact path
    acc: str = ""  # the total so far
    mark: str = ""  # how many issues the document had at the sum's place


def _shape(e: ast.Expr) -> Any:
    """What an operand computes, positions aside; None for anything fusion leaves alone
    (a Decimal literal keeps its exponent: `x * 1.0` is not `x * 1`)."""
    if isinstance(e, ast.Path) and not e.scoped:
        return ("path", e.parts)
    if isinstance(e, ast.LiteralValue) and isinstance(e.value, Decimal):
        return ("number", str(e.value))
    return None


def _term_shape(e: ast.Expr) -> Any:
    """The shape of a product (or sum, difference) of two plain operands, one a field."""
    if not isinstance(e, ast.Arith) or e.op not in "+-*":
        return None
    left, right = _shape(e.left), _shape(e.right)
    if left is None or right is None or "path" not in (left[0], right[0]):
        return None
    return (e.op, left, right)


def _plain_forward(item: IRRule | IRBlock) -> bool:
    return (isinstance(item, IRRule) and item.rule.arrow == ast.FORWARD
            and "forward" in item.directions and item.rule.when is None
            and not item.rule.keys and item.table is None)


def _line_rule(block: IRBlock, shape: Any) -> ast.Arith | None:
    """The term of the block's first top-level rule that computes `shape` as its value."""
    for item in block.body:
        if _plain_forward(item):
            assert isinstance(item, IRRule)
            source = item.rule.left
            if isinstance(source, ast.Arith) and _term_shape(source) == shape:
                return source
    return None


def find_fusions(items: tuple[IRRule | IRBlock, ...] | list[IRRule | IRBlock]
                 ) -> dict[int, Fusion]:
    """The sums of a scope's items (by index) that the block after each can compute."""
    found: dict[int, Fusion] = {}
    for index, (total, block) in enumerate(itertools.pairwise(items)):
        if not _plain_forward(total) or not isinstance(block, IRBlock):
            continue
        assert isinstance(total, IRRule)
        call, target = total.rule.left, total.rule.right
        if not (isinstance(call, ast.Call) and call.name == "sum" and len(call.args) == 2
                and isinstance(call.args[0], ast.Path) and not call.args[0].scoped
                and isinstance(target, ast.Path)):
            continue
        each = block.each
        shape = _term_shape(call.args[1])
        if (shape is None or each.group_by is not None or each.where is not None
                or "forward" not in block.directions or each.left.scoped
                or each.left.parts != call.args[0].parts):
            continue
        term = _line_rule(block, shape)
        if term is not None:
            found[index] = Fusion(total, block, term)
    return found


class FusionEmitter(GroupEmitter):
    """Emits a fused pair for the rule emitter (passeur.dsl.codegen)."""

    fusing: Fusion | None = None

    if TYPE_CHECKING:  # defined by the rule emitter
        def one_way(self, item: IRRule, scope: Scope, direction: str) -> None: ...

    def expr(self, e: ast.Expr, scope: Scope, side: str, top: bool = False) -> str:
        if self.fusing is not None and e is self.fusing.term:
            return self.fused_term(e, scope, side)
        return super().expr(e, scope, side, top)

    def fused_total(self, fusion: Fusion, scope: Scope) -> None:
        """At the sum's place: the sum as written, or the promise that the block computes it."""
        fusion.active, fusion.ok = self.tmp("fz"), self.tmp("ok")
        fusion.acc, fusion.mark = self.tmp("acc"), self.tmp("mark")
        call = fusion.total.rule.left
        assert isinstance(call, ast.Call) and isinstance(call.args[0], ast.Path)
        items = self.read(scope.src, call.args[0].parts)
        self.emit(f"{fusion.ok} = True; {fusion.acc} = 0; {fusion.mark} = len(_issues)")
        self.emit(f"{fusion.active} = not _strict and type({items}) is list")
        self.emit(f"if not {fusion.active}:")
        self.indent += 1
        self.one_way(fusion.total, scope, "forward")
        self.indent -= 1
        self.fusing = fusion

    def fused_term(self, e: ast.Arith, scope: Scope, side: str) -> str:
        """The block's term, its value added to the total when it is the exact path's."""
        fusion = self.fusing
        assert fusion is not None
        base = scope.path_left if side == "left" else scope.path_right
        t, fast, checks, slow = self.arith(e, scope, side, base)
        assert fast is not None and checks
        self.emit(f"if {checks}:")
        # an addition the context refuses: the total is the sum's to compute; a product it
        # refuses: computed again, so that the block's rule fails as it would alone
        self.emit(f"    try: {t} = {fast}; {fusion.acc} += {t}")
        self.emit(f"    except Exception: {fusion.ok} = False; {t} = {fast}")
        self.emit("else:")
        self.emit(f"    {fusion.ok} = False; {t} = {slow}")
        return t

    def fused_write(self, block: IRBlock, scope: Scope) -> None:
        """Where the block writes its list, just before: the total (fused or as written)."""
        fusion = self.fusing
        if fusion is None or fusion.block is not block:
            return
        self.emit(f"if {fusion.active}:")
        self.indent += 1
        self.emit(f"{fusion.active} = False")
        self.emit(f"if {fusion.ok}:")
        self.indent += 1
        target = fusion.total.rule.right
        assert isinstance(target, ast.Path)
        self.write(scope.out, target.parts, fusion.acc)
        self.indent -= 1
        self.emit("else:")
        self.indent += 1
        self.unfused_total(fusion, scope)
        self.indent -= 2

    def fused_end(self, block: IRBlock, scope: Scope) -> None:
        """After the block: a block that failed before writing its list leaves the sum to
        be computed as written."""
        fusion = self.fusing
        if fusion is None or fusion.block is not block:
            return
        self.fusing = None
        self.emit(f"if {fusion.active}:")
        self.indent += 1
        self.unfused_total(fusion, scope)
        self.indent -= 1

    def unfused_total(self, fusion: Fusion, scope: Scope) -> None:
        """The sum as written, its issues moved to the sum's place."""
        saved, self.fusing = self.fusing, None
        before, moved = self.tmp("mark"), self.tmp("moved")
        self.emit(f"{before} = len(_issues)")
        self.one_way(fusion.total, scope, "forward")
        self.emit(f"if len(_issues) > {before}:")
        self.emit(f"    {moved} = _issues[{before}:]; del _issues[{before}:]; "
                  f"_issues[{fusion.mark}:{fusion.mark}] = {moved}")
        self.fusing = saved
