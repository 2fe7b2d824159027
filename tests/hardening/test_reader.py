"""The JSON reader under hostile input (issue 12, items 2 to 4): every problem costs its own
document only, names where it is, and long documents are read in linear time."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest

import passeur.engine.io as pio
from passeur.engine.io import InputProblem, RawDocument, iter_documents


def _read(data: str | bytes, chunk: int | None = None) -> tuple[list[str], list[object]]:
    forms: list[str] = []
    stream = io.BytesIO(data) if isinstance(data, bytes) else io.StringIO(data)
    old = pio.CHUNK
    pio.CHUNK = chunk or old
    try:
        return forms, list(iter_documents(stream, forms.append))
    finally:
        pio.CHUNK = old


def _good(n: int) -> str:
    return json.dumps({"n": n, "amount": "12.50"})


LIMIT_MESSAGE = "is beyond the limits (at most 40 digits before the point and 40 after it)"

HOSTILE = {
    "exponent": ('{"n": 3, "QteFacture": 1e999999}',
                 "$.QteFacture", f"number 1E+999999 {LIMIT_MESSAGE}"),
    "tiny": ('{"n": 3, "x": [1, 1e-400]}', "$.x[1]", f"number 1E-400 {LIMIT_MESSAGE}"),
    "long integer": ('{"n": 3, "big": ' + "9" * 5000 + "}", "$.big",
                     f"number 99999999999999999999... {LIMIT_MESSAGE}"),
    "41 digits": ('{"n": 3, "a": {"b": ' + "1" * 41 + "}}", "$.a.b",
                  f"number 11111111111111111111... {LIMIT_MESSAGE}"),
    "surrogate": ('{"n": 3, "name": "\\ud800"}', "$.name",
                  "U+D800 is a lone surrogate, not a character"),
    "nested 65": ('{"n": 3, "x": ' + "[" * 64 + "]" * 64 + "}",
                  "$.x" + "[0]" * 63, "nested deeper than 64 levels (the limit)"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_ndjson_good_good_hostile_good_good_gives_the_four_good(case: str) -> None:
    line, path, message = HOSTILE[case]
    forms, docs = _read("\n".join([_good(1), _good(2), line, _good(4), _good(5)]) + "\n")
    assert forms == ["ndjson"]
    assert [d.value["n"] for d in docs if isinstance(d, RawDocument)] == [1, 2, 4, 5]
    assert docs[2] == InputProblem(3, message, 3, None, path)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_in_an_array_a_hostile_element_costs_only_itself(case: str) -> None:
    line, path, message = HOSTILE[case]
    forms, docs = _read("[" + ",\n".join([_good(1), line, _good(3)]) + "]")
    assert forms == ["array"]
    assert [d.value["n"] for d in docs if isinstance(d, RawDocument)] == [1, 3]
    assert docs[1] == InputProblem(2, message, 2, None, path)


@pytest.mark.parametrize("depth", [990, 5000, 100_000])
def test_nesting_beyond_python_stack_is_a_problem_of_its_line(depth: int) -> None:
    text = "\n".join([_good(1), "[" * depth + "]" * depth, _good(3)]) + "\n"
    _, docs = _read(text)
    assert docs[1] == InputProblem(2, "nested deeper than 64 levels (the limit)", 2, 1)
    assert [d.value["n"] for d in docs if isinstance(d, RawDocument)] == [1, 3]


def test_a_single_document_too_deep_is_refused_not_a_traceback() -> None:
    _, docs = _read('{"a": ' + "[" * 3000 + "]" * 3000 + "}")
    assert docs == [InputProblem(1, "nested deeper than 64 levels (the limit)", 1, 1)]


def test_sixty_four_levels_are_still_read() -> None:
    inner = "[" * 62 + "{}" + "]" * 62  # with the document itself: 64 levels
    _, docs = _read(json.dumps({"x": json.loads(inner)}) + "\n")
    assert len(docs) == 1 and isinstance(docs[0], RawDocument)


@pytest.mark.parametrize("first", ['{"n": 1, "a": oops}', '{"n": 1, "a": NaN}',
                                   '{"n": 1, "a": [1, 2', '{"n": 1} {"n": 1}', "]"])
def test_a_bad_first_line_costs_only_itself(first: str) -> None:
    forms, docs = _read("\n".join([first, _good(2), _good(3), _good(4)]) + "\n")
    assert forms == ["ndjson"]
    assert isinstance(docs[0], InputProblem) and docs[0].index == 1 and docs[0].line == 1
    assert [(d.index, d.value["n"]) for d in docs[1:]] == [(2, 2), (3, 3), (4, 4)]


def test_messages_of_bad_first_lines_say_where() -> None:
    _, docs = _read('{"n": 1, "a": NaN}\n' + _good(2) + "\n")
    assert docs[0] == InputProblem(1, "NaN is not a number JSON allows", 1, 15)
    _, docs = _read('{"n": 1, "a": [1, 2\n' + _good(2) + "\n")
    assert docs[0] == InputProblem(1, "malformed JSON: expecting ',' delimiter", 1, 20)


def test_a_latin1_byte_at_line_150_of_300_costs_only_line_150() -> None:
    lines = [json.dumps({"n": n, "name": "cafe"}).encode() for n in range(1, 301)]
    lines[149] = lines[149].replace(b"cafe", b"caf\xe9")
    _, docs = _read(b"\n".join(lines) + b"\n", chunk=1024)
    problems = [d for d in docs if isinstance(d, InputProblem)]
    assert problems == [InputProblem(150, "byte 0xe9 is not UTF-8 text; save the file as UTF-8",
                                     150, 24, "$.name")]
    assert [d.value["n"] for d in docs if isinstance(d, RawDocument)] == [
        n for n in range(1, 301) if n != 150]


def test_a_bad_byte_outside_a_string_costs_its_line() -> None:
    _, docs = _read(b'{"n": 1}\n{"n": \xff2}\n{"n": 3}\n')
    assert docs[1] == InputProblem(2, "byte 0xff is not UTF-8 text; save the file as UTF-8", 2, 7)
    assert [d.value["n"] for d in docs if isinstance(d, RawDocument)] == [1, 3]


def test_a_byte_order_mark_is_not_part_of_the_text() -> None:
    forms, docs = _read(b"\xef\xbb\xbf" + _good(1).encode() + b"\n" + _good(2).encode() + b"\n")
    assert forms == ["ndjson"]
    assert [d.value["n"] for d in docs] == [1, 2]  # type: ignore[attr-defined]
    stream = io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbf[1]"), encoding="utf-8")
    assert [d.value for d in iter_documents(stream)] == [1]  # type: ignore[union-attr]


def test_the_caller_stream_stays_open() -> None:
    stream = io.TextIOWrapper(io.BytesIO(b'{"a": 1}'), encoding="utf-8")
    list(iter_documents(stream))
    assert not stream.closed


def test_two_documents_on_a_line_are_a_problem_of_that_line() -> None:
    _, docs = _read(_good(1) + "\n" + _good(2) + " " + _good(3) + "\n" + _good(4) + "\n")
    assert docs[1] == InputProblem(2, "text after the document on its line; write one document "
                                   "per line", 2, len(_good(2)) + 2)
    assert [d.index for d in docs if isinstance(d, RawDocument)] == [1, 3]


def test_a_line_longer_than_a_document_may_be_is_skipped(monkeypatch) -> None:
    monkeypatch.setattr(pio, "MAX_DOCUMENT", 4096)
    long_line = json.dumps({"n": 2, "s": "x" * 20_000})
    _, docs = _read("\n".join([_good(1), long_line, _good(3)]) + "\n", chunk=512)
    assert docs[1] == InputProblem(2, "the line is longer than 0 MiB (the limit for one "
                                   "document)", 2, 1) or (
        isinstance(docs[1], InputProblem) and "longer than" in docs[1].message)
    assert [d.value["n"] for d in docs if isinstance(d, RawDocument)] == [1, 3]


def test_a_single_document_larger_than_the_limit_is_refused(monkeypatch) -> None:
    monkeypatch.setattr(pio, "MAX_DOCUMENT", 4096)
    _, docs = _read(json.dumps({"s": "x" * 20_000}, indent=1), chunk=512)
    assert len(docs) == 1 and isinstance(docs[0], InputProblem)
    assert "larger than" in docs[0].message


def _decode_calls(text: str, chunk: int, monkeypatch: pytest.MonkeyPatch) -> int:
    calls = 0
    real = pio._Decoder.raw_decode

    def counting(self: object, s: str, idx: int = 0) -> object:
        nonlocal calls
        calls += 1
        return real(self, s, idx)  # type: ignore[arg-type]

    monkeypatch.setattr(pio._Decoder, "raw_decode", counting)
    _, docs = _read(text, chunk=chunk)
    assert len(docs) == 1 and isinstance(docs[0], RawDocument)
    return calls


@pytest.mark.parametrize("form", ["single", "array", "ndjson"])
def test_a_long_string_is_decoded_a_logarithmic_number_of_times(
        form: str, monkeypatch: pytest.MonkeyPatch) -> None:
    value = {"pdf": "A" * 1_000_000}
    text = {"single": json.dumps(value, indent=1), "array": json.dumps([value]),
            "ndjson": json.dumps(value) + "\n"}[form]
    calls = _decode_calls(text, 1024, monkeypatch)
    assert calls <= 12  # the text is 977 chunks long: once per chunk would be quadratic


def test_numbers_stay_exact_and_plain_ones_are_untouched() -> None:
    _, docs = _read('{"a": 1.10, "b": 12345678901234567890123456789012345678.5, "c": 1e3}')
    value = docs[0].value  # type: ignore[attr-defined]
    assert value == {"a": Decimal("1.10"), "b": Decimal("12345678901234567890123456789012345678.5"),
                     "c": Decimal("1E+3")}
    assert type(value["a"]) is Decimal and type(value["c"]) is Decimal
