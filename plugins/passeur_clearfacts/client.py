"""The ClearFacts GraphQL API over passeur.http.

One endpoint (`POST /graphql`) with `Authorization: Bearer <token>`: a personal access token
of exactly 80 characters (checked here, before any call) or an OIDC access token. Errors come
back as GraphQL errors in a 200 answer (`passeur.http.GraphQLError`), auth failures as 401.
Uploads are multipart form data (`query`, `variables` as JSON text, `file`). ClearFacts names
an administration by its company number without `BE`; `company_number()` makes one from a
VAT number. Nothing in the API refuses the same file uploaded twice: exactly-once is the
caller's job (the sync keys every upload by its source).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from passeur import UsageError
from passeur.http import (
    BearerAuth,
    HttpSettings,
    LiveClient,
    answer_part,
    graphql_call,
    graphql_data,
)
from passeur_clearfacts.schema import PAGE_SIZE, TOKEN_LENGTH

__all__ = ["DEFAULT_BASE_URL", "PAGE_SIZE", "TOKEN_LENGTH", "ClearFactsClient",
           "client_factory", "company_number"]

DEFAULT_BASE_URL = "https://api.clearfacts.be"
INVOICE_TYPES = ("PURCHASE", "SALE")

UPLOAD_FILE = """mutation uploadFile($vatnumber: String!, $filename: String!,
                                     $invoicetype: InvoiceType!) {
  uploadFile(vatnumber: $vatnumber, filename: $filename, invoicetype: $invoicetype) {
    uuid amountOfPages
  }
}"""
UPLOAD_ARCHIVE_FILE = """mutation uploadArchiveFile($vatnumber: String!, $filename: String!,
                                                   $type: ArchiveType!, $category: String!) {
  uploadArchiveFile(vatnumber: $vatnumber, filename: $filename, type: $type,
                    category: $category) { uuid amountOfPages }
}"""
DOCUMENT = """query document($id: String!) {
  document(id: $id) { date ... on InvoiceDocument { type paymentState } }
}"""


def company_number(vat: str) -> str:
    """`BE 0123.456.749` -> `0123456749`: ClearFacts' company number (digits, no `BE`)."""
    digits = re.sub(r"[^0-9]", "", str(vat).upper().removeprefix("BE"))
    if len(digits) == 9:  # the old 9-digit form
        digits = "0" + digits
    if len(digits) != 10:
        raise UsageError(f"{vat!r} is not a Belgian company number (10 digits)")
    return digits


def media_type(filename: str, data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.lstrip()[:1] == b"<" or filename.lower().endswith(".xml"):
        return "application/xml"
    return "application/octet-stream"


class ClearFactsClient(LiveClient):
    """A client of one ClearFacts account (an accounting office's token)."""

    def __init__(self, base_url: str = DEFAULT_BASE_URL, *, token: str | None = None,
                 oidc_token: str | None = None, settings: HttpSettings | None = None,
                 transport: httpx.BaseTransport | None = None,
                 async_transport: httpx.AsyncBaseTransport | None = None) -> None:
        if token and oidc_token:
            raise UsageError("clearfacts takes a personal access token or an OIDC token, "
                             "not both")
        if token and len(token) != TOKEN_LENGTH:
            raise UsageError(f"a ClearFacts personal access token has exactly {TOKEN_LENGTH}"
                             f" characters; this one has {len(token)} (is it cut or quoted?)")
        bearer = token or oidc_token
        if not bearer:
            raise UsageError("clearfacts needs a personal access token (token) or an OIDC "
                             "access token (oidc_token)")
        super().__init__(base_url, auth=BearerAuth(bearer), account=f"clearfacts:{base_url}",
                         settings=settings, transport=transport,
                         async_transport=async_transport)

    def execute(self, query: str, variables: Mapping[str, Any] | None = None, *,
                files: Mapping[str, tuple[str, bytes, str]] | None = None) -> Any:
        """Run one operation; its `data`, or `GraphQLError` for GraphQL errors."""
        call = graphql_call(query, variables, path="graphql", files=files)
        return graphql_data(self.http.call(call), url=self.base_url + "/graphql")

    # -- reads ---------------------------------------------------------------------------

    def administrations(self) -> list[dict[str, Any]]:
        data = self.execute("{ administrations { name companyNumber "
                            "emails { type emailAddress } } }")
        return list(data["administrations"])

    def journals(self, company: str) -> list[dict[str, Any]]:
        data = self.execute("query($c: String!) { journals(companyNumber: $c) "
                            "{ id name creditNote type } }", {"c": company_number(company)})
        return list(data["journals"])

    def customers(self, company: str) -> Iterator[dict[str, Any]]:
        """Every customer, 100 a page (`offset` moved by the page size to a short page)."""
        offset = 0
        while True:
            data = self.execute("query($c: String!, $o: Int) { customers(companyNumber: $c, "
                                "offset: $o) { id name companyNumber vatNumber } }",
                                {"c": company_number(company), "o": offset})
            page = list(data["customers"])
            yield from page
            if len(page) < PAGE_SIZE:
                return
            offset += PAGE_SIZE

    def archive_categories(self, company: str) -> list[dict[str, Any]]:
        data = self.execute("query($c: String!) { archiveCategories(companyNumber: $c) "
                            "{ id name type } }", {"c": company_number(company)})
        return list(data["archiveCategories"])

    def document(self, uuid: str) -> dict[str, Any]:
        data = self.execute(DOCUMENT, {"id": uuid})
        return dict(data["document"])

    # -- uploads (not idempotent: a lost answer is `Uncertain`) ---------------------------

    def upload_file(self, company: str, filename: str, data: bytes,
                    invoicetype: str) -> dict[str, Any]:
        """Put an invoice (PDF, JPEG, or Peppol / UBL.BE / e-fff XML) in the inbox of the
        administration of `company`; `{"uuid", "amountOfPages"}`."""
        if invoicetype not in INVOICE_TYPES:
            raise UsageError(f"invoicetype must be PURCHASE or SALE, not {invoicetype!r}")
        answer = self.execute(UPLOAD_FILE, {"vatnumber": company_number(company),
                                            "filename": filename, "invoicetype": invoicetype},
                              files={"file": (filename, data, media_type(filename, data))})
        return dict(answer_part(answer, "uploadFile", write=True,
                                request=f"ClearFacts uploadFile of {filename}"))

    def upload_archive_file(self, company: str, filename: str, data: bytes, type_: str,
                            category: str) -> dict[str, Any]:
        """Put a file in the administration's archive under `type_` / `category`."""
        answer = self.execute(UPLOAD_ARCHIVE_FILE, {
            "vatnumber": company_number(company), "filename": filename, "type": type_,
            "category": category},
            files={"file": (filename, data, media_type(filename, data))})
        return dict(answer_part(answer, "uploadArchiveFile", write=True,
                                request=f"ClearFacts uploadArchiveFile of {filename}"))

    # -- what `passeur pull` needs (passeur.http.DocumentClient) ---------------------------

    def iter_documents(self, doctype: str, *,
                       since: datetime.date | None = None) -> Iterator[dict[str, Any]]:
        """`administration`: every administration; `journal`: every journal of each, with
        its `companyNumber`. ClearFacts lists no documents (only `document(id)`)."""
        if since is not None:
            raise UsageError("clearfacts administrations and journals have no dates to "
                             "filter on (leave out --since)")
        administrations = self.administrations()
        if doctype == "administration":
            yield from administrations
            return
        if doctype != "journal":
            raise UsageError(f"clearfacts cannot list {doctype!r} (administration, journal; "
                             "a document is found only by its uuid)")
        for administration in administrations:
            number = str(administration["companyNumber"])
            for journal in self.journals(number):
                yield {**journal, "companyNumber": number}

    def document_key(self, doctype: str, document: Mapping[str, Any]) -> str:
        return str(document.get("companyNumber") if doctype == "administration"
                   else document.get("id") or document.get("uuid") or "?")

    async def acreate_document(self, doctype: str,
                               document: Mapping[str, Any]) -> dict[str, Any]:
        raise UsageError("clearfacts documents are files: upload them with "
                         "ClearFactsClient.upload_file (a sync delivers them)")


def client_factory(config: Mapping[str, Any], *, settings: HttpSettings | None = None,
                   transport: httpx.BaseTransport | None = None,
                   async_transport: httpx.AsyncBaseTransport | None = None
                   ) -> ClearFactsClient:
    """`SystemSpec.client_factory`: a client from resolved connection settings."""
    return ClearFactsClient(str(config.get("base_url") or DEFAULT_BASE_URL),
                            token=config.get("token") or None,
                            oidc_token=config.get("oidc_token") or None, settings=settings,
                            transport=transport, async_transport=async_transport)
