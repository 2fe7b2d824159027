"""The src-documents flow's own keys in a sync file (`[documents]`, `[exclude]`), checked
before anything is read: each refusal names file:line and says what to write instead.

The match rule is the mapping language's: one forward rule `EXPR -> number` over the SRC
entry (`rule = '...'`, compiled with the header `mapping sagesrc.invoice <-> SOURCE.invoice`)
or a mapping file (`match = "FILE.map"`, checked like `passeur check`). It says which
invoice of the source holds an SRC entry's PDF: its result is the source invoice's `number`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

from passeur import Level, Registry, UsageError
from passeur.checking import check_file, check_text
from passeur.dsl import CompiledMapping, MappingCompileError, compile_text, load_mapping

__all__ = ["DOCUMENTS_KEYS", "EXCLUDE_KEYS", "DocumentOptions", "Exclusions", "parse_options"]

#: `where(key, table)`: "file:line" of a key of the sync file.
Where = Callable[[str, str | None], str]
#: `table(name, known, what)`: the table [name] of the sync file, an unknown key in it
#: refused at its line with "did you mean" (passeur.sync.FlowFile.table).
Table = Callable[[str, tuple[str, ...], str], dict[str, Any]]

DOCUMENTS_KEYS = ("rule", "match", "max_pdf_bytes", "page_size")
EXCLUDE_KEYS = ("credit_notes", "amount_below", "customers", "include_again")
DEFAULT_MAX_PDF = 10 * 1024 * 1024


@attrs.frozen
class Exclusions:
    """Which entries will never get a document: they are sent `mayHaveDocuments: false`.
    `include_again` names entries excluded before that must come back (and are never
    excluded by a rule while listed)."""

    credit_notes: bool = False
    amount_below: Decimal | None = None
    customers: frozenset[str] = frozenset()
    include_again: tuple[str, ...] = ()
    where: Mapping[str, str] = attrs.field(factory=dict)

    def reason(self, entry: Mapping[str, Any]) -> str | None:
        """Why `entry` is excluded (the rule and where it is written), or None."""
        if str(entry.get("id")) in self.include_again:
            return None
        amount = _decimal(entry.get("amount"))
        if self.credit_notes and amount is not None and amount < 0:
            return f"a credit note (amount {amount}): credit_notes ({self.where['credit_notes']})"
        if self.amount_below is not None and amount is not None and amount < self.amount_below:
            return (f"amount {amount} under {self.amount_below}: amount_below "
                    f"({self.where['amount_below']})")
        customer = str(entry.get("customerCode") or "")
        if customer in self.customers:
            return f"customer {customer}: customers ({self.where['customers']})"
        return None


@attrs.frozen
class DocumentOptions:
    rule: CompiledMapping
    rule_where: str
    exclusions: Exclusions
    max_pdf_bytes: int = DEFAULT_MAX_PDF
    page_size: int = 100

    def source_number(self, entry: Mapping[str, Any]) -> str | None:
        """The source invoice number the match rule gives for an SRC entry (None when the
        rule gives none or fails on it)."""
        result = self.rule.forward(dict(entry))
        number = result.value.get("number")
        if result.issues or number in (None, ""):
            return None
        return str(number)


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _errors(report: Any) -> list[Any]:
    return [f for f in report.findings if f.level >= Level.ERROR]


def _whole(table: Mapping[str, Any], key: str, default: int, low: int, high: int,
           where: Where) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise UsageError(f"{where(key, 'documents')}: {key} must be a whole number from "
                         f"{low} to {high}, got {value!r}")
    return value


def _rule(table: Mapping[str, Any], base: Path, source_system: str, registry: Registry,
          where: Where) -> tuple[CompiledMapping, str]:
    if "rule" in table and "match" in table:
        raise UsageError(f"{where('match', 'documents')}: [documents] gives both rule and "
                         "match; keep one")
    if "match" in table:
        path = (base / str(table["match"])).resolve()
        at = where("match", "documents")
        if not path.is_file():
            raise UsageError(f"{at}: match file {table['match']} not found (looked for {path})")
        errors = _errors(check_file(path, registry))
        if errors:
            raise UsageError(f"{at}: the match file does not check:\n" + "\n".join(
                f.render() for f in errors))
        try:
            compiled = load_mapping(path, registry)
        except MappingCompileError as exc:
            raise UsageError(f"{at}: the match file does not check:\n{exc}") from None
        if compiled.left.system != "sagesrc":
            raise UsageError(f"{at}: the match file must map sagesrc.invoice (its header "
                             f"names {compiled.left.system}.{compiled.left.doctype})")
        return compiled, at
    if "rule" not in table:
        raise UsageError(f"{where('documents', None)}: [documents] needs rule = 'EXPR -> "
                         "number' (how an SRC id gives the source invoice's number, e.g. "
                         "'concat(\"F-\", substring(id, 5)) -> number') or match = "
                         "\"FILE.map\"")
    rule = table["rule"]
    at = where("rule", "documents")
    if not isinstance(rule, str) or "\n" in rule or "->" not in rule:
        raise UsageError(f"{at}: rule must be one forward rule on one line, 'EXPR -> "
                         f"number', got {rule!r}")
    text = f"mapping sagesrc.invoice <-> {source_system}.invoice\n{rule}\n"
    errors = _errors(check_text(text, f"{at} [documents] rule", registry, run=False))
    if errors:
        problems = "; ".join(f"at column {f.problem.column} of the rule: {f.problem.message}"
                             if f.problem.line == 2 else f.problem.message for f in errors)
        raise UsageError(f"{at}: the rule does not check: {problems}")
    try:
        compiled = compile_text(text, f"{at} [documents] rule", registry)
    except MappingCompileError as exc:
        problems = "; ".join(f"column {p.column}: {p.message}" for p in exc.problems)
        raise UsageError(f"{at}: the rule does not check: {problems}") from None
    return compiled, at


def parse_options(data: Mapping[str, Any], base: Path, source_system: str,
                  registry: Registry, where: Where, table: Table) -> DocumentOptions:
    """The flow's settings from the sync file's TOML `data` (its folder `base`, for relative
    paths); `source_system` is the system the PDFs come from."""
    documents = table("documents", DOCUMENTS_KEYS, "[documents] has")
    exclude = table("exclude", EXCLUDE_KEYS, "[exclude] has")
    rule, rule_where = _rule(documents, base, source_system, registry, where)
    credit = exclude.get("credit_notes", False)
    if not isinstance(credit, bool):
        raise UsageError(f"{where('credit_notes', 'exclude')}: credit_notes must be true or "
                         f"false, got {credit!r}")
    below = None
    if "amount_below" in exclude:
        raw = exclude["amount_below"]
        below = _decimal(raw) if isinstance(raw, str) else None
        if below is None or not below.is_finite():
            raise UsageError(f"{where('amount_below', 'exclude')}: amount_below must be an "
                             f'amount in quotes such as "50.00" (never a float), got {raw!r}')
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("customers", "include_again"):
        value = exclude.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise UsageError(f"{where(key, 'exclude')}: {key} must be a list of texts such "
                             f'as ["CLI004"], got {value!r}')
        lists[key] = tuple(value)
    exclusions = Exclusions(credit, below, frozenset(lists["customers"]),
                            lists["include_again"],
                            {k: where(k, "exclude") for k in EXCLUDE_KEYS})
    return DocumentOptions(rule, rule_where, exclusions,
                           _whole(documents, "max_pdf_bytes", DEFAULT_MAX_PDF, 16, 2**31,
                                  where),
                           _whole(documents, "page_size", 100, 1, 500, where))
