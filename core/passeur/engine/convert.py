"""The conversion pipeline: read a system's JSON, map it (directly or through the canonical
model), check it at the hub, write the target's JSON, one document at a time.

Each document gives a `DocumentOutcome` (the output or nothing, and its issues), so one bad
document never stops the others and the caller streams outputs in constant memory. Which
mapping files are used is the route's business (`passeur.dsl.find_route`); how a system's
JSON is read and written is its `WireFormat`'s; the pipeline only chains them.
"""

from __future__ import annotations

import decimal
import importlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import attrs

from passeur.canonical import CANONICAL, fields_of
from passeur.engine.documents import JSON_READER, ByteSink, DocumentWriter, JsonWriter
from passeur.engine.hub import (
    check_line_amounts,
    check_magnitudes,
    check_source_totals,
    check_target,
    tax_rounding_of,
)
from passeur.engine.io import InputForm, InputProblem, RawDocument
from passeur.engine.recognise import with_hint
from passeur.engine.seller import SellerConfig, fill_seller
from passeur.engine.terms import TermsConfig, fill_terms
from passeur.engine.wire import WireFormat, Written, missing_required
from passeur.errors import (
    MappingError,
    PasseurError,
    StructureError,
    UsageError,
    WriteRefusedError,
)
from passeur.issues import Issue, IssuePolicy, Level
from passeur.limits import value_problem
from passeur.model import DOCUMENT_CLASSES, Attachment, Invoice, Source, with_computed_totals
from passeur.model.money import exact_context
from passeur.plugins import Registry
from passeur.schema import FieldSpec, FieldType
from passeur.serialize import structure, to_plain, unstructure

__all__ = ["Converter", "DocumentOutcome", "Endpoint", "MappingStep", "TracedStep",
           "issue_json", "parse_endpoint"]

DEFAULT_DOCTYPE = "invoice"

#: `Converter.convert(original=...)` not given (None means "given: there is none")
_NO_ORIGINAL: Any = object()


@attrs.frozen
class Endpoint:
    """One side of a conversion: `acomba`, `vosfactures.invoice`, `passeur`..."""

    name: str  # the system or variant name as the user wrote it (routes use it)
    system: str  # the registered system
    variant: str | None
    doctype: str

    @property
    def is_canonical(self) -> bool:
        return self.system == CANONICAL

    def __str__(self) -> str:
        return f"{self.name}.{self.doctype}"


def parse_endpoint(registry: Registry, text: str, other: Endpoint | None = None) -> Endpoint:
    """`SYSTEM[.DOCTYPE]` checked against the registry (with "did you mean").

    Without a DOCTYPE: `invoice` when the system has it, else its only document type (CODA
    has only statements); the canonical model takes the type `other`, the other side,
    converts to (`--from coda --to passeur` gives bank statements).
    """
    name, _, doctype = text.strip().partition(".")
    if not name:
        known = ", ".join(sorted(registry.systems)) or "none"
        raise UsageError(f"{text!r} is not SYSTEM or SYSTEM.DOCTYPE (systems: {known})")
    spec, variant = registry.resolve(name)
    if not doctype:
        names = spec.document_type_names
        if spec.name == CANONICAL and other is not None:
            found = registry.document_type(other.name, other.doctype).canonical
            doctype = found or DEFAULT_DOCTYPE
        elif DEFAULT_DOCTYPE not in names and len(names) == 1:
            doctype = names[0]
        else:
            doctype = DEFAULT_DOCTYPE
    registry.document_type(name, doctype)  # raises UnknownDocumentTypeError
    return Endpoint(name=name, system=spec.name, variant=variant, doctype=doctype)


class MappingLike(Protocol):
    """What the pipeline needs of a compiled mapping (see passeur.dsl.CompiledMapping)."""

    @property
    def path(self) -> Path: ...

    def forward(self, record: dict[str, Any]) -> Any: ...

    def backward(self, view: dict[str, Any], original: dict[str, Any] | None = None) -> Any: ...


@attrs.frozen
class MappingStep:
    """One mapping run in one direction; `output_canonical` when it lands on the hub."""

    mapping: MappingLike
    direction: str  # "forward" or "backward"
    output_canonical: bool

    def run(self, record: dict[str, Any], original: dict[str, Any] | None = None,
            ) -> tuple[dict[str, Any], list[Issue]]:
        """The step on one record; `original` (backward only) is the left document the view
        is written over, so `key` and `keep` work on it."""
        if self.direction == "forward":
            result = self.mapping.forward(record)
        else:
            result = self.mapping.backward(record, original)
        return result.value, list(result.issues)

    def run_traced(self, record: dict[str, Any], original: dict[str, Any] | None = None,
                   ) -> tuple[dict[str, Any], list[Issue], list[Any]]:
        """`run` through the compiler's explain variant: also which rule wrote each field."""
        mapping: Any = self.mapping
        if self.direction == "forward":
            result, entries = mapping.explain_forward(record)
        else:
            result, entries = mapping.explain_backward(record, original)
        return result.value, list(result.issues), list(entries)


@attrs.frozen
class TracedStep:
    """What one mapping step wrote in an explain run (`Converter(trace=True)`): the rules'
    trace entries and the document the step made, as completed at the hub when it stops
    there (so explain shows the values `convert` goes on with)."""

    mapping: Any
    direction: str
    entries: tuple[Any, ...]
    output: Any
    #: the step's output is the document handed to the target's writer
    final: bool = False
    #: what the rules wrote, before the hub completed it (None: the same as `output`)
    written: Any = None


@attrs.frozen
class DocumentOutcome:
    """What became of one input document."""

    index: int
    line: int | None
    output: Any  # the target's JSON value, or None when the document failed
    issues: tuple[Issue, ...]
    input_error: bool = False
    #: the document's own number in its source (its id or first natural key), when known
    id: str | None = None

    @property
    def failed(self) -> bool:
        return self.output is None or any(i.level is Level.ERROR for i in self.issues)

    @property
    def label(self) -> str:
        """How messages name it: `document 3 (no. 10044)`, its place then its number."""
        return f"document {self.index}" + (f" (no. {self.id})" if self.id else "")

    def with_issue(self, issue: Issue) -> DocumentOutcome:
        """This outcome with one more issue (an ERROR fails it)."""
        output = None if issue.level is Level.ERROR else self.output
        return attrs.evolve(self, output=output, issues=(*self.issues, issue))

    def as_json(self) -> dict[str, Any]:
        return {"document": self.index, "id": self.id, "line": self.line,
                "failed": self.failed, "issues": [issue_json(i) for i in self.issues]}


def issue_json(issue: Issue) -> dict[str, Any]:
    data: dict[str, Any] = {"level": str(issue.level), "code": issue.code, "path": issue.path,
                            "message": issue.message}
    if issue.mapping is not None:
        data["mapping"] = str(issue.mapping)
    return data


def _side_name(side: Any) -> str:
    return str(getattr(side, "system", side))


def steps_for(mappings: Iterable[tuple[MappingLike, str]]) -> list[MappingStep]:
    """Route steps as MappingSteps, noting which ones land on the canonical model."""
    steps = []
    for mapping, direction in mappings:
        out = getattr(mapping, "right" if direction == "forward" else "left", None)
        steps.append(MappingStep(mapping, direction, _side_name(out) == CANONICAL))
    return steps


class Converter:
    """Converts documents from one endpoint to another under an issue policy.

    `steps` overrides the route (tests, or `--mapping FILE`); otherwise the route comes from
    `passeur.dsl.find_route`.
    """

    def __init__(
        self, registry: Registry, source: Endpoint, target: Endpoint, *,
        policy: IssuePolicy = IssuePolicy.WARN, mapping: Path | None = None,
        steps: list[MappingStep] | None = None, source_label: str = "",
        attachments: tuple[Attachment, ...] = (),
        seller: SellerConfig | None = None, terms: TermsConfig | None = None,
        trace: bool = False,
    ) -> None:
        self.registry = registry
        self.source = source
        self.target = target
        self.policy = policy
        self.source_label = source_label
        self.attachments = attachments  # files given with --attach, added to each invoice
        self.seller = seller  # --seller: completes a sale invoice's seller (engine.seller)
        self.terms = terms  # --payment-terms: a sale invoice's missing terms (engine.terms)
        self.reader = self._format(source)
        self.writer = self._format(target)
        hub = self._hub_doctype()
        self.model_class = DOCUMENT_CLASSES.get(hub) if hub is not None else None
        self.steps = steps if steps is not None else self._route(mapping)
        self._origin = Source(system=source.name)  # of the document being converted
        #: explain: the steps of the last document converted, traced; None on the fast path
        self.traced: list[TracedStep] | None = [] if trace else None

    # --- set-up -------------------------------------------------------------------------

    def _format(self, endpoint: Endpoint) -> WireFormat | None:
        if endpoint.is_canonical:
            return None
        key = f"{endpoint.system}.{endpoint.doctype}"
        fmt = self.registry.formats.get(key)
        if fmt is None:
            known = ", ".join(sorted(self.registry.formats)) or "none"
            raise UsageError(f"no reader/writer is registered for {key} (registered: {known})")
        if not isinstance(fmt, WireFormat):
            raise UsageError(f"{key} is registered but is not a WireFormat")
        if endpoint is self.target and not fmt.writes:
            raise UsageError(f"passeur reads {key} but does not write it")
        return fmt

    def _hub_doctype(self) -> str | None:
        """The canonical document type the conversion passes through."""
        for end in (self.source, self.target):
            if end.is_canonical:
                return end.doctype
        return self.registry.document_type(self.source.name, self.source.doctype).canonical

    def _route(self, mapping: Path | None) -> list[MappingStep]:
        src, dst = self.source, self.target
        if src.is_canonical and dst.is_canonical:
            return []
        # the compiler is only needed when something is mapped
        dsl: Any = importlib.import_module("passeur.dsl")
        if mapping is not None:
            compiled = dsl.load_mapping(mapping, self.registry)
            return steps_for([(compiled, self._orient(compiled, mapping))])
        if (src.system, src.variant, src.doctype) == (dst.system, dst.variant, dst.doctype):
            return []  # same system, same type: read and write again
        # a format that reads and writes canonical documents itself needs no mapping
        src_hub = src.is_canonical or (self.reader is not None and self.reader.canonical)
        dst_hub = dst.is_canonical or (self.writer is not None and self.writer.canonical)
        if src_hub and dst_hub:
            return []
        if not src.is_canonical and not dst.is_canonical and src.doctype == dst.doctype:
            route = dsl.find_route(self.registry, src.name, dst.name, src.doctype)
            return steps_for(route.steps)
        # through the hub, each side with its own document type (department -> client...)
        steps: list[tuple[Any, str]] = []
        if not src_hub:
            steps += dsl.find_route(self.registry, src.name, CANONICAL, src.doctype).steps
        if not dst_hub:
            back = dsl.find_route(self.registry, dst.name, CANONICAL, dst.doctype).steps
            steps += [(m, "backward" if d == "forward" else "forward") for m, d in reversed(back)]
        return steps_for(steps)

    def _orient(self, compiled: Any, path: Path) -> str:
        """The direction in which the file goes from the source to the target. A side
        written for one ERP (`acomba.invoice`) fits only that ERP, not its siblings behind
        the same system (`--from quickbooks`); the document types must match too."""
        def fits(side: Any, end: Endpoint) -> bool:
            if _side_name(side) != end.system:
                return False
            variant = getattr(side, "variant", None)
            if variant is not None and variant != end.variant:
                return False
            doctype = getattr(side, "doctype", end.doctype)
            return bool(doctype == end.doctype or end.is_canonical)

        left, right = compiled.left, compiled.right
        if fits(left, self.source) and fits(right, self.target):
            return "forward"
        if fits(right, self.source) and fits(left, self.target):
            return "backward"
        raise UsageError(f"mapping {path} maps {left} <-> {right}, not {self.source} to "
                         f"{self.target}")

    # --- one document -------------------------------------------------------------------

    def convert(self, value: Any, index: int = 1, line: int | None = None, *,
                original: Any = _NO_ORIGINAL) -> DocumentOutcome:
        """Convert one parsed JSON document; never raises for a problem in the document.

        `original` is the target's current document, as the target's reader reads it (the
        JSON its API returns, or a file `convert` wrote): the last mapping writes over it,
        so fields no rule maps, `keep` values and line fields matched by `key` stay as the
        target has them. None means there is none (a create). Only a route whose last step
        writes the target backward can use one: see `original_problem`.
        """
        issues: list[Issue] = []
        where = self.source_label or "<input>"
        self._origin = Source(system=self.source.name, id=None,
                              location=f"{where}:{line}" if line is not None
                              else f"{where}#{index}")
        saved = decimal.getcontext()
        decimal.setcontext(exact_context())  # no amount within the limits can overflow
        if self.traced is not None:
            self.traced = []
        try:
            beyond = value_problem(value)  # a value handed over by the API, not read
            if beyond is not None:
                issues.append(Issue(Level.ERROR, beyond[1], "input.limits", beyond[0]))
                raise _Failed
            output = self._convert(value, issues, original)
        except _Failed:
            output = None
        except MappingError as exc:
            issues.append(Issue(Level.ERROR, str(exc), "mapping.error", "$"))
            output = None
        except (ArithmeticError, RecursionError) as exc:
            # the limits on input (passeur.numbers, passeur.engine.io) keep every amount
            # computable; what still overflows is this document's problem, not the stream's
            issues.append(Issue(Level.ERROR, "an amount of this document cannot be computed "
                                f"({type(exc).__name__}): its numbers are too large or too "
                                "precise", "document.limits", "$"))
            output = None
        finally:
            decimal.setcontext(saved)
        return DocumentOutcome(index, line, output, tuple(issues), id=self._origin.id)

    def read_source(self, value: Any) -> tuple[dict[str, Any] | None, list[Issue]]:
        """One document as `convert` reads it before any mapping runs (the wire reader, or
        the canonical model's structure): what `explain` and `check` examples read too."""
        issues: list[Issue] = []
        try:
            if self.reader is None:
                return self._read_canonical(value, issues), issues
            plain, found = self.reader.read(value, self.source_label)
        except _Failed:
            return None, issues
        issues.extend(with_hint(self.registry, value, self.source.system, found))
        return (None if plain is None or _has_error(found) else plain), issues

    def _convert(self, value: Any, issues: list[Issue], original: Any = _NO_ORIGINAL) -> Any:
        label = self.source_label
        before = None if original is _NO_ORIGINAL else self._read_original(original, issues)
        if self.reader is None:
            record = self._read_canonical(value, issues)
            record = self._at_hub(record, issues)
        else:
            plain, found = self.reader.read(value, label)
            issues.extend(with_hint(self.registry, value, self.source.system, found))
            if plain is None or _has_error(found):
                raise _Failed
            self._check_source_required(plain, issues)
            self._origin = attrs.evolve(self._origin, id=self._natural_id(plain))
            record = self._at_hub(plain, issues) if self.reader.canonical else plain
        last = len(self.steps) - 1
        for number, step in enumerate(self.steps):
            record = self._run_step(step, record, issues,
                                    before if number == last else None)
        if before is not None:
            self._check_same_document(before, record, issues)
        if self.traced is not None:  # the steps whose document the writer gets
            self.traced = [attrs.evolve(t, final=True) if t.output is record else t
                           for t in self.traced]
        if self.writer is None:
            return unstructure(self._model(record, issues))
        self._check_required(record, issues)
        try:
            written = self.writer.write(record)
        except WriteRefusedError as exc:  # e.g. a Factur-X XML its profile's XSD refuses
            issues.append(Issue(Level.ERROR, f"{self.target.name} cannot write this document: "
                                f"{exc}", "target.write", "$"))
            raise _Failed from None
        if isinstance(written, Written):
            issues.extend(self._under_policy(written.issues))
            return written.output
        return written

    def _under_policy(self, found: Iterable[Issue]) -> list[Issue]:
        """What a target says it cannot represent (its warnings) follows --on-issue:
        dropped under ignore, an error under error. Errors and notes stay as they are."""
        level = self.policy.level()
        kept = []
        for issue in found:
            if issue.level is Level.WARNING:
                if level is None:
                    continue
                issue = attrs.evolve(issue, level=level)
            kept.append(issue)
        return kept

    def _natural_id(self, record: dict[str, Any]) -> str | None:
        """The document's id in its source: its `id`, else its first natural key."""
        doctype = self.registry.document_type(self.source.name, self.source.doctype)
        for key in ("id", *doctype.capabilities_for(self.source.variant).natural_keys):
            value = record.get(key)
            if value not in (None, ""):
                return str(value)
        return None

    def _check_source_required(self, record: dict[str, Any], issues: list[Issue]) -> None:
        """Fields every document of the source's type has: a warning, since what is there
        still converts (a GET with `$select` leaves fields out on purpose)."""
        doctype = self.registry.document_type(self.source.name, self.source.doctype)
        for path in missing_required(record, doctype.fields):
            issues.append(Issue(Level.WARNING, f"required field {path[2:]} is missing",
                                "input.required", path, self.source_label or None))

    def _check_required(self, record: dict[str, Any], issues: list[Issue]) -> None:
        """Fields the target requires (for its variant) that the document does not give."""
        level = self.policy.level()
        if level is None:
            return
        doctype = self.registry.document_type(self.target.name, self.target.doctype)
        who = self.target.variant or self.target.system
        for path in missing_required(record, doctype.fields, self.target.variant):
            issues.append(Issue(level, f"{who} requires {path[2:]}, which the document does "
                                "not give", "target.required", path))
        if _has_error(issues):
            raise _Failed

    def _run_step(self, step: MappingStep, record: dict[str, Any],
                  issues: list[Issue], original: dict[str, Any] | None = None,
                  ) -> dict[str, Any]:
        """Run one mapping; a pair mapping that extends the route runs the route's steps
        here, so the document still stops at the hub to be completed and checked.
        `original` goes to the step that writes the target (the last one)."""
        base = _extended_route(step)
        if base is None:
            if self.traced is None:
                value, found = step.run(record, original)
            else:
                value, found, entries = step.run_traced(record, original)
                self.traced.append(TracedStep(step.mapping, step.direction, tuple(entries),
                                              value))
            issues.extend(found)
            if _has_error(found):
                raise _Failed
            if step.output_canonical:
                value = self._at_hub(value, issues)
                if self.traced:  # explain shows what the hub completed
                    self.traced[-1] = attrs.evolve(self.traced[-1], output=value,
                                                   written=self.traced[-1].output)
            return value
        start = len(self.traced) if self.traced is not None else 0
        value = record
        for number, inner in enumerate(base):
            value = self._run_step(inner, value, issues,
                                   original if number == len(base) - 1 else None)
        mapping: Any = step.mapping
        if self.traced is None:
            result = (mapping.forward_over(record, value) if step.direction == "forward"
                      else mapping.backward_over(record, value, original))
        else:
            result, own = (mapping.explain_forward_over(record, value)
                           if step.direction == "forward"
                           else mapping.explain_backward_over(record, value, original))
            for at in range(start, len(self.traced)):  # the steps of the layered document
                if self.traced[at].output is value:
                    self.traced[at] = _layered_on(self.traced[at], mapping, step.direction,
                                                  result.value)
            self.traced.append(TracedStep(mapping, step.direction, tuple(own),
                                          result.value))
        issues.extend(result.issues)
        if _has_error(result.issues):
            raise _Failed
        output: dict[str, Any] = result.value
        return output

    def _read_canonical(self, value: Any, issues: list[Issue]) -> dict[str, Any]:
        if not isinstance(value, dict):
            issues.append(Issue(Level.ERROR, "expected a canonical document (a JSON object)",
                                "wire.form", "$"))
            raise _Failed
        model = self._model(value, issues)
        plain = to_plain(model)
        assert isinstance(plain, dict)
        return plain

    def _model(self, plain: dict[str, Any], issues: list[Issue]) -> Any:
        cls = self.model_class
        if cls is None:
            return plain
        plain = _without_null_collections(plain, fields_of(cls))
        try:
            return structure(plain, cls)
        except StructureError as exc:
            for problem in exc.problems:
                message, _, path = problem.rpartition(" @ ")
                issues.append(Issue(Level.ERROR, message or problem, "canonical.structure",
                                    path or "$"))
            raise _Failed from None

    def _at_hub(self, record: dict[str, Any], issues: list[Issue]) -> dict[str, Any]:
        """Complete, check and prepare the document while it is canonical."""
        model = self._model(record, issues)
        if self.reader is not None and self.reader.to_hub is not None:
            model, found = self.reader.to_hub(model)
            issues.extend(found)
        if self.reader is not None and getattr(model, "source", False) is None:
            model = attrs.evolve(model, source=self._origin)  # every record says where from
        if isinstance(model, Invoice) and self.seller is not None:
            model, found = fill_seller(model, self.seller)
            issues.extend(found)
        if isinstance(model, Invoice) and self.terms is not None:
            model, found = fill_terms(model, self.terms)
            issues.extend(found)
        if isinstance(model, Invoice) and self.attachments:
            model = attrs.evolve(model, attachments=(*model.attachments, *self.attachments))
        if isinstance(model, Invoice):
            issues.extend(check_line_amounts(model))
            model = with_computed_totals(model, tax_rounding=tax_rounding_of(self.reader))
            issues.extend(check_source_totals(model, self.reader))
            issues.extend(check_target(model, self.writer, self.policy, self.target.name))
        if self.writer is not None and self.writer.from_hub is not None:
            model, found = self.writer.from_hub(model)
            issues.extend(self._under_policy(found))
        if _has_error(issues):
            raise _Failed
        plain = to_plain(model)
        assert isinstance(plain, dict)
        absurd = check_magnitudes(plain)  # what was read and what was computed from it
        if absurd:
            issues.extend(absurd)
            raise _Failed
        return plain

    # --- the target's current document ---------------------------------------------------

    def original_problem(self) -> str | None:
        """Why this conversion cannot write over an original, or None when it can: only a
        mapping run backward (`put`) takes one, so the route's last step must write the
        target's side of its mapping backward (`--to passeur`, a same-system copy and a
        route ending forward have nothing to write over)."""
        if self.writer is None:
            return (f"the target is the canonical model ({self.target}): no mapping writes "
                    "over it, so an original would change nothing")
        if not self.steps:
            return (f"no mapping runs from {self.source} to {self.target}, so an original "
                    "would change nothing")
        last = self.steps[-1]
        while last.direction != "backward":
            base = _extended_route(last)  # a pair mapping over the route: its last step
            if not base:
                return (f"the last mapping of the route ({last.mapping.path}) runs forward; "
                        "only a mapping run backward writes over an original (`key`, "
                        "`keep`)")
            last = base[-1]
        return None

    def read_original(self, stream: BinaryIO, label: str) -> Iterator[RawDocument | InputProblem]:
        """The documents of an originals file, cut by the target's own reader."""
        assert self.writer is not None
        return self.writer.document_reader().read(stream, label)

    def _read_original(self, value: Any, issues: list[Issue]) -> dict[str, Any] | None:
        """The target's current document as the last mapping's left side; its problems
        are this document's errors (writing over a misread original would lose data)."""
        if value is None:
            return None
        problem = self.original_problem()
        if problem is not None:
            raise UsageError(f"cannot use an original document: {problem}")
        assert self.writer is not None
        plain, found = self.writer.read(value, "original")
        for issue in found:
            issues.append(attrs.evolve(issue, message=f"original: {issue.message}"))
        if plain is None or _has_error(found):
            if not _has_error(found):
                issues.append(Issue(Level.ERROR, f"the original is not a {self.target} "
                                    "document", "original.read", "$"))
            raise _Failed
        return plain

    def _check_same_document(self, original: dict[str, Any], record: dict[str, Any],
                             issues: list[Issue]) -> None:
        """Refuse an original that is another document: originals are matched by position,
        and a wrong one would carry another document's fields onto this one."""
        doctype = self.registry.document_type(self.target.name, self.target.doctype)
        for key in doctype.capabilities_for(self.target.variant).natural_keys:
            mine, theirs = record.get(key), original.get(key)
            if mine in (None, "") or theirs in (None, ""):
                continue
            if str(mine) != str(theirs):
                issues.append(Issue(
                    Level.ERROR, f"the original given for this document is {key} "
                    f"{theirs}, but the document is {key} {mine}: originals are matched "
                    "by position (the Nth document of the original file for the Nth "
                    "input document)", "original.mismatch", f"$.{key}"))
                raise _Failed
            return

    # --- a stream -----------------------------------------------------------------------

    def read(self, stream: BinaryIO, on_form: Callable[[InputForm], None] | None = None
             ) -> Iterator[RawDocument | InputProblem]:
        """The source's documents in `stream` (bytes), cut by the source format's reader
        (JSON for the canonical model and for a format that names no other)."""
        reader = self.reader.document_reader() if self.reader is not None else JSON_READER
        return reader.read(stream, self.source_label, on_form)

    def open_writer(self, sink: ByteSink, form: InputForm = "single") -> DocumentWriter:
        """A writer of the target's documents into `sink` (JSON for the canonical model)."""
        if self.writer is None:
            return JsonWriter(sink, form)
        return self.writer.open_writer(sink, form)

    def run_bytes(self, stream: BinaryIO) -> Iterator[DocumentOutcome]:
        """Read `stream` with the source's reader and convert each document."""
        return self.run(self.read(stream))

    def run(self, documents: Iterable[RawDocument | InputProblem],
            originals: Iterable[RawDocument | InputProblem] | None = None,
            ) -> Iterator[DocumentOutcome]:
        """Convert a stream of documents (from `read`, or any `DocumentReader`).

        With `originals` (from `read_original`), the Nth input document is written over the
        Nth original; one stream longer than the other is an error (reported on the
        document without an original, or as a last outcome for the originals left over).
        """
        paired = _Originals(originals) if originals is not None else None
        for item in documents:
            original: Any = _NO_ORIGINAL
            if paired is not None:
                original = paired.next_for(item)
                if isinstance(original, DocumentOutcome):
                    yield original
                    continue
            if isinstance(item, InputProblem):
                where = self.source_label or "<input>"
                if item.line is not None:
                    where += f":{item.line}" + (f":{item.column}" if item.column else "")
                field = f" {item.path}:" if item.path else ""
                yield DocumentOutcome(item.index, item.line, None, (Issue(
                    Level.ERROR, f"{where}:{field} {item.message}", "input.read",
                    item.path or "$"),), input_error=True)
                continue
            if item.value is None and item.issues:  # the reader could not read it
                yield DocumentOutcome(item.index, item.line, None, tuple(item.issues),
                                      input_error=True)
                continue
            outcome = self.convert(item.value, item.index, item.line, original=original)
            if item.issues:  # what reading found comes first
                outcome = attrs.evolve(outcome, issues=(*item.issues, *outcome.issues))
            yield outcome
        if paired is not None:
            left_over = paired.left_over()
            if left_over is not None:
                yield left_over


class _Originals:
    """The originals file read in step with the input: the Nth for the Nth document."""

    def __init__(self, originals: Iterable[RawDocument | InputProblem]) -> None:
        self._items = iter(originals)
        self._count = 0

    def next_for(self, item: RawDocument | InputProblem) -> Any:
        """The original for `item`, or a failed outcome saying why there is none."""
        found = next(self._items, None)
        if found is None:
            return DocumentOutcome(item.index, item.line, None, (Issue(
                Level.ERROR, f"the original file holds {self._count} document(s), so "
                f"document {item.index} has none (originals are matched by position)",
                "original.missing", "$"),))
        self._count += 1
        if isinstance(found, InputProblem) or (found.value is None and found.issues):
            where = f"line {found.line}: " if found.line is not None else ""
            message = (found.message if isinstance(found, InputProblem)
                       else "; ".join(i.message for i in found.issues))
            return DocumentOutcome(item.index, item.line, None, (Issue(
                Level.ERROR, f"its original (document {found.index} of the original "
                f"file) cannot be read: {where}{message}", "original.read", "$"),))
        return found.value

    def left_over(self) -> DocumentOutcome | None:
        """A failed outcome when the originals file holds more documents than the input."""
        extra = sum(1 for _ in self._items)
        if not extra:
            return None
        return DocumentOutcome(self._count + 1, None, None, (Issue(
            Level.ERROR, f"the original file holds {self._count + extra} document(s) but "
            f"the input only {self._count}: originals are matched by position, so "
            "the input and the original file must hold the same documents in the same "
            "order", "original.extra", "$"),), input_error=True)


class _Failed(PasseurError):
    """The document failed; its issues say why."""


def _layered_on(base: TracedStep, layer: Any, direction: str, merged: Any) -> TracedStep:
    """The trace of the step a layer merged its rules over: the fields the layer took over
    say by which rule (and keep the value the base wrote); the others are read from the
    merged document, which is what goes on."""
    from passeur.dsl.explain import value_at

    entries = tuple(
        attrs.evolve(e, value=value_at(base.output, e.path), recorded=True)
        if e.overridden_by else e
        for e in layer.mark_overridden(list(base.entries), direction))
    return attrs.evolve(base, entries=entries, output=merged)


def _extended_route(step: MappingStep) -> list[MappingStep] | None:
    """The route under a mapping that `extends route`, in the step's direction, or None.

    Reads the compiled mapping's `base` and runs its own rules through `_forward` /
    `_backward` (the compiler's overlay entry points), so that hub checks and adaptations
    happen between the route's steps.
    """
    mapping: Any = step.mapping
    base = getattr(mapping, "base", None)
    if not base or not hasattr(mapping, "_forward") or not hasattr(mapping, "_backward"):
        return None
    if step.direction == "forward":
        return steps_for(base)
    flipped = [(m, "backward" if d == "forward" else "forward") for m, d in reversed(base)]
    return steps_for(flipped)


def _without_null_collections(plain: Any, fields: tuple[FieldSpec, ...]) -> Any:
    """The canonical model has no null list or dictionary: a null one means none at all
    (ERP Connector writes `"ListeModePaiements": null`), so such keys are left out."""
    if not isinstance(plain, dict):
        return plain
    out = {}
    for key, value in plain.items():
        spec = next((f for f in fields if f.name == key), None)
        if spec is not None and value is None and spec.type in (FieldType.LIST, FieldType.ANY):
            continue
        if spec is not None and spec.fields:
            if isinstance(value, dict):
                value = _without_null_collections(value, spec.fields)
            elif isinstance(value, list):
                value = [_without_null_collections(v, spec.fields) for v in value]
        out[key] = value
    return out


def _has_error(issues: Iterable[Issue]) -> bool:
    return any(i.level is Level.ERROR for i in issues)
