"""CODA: every sample of the corpus read with the outcome the MANIFEST predicts, and bad
input reported with file, line and column while the rest is still read."""

from __future__ import annotations

import csv
import datetime
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import TESTDATA

from passeur import Level
from passeur_coda import read_statements

MANIFEST = TESTDATA / "MANIFEST.csv"


def coda_rows() -> list[dict[str, str]]:
    with MANIFEST.open(encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["kind"] == "coda"]


def facts_of(text: str) -> list[dict[str, str]]:
    """One dict per statement from the MANIFEST `facts` column."""
    blocks = []
    for block in text.split(" | "):
        block = block.split(": ", 1)[1] if block.startswith("st") else block
        facts: dict[str, str] = {}
        for part in block.split("; "):
            key, sep, value = part.partition("=")
            if part.startswith("trailer:"):
                facts["trailer"] = part
            elif part.startswith("checks:"):
                facts["checks"] = part
            elif sep:
                facts[key] = value
        blocks.append(facts)
    return blocks


def read(path: Path) -> list:
    with path.open("rb") as f:
        return list(read_statements(f, path.name))


READABLE = [r for r in coda_rows() if "acct=" in r["facts"]]


@pytest.mark.parametrize("row", READABLE, ids=lambda r: r["path"])
def test_every_sample_reads_as_the_manifest_says(row: dict[str, str]) -> None:
    results = read(TESTDATA / row["path"])
    expected = facts_of(row["facts"])
    assert len(results) == len(expected)
    for result, facts in zip(results, expected, strict=True):
        st = result.statement
        assert st is not None
        assert (st.account.iban or st.account.number) == facts["acct"]
        assert st.opening_balance.currency == facts["cur"]
        assert st.bank_id == facts["bank"]
        amount, _, day = facts["old"].partition("@")
        assert st.opening_balance.amount == Decimal(amount)
        assert str(st.opening_balance.amount) == amount  # the scale too: 0.00, not 0.000
        assert st.opening_date == datetime.date.fromisoformat(day)
        if facts["new"].startswith("absent"):
            assert st.closing_date is None
        else:
            amount, _, day = facts["new"].partition("@")
            assert str(st.closing_balance.amount) == amount
            assert st.closing_date == datetime.date.fromisoformat(day)
        assert len(st.movements) == int(facts["moves"])
        total = sum(1 + len(m.details) for m in st.movements)
        assert total == int(facts.get("rec21", facts["moves"]))
        codes = {i.code for i in result.issues}
        checks = facts["checks"]
        assert ("coda.balance" in codes) == ("balance MISMATCH" in checks)
        assert ("coda.count" in codes) == ("count MISMATCH" in checks)
        assert ("coda.totals" in codes) == ("totals MISMATCH" in checks)
        assert ("coda.account" in codes) == ("account differ" in checks)
        assert ("coda.length" in codes) == ("short line" in checks)
        assert not [i for i in result.issues if i.level is Level.ERROR]


def test_only_the_odoo_sample_does_not_balance() -> None:
    unbalanced = {row["path"] for row in READABLE
                  if any(i.code == "coda.balance" for r in read(TESTDATA / row["path"])
                         for i in r.issues)}
    assert unbalanced == {"coda/copyleft/Ontvangen_CODA.2012-01-11-18.59.15.txt"}


def test_globalised_movements_without_details_are_noted_on_the_faulty_samples() -> None:
    found = {(row["path"], i.message.split(": ", 1)[1]) for row in READABLE
             for r in read(TESTDATA / row["path"]) for i in r.issues
             if i.code == "coda.globalisation"}
    assert {(path.split("/")[-1], text) for path, text in found} == {
        ("Coda_v2_3_faulty_globalisation.txt", "movement 0003 is globalised (transaction "
         "type 1) but the file gives none of its details"),
        ("Coda_v2_3_multi_statements.txt", "movement 0003 is globalised (transaction type 1) "
         "but the file gives none of its details"),
        ("Coda_v2_3_faulty_globalisation_2.txt", "movement 0001 is globalised (transaction "
         "type 1) but the file gives none of its details"),
        ("Coda_v2_3_faulty_globalisation_2.txt", "movement 0002 is globalised (transaction "
         "type 1) but the file gives none of its details")}


def test_the_balance_issue_says_by_how_much() -> None:
    [result] = read(TESTDATA / "coda/copyleft/Ontvangen_CODA.2012-01-11-18.59.15.txt")
    [issue] = [i for i in result.issues if i.code == "coda.balance"]
    assert issue.level is Level.WARNING
    assert issue.message == (
        "Ontvangen_CODA.2012-01-11-18.59.15.txt:24:1: the statement does not balance: old "
        "balance 11812.70 plus movements 1715.11 is 13527.81, but the new balance is "
        "13646.05 (a difference of 118.24)")


def test_an_unsupported_version_is_refused() -> None:
    [result] = read(TESTDATA / "coda/copyleft/Coda_faulty_version.txt")
    assert result.statement is None
    [issue] = result.issues
    assert issue.message == ("Coda_faulty_version.txt:1:128: CODA version 5 is not supported "
                             "(passeur reads version 2); the statement is not read")


def test_the_short_trailer_is_read_padded() -> None:
    [result] = read(TESTDATA / "coda/copyleft/Coda_v2_3_faulty_globalisation_2.txt")
    [issue] = [i for i in result.issues if i.code == "coda.length"]
    assert issue.message == ("Coda_v2_3_faulty_globalisation_2.txt:8:58: the record is 57 "
                             "characters long (CODA records have 128); read as if padded "
                             "with blanks")
    assert result.statement is not None and not result.failed


def test_globalised_movements_keep_their_details() -> None:
    [result] = read(TESTDATA / "coda/copyleft/Coda_v2_3_globalisation.txt")
    st = result.statement
    assert st is not None
    globalised = st.movements[2]
    assert globalised.transaction_code == "30150000"
    assert [d.sequence for d in globalised.details] == ["0003/0002"]
    assert globalised.details[0].amount.amount == Decimal("50000.00")
    assert globalised.counterparty_name == "XXXX MARKET SA"
    assert globalised.extensions["end_to_end_id"] == "FT14344YP389"


def test_structured_communications_are_read_and_valid() -> None:
    [result] = read(TESTDATA / "coda/CODA.txt")
    st = result.statement
    assert st is not None
    found = [m.structured_communication for m in st.movements if m.structured_communication]
    assert found == ["+++269/0211/57996+++", "+++702/6005/21948+++"]
    assert not result.issues


# --- bad input, from one real sample changed line by line ---------------------------------

SAMPLE = (TESTDATA / "coda/CODA.txt").read_bytes().decode("iso-8859-1").splitlines()


def changed(number: int, line: str) -> list[str]:
    lines = list(SAMPLE)
    lines[number - 1] = line
    return lines


def ogm_line() -> tuple[int, str]:
    for number, line in enumerate(SAMPLE, 1):
        if line.startswith("21") and line[61:65] == "1101":
            return number, line
    raise AssertionError("no structured communication in the sample")


def test_a_wrong_check_digit_is_reported_with_its_column() -> None:
    number, line = ogm_line()
    digits = line[65:77]
    bad = digits[:10] + f"{(int(digits[10:]) + 1) % 100:02d}"
    [result] = list(read_statements(changed(number, line[:65] + bad + line[77:]), "x.cod"))
    [issue] = result.issues
    assert issue.level is Level.WARNING
    assert issue.code == "coda.structured_communication"
    assert issue.message.startswith(f"x.cod:{number}:66: structured communication "
                                    f"+++{bad[:3]}/{bad[3:7]}/{bad[7:]}+++ of movement "
                                    f"{line[2:6]}: ")
    assert issue.message.endswith("(modulo 97); it is kept as the bank wrote it")
    assert result.statement is not None
    assert len(result.statement.movements) == 59  # nothing else lost


def test_an_unknown_record_type_is_skipped_and_the_rest_read() -> None:
    lines = [*SAMPLE[:3], "7" + " " * 127, *SAMPLE[3:]]
    [result] = list(read_statements(lines, "x.cod"))
    [issue] = result.issues
    assert issue.message == ("x.cod:4:1: unknown record type '7' (CODA has 0, 1, 2, 3, 4, 8 "
                             "and 9); the line is not read")
    assert result.statement is not None and len(result.statement.movements) == 59


def test_a_long_line_with_text_is_refused_and_the_counts_say_so() -> None:
    [result] = list(read_statements(changed(3, SAMPLE[2] + "XY"), "x.cod"))
    messages = [i.message for i in result.issues]
    assert messages[0] == ("x.cod:3:129: the record is 130 characters long (CODA records "
                           "have 128) and has text after column 128; the line is not read")
    assert {i.code for i in result.issues} >= {"coda.length", "coda.count", "coda.totals"}
    assert result.failed


def test_a_bad_amount_names_its_column() -> None:
    line = SAMPLE[2]
    [result] = list(read_statements(changed(3, line[:32] + "X" + line[33:]), "x.cod"))
    assert result.issues[0].message == ("x.cod:3:32: amount '1X00000002578250' is not a sign "
                                        "digit (0 or 1) and 15 digits; the record is not read")
    assert result.failed


def test_a_truncated_file_is_reported() -> None:
    [result] = list(read_statements(SAMPLE[:10], "x.cod"))
    messages = [i.message for i in result.issues]
    assert ("x.cod:10:1: the statement is not closed by a record 9 (the file may be "
            "truncated)") in messages
    assert result.failed


def test_iso_8859_1_text_is_read() -> None:
    line = SAMPLE[1]
    name = "Société Générale".ljust(26)
    text = "\n".join(changed(2, line[:64] + name + line[90:])).encode("iso-8859-1")
    [result] = list(read_statements(text, "x.cod"))
    assert result.statement is not None
    assert result.statement.holder_name == "Société Générale"


def test_convert_from_coda_to_canonical(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    run = subprocess.run([sys.executable, "-m", "passeur", "convert",
                          str(TESTDATA / "coda/copyleft/Coda_v2_3_multi_statements.txt"),
                          "--from", "coda", "--to", "passeur", "-o", str(out)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    import json
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [d["closing_balance"]["amount"] for d in data] == ["0.00", "10807.81"]
    assert "2 of 2 document(s) converted" in run.stderr
