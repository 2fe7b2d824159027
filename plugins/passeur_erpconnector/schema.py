"""Document types and field schemas of ERP Connector, from seeds 003 and 004."""

from __future__ import annotations

from passeur import Capabilities, ConfigField, DocumentType, FieldSpec, FieldType, SystemSpec

ERPS = ("acomba", "quickbooks", "avantage", "sage50", "servex", "servicentre")

_READ_CREATE = Capabilities(list=True, get=True, create=True, idempotency="if-none-match",
                            natural_keys=("NoFacture",))
_READ_ONLY = Capabilities(list=True, get=True, natural_keys=("NoFacture",))
_NONE = Capabilities()

INVOICE = DocumentType(
    name="invoice",
    canonical="invoice",
    description="CustomerInvoice (FicheTransactions): invoices, orders, quotes, purchases.",
    capabilities=_NONE,
    variant_capabilities={
        "acomba": _READ_CREATE, "quickbooks": _READ_CREATE, "avantage": _READ_ONLY,
        "sage50": _NONE, "servex": _NONE, "servicentre": _NONE,
    },
    fields=(
        FieldSpec("NoFacture", FieldType.STRING, required_in=frozenset({"acomba"}),
                  generated_in=frozenset({"quickbooks"})),
        FieldSpec("TypeDoc", FieldType.ENUM,
                  allowed=("FACTURES", "COMMANDES", "SOUMISSIONS", "ACHATS")),
    ),
)

SYSTEM = SystemSpec(
    name="erpconnector",
    title="ERP Connector (Acomba, QuickBooks Online, Avantage...)",
    description="Québec ERP Connector REST API (OnlineERP), one API over several ERPs.",
    document_types=(INVOICE,),
    variants=ERPS,
    variant_setting="erp",
    config=(
        ConfigField("base_url", default="https://v4.api.onlineerp.solution.quebec/api"),
        ConfigField("erp", FieldType.ENUM, required=True, allowed=ERPS),
        ConfigField("company_id", required=True, description="CompanyId of the ERP file"),
        ConfigField("licence", required=True, secret=True, description="licence code"),
        ConfigField("secret", required=True, secret=True, description="secret key"),
    ),
)
