"""`passeur convert`: documents from one system's JSON to another's, streamed."""

from __future__ import annotations

import base64
import codecs
import collections
import contextlib
import io
import mimetypes
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import click

from passeur.cli.app import (
    EXIT_FAILURE,
    EXIT_INPUT,
    EXIT_OK,
    cli,
    handle_errors,
    registry_of,
    say,
)
from passeur.cli.progress import MODES, PLAIN_EVERY, PROGRESS_ENV, ConvertProgress, progress_mode
from passeur.cli.route_cmd import mapping_dir_option, use_mapping_dirs
from passeur.engine.convert import Converter, DocumentOutcome, issue_json, parse_endpoint
from passeur.engine.documents import DocumentWriter
from passeur.engine.io import InputForm, dump_json
from passeur.engine.seller import load_seller
from passeur.engine.terms import load_terms
from passeur.errors import InputError, MappingError, OutputError, UsageError
from passeur.issues import Issue, IssuePolicy, Level
from passeur.model import Attachment
from passeur.outputs import atomic_text_output, refuse_same_file, stdin_identity
from passeur.plugins import Registry

HELP = """Convert documents from one system's files to another's.

\b
INPUT is a file, or - for standard input, in the source system's format: for
JSON systems one JSON document, a JSON array of documents, or NDJSON (one
document per line, streamed in constant memory), and a JSON output has the
same form; other systems read and write their own files (CSV, XML...). Without
--from, the plugin that recognises INPUT (by its name and first bytes) says
which system it comes from. SYSTEM is a system or an ERP behind ERP
Connector (acomba, quickbooks...); DOCTYPE defaults to invoice; `passeur` is the
canonical model, so --to passeur writes canonical JSON and --from passeur reads it.

\b
ERP Connector input may be an invoice as GET returns it, a create payload (with
its Facture wrapper) or a create response; the output is the create payload.
VosFactures output is the create request body ({"invoice": {...}}).
UBL and CII (XML) and Factur-X (PDF) read one whole file and write one file;
--to facturx_minimum ... facturx_extended chooses the Factur-X profile, and
--attach gives the invoice's PDF the Factur-X file is built on.

\b
Some systems have files of their own: a CODA file (--from coda) holds one or more
bank statements, read with their checks (balance, record 9 counts, check digits;
each problem with file:line:column); camt053 reads camt.053 XML and writes one
camt.053.001.08 message of all the statements. A system with a single document
type needs no DOCTYPE (coda, camt053: statement), and --to passeur takes the
source's canonical type (bank_statement); several statements give a JSON array.

\b
Problems are printed with the document number and the data path. Documents
with an error are left out of the output; the others are still converted.
--on-issue says what to do when the target cannot represent something
(a second tax on a line, a line kind it lacks, totals it rounds differently).
On a terminal a long conversion shows its progress on standard error (documents
done, share of the file read); piped, or with --json, nothing is added unless
--progress always (or PASSEUR_PROGRESS=always) asks for it.

\b
--original FILE gives the target's current document (as its API returns it, or
as an earlier convert wrote it): the document is written over it, so fields no
rule maps, `keep` values and lines matched by `key` stay as the target has
them (an update, not a create). For several documents, the Nth document of FILE
is the original of the Nth document of INPUT; FILE holding another document (a
different number) or more or fewer documents than INPUT is an error.

\b
Examples:
  passeur convert seed.json --from acomba --to vosfactures -o out.json
  passeur convert invoices.ndjson --from vosfactures --to passeur > canonical.ndjson
  cat inv.json | passeur convert - --from passeur --to acomba --on-issue error
  passeur convert inv.json --from acomba --to vosfactures --mapping my.map --json
  passeur convert inv.json --from acomba --to vosfactures --original current.json
  passeur convert bank.cod --from coda --to camt053 -o bank.xml
  passeur convert facture.xml --from cii --to ubl -o peppol.xml
  passeur convert inv.json --from vosfactures --to facturx_basic --attach inv.pdf -o fx.pdf
  passeur convert facture.json --from acomba --to ubl --seller our-company.toml -o peppol.xml
  passeur convert facture.json --from acomba --to ubl --seller our-company.toml \
      --payment-terms terms.toml -o peppol.xml
"""


@cli.command("convert", help=HELP, short_help="Convert documents between two systems.")
@click.argument("input_path", metavar="INPUT", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--from", "source", metavar="SYSTEM[.DOCTYPE]",
              help="System (and document type) the input comes from; without it, the "
              "plugin that recognises the input says.")
@click.option("--to", "target", required=True, metavar="SYSTEM[.DOCTYPE]",
              help="System (and document type) to write.")
@click.option("--mapping", "mapping", type=click.Path(exists=True, dir_okay=False,
                                                      path_type=Path),
              help="Use this mapping file instead of the route passeur would choose (it "
              "must pass `passeur check`).")
@mapping_dir_option
@click.option("-o", "--output", "output", type=click.Path(allow_dash=True, dir_okay=False),
              default="-", show_default=True, help="Where to write the converted documents.")
@click.option("--on-issue", "on_issue", type=click.Choice([p.value for p in IssuePolicy]),
              default="warn", show_default=True,
              help="What a problem the target cannot represent becomes: nothing, a warning, "
              "or an error that leaves the document out.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON report (and the documents, when no -o file is given).")
@click.option("--attach", "attach", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Attach a file to each invoice (its bytes travel in the document): the "
              "invoice's PDF for --to facturx, a PDF to embed in UBL. Repeatable.")
@click.option("--seller", "seller", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A seller file (TOML or JSON: the canonical party, docs/einvoices.md) "
              "that completes the seller of each sale invoice whose source lacks it (an "
              "Acomba invoice names no seller); EN 16931 requires its name, address and "
              "an identifier.")
@click.option("--payment-terms", "terms", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A payment terms file (TOML or JSON: `days = 30` and/or `description = "
              "\"30 days net\"`, docs/einvoices.md) for each sale invoice that has no due "
              "date and no terms (Acomba's have neither): the due date is the issue date "
              "plus the days (calendar days), the description BT-20; each use is reported.")
@click.option("--original", "original", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The target's current document(s), written over (matched to INPUT's "
              "documents by position): fields no rule maps, `keep` values and `key`-matched "
              "lines are kept.")
@click.option("--progress", "progress", type=click.Choice(MODES), default=None,
              help="Show progress on standard error: auto (the default, or "
              f"${PROGRESS_ENV}) only on a terminal and without --json; always (plain lines "
              f"every {PLAIN_EVERY} documents when not a terminal); never.")
@click.pass_context
@handle_errors
def convert(ctx: click.Context, input_path: str, source: str | None, target: str,
            mapping: Path | None, mapping_dirs: tuple[Path, ...], output: str, on_issue: str,
            as_json: bool, attach: tuple[Path, ...], seller: Path | None, terms: Path | None,
            original: Path | None, progress: str | None) -> None:
    registry = registry_of(ctx)
    use_mapping_dirs(registry, mapping_dirs)
    if mapping is not None:
        _refuse_failing(mapping, registry)
    label = "<stdin>" if input_path == "-" else input_path
    if output != "-":
        refuse_same_file(output, [stdin_identity() if input_path == "-" else input_path,
                                  *([str(original)] if original is not None else [])])
    try:
        stream = _open_input(input_path)
    except OSError as exc:
        raise InputError(f"{input_path}: cannot read: {exc.strerror or exc}") from None
    try:
        src = parse_endpoint(registry, source or _detected(registry, input_path, stream))
        dst = parse_endpoint(registry, target, src)
        converter = Converter(registry, src, dst, policy=IssuePolicy(on_issue),
                              mapping=mapping, source_label=label,
                              attachments=_attachments(attach),
                              seller=load_seller(seller) if seller is not None else None,
                              terms=load_terms(terms) if terms is not None else None)
        with contextlib.ExitStack() as originals:
            before = None
            if original is not None:
                problem = converter.original_problem()
                if problem is not None:
                    raise UsageError(f"--original {original}: {problem}")
                try:
                    handle = originals.enter_context(open(original, "rb"))
                except OSError as exc:
                    raise InputError(f"{original}: cannot read: {exc.strerror or exc}"
                                     ) from None
                before = converter.read_original(handle, str(original))
            shown = ConvertProgress(None, stream, progress_mode(progress), as_json)
            code = _run(converter, stream, output, as_json, input_path, shown, before)
    finally:
        if input_path != "-":
            stream.close()
        else:
            stream.detach()  # standard input stays open
    sys.exit(code)


def _refuse_failing(mapping: Path, registry: Any) -> None:
    """A mapping file given by hand runs only if it passes `passeur check` (names, types,
    its own examples): a conversion must not be the first test of a file."""
    from passeur.checking import check_file

    report = check_file(mapping, registry)
    # a required field never written in the direction not run is no reason to refuse: the
    # converter says per document what the target requires and does not get
    errors = [f.render() for f in report.findings
              if f.level >= Level.ERROR and f.problem.code != "required"]
    if errors:
        raise MappingError(f"{mapping} does not pass `passeur check` ({len(errors)} "
                           "error(s)); nothing was converted:\n" + "\n".join(errors))


HEAD_SIZE = 4096  # what a plugin's passeur_detect_format sees of an input


def _attachments(paths: tuple[Path, ...]) -> tuple[Attachment, ...]:
    found = []
    for path in paths:
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        found.append(Attachment(id=path.name, filename=path.name, mime_type=mime,
                                content=base64.b64encode(path.read_bytes()).decode("ascii")))
    return tuple(found)


def _open_input(path: str) -> io.BufferedReader:
    if path == "-":
        raw: Any = sys.stdin.buffer
        return io.BufferedReader(raw, buffer_size=max(HEAD_SIZE, 1 << 16))
    return open(path, "rb")


def _head(stream: BinaryIO) -> bytes:
    peek = getattr(stream, "peek", None)
    if peek is not None:
        return bytes(peek(HEAD_SIZE)[:HEAD_SIZE])
    head = stream.read(HEAD_SIZE)  # pragma: no cover - files and stdin can peek
    stream.seek(0)
    return head


def _detected(registry: Registry, input_path: str, stream: BinaryIO) -> str:
    """The source named by the plugin that recognises the input (`passeur_detect_format`)."""
    name = "" if input_path == "-" else Path(input_path).name
    found = registry.detect_format(name, _head(stream))
    if found is None:
        raise UsageError(f"cannot tell which system {input_path if name else 'the input'} "
                         "comes from (no plugin recognises it); give --from SYSTEM[.DOCTYPE]")
    return found


class _TextSink:
    """The bytes a writer gives, onto the text stream passeur writes its outputs to."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.binary = False

    def write(self, data: bytes) -> int:
        raw = getattr(self.stream, "buffer", None)
        if self.binary and raw is not None:
            raw.write(data)
            return len(data)
        try:
            self.stream.write(self.decoder.decode(data))
        except UnicodeDecodeError:
            if raw is None:
                raise OutputError("this output is not text; write it to a file with -o"
                                  ) from None
            # a binary output (a Factur-X PDF): its bytes go to the file as they are
            self.stream.flush()
            self.binary = True
            raw.write(data)
        return len(data)


class _Output:
    """Writes outputs with the target's writer, in the input's form (for JSON: one pretty
    document, an array, or NDJSON); with no sink, keeps them for the --json report."""

    def __init__(self, converter: Converter, sink: TextIO | None) -> None:
        self.converter = converter
        self.sink = sink
        self.form: InputForm = "single"
        self.writer: DocumentWriter | None = None
        self.kept: list[Any] = []

    def set_form(self, form: InputForm) -> None:
        self.form = form

    def write(self, value: Any) -> None:
        if self.sink is None:
            self.kept.append(value)
            return
        if self.writer is None:
            self.writer = self.converter.open_writer(_TextSink(self.sink), self.form)
        self.writer.write(value)

    @property
    def issues(self) -> list[Issue]:
        """What the writer found writing (after `close`)."""
        return self.writer.issues if self.writer is not None else []

    def close(self) -> None:
        if self.sink is None:
            return
        if self.writer is None:
            self.writer = self.converter.open_writer(_TextSink(self.sink), self.form)
        self.writer.close()


def _run(converter: Converter, stream: BinaryIO, output: str, as_json: bool,
         input_path: str, progress: ConvertProgress,
         originals: Iterator[Any] | None = None) -> int:
    to_stdout = output == "-"
    with contextlib.ExitStack() as stack:
        stack.enter_context(progress)
        sink: TextIO | None
        if as_json and to_stdout:
            sink = None
        elif to_stdout:
            sink = sys.stdout
        else:
            sink = stack.enter_context(atomic_text_output(
                output, inputs=[] if input_path == "-" else [input_path]))
        out = _Output(converter, sink)
        report: list[dict[str, Any]] = []
        totals = {"documents": 0, "converted": 0, "failed": 0, "warnings": 0}
        kinds: collections.Counter[str] = collections.Counter()
        input_errors = False
        for outcome in converter.run(converter.read(stream, out.set_form), originals):
            if any(i.code == "original.extra" for i in outcome.issues):
                input_errors = True  # not a document of INPUT: said once, as it is
                if as_json:
                    report.append({"document": None, "line": None, "failed": True,
                                   "issues": [issue_json(i) for i in outcome.issues]})
                else:
                    for issue in outcome.issues:
                        say(f"original file: {issue.level}: {issue.message}")
                continue
            totals["documents"] += 1
            input_errors |= outcome.input_error
            if not outcome.failed:
                try:
                    out.write(outcome.output)
                except ValueError as exc:  # e.g. a lone surrogate a mapping produced
                    outcome = outcome.with_issue(Issue(
                        Level.ERROR, f"the output cannot be written: {exc}", "output.value",
                        "$"))
            progress.advance(outcome.failed)
            if outcome.failed:
                totals["failed"] += 1
            else:
                totals["converted"] += 1
            totals["warnings"] += sum(1 for i in outcome.issues if i.level is Level.WARNING)
            kinds.update(i.code or "other" for i in outcome.issues if i.level is Level.WARNING)
            if outcome.issues:
                if as_json:
                    report.append(outcome.as_json())
                else:
                    print_issues(outcome)
        out.close()
        for issue in out.issues:
            totals["warnings"] += issue.level is Level.WARNING
            if as_json:
                report.append({"document": None, "line": None, "failed": False,
                               "issues": [issue_json(issue)]})
            else:
                say(f"output: {issue.level}: {issue.path}: {issue.message}")
    if as_json:
        data: dict[str, Any] = {**totals, "warnings_by_kind": dict(kinds.most_common()),
                                "from": str(converter.source),
                                "to": str(converter.target), "on_issue": converter.policy.value,
                                "problems": report}
        if sink is None:
            data["outputs"] = out.kept
        click.echo(dump_json(data, indent=2))  # exact decimals, unlike print_json
    else:
        say(f"{totals['converted']} of {totals['documents']} document(s) "
            f"converted, {totals['failed']} failed, {totals['warnings']} warning(s)")
        if len(kinds) > 1 or sum(kinds.values()) > 3:
            say("warnings by kind: " + ", ".join(
                f"{code} {count}" for code, count in kinds.most_common()))
    if input_errors:
        return EXIT_INPUT
    return EXIT_FAILURE if totals["failed"] else EXIT_OK


def print_issues(outcome: DocumentOutcome) -> None:
    """One document's problems, as convert (and explain) print them."""
    for issue in outcome.issues:
        where = f" at {issue.mapping}" if issue.mapping else ""
        path = "" if outcome.input_error else f"{issue.path}: "
        say(f"{outcome.label}: {issue.level}: {path}{issue.message}{where}")
