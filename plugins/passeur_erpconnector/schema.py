"""Document types and field schemas of ERP Connector, from seeds 003 and 004.

Types are what a mapping sees after `wire.py` has read a document: numbers are `Decimal`
(ERP Connector writes them as JSON numbers), `DateFacture` is a date (sent as `2024-04-24`,
returned as `2024-04-24T00:00:00`), `TypeDoc` is its name (a GET returns the code `1`).
Where a seed names a structure without listing its fields (`TermeDePaiement`, `ARPayment`),
the fields below are assumptions and their description says so.
"""

from __future__ import annotations

from passeur import Capabilities, ConfigField, DocumentType, FieldSpec, FieldType, SystemSpec
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


def _f(name: str, type_: FieldType = S, description: str = "", **kw: object) -> FieldSpec:
    return FieldSpec(name, type_, description=description, **kw)  # type: ignore[arg-type]


def _ro(name: str, type_: FieldType = S, description: str = "",
        fields: tuple[FieldSpec, ...] = ()) -> FieldSpec:
    return FieldSpec(name, type_, read_only=True, description=description, fields=fields)


EXTENDED = _f("ExtendedProperties", ANY, "custom or ERP-specific properties (a dictionary)")

INFO_TAXE = (
    _ro("Taxe_Numero", S, "the ERP's tax code, e.g. 'T.P.S. 100%'"),
    _ro("Taxe_Description", S, "e.g. 'Taxe sur les produits et services'"),
    _ro("MontantTaxe", D, "tax amount computed by the ERP"),
    _ro("Taxe_NumeroLegalGouv", S, "the seller's registration number for this tax"),
)

FICHE_CLIENT = (
    _f("NoClient", S, "customer number in the ERP (e.g. '0Comptoir')", required=True),
    _f("NomClient", S, "customer name"),
    _ro("NoUniqueSystemeSource", S, "the ERP's internal id of the customer"),
    _f("Adresse", S, "street address"),
    _f("Ville", S, "city"),
    _f("CodePostal", S, "postal code"),
    _f("Pays", S, "country code, e.g. 'CA'"),
    _f("EmailPrincipal_Adresse", S, "main e-mail address"),
)

TERME_DE_PAIEMENT = (  # seed 003 names TermeDePaiement ("Net 30, Net 60") without its fields
    _f("NoTerme", S, "payment terms code (assumed field name)"),
    _f("Description", S, "e.g. 'Net 30' (assumed field name)"),
    _f("NbJours", INT, "days until due (assumed field name)"),
    _f("PctEscompte", D, "early-payment discount in percent (assumed field name)"),
    _f("NbJoursEscompte", INT, "days for the early-payment discount (assumed field name)"),
)

AR_PAYMENT = (  # seed 003 names List<ARPayment> without its fields
    _f("NoReglement", S, "payment number (assumed field name)"),
    _f("DateReglement", DT, "payment date (assumed field name)"),
    _f("ModePaiement", INT, "payment mode code, see /Entity/CustomerPaymentMode (assumed)"),
    _f("MontantReglement", D, "amount paid (assumed field name)"),
    _f("Reference", S, "cheque or transfer reference (assumed field name)"),
)

MODE_PAIEMENT = (
    _f("ModePaiement", INT, "payment mode code, see /Entity/CustomerPaymentMode", required=True),
    _f("dbl_MontantPaiement", D, "amount applied at creation", required=True),
)

LIGNE = (
    _ro("NoLigneFacture", INT, "line sequence number (assigned by the ERP)"),
    _f("strNoProduit", S, "product number; required on a product line, absent on a comment"),
    _f("strNoGroupeProduit", S, "product group, to bill on a group without a product"),
    _f("DescriptionLigne", S, "line text; alone it makes a comment line, empty a blank line"),
    _f("QteFacture", D, "quantity billed (shipped); required on a product line"),
    _f("QteCommande", D, "quantity ordered; QteFacture = QteCommande means nothing back-ordered"),
    _f("PrixOrig", D, "unit price before discount"),
    _f("PrixFinal", D, "unit price after discount; the ERP's price when omitted"),
    _f("PrixCoutant", D, "cost price of the product"),
    _f("MontantRabais_pct", D, "discount in percent"),
    _ro("Montant_SousTotalLigne", D, "line amount before taxes"),
    _ro("Montant_TotalLigne", D, "line amount including taxes (not rounded)"),
    _f("NoGroupeTaxe", S, "tax group that decides which taxes apply"),
    _f("NoCompteGL", S, "general ledger account"),
    _f("NoProjet", S, "project number"),
    _f("UniteMesure", S, "unit of measure (unité, kg, m²...)"),
    _f("TypeLigne", S, "line type (product, comment, subtotal...); codes not documented"),
    _f("FicheProduit", ANY, "the full product record (FicheProduits), returned on GET"),
    _ro("ListeDesTaxes", LST, "taxes computed for this line", INFO_TAXE),
    EXTENDED,
)

# FicheTransactions: the invoice header (seed 003 "Modèle de Données Complet").
FICHE_TRANSACTIONS = (
    _f("NoFacture", S, "invoice number: required by Acomba, generated by QuickBooks",
       required_in=frozenset({"acomba"}), generated_in=frozenset({"quickbooks"})),
    _ro("NoUniqueSystemeSource", S, "the ERP's internal id of the transaction"),
    _f("TypeDoc", E, "document type (a GET returns the code 1 for FACTURES)",
       allowed=TYPE_DOCS),
    _f("DateFacture", DT, "invoice date", required=True),
    _f("Référence", S, "reference or purchase-order number"),
    _f("Description", S, "general description"),
    _ro("TotalFacture", D, "total including taxes"),
    _ro("SousTotalFacture", D, "subtotal before taxes"),
    _ro("MontantNonPaye", D, "balance still due"),
    _f("FraisDeTransport", D, "shipping charges"),
    _f("InfoClientFacturerA", OBJ, "customer billed", required=True, fields=FICHE_CLIENT),
    _f("InfoClientLivrerA", OBJ, "customer shipped to", fields=FICHE_CLIENT),
    _f("NoVendeur", S, "salesperson number"),
    _f("NoTerritoire", S, "sales territory"),
    _f("TermeDePaiement", OBJ, "payment terms", fields=TERME_DE_PAIEMENT),
    _f("NoProjet", S, "project number"),
    _f("LigneFacture", LST, "detail lines (at least one)", required=True, fields=LIGNE),
    _ro("ListeDesTaxes", LST, "taxes computed by the ERP (TPS, TVQ)", INFO_TAXE),
    _ro("ListeReglement", LST, "payments received", AR_PAYMENT),
    _f("NoCommandeRéférence", S, "reference order number"),
    _f("NoSoumissionRéférence", S, "reference quote number"),
    _ro("EstActif", B, "whether the invoice is active"),
    _ro("EstInversee", B, "whether the invoice was reversed (cancelled)"),
    _ro("NbLignes", INT, "number of lines"),
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
            _f("ListeModePaiements", LST, "payments applied at creation (create payload)",
               fields=MODE_PAIEMENT)),
)

# The create request body exactly as POST /Entity/CustomerInvoice takes it (seed 004).
INVOICE_CREATE = DocumentType(
    name="invoice_create",
    description="The body of POST /Entity/CustomerInvoice: the invoice under `Facture`, "
    "payments applied at creation, and whether to return the full transaction.",
    capabilities=_NONE,
    fields=(
        _f("Facture", OBJ, "the invoice (FicheTransactions)", required=True,
           fields=FICHE_TRANSACTIONS),
        _f("ListeModePaiements", LST, "payments to apply (or null)", fields=MODE_PAIEMENT),
        _f("ReturnFullTransaction", B, "ask for the created transaction in the response"),
    ),
)

# The task-result envelope every write answers with (seed 003, 201 Created).
TASK_RESULT = DocumentType(
    name="task_result",
    description="The envelope ERP Connector answers a write with.",
    capabilities=_NONE,
    fields=(
        _ro("OrigRemoteTaskID", INT), _ro("ResultType", S, "Success or an error kind"),
        _ro("ErrorType", S, "None when the task succeeded"), _ro("ResultMessage", S),
        _ro("ResultPayload", OBJ, "what the task produced", (
            _ro("Message", S, "e.g. 'OK - Facture créée sous le numéro : 10044'"),
            _ro("NoFacture", S, "the number of the invoice created"),
            _ro("ResultatPaiement", S, "what became of the payments applied at creation"),
            _ro("RecCardPos", S, "the ERP's record position of the invoice"),
            _ro("SousTotal", D), _ro("Total", D),
            _ro("FullTransaction", OBJ, "the invoice created, when ReturnFullTransaction",
                FICHE_TRANSACTIONS),
            _ro("Errors", ANY, "field problems of a refused task"),
        )),
        _ro("IsTaskCompleted", B),
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
