"""Read camt.053 (ISO 20022 bank-to-customer statement, .001.02 and .001.08) into canonical
bank statements.

The two versions differ in a few places (the entry status is a code or a `Cd` inside `Sts`; a
transaction's amount sits in `AmtDtls/TxAmt` or in `Amt`; parties are named directly or under
`Pty`; a BIC is `BIC` or `BICFI`), so elements are found by local name along short paths that
accept both. The XML is parsed by `passeur.xml` (no DTD, no entity, no network).

An entry (`Ntry`) is a movement. Its own transaction is its only `TxDtls`; when it has a batch
(`Btch`), or several transactions, they are its details (a globalised movement); when a first
`NtryDtls` holds one transaction and a second one a batch, the first is the entry's own and the
batch its details, which is how passeur writes a CODA movement with details.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from passeur import Issue, Level
from passeur.model import BankAccount, BankStatement, Money, Movement, Source
from passeur.xml import XMLInputError, detect_syntax, location, parse_xml

__all__ = ["NAMESPACES", "read_camt"]

SYSTEM = "camt053"
NAMESPACES = {
    "02": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
    "08": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08",
}
PRIVATE_MSG_ID = "passeur-"  # an id passeur made up (MsgId, Stmt/Id): not the bank's
_OPENING = ("OPBD", "PRCD")
_CLOSING = ("CLBD",)


class _Bad(Exception):
    def __init__(self, message: str, element: Any) -> None:
        super().__init__(message)
        self.element = element


def _children(element: Any, name: str) -> list[Any]:
    return [c for c in element if isinstance(c.tag, str) and etree.QName(c).localname == name]


def _find(element: Any, path: str) -> Any:
    """The first element along `path` (local names, `/`-separated; `A|B` tries both)."""
    node = element
    for step in path.split("/"):
        found = None
        for name in step.split("|"):
            matches = _children(node, name)
            if matches:
                found = matches[0]
                break
        if found is None:
            return None
        node = found
    return node


def _text(element: Any, path: str) -> str | None:
    node = _find(element, path)
    if node is None or node.text is None:
        return None
    return node.text.strip() or None


def _amount(element: Any, where: Any) -> tuple[Decimal, str]:
    if element is None:
        raise _Bad("an amount is missing", where)
    try:
        value = Decimal((element.text or "").strip())
    except InvalidOperation:
        raise _Bad(f"amount {element.text!r} is not a number", element) from None
    return value, element.get("Ccy") or ""


def _signed(value: Decimal, indicator: str | None, where: Any) -> Decimal:
    if indicator == "CRDT":
        return value
    if indicator == "DBIT":
        return -value
    raise _Bad(f"credit/debit indicator {indicator!r} is not CRDT or DBIT", where)


def _date(element: Any, path: str) -> datetime.date | None:
    node = _find(element, path)
    if node is None:
        return None
    text = _text(node, "Dt") or _text(node, "DtTm") or (node.text or "").strip() or None
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        raise _Bad(f"date {text!r} is not an ISO date", node) from None


def _account(element: Any) -> BankAccount | None:
    if element is None:
        return None
    iban = _text(element, "Id/IBAN")
    number = _text(element, "Id/Othr/Id")
    if iban is None and number is None:
        return None
    return BankAccount(iban=iban, number=number)


def _party_name(element: Any) -> str | None:
    if element is None:
        return None
    return _text(element, "Pty/Nm") or _text(element, "Nm")


def _transaction(tx: Any, currency: str, entry_sign: int) -> dict[str, Any]:
    """The fields of one `TxDtls`, as `Movement` keyword arguments (no amount when absent)."""
    fields: dict[str, Any] = {}
    extensions: dict[str, Any] = {}
    amount = _find(tx, "Amt") if _find(tx, "Amt") is not None else _find(tx, "AmtDtls/TxAmt/Amt")
    if amount is not None:
        value, ccy = _amount(amount, tx)
        indicator = _text(tx, "CdtDbtInd")
        value = _signed(value, indicator, tx) if indicator else value * entry_sign
        fields["amount"] = Money(value, ccy or currency)
    refs = _find(tx, "Refs")
    if refs is not None:
        if _text(refs, "AcctSvcrRef"):
            fields["bank_reference"] = _text(refs, "AcctSvcrRef")
        if _text(refs, "EndToEndId"):
            extensions["end_to_end_id"] = _text(refs, "EndToEndId")
        if _text(refs, "TxId"):
            fields["sequence"] = _text(refs, "TxId")
        for prtry in _children(refs, "Prtry"):
            kind, ref = _text(prtry, "Tp"), _text(prtry, "Ref")
            if kind and ref:
                extensions[kind] = ref
    code = _text(tx, "BkTxCd/Prtry/Cd")
    if code:
        fields["transaction_code"] = code
    credit = (fields["amount"].amount if "amount" in fields else entry_sign) >= 0
    side, agent = ("Dbtr", "DbtrAgt") if credit else ("Cdtr", "CdtrAgt")
    parties = _find(tx, "RltdPties")
    account = None
    if parties is not None:
        name = _party_name(_find(parties, side))
        if name:
            fields["counterparty_name"] = name
        acct = _find(parties, f"{side}Acct")
        account = _account(acct)
        ccy = _text(acct, "Ccy") if acct is not None else None
        if ccy:
            extensions["counterparty_currency"] = ccy
    bic = _text(tx, f"RltdAgts/{agent}/FinInstnId/BICFI|BIC")
    if account is not None or bic:
        account = account or BankAccount()
        fields["counterparty_account"] = BankAccount(iban=account.iban, number=account.number,
                                                     bic=bic)
    purpose = _text(tx, "Purp/Cd")
    if purpose:
        extensions["purpose"] = purpose
    remittance = _find(tx, "RmtInf")
    if remittance is not None:
        lines = [(u.text or "") for u in _children(remittance, "Ustrd")]
        if lines:
            fields["communication"] = "".join(lines)
        for strd in _children(remittance, "Strd"):
            ref = _text(strd, "CdtrRefInf/Ref")
            if ref:
                fields["structured_communication"] = ref
    settled = _date(tx, "RltdDts/IntrBkSttlmDt")
    if settled is not None:
        fields["value_date"] = settled
    reason = _text(tx, "RtrInf/Rsn/Cd")
    if reason:
        extensions["return_reason"] = reason
    info = _find(tx, "AddtlTxInf")
    if info is not None and info.text:
        extensions["information"] = info.text
    if extensions:
        fields["extensions"] = extensions
    return fields


def _entry(entry: Any, currency: str, name: str) -> Movement:
    value, ccy = _amount(_find(entry, "Amt"), entry)
    amount = _signed(value, _text(entry, "CdtDbtInd"), entry)
    sign = 1 if amount >= 0 else -1
    own: dict[str, Any] = {}
    details: list[Movement] = []
    blocks = _children(entry, "NtryDtls")
    txs_of = [_children(b, "TxDtls") for b in blocks]
    batched = [bool(_children(b, "Btch")) for b in blocks]
    if len(blocks) == 2 and len(txs_of[0]) == 1 and batched[1]:
        own = _transaction(txs_of[0][0], ccy or currency, sign)
        detail_txs = txs_of[1]
    elif len(blocks) == 1 and len(txs_of[0]) == 1 and not batched[0]:
        own = _transaction(txs_of[0][0], ccy or currency, sign)
        detail_txs = []
    else:
        detail_txs = [tx for txs in txs_of for tx in txs]
    booked, valued = _date(entry, "BookgDt"), _date(entry, "ValDt")
    for tx in detail_txs:
        fields = _transaction(tx, ccy or currency, sign)
        fields.setdefault("amount", Money(Decimal(0), ccy or currency))
        fields.setdefault("booking_date", booked)  # a transaction is booked with its entry
        details.append(Movement(source=Source(SYSTEM, location=f"{name}:{tx.sourceline}"),
                                **fields))
    own.pop("amount", None)
    sequence = _text(entry, "NtryRef")
    if sequence:
        own["sequence"] = sequence
    if _text(entry, "AcctSvcrRef"):
        own["bank_reference"] = _text(entry, "AcctSvcrRef")
    code = _text(entry, "BkTxCd/Prtry/Cd")
    if code:
        own["transaction_code"] = code
    note = _text(entry, "AddtlNtryInf")
    if note and "communication" not in own:
        own["communication"] = note
    return Movement(amount=Money(amount, ccy or currency),
                    booking_date=booked, value_date=valued,
                    details=tuple(details),
                    source=Source(SYSTEM, location=f"{name}:{entry.sourceline}"), **own)


def _balance(stmt: Any, codes: tuple[str, ...]) -> tuple[Money, datetime.date | None] | None:
    for bal in _children(stmt, "Bal"):
        if _text(bal, "Tp/CdOrPrtry/Cd") in codes:
            value, ccy = _amount(_find(bal, "Amt"), bal)
            return Money(_signed(value, _text(bal, "CdtDbtInd"), bal), ccy), _date(bal, "Dt")
    return None


def _statement(stmt: Any, header: dict[str, Any], name: str) -> BankStatement:
    acct = _find(stmt, "Acct")
    if acct is None:
        raise _Bad("the statement has no account (Acct)", stmt)
    account = _account(acct) or BankAccount()
    account = BankAccount(iban=account.iban, number=account.number,
                          bic=_text(acct, "Svcr/FinInstnId/BICFI|BIC"))
    opening = _balance(stmt, _OPENING)
    closing = _balance(stmt, _CLOSING)
    if opening is None or closing is None:
        raise _Bad("the statement has no opening (OPBD) or no closing (CLBD) balance", stmt)
    currency = _text(acct, "Ccy") or opening[0].currency
    extensions = dict(header)
    created = _text(stmt, "CreDtTm")
    if created:
        extensions["creation_date"] = (created[:10] if created[10:] in ("", "T00:00:00")
                                       else created)
    for key, path in (("electronic_sequence", "ElctrncSeqNb"),
                      ("account_description", "Acct/Nm"),
                      ("free_communication", "AddtlStmtInf")):
        value = _text(stmt, path)
        if value:
            extensions[key] = value
    if _text(stmt, "CpyDplctInd") == "DUPL":
        extensions["duplicate"] = True
    number = _text(stmt, "LglSeqNb") or _text(stmt, "Id")
    if number is not None and number.startswith(PRIVATE_MSG_ID):
        number = None  # an Id passeur made up for a statement without a number
    return BankStatement(
        account=account, opening_balance=opening[0], closing_balance=closing[0],
        opening_date=opening[1], closing_date=closing[1], number=number,
        bank_id=_text(acct, "Svcr/FinInstnId/Othr/Id"), holder_name=_text(acct, "Ownr/Nm"),
        movements=tuple(_entry(e, currency, name) for e in _children(stmt, "Ntry")),
        extensions=extensions, source=Source(SYSTEM, id=number,
                                             location=f"{name}:{stmt.sourceline}"))


def read_camt(data: bytes, name: str = "<camt>"
              ) -> Iterator[tuple[BankStatement | None, list[Issue], int | None]]:
    """Each statement (`Stmt`) of a camt.053 document, with the issues found and its line."""
    try:
        root = parse_xml(data, name).getroot()
    except XMLInputError as exc:
        yield None, [Issue(Level.ERROR, str(exc), "camt.xml", "$", name)], exc.line
        return
    namespace = etree.QName(root).namespace
    if namespace not in NAMESPACES.values() or etree.QName(root).localname != "Document":
        syntax = detect_syntax(root)
        what = syntax.title if syntax is not None else f"root element {root.tag}"
        hint = f"; read it with --from {syntax.system}" if syntax and syntax.system \
            and syntax.system != SYSTEM else ""
        yield None, [Issue(Level.ERROR, f"{name}: this is {what}, not a camt.053.001.02 or "
                           f".001.08 statement{hint}", "camt.syntax", "$", name)], 1
        return
    message = _find(root, "BkToCstmrStmt")
    if message is None:
        yield None, [Issue(Level.ERROR, f"{name}: no BkToCstmrStmt in the document",
                           "camt.structure", "$", name)], 1
        return
    header: dict[str, Any] = {}
    msg_id = _text(message, "GrpHdr/MsgId")
    if msg_id and not msg_id.startswith(PRIVATE_MSG_ID):
        header["file_reference"] = msg_id
    for key, path in (("addressee", "GrpHdr/MsgRcpt/Nm"),
                      ("company_id", "GrpHdr/MsgRcpt/Id/OrgId/Othr/Id")):
        value = _text(message, path)
        if value:
            header[key] = value
    for line in (_text(message, "GrpHdr/AddtlInf") or "").splitlines():
        key, sep, value = line.partition("=")
        if sep and key in ("reference", "related_reference"):
            header[key] = value
    for stmt in _children(message, "Stmt"):
        try:
            yield _statement(stmt, header, name), [], stmt.sourceline
        except _Bad as exc:
            yield None, [Issue(Level.ERROR, f"{name}:{exc.element.sourceline}: {exc} at "
                               f"{location(exc.element)}", "camt.structure", "$",
                               name)], exc.element.sourceline
