"""camt.053: .001.02 and .001.08 files written by hand from the message definition read to the
canonical statement, and every CODA sample: CODA -> camt.053 -> canonical = CODA -> canonical."""

from __future__ import annotations

import datetime
import io
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import TESTDATA
from hypothesis import given, settings
from hypothesis import strategies as hs

from passeur import Level
from passeur.model import BankAccount, BankStatement, Money, Movement
from passeur.serialize import to_plain
from passeur_camt053 import read_camt, write_camt
from passeur_coda import read_statements
from support.plain import without_sources

CODA_FILES = sorted((TESTDATA / "coda").rglob("*.txt"))

V02 = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2024-03-01T08:00:00</CreDtTm></GrpHdr>
  <Stmt>
   <Id>STMT-42</Id><LglSeqNb>42</LglSeqNb><CreDtTm>2024-03-01T08:00:00</CreDtTm>
   <Acct><Id><IBAN>BE68539007547034</IBAN></Id><Ccy>EUR</Ccy>
    <Ownr><Nm>ACME SA</Nm></Ownr><Svcr><FinInstnId><BIC>GEBABEBB</BIC></FinInstnId></Svcr>
   </Acct>
   <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt>
    <CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2024-02-29</Dt></Dt></Bal>
   <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">150.50</Amt>
    <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-01</Dt></Dt></Bal>
   <Ntry><Amt Ccy="EUR">250.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2024-03-01</Dt></BookgDt><ValDt><Dt>2024-03-01</Dt></ValDt>
    <AcctSvcrRef>REF-1</AcctSvcrRef><BkTxCd><Prtry><Cd>00150000</Cd></Prtry></BkTxCd>
    <NtryDtls><TxDtls>
     <Refs><EndToEndId>E2E-1</EndToEndId></Refs>
     <AmtDtls><TxAmt><Amt Ccy="EUR">250.50</Amt></TxAmt></AmtDtls>
     <RltdPties><Dbtr><Nm>Client SPRL</Nm></Dbtr>
      <DbtrAcct><Id><IBAN>BE71096123456769</IBAN></Id></DbtrAcct></RltdPties>
     <RltdAgts><DbtrAgt><FinInstnId><BIC>GKCCBEBB</BIC></FinInstnId></DbtrAgt></RltdAgts>
     <RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>BBA</Issr></Tp>
      <Ref>+++090/9337/55493+++</Ref></CdtrRefInf></Strd></RmtInf>
    </TxDtls></NtryDtls>
   </Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>
"""

V08 = V02.replace(b"camt.053.001.02", b"camt.053.001.08").replace(
    b"<Sts>BOOK</Sts>", b"<Sts><Cd>BOOK</Cd></Sts>").replace(
    b"<BIC>", b"<BICFI>").replace(b"</BIC>", b"</BICFI>").replace(
    b"<Dbtr><Nm>Client SPRL</Nm></Dbtr>", b"<Dbtr><Pty><Nm>Client SPRL</Nm></Pty></Dbtr>").replace(
    b'<AmtDtls><TxAmt><Amt Ccy="EUR">250.50</Amt></TxAmt></AmtDtls>',
    b'<Amt Ccy="EUR">250.50</Amt><CdtDbtInd>CRDT</CdtDbtInd>')


@pytest.mark.parametrize("data", [V02, V08], ids=["001.02", "001.08"])
def test_both_versions_read_to_the_same_statement(data: bytes) -> None:
    [(st, issues, line)] = list(read_camt(data, "stmt.xml"))
    assert issues == [] and line == 5
    assert st is not None
    assert st.account.iban == "BE68539007547034" and st.account.bic == "GEBABEBB"
    assert st.holder_name == "ACME SA"
    assert st.number == "42"
    assert st.opening_balance.amount == Decimal("-100.00")
    assert st.closing_balance.amount == Decimal("150.50")
    assert st.opening_date == datetime.date(2024, 2, 29)
    [move] = st.movements
    assert move.amount.amount == Decimal("250.50")
    assert move.bank_reference == "REF-1" and move.transaction_code == "00150000"
    assert move.counterparty_name == "Client SPRL"
    assert move.counterparty_account is not None
    assert move.counterparty_account.iban == "BE71096123456769"
    assert move.counterparty_account.bic == "GKCCBEBB"
    assert move.structured_communication == "+++090/9337/55493+++"
    assert move.extensions == {"end_to_end_id": "E2E-1"}
    assert st.extensions == {"file_reference": "MSG-1", "creation_date": "2024-03-01T08:00:00"}


def test_the_two_versions_agree() -> None:
    one, two = (without_sources(to_plain(next(read_camt(d, "x"))[0])) for d in (V02, V08))
    assert one == two



def coda_statements(path: Path) -> list[Any]:
    with path.open("rb") as f:
        return [r.statement for r in read_statements(f, path.name) if r.statement is not None]


@pytest.mark.parametrize("path", CODA_FILES, ids=lambda p: p.name)
def test_coda_to_camt_to_canonical_equals_coda_to_canonical(path: Path) -> None:
    for statement in coda_statements(path):
        out = io.BytesIO()
        issues = write_camt([statement], out)
        if statement.closing_date is None:  # CODA-empty.txt: no record 8
            assert [i.message for i in issues] == [
                "the CLBD balance has no date, which camt.053 requires; an empty date is "
                "written"]
        else:
            assert issues == []  # nothing the camt cannot hold
        [(back, issues, _line)] = list(read_camt(out.getvalue(), "out.xml"))
        assert issues == []
        assert without_sources(to_plain(back)) == without_sources(to_plain(statement))


def test_a_multi_statement_file_is_one_camt_message_with_a_note_per_header() -> None:
    statements = coda_statements(TESTDATA / "coda/copyleft/Coda_v2_3_multi_statements.txt")
    out = io.BytesIO()
    issues = write_camt(statements, out)
    back = [s for s, _, _ in read_camt(out.getvalue(), "out.xml")]
    assert [s.closing_balance.amount for s in back] == [Decimal("0.00"), Decimal("10807.81")]
    assert {i.path for i in issues} <= {"$[1].extensions.file_reference",
                                        "$[1].extensions.addressee",
                                        "$[1].extensions.company_id"}
    assert all(i.level is Level.WARNING for i in issues)


def test_a_doctype_is_refused_before_parsing() -> None:
    data = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "http://example.com/">]>'
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">&x;</Document>')
    [(st, issues, _)] = list(read_camt(data, "evil.xml"))
    assert st is None
    assert "DOCTYPE" in issues[0].message and issues[0].message.startswith("evil.xml:1")


def test_a_file_of_another_syntax_says_what_it_is() -> None:
    data = (TESTDATA / "ubl/peppol").glob("*.xml").__next__().read_bytes()
    [(st, issues, _)] = list(read_camt(data, "inv.xml"))
    assert st is None
    assert issues[0].message.startswith("inv.xml: this is a UBL Invoice, not a camt.053")


def test_convert_from_coda_to_camt053(tmp_path: Path) -> None:
    out = tmp_path / "out.xml"
    source = TESTDATA / "coda/CODA.txt"
    run = subprocess.run([sys.executable, "-m", "passeur", "convert", str(source),
                          "--from", "coda", "--to", "camt053", "-o", str(out)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "1 of 1 document(s) converted" in run.stderr
    [(back, issues, _)] = list(read_camt(out.read_bytes(), "out.xml"))
    assert issues == []
    assert without_sources(to_plain(back)) == without_sources(
        to_plain(coda_statements(source)[0]))


# --- the law on generated statements ----------------------------------------------------------


_WORD = hs.text(hs.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789-/.,"),
                min_size=1, max_size=20)
_TEXT = hs.text(hs.sampled_from("ABCXYZabcxyz0123 -/.,'"), min_size=1, max_size=300)
_AMOUNT = hs.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False)
_DAY = hs.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2099, 12, 31))
_ACCOUNT = hs.builds(BankAccount,
                     iban=hs.sampled_from(["BE68539007547034", "FR7630006000011234567890189"]),
                     bic=hs.none() | hs.just("GEBABEBB"))
_CP_ACCOUNT = hs.none() | hs.builds(BankAccount, iban=hs.none() | hs.just("BE71096123456769"),
                                    number=hs.none(), bic=hs.none() | hs.just("GKCCBEBB")).filter(
    lambda a: a.iban or a.bic)
_EXT = hs.dictionaries(hs.sampled_from(["end_to_end_id", "purpose", "return_reason",
                                        "category_purpose", "information"]), _WORD, max_size=3)


@hs.composite
def _movement(draw: Any, booked: datetime.date | None, depth: int = 0) -> Movement:
    details = () if depth else tuple(draw(hs.lists(_movement(booked, 1), max_size=3)))
    return Movement(
        amount=Money(draw(_AMOUNT), "EUR"), booking_date=booked,
        value_date=draw(hs.none() | _DAY), sequence=draw(hs.none() | _WORD),
        counterparty_name=draw(hs.none() | _WORD), counterparty_account=draw(_CP_ACCOUNT),
        communication=draw(hs.none() | _TEXT),
        structured_communication=draw(hs.none() | hs.just("+++090/9337/55493+++")),
        bank_reference=draw(hs.none() | _WORD),
        transaction_code=draw(hs.none() | hs.just("00150000")) if depth else "00150000",
        details=details, extensions=draw(_EXT))


@hs.composite
def _statement(draw: Any) -> BankStatement:
    booked = draw(hs.none() | _DAY)
    return BankStatement(
        account=draw(_ACCOUNT), opening_balance=Money(draw(_AMOUNT), "EUR"),
        closing_balance=Money(draw(_AMOUNT), "EUR"), opening_date=draw(_DAY),
        closing_date=draw(_DAY), number=draw(hs.none() | hs.from_regex(r"\A[0-9]{3}\Z")),
        bank_id=draw(hs.none() | hs.just("725")), holder_name=draw(hs.none() | _WORD),
        movements=tuple(draw(hs.lists(_movement(booked), max_size=4))),
        extensions={"creation_date": draw(_DAY).isoformat()})


@settings(max_examples=60, deadline=None)
@given(_statement())
def test_any_statement_camt_can_hold_comes_back_the_same(statement: BankStatement) -> None:
    out = io.BytesIO()
    assert write_camt([statement], out) == []
    [(back, issues, _line)] = list(read_camt(out.getvalue(), "gen.xml"))
    assert issues == []
    assert without_sources(to_plain(back)) == without_sources(to_plain(statement))
