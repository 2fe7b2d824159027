"""XML read safely, and told apart by syntax: what every XML plugin (UBL, CII, camt.053) needs.

`parse_xml` refuses what an attacker would send rather than trying to defuse it: any DOCTYPE
(so no DTD, no external entity, no billion-laughs expansion is ever looked at), input over a
size limit, and nothing is fetched from the network. `detect_syntax` names an XML document
from its root element so that a file of the wrong syntax is reported as what it is ("this is
a CII invoice, read it with --from cii") and so that a validator never runs one syntax's rules
on another (CII rules on UBL "pass" silently). `location` gives the XPath and line of an
element for messages.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import attrs

from passeur.errors import InputError

if TYPE_CHECKING:  # lxml is imported by the functions that read XML (a start needs none)
    from lxml import etree

__all__ = [
    "MAX_XML_BYTES",
    "SYNTAXES",
    "Syntax",
    "UnsafeXMLError",
    "XMLInputError",
    "describe_root",
    "detect_syntax",
    "location",
    "parse_xml",
    "xpath_of",
]

#: Default size limit of one XML document (UBL.BE files with an embedded PDF are ~250 KB,
#: the largest public UBL sample with an attachment 3.3 MB).
MAX_XML_BYTES = 64 << 20


class XMLInputError(InputError):
    """An XML input that cannot be read; the message names the file, line and column."""

    def __init__(self, message: str, source: str = "", line: int | None = None,
                 column: int | None = None) -> None:
        self.source = source
        self.line = line
        self.column = column
        where = source or "<input>"
        if line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
        super().__init__(f"{where}: {message}")
        self.reason = message


class UnsafeXMLError(XMLInputError):
    """An XML input refused for safety (DTD, entity declarations, size)."""


_PROLOG_ITEM = re.compile(r"\ufeff|\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)


def _prolog_doctype(data: bytes) -> int | None:
    """The offset of a DOCTYPE in the prolog (before the root element), or None.

    A DOCTYPE can only stand there, so the scan stops at the root element: a "<!DOCTYPE" in
    a CDATA section or an embedded attachment is not mistaken for one.
    """
    head = data[: 1 << 16]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace")
    pos = 0
    while True:
        match = _PROLOG_ITEM.match(text, pos)
        if match is None or match.end() == pos:
            break
        pos = match.end()
    if text[pos:pos + 9].upper() == "<!DOCTYPE":
        return len(text[:pos].encode("utf-8")) if head[:2] not in (b"\xff\xfe", b"\xfe\xff") \
            else pos
    return None


def _line_of(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def _parser() -> etree.XMLParser:
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_blank_text=False, collect_ids=False,
    )


def parse_xml(data: bytes, source: str = "", *, max_bytes: int = MAX_XML_BYTES
              ) -> etree._ElementTree:
    """The parsed tree of `data`, or an `XMLInputError` saying where and why not.

    A DOCTYPE (the only place an entity can be declared) is refused before lxml sees the
    input: no business XML syntax passeur reads has one, and refusing is the only way to be
    sure that nothing is fetched or expanded. The parser itself also resolves no entity,
    loads no DTD and uses no network, in case the scan were ever fooled.
    """
    if not isinstance(data, bytes):
        raise TypeError("parse_xml takes bytes (the file as read, with its encoding)")
    if len(data) > max_bytes:
        raise UnsafeXMLError(f"the XML document is {len(data)} bytes, over the limit of "
                             f"{max_bytes} bytes", source)
    offset = _prolog_doctype(data)
    if offset is not None:
        raise UnsafeXMLError("the XML document has a DOCTYPE (a DTD); passeur refuses DTDs "
                             "and entity declarations (nothing is fetched or expanded)",
                             source, *_line_of(data, offset))
    if not data.strip():
        raise XMLInputError("the file is empty", source)
    from lxml import etree

    try:
        return etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        message = str(exc.msg or exc).split(", line ")[0]
        at = exc.position or (None, None)
        raise XMLInputError(f"not well-formed XML: {message}", source, *at) from None


@attrs.frozen
class Syntax:
    """An XML syntax passeur knows: its key, what to call it, and the system that reads it."""

    key: str
    title: str
    namespace: str
    root: str
    system: str | None = None


_UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
_CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"

#: Root elements by namespace; the first match wins.
SYNTAXES: tuple[Syntax, ...] = (
    Syntax("ubl-invoice", "a UBL Invoice", _UBL + "Invoice-2", "Invoice", "ubl"),
    Syntax("ubl-creditnote", "a UBL CreditNote", _UBL + "CreditNote-2", "CreditNote", "ubl"),
    Syntax("ubl-order", "a UBL Order", _UBL + "Order-2", "Order"),
    Syntax("cii", "a CII (UN/CEFACT D16B) invoice", _CII, "CrossIndustryInvoice", "cii"),
    Syntax("cii-zugferd1", "a ZUGFeRD 1.0 invoice (the old CrossIndustryDocument "
           "namespace, before Factur-X and ZUGFeRD 2)",
           "urn:ferd:CrossIndustryDocument:invoice:1p0", "CrossIndustryDocument"),
    Syntax("cii-order", "an Order-X purchase order (CII)",
           "urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100",
           "SCRDMCCBDACIOMessageStructure"),
)

_CAMT = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:(camt\.\d{3}\.\d{3}\.\d{2})$")


def detect_syntax(root: etree._Element) -> Syntax | None:
    """The syntax of a document from its root element, or None when passeur does not know it.

    ISO 20022 messages are named by their message identifier (`camt.053.001.08`).
    """
    from lxml import etree

    qname = etree.QName(root)
    for syntax in SYNTAXES:
        if qname.namespace == syntax.namespace and qname.localname == syntax.root:
            return syntax
    match = _CAMT.match(qname.namespace or "")
    if match:
        message = match.group(1)
        system = "camt053" if message.startswith("camt.053") else None
        return Syntax(message, f"an ISO 20022 {message} message", qname.namespace or "",
                      qname.localname, system)
    return None


def describe_root(root: etree._Element) -> str:
    """What a root element is, for messages: its syntax's title, or its qualified name."""
    syntax = detect_syntax(root)
    if syntax is not None:
        return syntax.title
    from lxml import etree

    qname = etree.QName(root)
    return f"an XML document with root {{{qname.namespace}}}{qname.localname}" \
        if qname.namespace else f"an XML document with root <{qname.localname}>"


def xpath_of(element: etree._Element) -> str:
    """An XPath that names `element` with its document's prefixes: /Invoice/cac:InvoiceLine[2]."""
    from lxml import etree

    steps = []
    node: etree._Element | None = element
    while node is not None:
        qname = etree.QName(node)
        prefix = node.prefix
        name = f"{prefix}:{qname.localname}" if prefix else qname.localname
        parent = node.getparent()
        if parent is not None:
            same = [c for c in parent if c.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        steps.append(name)
        node = parent
    return "/" + "/".join(reversed(steps))


def location(element: etree._Element) -> str:
    """`XPath (line N)`: where an element stands, for a message a person can follow."""
    line = element.sourceline
    return f"{xpath_of(element)} (line {line})" if line else xpath_of(element)
