"""What the codabox system declares: its feed entries and feed clients as document types,
its connection settings (the vendor key and the office login are secrets), its client and
its sandbox."""

from __future__ import annotations

from passeur import (
    Capabilities,
    ConfigField,
    DocumentType,
    FieldType,
    SystemSpec,
    read_only,
)
from passeur.sandbox import LazyFactory

__all__ = ["DOCUMENT_MODELS", "FEED_CLIENT", "FEED_ENTRY", "SYSTEM"]

S, INT, E, OBJ = FieldType.STRING, FieldType.INTEGER, FieldType.ENUM, FieldType.OBJECT

DOCUMENT_MODELS = ("coda", "purchase_invoice", "sales_invoice", "soda", "expense")

CODA_METADATA = (
    read_only("movement_count", INT),
    read_only("first_statement_number", INT),
    read_only("last_statement_number", INT),
    read_only("new_balance_date", FieldType.DATE),
    read_only("bank_id", S, "the bank's BIC, e.g. CDBXBE33"),
    read_only("currency", S),
    read_only("iban", S),
)

FEED_ENTRY = DocumentType(
    name="feed_entry",
    description="One document of a client's feed: a CODA statement or an electronic invoice",
    fields=(
        read_only("feed_index", S, "the entry's uuid"),
        read_only("feed_id", INT,
                  "the feed it was read from (added by passeur's client)"),
        read_only("document_model", E, allowed=DOCUMENT_MODELS),
        read_only("metadata", OBJ, fields=CODA_METADATA,
                  description="for coda: the statement's facts; for invoices: see "
                  "docs/sandboxes.md"),
    ),
    capabilities=Capabilities(list=True, incremental=True, natural_keys=("feed_index",)),
)

FEED_CLIENT = DocumentType(
    name="feed_client",
    description="A client of the office whose documents this login may read (one feed each)",
    fields=(
        read_only("id", INT, "the feed id"),
        read_only("client_id", S),
        read_only("client_name", S),
        read_only("client_code", S),
        read_only("fiduciary_id", S),
        read_only("client_vat", S,
                  "the client's VAT number (assumed field: docs/sandboxes.md)"),
    ),
    capabilities=Capabilities(list=True, natural_keys=("client_id",)),
)

SYSTEM = SystemSpec(
    name="codabox",
    title="CodaBox (Belgium: CODA bank statements and e-invoices, REST v2)",
    description="CodaBox delivers accounting offices' clients' CODA statements and UBL / "
    "e-fff invoices through per-client feeds with an acknowledged offset.",
    document_types=(FEED_ENTRY, FEED_CLIENT),
    config=(
        ConfigField("base_url", default="https://api.codabox.com/v2"),
        ConfigField("software_company", required=True, secret=True,
                    description="the software vendor's key (X-Software-Company uuid)"),
        ConfigField("username", description="the office's login (without one, only the "
                    "onboarding calls work; a codabox-clearfacts sync file gives each office's)"),
        ConfigField("password", secret=True,
                    description="the office's password (from get-credentials)"),
    ),
    client_factory=LazyFactory("passeur_codabox.client:client_factory"),
    sandbox_factory=LazyFactory("passeur_codabox.sandbox:create_app"),
    sandbox_options=(
        ConfigField("software_company", description="the X-Software-Company key it accepts"),
        ConfigField("offices", description="accounting offices to seed (default 3)"),
        ConfigField("clients", description="clients per office (default 2)"),
        ConfigField("statements", description="CODA statements per bank account (default 3)"),
        ConfigField("invoices", description="e-invoices per client (default 2)"),
        ConfigField("fetch_delay", description="seconds between polls it asks for (3600)"),
        ConfigField("corpus", description="test-data folder to read CODA and UBL samples "
                    "from ('none': generated only)"),
    ),
)
