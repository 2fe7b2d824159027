"""The hardened XML reader: DTDs, entities and oversize input are refused, syntaxes named."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import TESTDATA

from passeur.xml import (
    UnsafeXMLError,
    XMLInputError,
    describe_root,
    detect_syntax,
    location,
    parse_xml,
    xpath_of,
)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>"""


def test_billion_laughs_is_refused_with_its_position() -> None:
    with pytest.raises(UnsafeXMLError) as caught:
        parse_xml(BILLION_LAUGHS, "bomb.xml")
    assert str(caught.value) == (
        "bomb.xml:2:1: the XML document has a DOCTYPE (a DTD); passeur refuses DTDs and "
        "entity declarations (nothing is fetched or expanded)")


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"secret")

    def log_message(self, *args: object) -> None:
        pass


def test_external_entity_is_never_fetched(tmp_path: Path) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/x"
        secret = tmp_path / "secret.txt"
        secret.write_text("top secret")
        for system_id in (url, secret.as_uri()):
            data = (f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "{system_id}">]>'
                    f"<r>&x;</r>").encode()
            with pytest.raises(UnsafeXMLError):
                parse_xml(data, "xxe.xml")
        # an external DTD only
        with pytest.raises(UnsafeXMLError):
            parse_xml(f'<!DOCTYPE r SYSTEM "{url}"><r/>'.encode(), "dtd.xml")
    finally:
        server.shutdown()
    assert _Recorder.hits == []


def test_doctype_after_a_comment_and_a_bom_is_still_found() -> None:
    data = b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- hi -->\n  <!doctype r><r/>'
    with pytest.raises(UnsafeXMLError) as caught:
        parse_xml(data, "f.xml")
    assert caught.value.line == 3


def test_doctype_text_inside_the_document_is_not_a_doctype() -> None:
    tree = parse_xml(b"<a><![CDATA[<!DOCTYPE x [<!ENTITY y 'z'>]>]]></a>")
    assert tree.getroot().text == "<!DOCTYPE x [<!ENTITY y 'z'>]>"


def test_size_limit() -> None:
    with pytest.raises(UnsafeXMLError) as caught:
        parse_xml(b"<a>" + b"x" * 100 + b"</a>", "big.xml", max_bytes=50)
    assert "107 bytes, over the limit of 50 bytes" in str(caught.value)


def test_malformed_xml_says_where() -> None:
    with pytest.raises(XMLInputError) as caught:
        parse_xml(b"<a>\n<b></a>", "bad.xml")
    assert str(caught.value).startswith("bad.xml:2:")
    assert "Opening and ending tag mismatch" in str(caught.value)
    with pytest.raises(XMLInputError, match="the file is empty"):
        parse_xml(b"  ", "empty.xml")


@pytest.mark.parametrize(("path", "key"), [
    ("ubl/peppol/base-example.xml", "ubl-invoice"),
    ("ubl/peppol/base-creditnote-correction.xml", "ubl-creditnote"),
    ("cii/en16931/CII_example1.xml", "cii"),
    ("facturx/zugferd-basic.xml", "cii-zugferd1"),
    ("facturx/order-x-basic.xml", "cii-order"),
])
def test_detect_syntax_on_the_corpus(path: str, key: str) -> None:
    root = parse_xml((TESTDATA / path).read_bytes(), path).getroot()
    syntax = detect_syntax(root)
    assert syntax is not None and syntax.key == key


def test_camt_and_unknown_roots() -> None:
    camt = parse_xml(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"/>')
    syntax = detect_syntax(camt.getroot())
    assert syntax is not None and (syntax.key, syntax.system) == ("camt.053.001.08", "camt053")
    other = parse_xml(b"<thing/>").getroot()
    assert detect_syntax(other) is None
    assert describe_root(other) == "an XML document with root <thing>"


def test_xpath_and_line_of_an_element() -> None:
    root = parse_xml(b'<r xmlns:c="urn:c">\n<c:a/>\n<c:a><b/></c:a></r>').getroot()
    b = root[1][0]
    assert xpath_of(b) == "/r/c:a[2]/b"
    assert location(b) == "/r/c:a[2]/b (line 3)"
