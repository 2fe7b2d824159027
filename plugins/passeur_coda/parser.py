"""Read CODA files (Febelfin version 2) into canonical bank statements, one line at a time.

The reader streams: it holds one statement at a time, slices each 128-character record at
fixed positions (`records.py`) and never runs a regular expression on a field. Problems are
issues with the file, line and column, and reading goes on wherever that is safe: a short
line is read as if padded with blanks, an unknown record is skipped, a bad check digit is
reported on a movement that is still read. What the file says about itself is checked: the
old balance plus the movements against the new balance, and record 9's record count and
totals. Several statements (records 0 to 9, repeated) may follow each other in one file.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

import attrs

from passeur import Issue, Level
from passeur.model import BankAccount, BankStatement, Money, Movement, Source
from passeur_coda import records as R
from passeur_coda.records import FieldError

__all__ = ["ENCODING", "StatementRead", "iter_lines", "read_statements"]

ENCODING = "iso-8859-1"  # every byte is a character: a CODA file never fails to decode
SYSTEM = "coda"
_MAIN_TYPES = frozenset("0123")
_DETAIL_TYPES = frozenset("5678")
_STRUCTURED_OGM = frozenset({"101", "102"})  # Belgian structured communication (OGM-VCS)
_ZERO = Decimal(0)


@attrs.frozen
class StatementRead:
    """One statement of a file (or None when it could not be read) and what was found."""

    statement: BankStatement | None
    issues: tuple[Issue, ...]
    line: int  # where its record 0 stands (or the first line of what was read)

    @property
    def failed(self) -> bool:
        return self.statement is None or any(i.level is Level.ERROR for i in self.issues)


def iter_lines(data: bytes | str | IO[bytes] | IO[str] | Iterable[str]) -> Iterator[str]:
    """Lines without their end of line (LF or CRLF), decoded from ISO-8859-1 when bytes."""
    if isinstance(data, bytes):
        data = data.decode(ENCODING)
    if isinstance(data, str):  # split on LF only: str.splitlines would also cut at \x85...
        for line in data.split("\n"):
            yield line[:-1] if line.endswith("\r") else line
        return
    for line in data:
        if isinstance(line, bytes):
            line = line.decode(ENCODING)
        yield line.rstrip("\r\n")


class _Move:
    """A movement being read (records 2.1-2.3, 3.x); frozen into a `Movement` at the end."""

    __slots__ = ("amount", "bank_ref", "booking", "code", "comm", "comm_type", "cp_account",
                 "cp_bic", "cp_currency", "cp_name", "detail", "details", "extensions",
                 "info", "line", "ogm", "seq", "value_date")

    def __init__(self, line: str, number: int) -> None:
        self.seq = line[R.SEQUENCE]
        self.detail = line[R.DETAIL]
        self.bank_ref = line[R.M_BANK_REF].strip()
        self.amount = R.amount(line, R.M_AMOUNT)
        self.value_date = R.date(line, R.M_VALUE_DATE)
        self.code = line[R.M_CODE]
        self.comm_type = line[R.M_COMM_TYPE]
        self.comm = [line[R.M_COMM]]
        self.booking = R.date(line, R.M_ENTRY_DATE)
        self.cp_account = self.cp_bic = self.cp_currency = self.cp_name = ""
        self.details: list[_Move] = []
        self.extensions: dict[str, Any] = {}
        self.info: list[str] = []
        self.line = number
        self.ogm: str | None = None

    def freeze(self, currency: str, where: str) -> Movement:
        comm = "".join(self.comm)
        structured = None
        text: str | None
        if self.comm_type == "1":
            kind = comm[0:3]
            if kind in _STRUCTURED_OGM:
                digits = comm[3:15]
                structured = f"+++{digits[:3]}/{digits[3:7]}/{digits[7:12]}+++"
                text = None
            else:
                text = comm[3:].rstrip() or None
                self.extensions["communication_type"] = kind
        else:
            text = comm.rstrip() or None
        account = None
        if self.cp_account or self.cp_bic:
            number = self.cp_account or None
            is_iban = bool(number) and number[:2].isalpha() and number[2:4].isdigit()
            account = BankAccount(iban=number if is_iban else None,
                                  number=None if is_iban else number,
                                  bic=self.cp_bic or None)
        if self.cp_currency:
            self.extensions["counterparty_currency"] = self.cp_currency
        if self.info:
            self.extensions["information"] = "\n".join(text.rstrip() for text in self.info)
        return Movement(
            amount=Money(self.amount, currency), booking_date=self.booking,
            value_date=self.value_date, sequence=self.seq if self.detail == "0000"
            else f"{self.seq}/{self.detail}",
            counterparty_name=self.cp_name or None, counterparty_account=account,
            communication=text, structured_communication=structured,
            bank_reference=self.bank_ref or None, transaction_code=self.code,
            details=tuple(d.freeze(currency, where) for d in self.details),
            extensions=self.extensions, source=Source(SYSTEM, location=f"{where}:{self.line}"))


class _Statement:
    """The statement being read, from its record 0 to its record 9."""

    def __init__(self, name: str, line: int) -> None:
        self.name = name
        self.line = line
        self.issues: list[Issue] = []
        self.head: dict[str, Any] = {}
        self.extensions: dict[str, Any] = {}
        self.old: Decimal | None = None
        self.old_date: datetime.date | None = None
        self.new: Decimal | None = None
        self.new_date: datetime.date | None = None
        self.account_text: str | None = None
        self.structure = "2"
        self.account = BankAccount()
        self.currency = ""
        self.moves: list[_Move] = []
        self.by_seq: dict[str, _Move] = {}  # the last movement read with each sequence
        self.current: _Move | None = None
        self.info: list[str] | None = None
        self.free: list[str] = []
        self.counted = 0  # records 1, 2, 3 and 8, as record 9 counts them
        self.credit = _ZERO
        self.debit = _ZERO
        self.closed = False
        self.rejected = False

    # --- issues -------------------------------------------------------------------------

    def issue(self, level: Level, number: int, col: int, message: str, code: str,
              path: str = "$") -> None:
        self.issues.append(Issue(level, f"{self.name}:{number}:{col}: {message}", code, path,
                                 f"{self.name}:{number}"))

    # --- records ------------------------------------------------------------------------

    def header(self, line: str, number: int) -> None:
        version = line[R.H_VERSION]
        if version != "2":
            self.issue(Level.ERROR, number, R.column(R.H_VERSION),
                       f"CODA version {version.strip() or 'blank'} is not supported "
                       "(passeur reads version 2); the statement is not read",
                       "coda.version")
            self.rejected = True
            return
        created = R.date(line, R.H_CREATION)
        self.head["bank_id"] = line[R.H_BANK_ID]
        self.head["bic"] = line[R.H_BIC].strip() or None
        ext = self.extensions
        if created is not None:
            ext["creation_date"] = created.isoformat()
        if line[R.H_DUPLICATE] == "D":
            ext["duplicate"] = True
        for key, field in (("file_reference", R.H_FILE_REF), ("addressee", R.H_ADDRESSEE),
                           ("company_id", R.H_COMPANY_ID), ("reference", R.H_REFERENCE),
                           ("related_reference", R.H_RELATED)):
            value = line[field].strip()
            if value:
                ext[key] = value

    def old_balance(self, line: str, number: int) -> None:
        self.counted += 1
        structure = line[R.O_STRUCTURE]
        slices = R.ACCOUNT_SLICES.get(structure)
        if slices is None:
            self.issue(Level.ERROR, number, R.column(R.O_STRUCTURE),
                       f"unknown account structure {structure!r} (0, 1, 2 or 3)",
                       "coda.account", "$.account")
            slices = R.ACCOUNT_SLICES["2"]
        self.structure = structure
        field = line[R.O_ACCOUNT]
        account, currency = field[slices[0]].strip(), field[slices[1]]
        self.account_text = account
        self.currency = currency
        iban = structure in "23"
        self.account = BankAccount(iban=account if iban else None,
                                   number=None if iban else account, bic=self.head.get("bic"))
        self.old = R.amount(line, R.O_BALANCE)
        self.old_date = R.date(line, R.O_DATE)
        self.head["number"] = line[R.O_NUMBER]
        self.head["holder"] = line[R.O_HOLDER].strip() or None
        description = line[R.O_DESCRIPTION].strip()
        if description:
            self.extensions["account_description"] = description
        self.extensions["electronic_sequence"] = line[R.O_CODA_SEQUENCE]

    def movement(self, line: str, number: int) -> None:
        self.counted += 1
        article = line[1]
        if article == "1":
            self._movement_start(line, number)
            return
        move = self.current
        key = line[2:10]
        if move is None or f"{move.seq}{move.detail}" != key:
            self.issue(Level.ERROR, number, 3, f"record 2.{article} for movement {key} does "
                       "not follow its record 2.1; it is not read", "coda.order")
            return
        if article == "2":
            move.comm.append(line[R.M2_COMM])
            ref = line[R.M2_CUSTOMER_REF].strip()
            if ref:
                move.extensions["end_to_end_id"] = ref
            move.cp_bic = line[R.M2_BIC].strip()
            for name, field in (("return_type", slice(R.M2_R_TYPE, R.M2_R_TYPE + 1)),
                                ("return_reason", R.M2_R_REASON),
                                ("category_purpose", R.M2_CATEGORY_PURPOSE),
                                ("purpose", R.M2_PURPOSE)):
                value = line[field].strip()
                if value:
                    move.extensions[name] = value
        else:  # "3"
            move.cp_account = line[R.M3_ACCOUNT].strip()
            move.cp_currency = line[R.M3_CURRENCY].strip()
            move.cp_name = line[R.M3_NAME].strip()
            move.comm.append(line[R.M3_COMM])

    def _movement_start(self, line: str, number: int) -> None:
        move = _Move(line, number)
        self.current = move
        kind = move.code[0]
        if kind in _MAIN_TYPES:
            self.moves.append(move)
            if move.amount > 0:
                self.credit += move.amount
            else:
                self.debit -= move.amount
        elif kind in _DETAIL_TYPES or kind == "9":
            parent = self.moves[-1] if self.moves else None
            if kind == "9" and parent is not None:
                parent = parent.details[-1] if parent.details else None
            if parent is None or parent.seq != move.seq:
                self.issue(Level.ERROR, number, R.column(R.M_CODE),
                           f"detail movement {move.seq}/{move.detail} (type {kind}) has no "
                           "movement it details before it; it is not read", "coda.detail")
            else:
                parent.details.append(move)
        else:
            self.issue(Level.ERROR, number, R.column(R.M_CODE),
                       f"unknown transaction type {kind!r} (0-3 movements, 5-9 details); the "
                       "movement is not read", "coda.transaction_type")
        self.by_seq[move.seq] = move
        self._check_ogm(move, number)

    def _check_ogm(self, move: _Move, number: int) -> None:
        if move.comm_type != "1" or move.comm[0][0:3] not in _STRUCTURED_OGM:
            return
        digits = move.comm[0][3:15]
        shown = f"+++{digits[:3]}/{digits[3:7]}/{digits[7:12]}+++"
        from stdnum.be import ogm_vcs  # here: python-stdnum loads ssl, pydoc (cold start)
        from stdnum.exceptions import ValidationError

        try:
            ogm_vcs.validate(digits)
        except ValidationError as exc:
            self.issue(Level.WARNING, number, R.column(R.M_COMM) + 3,
                       f"structured communication {shown} of movement {move.seq}: {exc} "
                       "(modulo 97); it is kept as the bank wrote it",
                       "coda.structured_communication")

    def information(self, line: str, number: int) -> None:
        self.counted += 1
        article = line[1]
        if article == "1":
            # an information record belongs to the last movement read with its sequence
            # number; its own detail number counts on from that movement's
            seq = line[R.SEQUENCE]
            move = self.by_seq.get(seq)
            if move is None:
                self.issue(Level.ERROR, number, 3, f"information record 3.1 for movement "
                           f"{seq} that the statement does not have; it is not read",
                           "coda.order")
                self.info = None
                return
            self.info = move.info
            move.info.append(line[R.I1_COMM])
            return
        if self.info is None:
            self.issue(Level.ERROR, number, 3, f"record 3.{article} does not follow a record "
                       "3.1; it is not read", "coda.order")
            return
        # kept at fixed width: the structured forms (name, street, town...) count on
        # across records 3.1 to 3.3
        self.info[-1] += line[R.I2_COMM if article == "2" else R.I3_COMM]

    def free_text(self, line: str, number: int) -> None:
        text = line[R.F_TEXT].rstrip()
        if text:
            self.free.append(text)

    def new_balance(self, line: str, number: int) -> None:
        self.counted += 1
        self.new = R.amount(line, R.N_BALANCE)
        self.new_date = R.date(line, R.N_DATE)
        slices = R.ACCOUNT_SLICES.get(self.structure, R.ACCOUNT_SLICES["2"])
        account = line[R.N_ACCOUNT][slices[0]].strip()
        if self.account_text is not None and account != self.account_text:
            self.issue(Level.WARNING, number, R.column(R.N_ACCOUNT),
                       f"record 8 names account {account} but record 1 names "
                       f"{self.account_text}; the statement is read for {self.account_text}",
                       "coda.account", "$.account")

    def trailer(self, line: str, number: int) -> None:
        self.closed = True
        try:
            count = int(line[R.T_COUNT])
        except ValueError:
            self.issue(Level.ERROR, number, R.column(R.T_COUNT),
                       f"record count {line[R.T_COUNT]!r} is not a number", "coda.count")
            count = None
        debit = -R.amount("1" + line[R.T_DEBIT], slice(0, 16))
        credit = R.amount("0" + line[R.T_CREDIT], slice(0, 16))
        if count is not None and count != self.counted:
            self.issue(Level.WARNING, number, R.column(R.T_COUNT),
                       f"record 9 counts {count} records (types 1, 2, 3 and 8) but the "
                       f"statement has {self.counted}", "coda.count")
        if (debit, credit) != (self.debit, self.credit):
            self.issue(Level.WARNING, number, R.column(R.T_DEBIT),
                       f"record 9 gives debits {debit} and credits {credit} but the movements "
                       f"add up to debits {self.debit} and credits {self.credit}",
                       "coda.totals", "$.movements")

    # --- the result ---------------------------------------------------------------------

    def finish(self, number: int) -> StatementRead:
        if self.rejected:
            return StatementRead(None, tuple(self.issues), self.line)
        if self.old is None:
            self.issue(Level.ERROR, number, 1, "the statement has no record 1 (old balance); "
                       "it is not read", "coda.structure")
            return StatementRead(None, tuple(self.issues), self.line)
        if not self.closed:
            self.issue(Level.ERROR, number, 1, "the statement is not closed by a record 9 "
                       "(the file may be truncated)", "coda.structure")
        moved = self.credit - self.debit
        if self.new is None:
            self.issue(Level.INFO, number, 1, "the statement has no record 8 (new balance); "
                       "its closing balance is the old balance plus its movements",
                       "coda.no_new_balance", "$.closing_balance")
            closing = self.old + moved
        else:
            closing = self.new
            if self.old + moved != self.new:
                self.issue(Level.WARNING, number, 1,
                           f"the statement does not balance: old balance {self.old} plus "
                           f"movements {moved} is {self.old + moved}, but the new balance is "
                           f"{self.new} (a difference of {self.new - self.old - moved})",
                           "coda.balance", "$.closing_balance")
        for move in self.moves:
            if move.code[0] in "12" and not move.details:
                self.issue(Level.INFO, move.line, R.column(R.M_CODE),
                           f"movement {move.seq} is globalised (transaction type "
                           f"{move.code[0]}) but the file gives none of its details",
                           "coda.globalisation", "$.movements")
        if self.free:
            self.extensions["free_communication"] = "\n".join(self.free)
        where = self.name
        statement = BankStatement(
            account=self.account, opening_balance=Money(self.old, self.currency),
            closing_balance=Money(closing, self.currency), opening_date=self.old_date,
            closing_date=self.new_date, number=self.head.get("number"),
            bank_id=self.head.get("bank_id"), holder_name=self.head.get("holder"),
            movements=tuple(m.freeze(self.currency, where) for m in self.moves),
            extensions=self.extensions,
            source=Source(SYSTEM, id=self.head.get("number"), location=f"{where}:{self.line}"))
        return StatementRead(statement, tuple(self.issues), self.line)


# record type -> (reader, the articles it has: 2.1-2.3, 3.1-3.3)
_HANDLERS = {"1": (_Statement.old_balance, None), "2": (_Statement.movement, "123"),
             "3": (_Statement.information, "123"), "4": (_Statement.free_text, None),
             "8": (_Statement.new_balance, None), "9": (_Statement.trailer, None)}


def read_statements(data: bytes | str | IO[bytes] | IO[str] | Iterable[str],
                    name: str = "<coda>") -> Iterator[StatementRead]:
    """Each statement of a CODA file, in order, with the issues found while reading it."""
    current: _Statement | None = None
    orphans: list[tuple[int, Issue]] = []
    number = 0
    for number, line in enumerate(iter_lines(data), 1):
        if not line or (line[0] == " " and line.isspace()):
            continue
        kind = line[0]
        if kind == "0":
            if current is not None:
                current.issue(Level.ERROR, number, 1, "a new statement (record 0) starts "
                              "before this one is closed by a record 9", "coda.structure")
                yield current.finish(number - 1)
            current = _Statement(name, number)
            current.issues.extend(issue for _, issue in orphans)
            orphans = []
        elif current is None:
            orphans.append((number, Issue(
                Level.ERROR, f"{name}:{number}:1: record {kind!r} stands outside a statement "
                "(before its record 0 or after its record 9); it is not read",
                "coda.structure", "$", f"{name}:{number}")))
            continue
        if len(line) != R.LENGTH:
            fitted = _fit(current, line, number)
            if fitted is None:
                continue
            line = fitted
        try:
            if kind == "0":
                current.header(line, number)
            elif current.rejected:
                pass
            else:
                handler, articles = _HANDLERS.get(kind, (None, None))
                if handler is None:
                    current.issue(Level.ERROR, number, 1, f"unknown record type {kind!r} "
                                  "(CODA has 0, 1, 2, 3, 4, 8 and 9); the line is not read",
                                  "coda.record_type")
                elif articles is not None and line[1] not in articles:
                    current.issue(Level.ERROR, number, 2, f"unknown record {kind}.{line[1]} "
                                  f"(CODA has {kind}.1, {kind}.2 and {kind}.3); the line is "
                                  "not read", "coda.record_type")
                else:
                    handler(current, line, number)
        except FieldError as exc:
            current.issue(Level.ERROR, number, exc.start + 1, f"{exc}; the record is not "
                          "read", "coda.field")
        if kind == "9":
            yield current.finish(number)
            current = None
    if current is not None:
        yield current.finish(number)
    elif orphans:
        yield StatementRead(None, tuple(issue for _, issue in orphans), orphans[0][0])


def _fit(statement: _Statement, line: str, number: int) -> str | None:
    """The line at 128 characters: a short one padded with blanks (a warning), a long one
    cut when what is cut is blank, refused otherwise."""
    size = len(line)
    if size == R.LENGTH:
        return line
    if size < R.LENGTH:
        statement.issue(Level.WARNING, number, size + 1, f"the record is {size} characters "
                        f"long (CODA records have {R.LENGTH}); read as if padded with blanks",
                        "coda.length")
        return line.ljust(R.LENGTH)
    if not line[R.LENGTH:].strip():
        statement.issue(Level.WARNING, number, R.LENGTH + 1, f"the record is {size} "
                        f"characters long (CODA records have {R.LENGTH}); the blanks after "
                        f"column {R.LENGTH} are ignored", "coda.length")
        return line[:R.LENGTH]
    statement.issue(Level.ERROR, number, R.LENGTH + 1, f"the record is {size} characters "
                    f"long (CODA records have {R.LENGTH}) and has text after column "
                    f"{R.LENGTH}; the line is not read", "coda.length")
    return None
