"""What the CodaBox sandbox is seeded with: offices, clients, bank accounts, CODA statement
chains built from the corpus's CODA samples, and the corpus's UBL invoices.

The corpus (`shared/testdata` beside the checkout, or the folder given as `corpus`) is read
in place at seed time, never copied. Without it the sandbox still starts: its statements come
from a small template of its own and its invoices from a minimal UBL invoice written here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from lxml import etree

from passeur_codabox.coda_text import ENCODING, GENERATED_TEMPLATE, CodaTemplate
from passeur_codabox.sandbox_store import CodaBoxState

__all__ = ["CODA_TEMPLATES", "INVOICES", "find_corpus", "invoice_metadata", "seed"]

OFFICES = ("Fiduciaire Dupont", "Bureau comptable Lemaire", "Accountantskantoor Peeters",
            "Fiduciaire Wauters", "Boekhoudkantoor Jacobs")
CLIENTS = ("Boulangerie Wilmotte", "Garage Delvaux", "Brasserie De Smet", "Atelier Maes",
            "Imprimerie Lambert", "Transports Claes", "Studio Mertens", "Pépinière Dubois",
            "Menuiserie Goossens", "Librairie Hermans", "Cabinet Willems", "Quincaillerie Dumont")

#: Corpus CODA samples used as templates: single statements of a Belgian IBAN that balance.
CODA_TEMPLATES = ("coda/copyleft/Coda_v2_3_single_statement.txt",
                  "coda/copyleft/Coda_v2_3_globalisation.txt")
#: Corpus UBL documents delivered as electronic invoices (UBL.BE and Peppol BIS 3).
INVOICES = ("ublbe/UBLBE_BE0000000196_V01-15000001.xml",
            "ublbe/UBLBE_BE0000000196_V01-15000002.xml",
            "ublbe/UBLBE_BE0000000196_V01-15000004.xml",
            "ublbe/UBLBE_BE0000000196_V01-15000014.xml",
            "ublbe/UBLBE_BE0000000196_V01-15000026.xml",
            "ublbe/UBLBE_BE0000000196_V01-15000027.xml",
            "ubl/peppol/base-example.xml", "ubl/peppol/Vat-category-S.xml",
            "ubl/peppol/vat-category-Z.xml", "ubl/peppol/base-creditnote-correction.xml",
            "ubl/peppol/Allowance-example.xml", "ubl/peppol/vat-category-E.xml")


def find_corpus(corpus: str = "") -> Path | None:
    """The corpus folder: `corpus` ("none" for no corpus), else $PASSEUR_CORPUS, else the
    `shared/testdata` folder next to the checkout this module runs from."""
    if corpus == "none":
        return None
    given = corpus or os.environ.get("PASSEUR_CORPUS", "")
    if given:
        path = Path(given)
        if not path.is_dir():
            raise ValueError(f"corpus folder {given} does not exist")
        return path
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "testdata"
        if (candidate / "MANIFEST.csv").is_file():
            return candidate
    return None


def _text(root: Any, path: str) -> str | None:
    found = root.xpath(path)
    return found[0].strip() if found and isinstance(found[0], str) else None


def invoice_metadata(xml: bytes) -> dict[str, Any]:
    """What a feed entry says about an invoice, read from its UBL (amounts as text)."""
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False,
                                                         no_network=True))

    def local(path: str) -> str | None:
        steps = "/".join(f"*[local-name()='{p}']" for p in path.split("/"))
        return _text(root, f"{steps}/text()")

    kind = etree.QName(root).localname
    return {
        "document_number": local("ID"),
        "document_type": "credit_note" if kind == "CreditNote" else "invoice",
        "document_date": local("IssueDate"),
        "currency": local("DocumentCurrencyCode"),
        "amount": local("LegalMonetaryTotal/PayableAmount"),
        "supplier_name": (local("AccountingSupplierParty/Party/PartyLegalEntity/"
                                "RegistrationName")
                          or local("AccountingSupplierParty/Party/PartyName/Name")),
        "customer_name": (local("AccountingCustomerParty/Party/PartyLegalEntity/"
                                "RegistrationName")
                          or local("AccountingCustomerParty/Party/PartyName/Name")),
    }


_MINIMAL_UBL = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
 <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
 <cbc:ID>SBX-{n:04d}</cbc:ID>
 <cbc:IssueDate>2025-01-{day:02d}</cbc:IssueDate>
 <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
 <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cac:AccountingSupplierParty><cac:Party><cac:PartyLegalEntity>
  <cbc:RegistrationName>Fournisseur Sandbox</cbc:RegistrationName>
 </cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty><cac:Party><cac:PartyLegalEntity>
  <cbc:RegistrationName>Client Sandbox</cbc:RegistrationName>
 </cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>
 <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">21.00</cbc:TaxAmount></cac:TaxTotal>
 <cac:LegalMonetaryTotal>
  <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
  <cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>
  <cbc:TaxInclusiveAmount currencyID="EUR">121.00</cbc:TaxInclusiveAmount>
  <cbc:PayableAmount currencyID="EUR">121.00</cbc:PayableAmount>
 </cac:LegalMonetaryTotal>
 <cac:InvoiceLine><cbc:ID>1</cbc:ID>
  <cbc:InvoicedQuantity unitCode="C62">1</cbc:InvoicedQuantity>
  <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
  <cac:Item><cbc:Name>Prestation</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID>
   <cbc:Percent>21</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
  </cac:ClassifiedTaxCategory></cac:Item>
  <cac:Price><cbc:PriceAmount currencyID="EUR">100.00</cbc:PriceAmount></cac:Price>
 </cac:InvoiceLine>
</Invoice>
"""


def _invoices(corpus: Path | None, count: int) -> list[tuple[str, bytes]]:
    if corpus is not None:
        found = [(name, (corpus / name).read_bytes()) for name in INVOICES
                 if (corpus / name).is_file()]
        if found:
            return found
    return [(f"generated-{n}", _MINIMAL_UBL.format(n=n, day=1 + n % 28).encode("utf-8"))
            for n in range(1, max(count, 1) + 1)]


def _templates(corpus: Path | None) -> list[CodaTemplate]:
    if corpus is not None:
        found = [CodaTemplate.parse(name, (corpus / name).read_bytes().decode(ENCODING))
                 for name in CODA_TEMPLATES if (corpus / name).is_file()]
        if found:
            return found
    return [GENERATED_TEMPLATE]


def seed(state: CodaBoxState, *, offices: int, clients: int, statements: int,
         invoices: int, corpus: Path | None) -> None:
    """`offices` offices of `clients` clients each; a client's first account gets a second
    one in every other client; each account `statements` statements, each client
    `invoices` invoices (purchase and sales in turn), interleaved in date order."""
    state.templates = _templates(corpus)
    documents = _invoices(corpus, offices * clients * invoices)
    next_document = 0
    names = iter(CLIENTS * (1 + offices * clients // len(CLIENTS)))
    for o in range(offices):
        office = state.add_office(OFFICES[o % len(OFFICES)]
                                  + ("" if o < len(OFFICES) else f" {o + 1}"))
        for c in range(clients):
            feed = state.add_client(office, next(names), f"C{o + 1:02d}{c + 1:02d}")
            accounts = [state.add_account(feed, bank=o + c)]
            if c % 2 == 0:
                accounts.append(state.add_account(feed, bank=o + c + 1))
            for i in range(max(statements, invoices)):
                if i < statements:
                    for account in accounts:
                        state.add_statements(feed, account)
                if i < invoices:
                    _, xml = documents[next_document % len(documents)]
                    next_document += 1
                    model = "purchase_invoice" if i % 2 == 0 else "sales_invoice"
                    state.add_invoice(feed, model, xml, invoice_metadata(xml))
