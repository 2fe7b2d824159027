"""Write canonical bank statements as camt.053.001.08 (ISO 20022), so a Belgian CODA statement
reaches a system that only reads camt.

Everything the canonical statement carries has an element: balances (`OPBD`/`CLBD`), entries
with their own transaction and their details (a first `NtryDtls` with the entry's transaction,
a second with a `Btch` of its details), counterparties, structured (`SCOR`) and free
remittance information. Movement extensions without an ISO element of their own ride in
`Refs/Prtry` (type = the extension's name), which the reader gives back; what cannot be
written at all (a detail of a detail, text over an element's limit) is an issue, never
dropped silently. Elements follow the schema's order.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, BinaryIO

from lxml import etree

from passeur import Issue, Level
from passeur.model import BankStatement, Movement
from passeur.serialize import structure
from passeur_camt053.reader import NAMESPACES, PRIVATE_MSG_ID

__all__ = ["write_camt"]

_NATIVE = frozenset({"end_to_end_id", "purpose", "return_reason", "information",
                     "counterparty_currency"})
_GROUP_KEYS = ("file_reference", "addressee", "company_id", "reference", "related_reference")
_STATEMENT_KEYS = frozenset({*_GROUP_KEYS, "creation_date",
                             "electronic_sequence", "account_description",
                             "free_communication", "duplicate"})


class _Tree:
    def __init__(self, namespace: str) -> None:
        self.ns = namespace
        self.issues: list[Issue] = []

    def el(self, parent: Any, name: str, text: str | None = None, **attrs: str) -> Any:
        node = etree.SubElement(parent, f"{{{self.ns}}}{name}", attrs)
        if text is not None:
            node.text = text
        return node

    def path(self, parent: Any, path: str, text: str) -> Any:
        node = parent
        for name in path.split("/"):
            node = self.el(node, name)
        node.text = text
        return node

    def amount(self, parent: Any, name: str, value: Decimal, currency: str) -> None:
        self.el(parent, name, format(abs(value), "f"), Ccy=currency)
        self.el(parent, "CdtDbtInd", "DBIT" if value < 0 else "CRDT")

    def note(self, message: str, path: str) -> None:
        self.issues.append(Issue(Level.WARNING, message, "camt.lost", path))


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _account(tree: _Tree, parent: Any, iban: str | None, number: str | None) -> None:
    ident = tree.el(parent, "Id")
    if iban:
        tree.el(ident, "IBAN", iban)
    else:
        tree.path(ident, "Othr/Id", number or "")


def _has_own(move: Movement) -> bool:
    return bool(move.counterparty_name or move.counterparty_account or move.communication
                or move.structured_communication or move.extensions)


def _transaction(tree: _Tree, parent: Any, move: Movement, path: str, detail: bool) -> None:
    """One `TxDtls` (EntryTransaction10) in schema order."""
    tx = tree.el(parent, "TxDtls")
    ext = dict(move.extensions)
    proprietary = {k: v for k, v in ext.items() if k not in _NATIVE}
    refs = [("AcctSvcrRef", move.bank_reference if detail else None),
            ("EndToEndId", ext.get("end_to_end_id")),
            ("TxId", move.sequence if detail else None)]
    if any(v for _, v in refs) or proprietary:
        node = tree.el(tx, "Refs")
        for name, value in refs:
            if value:
                tree.el(node, name, str(value))
        for key, value in proprietary.items():
            if isinstance(value, str) and 0 < len(value) <= 35 and len(key) <= 35:
                prtry = tree.el(node, "Prtry")
                tree.el(prtry, "Tp", key)
                tree.el(prtry, "Ref", value)
            else:
                tree.note(f"extension {key} = {value!r} has no camt.053 element (Refs/Prtry "
                          "holds texts of 1 to 35 characters); it is not written",
                          f"{path}.extensions.{key}")
    if detail:
        tree.amount(tx, "Amt", move.amount.amount, move.amount.currency)
        if move.transaction_code:
            tree.path(tx, "BkTxCd/Prtry/Cd", move.transaction_code)
    credit = move.amount.amount >= 0
    side, agent = ("Dbtr", "DbtrAgt") if credit else ("Cdtr", "CdtrAgt")
    account = move.counterparty_account
    if move.counterparty_name or (account and (account.iban or account.number)) \
            or "counterparty_currency" in ext:
        parties = tree.el(tx, "RltdPties")
        if move.counterparty_name:
            tree.path(parties, f"{side}/Pty/Nm", move.counterparty_name)
        if (account and (account.iban or account.number)) or "counterparty_currency" in ext:
            acct = tree.el(parties, f"{side}Acct")
            _account(tree, acct, account.iban if account else None,
                     account.number if account else None)
            if "counterparty_currency" in ext:
                tree.el(acct, "Ccy", str(ext["counterparty_currency"]))
    if account and account.bic:
        tree.path(tx, f"RltdAgts/{agent}/FinInstnId/BICFI", account.bic)
    if "purpose" in ext:
        tree.path(tx, "Purp/Cd", str(ext["purpose"]))
    if move.communication or move.structured_communication:
        rmt = tree.el(tx, "RmtInf")
        text = move.communication or ""
        for start in range(0, len(text), 140):
            tree.el(rmt, "Ustrd", text[start:start + 140])
        if move.structured_communication:
            strd = tree.el(rmt, "Strd")
            ref = tree.el(strd, "CdtrRefInf")
            kind = tree.el(ref, "Tp")
            tree.path(kind, "CdOrPrtry/Cd", "SCOR")
            tree.el(kind, "Issr", "BBA")  # Belgian structured communication (OGM-VCS)
            tree.el(ref, "Ref", move.structured_communication)
    if detail and move.value_date:  # a detail valued apart from its entry (CODA does)
        tree.path(tx, "RltdDts/IntrBkSttlmDt", move.value_date.isoformat())
    if "return_reason" in ext:
        tree.path(tx, "RtrInf/Rsn/Cd", str(ext["return_reason"]))
    if "information" in ext:
        info = str(ext["information"])
        if len(info) > 500:
            tree.note(f"information of {len(info)} characters is cut to the 500 camt.053 "
                      "allows (AddtlTxInf)", f"{path}.extensions.information")
        tree.el(tx, "AddtlTxInf", info[:500])
    if move.details and detail:
        tree.note("a detail of a detail (CODA type 9) has no place in camt.053; its own "
                  "details are not written", f"{path}.details")


def _entry(tree: _Tree, stmt: Any, move: Movement, path: str) -> None:
    entry = tree.el(stmt, "Ntry")
    if move.sequence:
        tree.el(entry, "NtryRef", move.sequence)
    tree.amount(entry, "Amt", move.amount.amount, move.amount.currency)
    tree.path(entry, "Sts/Cd", "BOOK")
    if move.booking_date:
        tree.path(entry, "BookgDt/Dt", move.booking_date.isoformat())
    if move.value_date:
        tree.path(entry, "ValDt/Dt", move.value_date.isoformat())
    if move.bank_reference:
        tree.el(entry, "AcctSvcrRef", move.bank_reference)
    code = tree.el(entry, "BkTxCd")
    if move.transaction_code:
        prtry = tree.el(code, "Prtry")
        tree.el(prtry, "Cd", move.transaction_code)
        tree.el(prtry, "Issr", "FEBELFIN")
    if _has_own(move):
        _transaction(tree, tree.el(entry, "NtryDtls"), move, path, detail=False)
    if move.details:
        block = tree.el(entry, "NtryDtls")
        tree.path(block, "Btch/NbOfTxs", str(len(move.details)))
        for i, detail in enumerate(move.details):
            here = f"{path}.details[{i}]"
            if detail.booking_date != move.booking_date:
                tree.note("a detail booked on another day than its entry: camt.053 books the "
                          "entry only; the detail's booking date is not written", here)
            _transaction(tree, block, detail, here, detail=True)


def _balance(tree: _Tree, stmt: Any, code: str, money: Any, day: datetime.date | None) -> None:
    bal = tree.el(stmt, "Bal")
    tree.path(bal, "Tp/CdOrPrtry/Cd", code)
    tree.amount(bal, "Amt", money.amount, money.currency)
    if day is None:
        tree.note(f"the {code} balance has no date, which camt.053 requires; an empty date "
                  "is written", "$.opening_date" if code == "OPBD" else "$.closing_date")
    tree.path(bal, "Dt/Dt", _day(day) or "")


def _statement(tree: _Tree, parent: Any, st: BankStatement, index: int) -> None:
    ext = st.extensions
    stmt = tree.el(parent, "Stmt")
    tree.el(stmt, "Id", st.number or f"{PRIVATE_MSG_ID}{index + 1}")  # Id is required
    if ext.get("electronic_sequence"):
        tree.el(stmt, "ElctrncSeqNb", str(ext["electronic_sequence"]))
    if st.number and st.number.isdigit():
        tree.el(stmt, "LglSeqNb", st.number)
    created = ext.get("creation_date") or _day(st.closing_date or st.opening_date) or "1970-01-01"
    tree.el(stmt, "CreDtTm", created if "T" in created else f"{created}T00:00:00")
    if ext.get("duplicate"):
        tree.el(stmt, "CpyDplctInd", "DUPL")
    acct = tree.el(stmt, "Acct")
    _account(tree, acct, st.account.iban, st.account.number)
    tree.el(acct, "Ccy", st.opening_balance.currency)
    if ext.get("account_description"):
        tree.el(acct, "Nm", str(ext["account_description"]))
    if st.holder_name:
        tree.path(acct, "Ownr/Nm", st.holder_name)
    if st.account.bic or st.bank_id:
        inst = tree.path(acct, "Svcr/FinInstnId", "")
        inst.text = None
        if st.account.bic:
            tree.el(inst, "BICFI", st.account.bic)
        if st.bank_id:
            tree.path(inst, "Othr/Id", st.bank_id)
    _balance(tree, stmt, "OPBD", st.opening_balance, st.opening_date)
    _balance(tree, stmt, "CLBD", st.closing_balance, st.closing_date)
    for i, move in enumerate(st.movements):
        _entry(tree, stmt, move, f"$.movements[{i}]")
    if ext.get("free_communication"):
        text = str(ext["free_communication"])
        if len(text) > 500:
            tree.note(f"free communication of {len(text)} characters is cut to the 500 "
                      "camt.053 allows (AddtlStmtInf)", "$.extensions.free_communication")
        tree.el(stmt, "AddtlStmtInf", text[:500])
    for key in sorted(set(ext) - _STATEMENT_KEYS):
        tree.note(f"statement extension {key} = {ext[key]!r} has no camt.053 element; it "
                  "is not written", f"$.extensions.{key}")


def _statements(documents: Iterable[Any]) -> list[BankStatement]:
    return [d if isinstance(d, BankStatement) else structure(d, BankStatement)
            for d in documents]


def write_camt(documents: Iterable[Any], stream: BinaryIO, version: str = "08") -> list[Issue]:
    """Write statements (canonical models or their plain data) as one camt.053 document."""
    if version != "08":
        raise ValueError("passeur writes camt.053.001.08")
    statements = _statements(documents)
    tree = _Tree(NAMESPACES[version])
    root = etree.Element(f"{{{tree.ns}}}Document", nsmap={None: tree.ns})
    message = tree.el(root, "BkToCstmrStmt")
    header = tree.el(message, "GrpHdr")
    first = statements[0].extensions if statements else {}
    created = first.get("creation_date") or "1970-01-01"
    number = statements[0].number if statements else None
    tree.el(header, "MsgId", str(first.get("file_reference")
                                 or f"{PRIVATE_MSG_ID}{number or 'empty'}-{created}"))
    tree.el(header, "CreDtTm", created if "T" in created else f"{created}T00:00:00")
    if first.get("addressee") or first.get("company_id"):
        rcpt = tree.el(header, "MsgRcpt")
        if first.get("addressee"):
            tree.el(rcpt, "Nm", str(first["addressee"]))
        if first.get("company_id"):
            tree.path(rcpt, "Id/OrgId/Othr/Id", str(first["company_id"]))
    notes = [f"{key}={first[key]}" for key in ("reference", "related_reference")
             if first.get(key)]
    if notes:  # the bank's references of the file: no element of their own
        tree.el(header, "AddtlInf", "\n".join(notes))
    for i, st in enumerate(statements):
        for key in _GROUP_KEYS:
            if st.extensions.get(key) != first.get(key):
                tree.note(f"statement {i + 1} has its own {key} ({st.extensions.get(key)!r});"
                          " one camt.053 message has one group header, which keeps the first "
                          "statement's: write one file per statement to keep it",
                          f"$[{i}].extensions.{key}")
        _statement(tree, message, st, i)
    stream.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True))
    return tree.issues
