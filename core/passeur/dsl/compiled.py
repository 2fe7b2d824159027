"""A compiled mapping: the generated functions plus what turns their failures into messages.

`forward(record)` is the lens `get`, `backward(view, original)` its `put`. Both return a
`Result` (the document and the issues met); `strict=True` raises the first failure as a
`MappingRuleError` instead. The explain variant is compiled on first use only, so the fast
path never pays for tracing.
"""

from __future__ import annotations

import contextvars
import re
import threading
from collections.abc import Callable
from datetime import date
from decimal import Context, Decimal, getcontext, localcontext, setcontext
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any

import attrs

from passeur.dsl import merge as layers
from passeur.dsl import values
from passeur.dsl.problems import MappingRuleError
from passeur.dsl.runtime import Facts, Generated
from passeur.dsl.values import (
    ABSENT,
    EXACT,
    Result,
    Side,
    TraceEntry,
    ValueProblem,
    exact_context,
)
from passeur.errors import MappingError
from passeur.issues import Issue, Level, MappingPosition

if TYPE_CHECKING:  # the syntax tree and the IR are only loaded by what asks for them
    from passeur.dsl.ast import Example, MappingFile
    from passeur.dsl.ir import IRMapping

__all__ = ["CompiledMapping"]

_VALUE_SENTENCE = re.compile(r'^(value (?:"(?:[^"\\]|\\.)*"|\S+)) (.*)$', re.S)


def _helpers() -> dict[str, Any]:
    return {
        "_A": ABSENT, "_X": values.FAILED, "_letfailed": values.let_failed, "_D": Decimal,
        "_I": int, "_N": values.NUMBER_CLASSES, "_num": values.num,
        "_arith": values.arith,
        "_concat": values.concat,
        "_eq": values.eq, "_ne": values.ne, "_order": values.order, "_truth": values.truth,
        "_lookup": values.lookup, "_child": values.child, "_items": values.items_of,
        "_drop_path": values.drop_path,
        "_getp": values.getp, "_match": values.match_items, "_bypos": values.by_position,
        "_clone": values.clone, "_not_object": values.not_object, "_same": values.same,
        "_unwritable": values.unwritable, "_left_out": values.left_out,
        "_groups": values.group_items, "_summary": values.summary_difference,
        "_summary_problem": values.summary_problem, "_summary_over": values.summary_over,
        "_summary_extra": values.summary_extra, "_extra_field": values.summary_extra_field,
        "_object": values.object_of, "_renamed_twice": values.renamed_twice,
        "_part_absent": values.part_absent, "_fromiso": date.fromisoformat,
    }


def _with_indexes(scope: dict[str, Any], loops: tuple[tuple[str, str, str], ...],
                  ) -> dict[str, Any]:
    """The loop indexes a data path needs, found again by identity (the fast path keeps
    none: it only pays for them when something fails)."""
    found = dict(scope)
    for index, items, item in loops:
        if index in found or items not in scope or item not in scope \
                or scope[items].__class__ is not list:
            continue
        current = scope[item]
        found[index] = next((n for n, x in enumerate(scope[items]) if x is current), "?")
    return found


def _recorded(entries: list[TraceEntry], output: Any) -> list[TraceEntry]:
    """A route step's entries with the values that step wrote (its output is not the final
    document: explain would otherwise show them as null)."""
    from passeur.dsl.explain import value_at

    return [e if e.recorded else attrs.evolve(e, value=value_at(output, e.path), recorded=True)
            for e in entries]


#: Per thread: (the exact decimal context, a `contextvars.Context` that holds it). Running
#: the generated code with `holder.run(...)` enters the exact context in one C call, where
#: `decimal.setcontext` there and back costs about ten times as much per document (a
#: measurable share of a small mapping's time). Inside, the code sees that context and no
#: other context variable of the caller (generated code and mapping functions use none).
_EXACT_RUN = threading.local()


def _exact_run() -> tuple[Context, contextvars.Context]:
    exact = exact_context()
    holder = contextvars.Context()
    holder.run(setcontext, exact)
    _EXACT_RUN.found = (exact, holder)
    _EXACT_RUN.holder = holder
    return exact, holder


def _busy(exc: RuntimeError) -> bool:
    """Whether `Context.run` refused to enter the holder because it is entered already (a
    mapping run, inside a mapping run, under a decimal context set in between)."""
    return str(exc).startswith("cannot enter context")


def _swapped(function: Callable[..., Any], *args: Any) -> Any:
    """`function(*args)` under the exact context, set and restored (the slow way)."""
    saved = getcontext()
    setcontext(exact_context())
    try:
        return function(*args)
    finally:
        setcontext(saved)


class CompiledMapping:
    """One mapping file, compiled; see the module docstring for the directions."""

    def __init__(self, *, file: str, path: Path | None, left: Side, right: Side,
                 facts: Facts, generated: Generated, code: CodeType,
                 functions: dict[str, Any],
                 explain_factory: Callable[[], tuple[Generated, CodeType]],
                 cache_hit: bool = False, mapping: MappingFile | None = None,
                 ir: IRMapping | None = None,
                 analysis: Callable[[], tuple[MappingFile, IRMapping]] | None = None,
                 ) -> None:
        self.file = file
        self.path = path
        self.left = left
        self.right = right
        self.facts = facts
        #: the syntax tree and the IR: given when just compiled, else made by `analysis`
        #: on first use (a mapping from the route cache runs without them)
        self._ast = mapping
        self._ir = ir
        self._analysis = analysis
        self.generated = generated
        self.cache_hit = cache_hit
        self.functions = functions
        self.extends = facts.extends
        #: The composed route an `extends` mapping starts from: [(mapping, direction)].
        self.base: list[tuple[CompiledMapping, str]] = []
        self._plans: dict[str, layers.Plan] = {}
        self._explain_factory = explain_factory
        self._explain: dict[str, Any] | None = None
        self.code_object = code  # the fast path's code (the route cache stores it)
        self._forward, self._backward = self._load(code)
        #: top-level lists a backward block rebuilds: not worth copying up front
        self._rebuilt = facts.rebuilt

    @property
    def ast(self) -> MappingFile:
        """The file's syntax tree (analysed again for a mapping from the route cache)."""
        if self._ast is None:
            self._analyse()
        assert self._ast is not None
        return self._ast

    @property
    def ir(self) -> IRMapping:
        """The checked IR the code was generated from (see `ast`)."""
        if self._ir is None:
            self._analyse()
        assert self._ir is not None
        return self._ir

    def _analyse(self) -> None:
        if self._analysis is None:  # pragma: no cover - every mapping is given one or both
            raise RuntimeError(f"{self.file}: compiled without its syntax tree")
        self._ast, self._ir = self._analysis()

    # -------------------------------------------------------------- loading

    def _namespace(self, generated: Generated) -> dict[str, Any]:
        tables, fallbacks = self.facts.tables, self.facts.fallbacks
        namespace = _helpers()
        fail, let_fail = self._failer(generated)
        namespace.update({
            "_F": {name: f.impl for name, f in self.functions.items()}
            | {f"{name}.put": f.put for name, f in self.functions.items()
               if getattr(f, "put", None) is not None},
            "_T": tables, "_FB": fallbacks, "_fail": fail, "_letfail": let_fail,
            "__name__": f"passeur_mapping:{self.file}",
        })
        return namespace

    def _load(self, code: CodeType, generated: Generated | None = None) -> tuple[Any, Any]:
        namespace = self._namespace(generated or self.generated)
        exec(code, namespace)
        return namespace["forward"], namespace["backward"]

    def _failer(self, generated: Generated) -> tuple[Callable[..., None],
                                                     Callable[..., values.LetError]]:
        """`_fail` (a failing rule's issue, or its exception under strict) and `_letfail`
        (a failing `let`'s, kept until a rule reads the let: see values.LetFailed)."""
        rules = self.facts.rules
        lets = self.facts.let_names
        sites = generated.sites
        loops = generated.loops

        def error_of(exc: BaseException, index: int, at: int,
                     scope: dict[str, Any]) -> values.LetError:
            file, line, column, text = rules[index]
            if getattr(exc, "site", -1) >= 0:
                at = exc.site  # type: ignore[attr-defined]
            template = sites[at] if 0 <= at < len(sites) else ""
            try:
                path = template.format(**_with_indexes(scope, loops)) if template else ""
            except (KeyError, IndexError, ValueError):  # pragma: no cover - defensive
                path = template
            value: Any = getattr(exc, "value", ABSENT)
            if isinstance(exc, ValueProblem):
                where = f" at {path}" if path else ""
                message = f"value {values.show(exc.value)}{where} {exc.sentence}"
            elif type(exc).__name__ == "FunctionError":
                sentence = str(exc)
                match = _VALUE_SENTENCE.match(sentence)
                if match and path:
                    message = f"{match.group(1)} at {path} {match.group(2)}"
                else:
                    message = f"{sentence} (at {path})" if path else sentence
            else:
                message = (f"cannot apply the rule{' to ' + path if path else ''}: "
                           f"{type(exc).__name__}: {exc}")
            if index in lets:  # the expression that failed, not only the field it read
                message = f"{message} (in `let {lets[index]}`)"
            position = f"{file}:{line}:{column}"
            return values.LetError(
                MappingRuleError(position, message, text, path, value),
                Issue(level=Level.ERROR, message=message, code="mapping-runtime",
                      path=path or "$", mapping=MappingPosition(file, line, column, text)))

        def report(found: values.LetError, scope: dict[str, Any]) -> None:
            if found.reported:
                return
            found.reported = True
            if scope.get("_strict"):
                raise found.error from None
            scope["_issues"].append(found.issue)

        def fail(exc: BaseException, index: int, at: int, scope: dict[str, Any]) -> None:
            if isinstance(exc, MappingRuleError):  # strict mode: an inner rule already failed
                raise exc
            if exc.__class__ is values.LetFailed:  # a let read here failed: its error, once
                report(exc.args[0], scope)
                return
            report(error_of(exc, index, at, scope), scope)

        def let_fail(exc: BaseException, index: int, at: int,
                     scope: dict[str, Any]) -> values.LetError:
            if exc.__class__ is values.LetFailed:  # it read a let that failed: that one's
                found: values.LetError = exc.args[0]
                return found
            return error_of(exc, index, at, scope)

        return fail, let_fail

    # -------------------------------------------------------------- running

    def _check_record(self, record: Any, what: str) -> None:
        if record.__class__ is not dict:
            raise MappingError(f"{self.file}: the {what} must be a JSON object (a dict), "
                               f"not {type(record).__name__}")

    def forward(self, record: dict[str, Any], *, strict: bool = False) -> Result:
        """Left document -> right document (the lens `get`)."""
        if type(record) is not dict:  # type(): one instruction, `.__class__` a lookup
            self._check_record(record, "left document")
        issues: list[Issue] = []
        if self.base:
            saved = getcontext()
            setcontext(exact_context())
            try:
                base = self._route_forward(record, issues, strict)
                return Result(self._layer_forward(record, base, issues, strict), issues)
            finally:
                setcontext(saved)
        # the hot path: the generated function under the exact context, entered in one call
        # (a step of a route, under that context already, enters the holder all the same)
        try:
            holder = _EXACT_RUN.holder
        except AttributeError:
            holder = _exact_run()[1]
        try:
            return Result(holder.run(self._forward, record, {}, issues, strict, None), issues)
        except RuntimeError as exc:
            if not _busy(exc):
                raise
        if getcontext() is _EXACT_RUN.found[0]:  # a mapping run inside a mapping run
            return Result(self._forward(record, {}, issues, strict, None), issues)
        return Result(_swapped(self._forward, record, {}, issues, strict, None), issues)

    def backward(self, view: dict[str, Any], original: dict[str, Any] | None = None, *,
                 strict: bool = False) -> Result:
        """Right document written over the original left one (the lens `put`)."""
        self._check_record(view, "right document")
        orig = original if original is not None else {}
        self._check_record(orig, "original left document")
        issues: list[Issue] = []
        if self.base:
            saved = getcontext()
            setcontext(exact_context())
            try:
                base = self._route_backward(view, orig, issues, strict)
                value = self._layer_backward(view, base, orig, issues, strict)
            finally:
                setcontext(saved)
            return Result(value, issues)
        out = values.clone_except(orig, self._rebuilt)
        try:
            exact, holder = _EXACT_RUN.found
        except AttributeError:
            exact, holder = _exact_run()
        if getcontext() is exact:
            return Result(self._backward(view, out, orig, issues, strict, None), issues)
        try:
            value = holder.run(self._backward, view, out, orig, issues, strict, None)
        except RuntimeError as exc:
            if not _busy(exc):
                raise
            value = _swapped(self._backward, view, out, orig, issues, strict, None)
        return Result(value, issues)

    def forward_over(self, record: dict[str, Any], base: dict[str, Any], *,
                     strict: bool = False) -> Result:
        """This layer's rules merged over `base`, what its base (`extends`) made of `record`.
        The engine runs the base itself so the document stops at the hub."""
        self._check_record(record, "left document")
        issues: list[Issue] = []
        with localcontext(EXACT):
            return Result(self._layer_forward(record, base, issues, strict), issues)

    def backward_over(self, view: dict[str, Any], base: dict[str, Any],
                      original: dict[str, Any] | None = None, *,
                      strict: bool = False) -> Result:
        """This layer's rules run backward and merged over `base` (see `forward_over`);
        `original` is the left document they write over (for `key` and `keep`)."""
        self._check_record(view, "right document")
        orig = original if original is not None else {}
        self._check_record(orig, "original left document")
        issues: list[Issue] = []
        with localcontext(EXACT):
            return Result(self._layer_backward(view, base, orig, issues, strict), issues)

    # -------------------------------------------------------------- layers

    def plan(self, direction: str) -> layers.Plan:
        """How this layer merges over its base in one direction (see passeur.dsl.layers)."""
        found = self._plans.get(direction)
        if found is None:
            found = self._plans[direction] = layers.Plan.of(self, direction)
        return found

    def _layer_forward(self, record: dict[str, Any], base: dict[str, Any],
                       issues: list[Issue], strict: bool,
                       trace: list[tuple[str, int, str | None, bool]] | None = None,
                       ) -> dict[str, Any]:
        run = self._forward if trace is None else self._explained()["forward"]
        own = run(record, {}, issues, strict, trace)
        return self._merged(base, own, "forward", issues)

    def _layer_backward(self, view: dict[str, Any], base: dict[str, Any],
                        orig: dict[str, Any], issues: list[Issue], strict: bool,
                        trace: list[tuple[str, int, str | None, bool]] | None = None,
                        ) -> dict[str, Any]:
        run = self._backward if trace is None else self._explained()["backward"]
        # the layer's put starts from the original, as any put does: a `keep` that keeps
        # the original's value (writes nothing) then hands that value to the merge
        start = values.clone_except(orig, self._rebuilt) if orig else {}
        own = run(view, start, orig, issues, strict, trace)
        return self._merged(base, own, "backward", issues)

    def _merged(self, base: dict[str, Any], own: dict[str, Any], direction: str,
                issues: list[Issue]) -> dict[str, Any]:
        merged, lost = layers.merge(base, own, self.plan(direction))
        issues.extend(item.issue() for item in lost)
        return merged

    def _route_forward(self, record: dict[str, Any], issues: list[Issue], strict: bool,
                       trace: list[TraceEntry] | None = None) -> dict[str, Any]:
        value = record
        for mapping, direction in self.base:
            if trace is not None:  # explain: the route's own traces come first
                result, entries = (mapping.explain_forward(value) if direction == "forward"
                                   else mapping.explain_backward(value))
                trace.extend(_recorded(entries, result.value))
            else:
                result = (mapping.forward(value, strict=strict) if direction == "forward"
                          else mapping.backward(value, strict=strict))
            issues.extend(result.issues)
            value = result.value
        return value

    def _route_backward(self, view: dict[str, Any], orig: dict[str, Any],
                        issues: list[Issue], strict: bool) -> dict[str, Any]:
        # put through a chain: each step's original is the original read up to that step.
        originals = [orig]
        for mapping, direction in self.base[:-1]:
            step = (mapping.forward(originals[-1]) if direction == "forward"
                    else mapping.backward(originals[-1]))
            originals.append(step.value)
        value = view
        for (mapping, direction), original in zip(reversed(self.base), reversed(originals),
                                                  strict=True):
            if direction == "forward":
                result = mapping.backward(value, original, strict=strict)
                issues.extend(result.issues)
                value = result.value
            else:  # a step run backwards: its get, laid over what it does not know
                result = mapping.forward(value, strict=strict)
                issues.extend(result.issues)
                value = values.overlay(original, result.value, mapping.written("forward"))
        return value

    def written(self, direction: str) -> list[tuple[tuple[str, ...], bool]]:
        """The top-level paths the mapping writes in one direction, each with whether the
        rule is exact (`<->`: absent in its output means absent)."""
        return list(self.facts.written[direction])

    # -------------------------------------------------------------- explain

    def _explained(self) -> dict[str, Any]:
        if self._explain is None:
            generated, code = self._explain_factory()
            forward, backward = self._load(code, generated)
            self._explain = {"forward": forward, "backward": backward,
                             "generated": generated}
        return self._explain

    def _entries(self, raw: list[tuple[str, int, str | None, bool]]) -> list[TraceEntry]:
        entries = []
        for path, index, branch, default_fired in raw:
            file, line, column, text = self.facts.rules[index]
            entries.append(TraceEntry(path, text, f"{file}:{line}:{column}", branch,
                                      default_fired))
        return entries

    def explain_forward(self, record: dict[str, Any]) -> tuple[Result, list[TraceEntry]]:
        """`forward`, plus which rule wrote each output field (branch, default fired)."""
        self._check_record(record, "left document")
        issues: list[Issue] = []
        trace: list[tuple[str, int, str | None, bool]] = []
        route: list[TraceEntry] = []
        with localcontext(EXACT):
            if self.base:
                base = self._route_forward(record, issues, False, route)
                value = self._layer_forward(record, base, issues, False, trace)
                route = self._mark_overridden(route, "forward")
            else:
                value = self._explained()["forward"](record, {}, issues, False, trace)
        return Result(value, issues), route + self._entries(trace)

    def explain_backward(self, view: dict[str, Any], original: dict[str, Any] | None = None,
                         ) -> tuple[Result, list[TraceEntry]]:
        """`backward`, plus which rule wrote each field of the left document."""
        self._check_record(view, "right document")
        orig = original if original is not None else {}
        issues: list[Issue] = []
        trace: list[tuple[str, int, str | None, bool]] = []
        with localcontext(EXACT):
            if self.base:
                base = self._route_backward(view, orig, issues, False)
                value = self._layer_backward(view, base, orig, issues, False, trace)
            else:
                value = self._explained()["backward"](view, values.clone(orig), orig, issues,
                                                      False, trace)
        return Result(value, issues), self._entries(trace)

    def explain_forward_over(self, record: dict[str, Any], base: dict[str, Any],
                             ) -> tuple[Result, list[TraceEntry]]:
        """`forward_over` traced: the engine explains the base's steps itself (with the
        hub between them, as `convert` runs them) and this layer's rules here."""
        self._check_record(record, "left document")
        issues: list[Issue] = []
        trace: list[tuple[str, int, str | None, bool]] = []
        with localcontext(EXACT):
            value = self._layer_forward(record, base, issues, False, trace)
        return Result(value, issues), self._entries(trace)

    def explain_backward_over(self, view: dict[str, Any], base: dict[str, Any],
                              original: dict[str, Any] | None = None,
                              ) -> tuple[Result, list[TraceEntry]]:
        """`backward_over` traced (see `explain_forward_over`)."""
        self._check_record(view, "right document")
        orig = original if original is not None else {}
        issues: list[Issue] = []
        trace: list[tuple[str, int, str | None, bool]] = []
        with localcontext(EXACT):
            value = self._layer_backward(view, base, orig, issues, False, trace)
        return Result(value, issues), self._entries(trace)

    def mark_overridden(self, entries: list[TraceEntry], direction: str) -> list[TraceEntry]:
        """The base's trace entries (of the document this layer writes) whose field a rule
        of this layer took over."""
        return self._mark_overridden(entries, direction)

    def _mark_overridden(self, entries: list[TraceEntry], direction: str) -> list[TraceEntry]:
        """The base's trace entries whose field a rule of this layer took over."""
        plan = self.plan(direction)
        marked = []
        for entry in entries:
            parts = layers.pattern_of(entry.path)
            by = next((w for w in plan.own if layers.overlaps(parts, w.path)
                       and not w.guarded), None)
            if by is not None and entry.overridden_by is None:
                entry = attrs.evolve(entry, overridden_by=by.where)
            marked.append(entry)
        return marked

    # -------------------------------------------------------------- introspection

    @property
    def examples(self) -> list[Example]:
        return self.ast.examples

    @property
    def source(self) -> str:
        """The generated Python source of the fast path."""
        return self.generated.source

    def position_of(self, generated_line: int) -> MappingPosition | None:
        """The mapping rule a line of the generated source belongs to (innermost first)."""
        for first, last, index in self.generated.line_table:
            if first <= generated_line <= last:
                file, line, column, text = self.facts.rules[index]
                return MappingPosition(file, line, column, text)
        return None

    def __repr__(self) -> str:
        return f"<CompiledMapping {self.left} <-> {self.right} from {self.file}>"
