"""What the sagesrc system declares: its accounting entries as a document type, its connection
settings (the connector's password is a secret, the archive limits can be set), its client
and its sandbox."""

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

__all__ = ["INVOICE", "SYSTEM"]

S, B = FieldType.STRING, FieldType.BOOLEAN

INVOICE = DocumentType(
    name="invoice",
    description="An accounting entry of a debtor (Sage 100 invoice or credit note) that a "
    "reminder may link its document to",
    fields=(
        read_only("id", S,
                  "the invoice identifier, SRC's matching key (the Sage 100 "
                  "piece number: an assumption, docs/sandboxes.md)"),
        read_only("number", S),
        read_only("customerCode", S, "the debtor's account"),
        read_only("issueDate", FieldType.DATE),
        read_only("dueDate", FieldType.DATE),
        read_only("amount", FieldType.DECIMAL),
        read_only("currency", S),
        field("mayHaveDocuments", B,
              "false excludes the entry from the missing-documents listing"),
        read_only("hasDocument", B),
    ),
    capabilities=Capabilities(list=True, natural_keys=("id",)),
)

SYSTEM = SystemSpec(
    name="sagesrc",
    aliases=("src",),  # what the seed and people call it; `src` alone is too common a word
    title="SRC (Sage Recouvrement Créances: invoice documents for dunning e-mails)",
    description="SRC sends reminders for Sage 100 entries; the invoice PDFs sent to it in "
    "bulk ZIP archives are what the reminder's portal link shows the debtor.",
    document_types=(INVOICE,),
    config=(
        ConfigField("base_url", required=True,
                    description="the SRC site's address (no public default)"),
        ConfigField("login", required=True,
                    description="the connector's login (SRC: Configurer > Accès connecteur)"),
        ConfigField("password", required=True, secret=True,
                    description="the connector's password"),
        ConfigField("auth", default="basic", allowed=("basic", "token"),
                    description="basic: HTTP Basic on every call; token: POST /api/v1/login "
                    "once, then a bearer token"),
        ConfigField("max_archive_bytes", FieldType.INTEGER, default=20 * 1024 * 1024,
                    description="largest archive SRC takes (assumed 20 MiB)"),
        ConfigField("max_archive_files", FieldType.INTEGER, default=1000,
                    description="most files in one archive (assumed 1000)"),
    ),
    client_factory=LazyFactory("passeur_src.client:client_factory"),
    sandbox_factory=LazyFactory("passeur_src.sandbox:create_app"),
    sandbox_options=(
        ConfigField("login", description="the connector login it accepts (connecteur)"),
        ConfigField("password", secret=True,
                    description="the connector password it accepts (sandbox-src)"),
        ConfigField("invoices", description="Sage 100 entries to seed (30)"),
        ConfigField("customers", description="debtors CLI001... (5)"),
        ConfigField("with_documents", description="every Nth entry holds a document (4)"),
        ConfigField("excluded", description="every Nth entry is excluded (7; 0: none)"),
        ConfigField("max_archive_bytes", description="largest archive it takes (20 MiB)"),
        ConfigField("max_archive_files", description="most files per archive (1000)"),
        ConfigField("max_document_bytes", description="largest PDF it takes (10 MiB)"),
        ConfigField("fail_uploads", description="archive uploads answered 502 unstored, "
                    "by number (e.g. 2,5)"),
        ConfigField("lose_uploads", description="archive uploads stored and never answered, "
                    "by number (e.g. 1)"),
    ),
)
