"""What the clearfacts system declares: its documents (uploaded invoices and archive files),
administrations and journals, its connection settings (the token is a secret, checked to be
80 characters by the client), its client and its sandbox."""

from __future__ import annotations

from passeur import (
    Capabilities,
    ConfigField,
    DocumentType,
    FieldType,
    SystemSpec,
    field,
    read_only,
)
from passeur.sandbox import LazyFactory

__all__ = ["ADMINISTRATION", "DOCUMENT", "JOURNAL", "PAGE_SIZE", "SYSTEM", "TOKEN_LENGTH"]

#: Characters of a personal access token (issue 15).
TOKEN_LENGTH = 80
#: Customers per page of `customers(companyNumber, offset)`.
PAGE_SIZE = 100

S, B, E = FieldType.STRING, FieldType.BOOLEAN, FieldType.ENUM

DOCUMENT = DocumentType(
    name="document",
    description="A file uploaded to an administration: an invoice (inbox) or an archive file",
    fields=(
        read_only("uuid", S),
        field("vatnumber", S, "the administration's company number, without BE",
              required=True),
        field("filename", S, required=True),
        field("invoicetype", E, allowed=("PURCHASE", "SALE")),
        read_only("date", FieldType.DATE),
        read_only("paymentState", E,
                  allowed=("UNPAID", "PARTIALLY_PAID", "PAID")),
        read_only("amountOfPages", FieldType.INTEGER),
    ),
    capabilities=Capabilities(get=True, create=True),
    created_id_fields=("uuid",),
)

ADMINISTRATION = DocumentType(
    name="administration", description="A client company of the office",
    fields=(read_only("name", S), read_only("companyNumber", S),
            read_only("emails", FieldType.LIST,
                      fields=(field("type", S), field("emailAddress", S)))),
    capabilities=Capabilities(list=True, natural_keys=("companyNumber",)),
)

JOURNAL = DocumentType(
    name="journal", description="A journal of an administration",
    fields=(read_only("id", S), read_only("name", S),
            read_only("creditNote", B),
            read_only("type", E, allowed=("PURCHASE", "SALE")),
            read_only("companyNumber", S,
                      "the administration's (added by passeur's client)")),
    capabilities=Capabilities(list=True, natural_keys=("id",)),
)

SYSTEM = SystemSpec(
    name="clearfacts",
    title="ClearFacts (Belgium: accounting offices' document platform, GraphQL)",
    description="ClearFacts takes purchase and sales invoices into an administration's inbox "
    "and files into its archive, through one GraphQL endpoint.",
    document_types=(DOCUMENT, ADMINISTRATION, JOURNAL),
    config=(
        ConfigField("base_url", default="https://api.clearfacts.be"),
        ConfigField("token", required=True, secret=True, instead=("oidc_token",),
                    description="personal access token (exactly 80 characters)"),
        ConfigField("oidc_token", secret=True, description="an OIDC access token instead"),
    ),
    client_factory=LazyFactory("passeur_clearfacts.client:client_factory"),
    sandbox_factory=LazyFactory("passeur_clearfacts.sandbox:create_app"),
    sandbox_options=(
        ConfigField("token", secret=True,
                    description="the 80-character token it accepts (generated if not given)"),
        ConfigField("administrations", description="COMPANYNUMBER=Name,... to serve"),
        ConfigField("count", description="administrations to generate otherwise (3)"),
        ConfigField("customers", description="customers of the first administration (120)"),
        ConfigField("lose_uploads", description="uploads (counted from 1, e.g. 2,5) stored "
                    "but never answered"),
        ConfigField("fail_uploads", description="uploads (e.g. 3) answered 500 and not "
                    "stored"),
    ),
)
