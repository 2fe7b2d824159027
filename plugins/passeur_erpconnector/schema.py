"""Document types and field schemas of ERP Connector, from seeds 003 and 004.

Types are what a mapping sees after `wire.py` has read a document: numbers are `Decimal`
(ERP Connector writes them as JSON numbers), `DateFacture` is a date (sent as `2024-04-24`,
returned as `2024-04-24T00:00:00`), `TypeDoc` is its name (a GET returns the code `1`).
Where a seed names a structure without listing its fields (`TermeDePaiement`, `ARPayment`),
the fields below are assumptions and their description says so.
"""

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

__all__ = ["DOCUMENTED_TYPE_DOC_CODES", "ERPS", "INVOICE", "INVOICE_CREATE", "SYSTEM",
           "TASK_RESULT", "TYPE_DOCS", "TYPE_DOC_CODES"]

ERPS = ("acomba", "quickbooks", "avantage", "sage50", "servex", "servicentre")
TYPE_DOCS = ("FACTURES", "COMMANDES", "SOUMISSIONS", "ACHATS")
#: The number a GET writes for each TypeDoc. Seed 003 shows 1 for FACTURES; 2 to 4 follow
#: the order the seeds list the names in, an assumption (the sandbox makes the same one).
TYPE_DOC_CODES = {1: "FACTURES", 2: "COMMANDES", 3: "SOUMISSIONS", 4: "ACHATS"}
DOCUMENTED_TYPE_DOC_CODES = frozenset({1})

S, INT, D = FieldType.STRING, FieldType.INTEGER, FieldType.DECIMAL
B, DT, E = FieldType.BOOLEAN, FieldType.DATE, FieldType.ENUM
OBJ, LST, ANY = FieldType.OBJECT, FieldType.LIST, FieldType.ANY

EXTENDED = field("ExtendedProperties", ANY, "custom or ERP-specific properties (a dictionary)")

INFO_TAXE = (
    read_only("Taxe_Numero", S, "the ERP's tax code, e.g. 'T.P.S. 100%'"),
    read_only("Taxe_Description", S, "e.g. 'Taxe sur les produits et services'"),
    read_only("MontantTaxe", D, "tax amount computed by the ERP"),
    read_only("Taxe_NumeroLegalGouv", S, "the seller's registration number for this tax"),
)

FICHE_CLIENT = (
    field("NoClient", S, "customer number in the ERP (e.g. '0Comptoir')", required=True),
    field("NomClient", S, "customer name"),
    read_only("NoUniqueSystemeSource", S, "the ERP's internal id of the customer"),
    field("Adresse", S, "street address"),
    field("Ville", S, "city"),
    field("CodePostal", S, "postal code"),
    field("Pays", S, "country code, e.g. 'CA'"),
    field("EmailPrincipal_Adresse", S, "main e-mail address"),
)

TERME_DE_PAIEMENT = (  # seed 003 names TermeDePaiement ("Net 30, Net 60") without its fields
    field("NoTerme", S, "payment terms code (assumed field name)"),
    field("Description", S, "e.g. 'Net 30' (assumed field name)"),
    field("NbJours", INT, "days until due (assumed field name)"),
    field("PctEscompte", D, "early-payment discount in percent (assumed field name)"),
    field("NbJoursEscompte", INT, "days for the early-payment discount (assumed field name)"),
)

AR_PAYMENT = (  # seed 003 names List<ARPayment> without its fields
    field("NoReglement", S, "payment number (assumed field name)"),
    field("DateReglement", DT, "payment date (assumed field name)"),
    field("ModePaiement", INT, "payment mode code, see /Entity/CustomerPaymentMode (assumed)"),
    field("MontantReglement", D, "amount paid (assumed field name)"),
    field("Reference", S, "cheque or transfer reference (assumed field name)"),
)

MODE_PAIEMENT = (
    field("ModePaiement", INT, "payment mode code, see /Entity/CustomerPaymentMode", required=True),
    field("dbl_MontantPaiement", D, "amount applied at creation", required=True),
)

LIGNE = (
    read_only("NoLigneFacture", INT, "line sequence number (assigned by the ERP)"),
    field("strNoProduit", S, "product number; required on a product line, absent on a comment"),
    field("strNoGroupeProduit", S, "product group, to bill on a group without a product"),
    field("DescriptionLigne", S, "line text; alone it makes a comment line, empty a blank line"),
    field("QteFacture", D, "quantity billed (shipped); required on a product line"),
    field("QteCommande", D,
          "quantity ordered; QteFacture = QteCommande means nothing back-ordered"),
    field("PrixOrig", D, "unit price before discount"),
    field("PrixFinal", D, "unit price after discount; the ERP's price when omitted"),
    field("PrixCoutant", D, "cost price of the product"),
    field("MontantRabais_pct", D, "discount in percent"),
    read_only("Montant_SousTotalLigne", D, "line amount before taxes"),
    read_only("Montant_TotalLigne", D, "line amount including taxes (not rounded)"),
    field("NoGroupeTaxe", S, "tax group that decides which taxes apply"),
    field("NoCompteGL", S, "general ledger account"),
    field("NoProjet", S, "project number"),
    field("UniteMesure", S, "unit of measure (unité, kg, m²...)"),
    field("TypeLigne", S, "line type (product, comment, subtotal...); codes not documented"),
    field("FicheProduit", ANY, "the full product record (FicheProduits), returned on GET"),
    read_only("ListeDesTaxes", LST, "taxes computed for this line", fields=INFO_TAXE),
    EXTENDED,
)

# FicheTransactions: the invoice header (seed 003 "Modèle de Données Complet").
FICHE_TRANSACTIONS = (
    field("NoFacture", S, "invoice number: required by Acomba, generated by QuickBooks",
          required_in=frozenset({"acomba"}), generated_in=frozenset({"quickbooks"})),
    read_only("NoUniqueSystemeSource", S, "the ERP's internal id of the transaction"),
    field("TypeDoc", E, "document type (a GET returns the code 1 for FACTURES)",
          allowed=TYPE_DOCS),
    field("DateFacture", DT, "invoice date", required=True),
    field("Référence", S, "reference or purchase-order number"),
    field("Description", S, "general description"),
    read_only("TotalFacture", D, "total including taxes"),
    read_only("SousTotalFacture", D, "subtotal before taxes"),
    read_only("MontantNonPaye", D, "balance still due"),
    field("FraisDeTransport", D, "shipping charges"),
    field("InfoClientFacturerA", OBJ, "customer billed", required=True, fields=FICHE_CLIENT),
    field("InfoClientLivrerA", OBJ, "customer shipped to", fields=FICHE_CLIENT),
    field("NoVendeur", S, "salesperson number"),
    field("NoTerritoire", S, "sales territory"),
    field("TermeDePaiement", OBJ, "payment terms", fields=TERME_DE_PAIEMENT),
    field("NoProjet", S, "project number"),
    field("LigneFacture", LST, "detail lines (at least one)", required=True, fields=LIGNE),
    read_only("ListeDesTaxes", LST, "taxes computed by the ERP (TPS, TVQ)",
              fields=INFO_TAXE),
    read_only("ListeReglement", LST, "payments received", fields=AR_PAYMENT),
    field("NoCommandeRéférence", S, "reference order number"),
    field("NoSoumissionRéférence", S, "reference quote number"),
    read_only("EstActif", B, "whether the invoice is active"),
    read_only("EstInversee", B, "whether the invoice was reversed (cancelled)"),
    read_only("NbLignes", INT, "number of lines"),
    EXTENDED,
)


_READ_CREATE = Capabilities(list=True, get=True, create=True, idempotency="if-none-match",
                            natural_keys=("NoFacture",))
_READ_ONLY = Capabilities(list=True, get=True, natural_keys=("NoFacture",))
_NONE = Capabilities()
#: Seed 003's support matrix: GET / POST per ERP, PUT nowhere.
SUPPORT = {
    "acomba": _READ_CREATE, "quickbooks": _READ_CREATE, "avantage": _READ_ONLY,
    "sage50": _NONE, "servex": _NONE, "servicentre": _NONE,
}

INVOICE = DocumentType(
    name="invoice",
    canonical="invoice",
    description="CustomerInvoice (FicheTransactions): invoices, orders, quotes and purchases "
    "by TypeDoc. Read from a GET object or a create payload; written as a create payload "
    "whose ListeModePaiements applies payments at creation.",
    capabilities=_NONE,
    variant_capabilities=SUPPORT,
    created_id_fields=("NoFacture", "OrigRemoteTaskID"),  # the task's id when no number
    fields=(*FICHE_TRANSACTIONS,
            field("ListeModePaiements", LST, "payments applied at creation (create payload)",
                  fields=MODE_PAIEMENT)),
)

# The create request body exactly as POST /Entity/CustomerInvoice takes it (seed 004).
INVOICE_CREATE = DocumentType(
    name="invoice_create",
    description="The body of POST /Entity/CustomerInvoice: the invoice under `Facture`, "
    "payments applied at creation, and whether to return the full transaction.",
    capabilities=_NONE,
    fields=(
        field("Facture", OBJ, "the invoice (FicheTransactions)", required=True,
              fields=FICHE_TRANSACTIONS),
        field("ListeModePaiements", LST, "payments to apply (or null)", fields=MODE_PAIEMENT),
        field("ReturnFullTransaction", B, "ask for the created transaction in the response"),
    ),
)

# The task-result envelope every write answers with (seed 003, 201 Created).
TASK_RESULT = DocumentType(
    name="task_result",
    description="The envelope ERP Connector answers a write with.",
    capabilities=_NONE,
    fields=(
        read_only("OrigRemoteTaskID", INT), read_only("ResultType", S, "Success or an error kind"),
        read_only("ErrorType", S, "None when the task succeeded"), read_only("ResultMessage", S),
        read_only("ResultPayload", OBJ, "what the task produced", fields=(
                  read_only("Message", S, "e.g. 'OK - Facture créée sous le numéro : 10044'"),
                  read_only("NoFacture", S, "the number of the invoice created"),
                  read_only("ResultatPaiement", S,
                            "what became of the payments applied at creation"),
                  read_only("RecCardPos", S, "the ERP's record position of the invoice"),
                  read_only("SousTotal", D), read_only("Total", D),
                  read_only("FullTransaction", OBJ,
                            "the invoice created, when ReturnFullTransaction",
                            fields=FICHE_TRANSACTIONS),
                  read_only("Errors", ANY, "field problems of a refused task"),
              )),
        read_only("IsTaskCompleted", B),
    ),
)

SYSTEM = SystemSpec(
    name="erpconnector",
    title="ERP Connector (Acomba, QuickBooks Online, Avantage...)",
    description="Québec ERP Connector REST API (OnlineERP), one API over several ERPs.",
    document_types=(INVOICE, INVOICE_CREATE, TASK_RESULT),
    variants=ERPS,
    variant_setting="erp",
    schema_version="2",
    config=(
        ConfigField("base_url", default="https://v4.api.onlineerp.solution.quebec/api"),
        ConfigField("erp", FieldType.ENUM, required=True, allowed=ERPS),
        ConfigField("company_id", required=True, description="CompanyId of the ERP file"),
        ConfigField("licence", required=True, secret=True, description="licence code"),
        ConfigField("secret", required=True, secret=True, description="secret key"),
        ConfigField("task_timeout", FieldType.INTEGER, default=60,
                    description="seconds a write's task (answered Pending) is polled before "
                    "the write counts as uncertain: not resent, looked up by the next run"),
        ConfigField("task_poll_interval", FieldType.DECIMAL, default=1,
                    description="seconds between two polls of a pending task"),
    ),
    client_factory=LazyFactory("passeur_erpconnector.client:client_factory"),
    sandbox_factory=LazyFactory("passeur_erpconnector.sandbox:create_app"),
    sandbox_options=(
        ConfigField("licence", description="the licence code (HTTP Basic user)"),
        ConfigField("secret", secret=True, description="the secret key (HTTP Basic password)"),
        ConfigField("company_id", description="the CompanyId the sandbox answers for"),
    ),
    sync_adapter=LazyFactory("passeur_erpconnector.sync:sync_adapter"),
    demo=LazyFactory("passeur_erpconnector.demo:scenario"),
)
