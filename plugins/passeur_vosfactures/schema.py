"""Document types and field schemas of VosFactures, from its API documentation (seed 002)."""

from __future__ import annotations

from passeur import Capabilities, ConfigField, DocumentType, FieldSpec, FieldType, SystemSpec

KINDS = ("vat", "proforma", "bill", "receipt", "advance", "final", "correction",
         "invoice_other", "estimate", "client_order", "maintenance_request",
         "payment_receipt", "kp", "kw")

INVOICE = DocumentType(
    name="invoice",
    canonical="invoice",
    description="A billing document of any kind (invoice, credit note, estimate...).",
    capabilities=Capabilities(list=True, get=True, create=True, update=True, delete=True,
                              void=True, incremental=True, idempotency="oid_unique",
                              natural_keys=("number", "oid")),
    fields=(
        FieldSpec("id", FieldType.INTEGER, read_only=True),
        FieldSpec("number", FieldType.STRING),
        FieldSpec("kind", FieldType.ENUM, allowed=KINDS),
    ),
)

SYSTEM = SystemSpec(
    name="vosfactures",
    title="VosFactures",
    description="French online invoicing (vosfactures.fr), REST API with api_token.",
    document_types=(INVOICE,),
    config=(
        ConfigField("account", description="account subdomain: <account>.vosfactures.fr"),
        ConfigField("base_url", description="any base URL, e.g. a local sandbox"),
        ConfigField("api_token", required=True, secret=True, description="API token"),
    ),
)
