"""`check_plugin`: everything passeur does with a plugin's system, checked on its samples.

For each sample file of each document type: the system's reader cuts it into documents and
its `WireFormat.read` reads each one without an error; each goes to the canonical model
(its own mapping) without an error; from there back to the system, the writer's bytes are
cut again by the system's own reader and read to the same canonical document (Decimal
scale included), except the paths the author names as assigned by the system (ids, links:
what a create body cannot carry). Then every mapping file the plugin registers compiles
and its examples pass both ways, and with a `LiveCheck` the client meets the sandbox.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import attrs

from passeur.engine.convert import Converter, DocumentOutcome, parse_endpoint
from passeur.engine.documents import InputProblem, RawDocument, read_all
from passeur.engine.wire import WireFormat
from passeur.issues import Issue, Level
from passeur.plugins import Registry, load_registry
from passeur.schema import SystemSpec
from passeur.testing.declarations import system_problems
from passeur.testing.live import LiveCheck, live_problems
from passeur.testing.values import value_differences

__all__ = ["LiveCheck", "PluginReport", "check_plugin", "plugin_problems"]

Sample = Path | str | bytes
Samples = Mapping[str, Iterable[Sample]] | Iterable[Sample]


@attrs.define
class PluginReport:
    """What `check_plugin` checked (one line each) and what it found wrong."""

    system: str
    checked: list[str] = attrs.field(factory=list)
    problems: list[str] = attrs.field(factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        lines = [f"plugin check of {self.system}: {len(self.checked)} checks, "
                 f"{len(self.problems)} problems"]
        lines += [f"  problem: {p}" for p in self.problems]
        return "\n".join(lines)


def _issues(issues: Iterable[Issue], level: Level = Level.ERROR) -> str:
    return "; ".join(f"{i.path}: {i.message}" for i in issues if i.level >= level)


def _by_doctype(spec: SystemSpec, samples: Samples) -> dict[str, list[Sample]]:
    if isinstance(samples, Mapping):
        return {name.rpartition(".")[2] if "." in name else name: list(files)
                for name, files in samples.items()}
    names = spec.document_type_names
    default = "invoice" if "invoice" in names else names[0]
    return {default: list(samples)}


def _load(sample: Sample) -> tuple[bytes, str]:
    if isinstance(sample, bytes):
        return sample, "<bytes>"
    path = Path(sample)
    return path.read_bytes(), path.name


#: what a round trip may change without losing anything: where a document or a part of
#: it was read from (`source`, at any depth), and empty objects or lists (they carry nothing)
_PROVENANCE = re.compile(r"\.source(?=$|[.\[])")
_EMPTY = re.compile(r": missing \(expected (\{\}|\[\]|None)\)$")


def _pattern(path: str) -> re.Pattern[str]:
    """`lines[*].id` as a regex matching `$.lines[3].id` and anything under it."""
    text = re.escape(f"$.{path}").replace(r"\[\*\]", r"\[\d+\]")
    return re.compile(text + r"(?=$|[.\[:])")


def _outside(differences: list[str], assigned: Sequence[str]) -> list[str]:
    """The differences not under a path the system assigns (`extensions.x_id`,
    `lines[*].id`), nor an empty value left out."""
    patterns = [_pattern(p) for p in assigned]
    kept = []
    for line in differences:
        where = line.split(":", 1)[0]
        if not (_EMPTY.search(line) or _PROVENANCE.search(where)
                or any(p.match(where) for p in patterns)):
            kept.append(line)
    return kept


@attrs.define
class _Checker:
    registry: Registry
    spec: SystemSpec
    report: PluginReport
    assigned: Sequence[str]

    def converter(self, source: str, target: str, label: str = "") -> Converter:
        return Converter(self.registry, parse_endpoint(self.registry, source),
                         parse_endpoint(self.registry, target), source_label=label)

    def sample(self, doctype: str, data: bytes, name: str) -> None:
        key = f"{self.spec.name}.{doctype}"
        fmt = self.registry.formats.get(key)
        if not isinstance(fmt, WireFormat):
            self.report.problems.append(f"{key}: no WireFormat is registered (register one "
                                        "in passeur_register_formats)")
            return
        documents = read_all(fmt.document_reader(), data, name)
        if not documents:
            self.report.problems.append(f"{name}: the reader of {key} found no document")
        for raw in documents:
            where = f"{name}: document {raw.index}"
            if isinstance(raw, InputProblem):
                self.report.problems.append(f"{where}: cannot be read: {raw.message} "
                                            f"(line {raw.line})")
                continue
            self.document(fmt, doctype, raw, where)

    def document(self, fmt: WireFormat, doctype: str, raw: RawDocument, where: str) -> None:
        problems = self.report.problems
        plain, issues = fmt.read(raw.value, where)
        if plain is None or any(i.level is Level.ERROR for i in issues):
            problems.append(f"{where}: {fmt.name} cannot read it: {_issues(issues)}")
            return
        self.report.checked.append(f"{where}: read")
        canonical = self.registry.document_type(self.spec.name, doctype).canonical
        if canonical is None:
            return
        system, hub = fmt.name, f"passeur.{canonical}"
        there = self.converter(system, hub, where).convert(raw.value, raw.index)
        if there.failed:
            problems.append(f"{where}: does not reach the canonical model: "
                            f"{_issues(there.issues)}")
            return
        self.report.checked.append(f"{where}: to the canonical model")
        if not fmt.writes:
            return
        back = self.converter(hub, system).convert(there.output)
        if back.failed:
            problems.append(f"{where}: the canonical document does not go back to {system}: "
                            f"{_issues(back.issues)}")
            return
        self.written(fmt, there, back, where)

    def written(self, fmt: WireFormat, there: DocumentOutcome, back: DocumentOutcome,
                where: str) -> None:
        problems = self.report.problems
        sink = io.BytesIO()
        writer = fmt.open_writer(sink, "single")
        writer.write(back.output)
        writer.close()
        if any(i.level is Level.ERROR for i in writer.issues):
            problems.append(f"{where}: the writer of {fmt.name} reports "
                            f"{_issues(writer.issues)}")
        again = read_all(fmt.document_reader(), sink.getvalue(), f"{where} (written)")
        if len(again) != 1 or not isinstance(again[0], RawDocument):
            problems.append(f"{where}: what the writer of {fmt.name} wrote does not read back "
                            f"as one document: {again!r}"[:600])
            return
        self.report.checked.append(f"{where}: written and read back")
        round_trip = self.converter(fmt.name, self._hub_of(fmt), where).convert(
            again[0].value)
        if round_trip.failed:
            problems.append(f"{where}: what the writer wrote does not reach the canonical "
                            f"model again: {_issues(round_trip.issues)}")
            return
        differences = _outside(value_differences(there.output, round_trip.output),
                               self.assigned)
        if differences:
            problems.append(f"{where}: to the canonical model and back is not the same "
                            "document: " + "; ".join(differences[:12]))
        else:
            self.report.checked.append(f"{where}: canonical -> {fmt.name} -> canonical equal")

    def _hub_of(self, fmt: WireFormat) -> str:
        canonical = self.registry.document_type(fmt.system, fmt.doctype).canonical
        return f"passeur.{canonical}"

    def mappings(self) -> None:
        from passeur.checking import check_file
        from passeur.dsl.parser import parse_file

        plugin = self.registry.system_plugin.get(self.spec.name)
        dirs = [d for d, p in self.registry.mapping_dir_plugin.items() if p == plugin]
        for directory in dirs:
            for path in sorted(Path(directory).rglob("*.map")):
                header = parse_file(path).header
                sides = () if header is None else (header.left.system, header.right.system)
                if any(s not in self.registry.systems and not _variant(self.registry, s)
                       for s in sides):
                    continue  # a pair mapping whose other system is not loaded: inactive
                report = check_file(path, self.registry)
                if not report.ok:
                    found = [f"{f.problem.position}: {f.problem.message}" for f in report.findings
                             if f.level >= Level.ERROR]
                    self.report.problems.append(f"{path.name}: " + "; ".join(found[:12]))
                else:
                    self.report.checked.append(f"{path.name}: compiles, {report.examples} "
                                               "examples pass both ways")


def _variant(registry: Registry, name: str) -> bool:
    return any(name in s.variants for s in registry.systems.values())


def plugin_problems(system: str, samples: Samples = (), *, live: LiveCheck | None = None,
                    assigned: Sequence[str] = (), registry: Registry | None = None
                    ) -> PluginReport:
    """The report `check_plugin` asserts on (use it to look at what was checked)."""
    registry = registry or load_registry()
    report = PluginReport(system)
    spec = registry.systems.get(system)
    if spec is None:
        failed = [f"{p.name}: {p.error}" for p in registry.errors]
        report.problems.append(f"system {system!r} is not registered (registered: "
                               f"{', '.join(sorted(registry.systems))}; plugins that failed: "
                               f"{', '.join(failed) or 'none'})")
        return report
    report.problems += [f"declaration: {p}" for p in system_problems(spec)]
    report.checked.append("declaration")
    checker = _Checker(registry, spec, report, tuple(assigned))
    for doctype, files in _by_doctype(spec, samples).items():
        if spec.document_type(doctype) is None:
            report.problems.append(f"samples given for {doctype!r}, which {system} does not "
                                   f"declare ({', '.join(spec.document_type_names)})")
            continue
        for sample in files:
            data, name = _load(sample)
            checker.sample(doctype, data, name)
    checker.mappings()
    if live is not None:
        live_problems(spec, live, report.checked, report.problems)
    return report


def check_plugin(system: str, samples: Samples = (), *, live: LiveCheck | None = None,
                 assigned: Sequence[str] = (), registry: Registry | None = None
                 ) -> PluginReport:
    """Check the plugin providing `system` on `samples` ({doctype: [files or bytes]}, or
    files of its invoice type); fail with every problem found.

    `assigned` names canonical paths the system fills itself and a create body cannot
    carry (`extensions.vosfactures_id`): they may be lost between a document read and the
    same document written and read again. `live` runs the client against the sandbox.
    """
    report = plugin_problems(system, samples, live=live, assigned=assigned,
                             registry=registry)
    assert report.ok, str(report)
    return report
