"""Document types and field schemas of VosFactures, from its API documentation (seed 002)
and the responses recorded from the real API (shared testdata).

Types are what a mapping sees after `wire.py` has read a document: the API writes money and
rates as strings ("59.00", "1.0") which are read as `Decimal`; dates are dates. Three fields
keep the API's text because it is not always a number or a date: `number` ("13/2012"),
`sell_date` (a date, a month "2013-01" or "off") and a position's `tax` ("23", "disabled",
"np"). Timestamps (`created_at`...) stay ISO strings.
"""

from __future__ import annotations

from passeur import Capabilities, ConfigField, DocumentType, FieldSpec, FieldType, SystemSpec
from passeur.sandbox import LazyFactory

__all__ = ["CLIENT", "DEPARTMENT", "INVOICE", "KINDS", "PAYMENT", "POSITION_KINDS", "PRODUCT",
           "SYSTEM"]

KINDS = ("vat", "proforma", "bill", "receipt", "advance", "final", "correction",
         "invoice_other", "estimate", "client_order", "maintenance_request",
         "payment_receipt", "kp", "kw")
POSITION_KINDS = ("text_separator", "subtotal", "correction", "correction_before",
                  "correction_after")
STATUSES = ("issued", "sent", "paid", "partial", "rejected", "accepted", "incomplete")
DISCOUNT_KINDS = ("percent_unit", "percent_unit_gross", "percent_total", "amount")
CLIENT_KINDS = ("buyer", "seller", "both")
PRODUCT_KINDS = ("sell", "buy", "both")

S, INT, D, B = FieldType.STRING, FieldType.INTEGER, FieldType.DECIMAL, FieldType.BOOLEAN
DT, TS, E = FieldType.DATE, FieldType.DATETIME, FieldType.ENUM
OBJ, LST, ANY = FieldType.OBJECT, FieldType.LIST, FieldType.ANY


def _f(name: str, type_: FieldType = S, description: str = "", **kw: object) -> FieldSpec:
    return FieldSpec(name, type_, description=description, **kw)  # type: ignore[arg-type]


def _ro(name: str, type_: FieldType = S, description: str = "") -> FieldSpec:
    return FieldSpec(name, type_, read_only=True, description=description)


def _many(type_: FieldType, *names: str) -> tuple[FieldSpec, ...]:
    return tuple(FieldSpec(n, type_) for n in names)


def _many_ro(type_: FieldType, *names: str) -> tuple[FieldSpec, ...]:
    return tuple(FieldSpec(n, type_, read_only=True) for n in names)


_POSITION_CORE = (
    _ro("id", INT, "position id"),
    _ro("invoice_id", INT),
    _f("product_id", INT, "catalogue product id"),
    _f("name", S, "product name, or the text of a text_separator line"),
    _f("description", S),
    _f("code", S, "product reference"),
    _f("additional_info", S, "content of the additional column"),
    _f("discount_percent", D, "discount in percent"),
    _f("discount", D, "discount amount including tax"),
    _f("quantity", D),
    _f("quantity_unit", S, "unit, e.g. kg"),
    _f("price_net", D, "unit price excluding tax (computed when omitted)"),
    _f("tax", S, 'tax rate in percent ("23"), or "disabled" / "np" for no tax'),
    _f("tax2", S, "second tax rate (some countries); '0' when unused"),
    _f("price_gross", D, "unit price including tax (computed when omitted)"),
    _f("price_tax", D, "unit tax amount"),
    _f("total_price_net", D, "line total excluding tax (computed when omitted)"),
    _f("total_price_gross", D, "line total including tax"),
    _f("total_price_tax", D, "line tax amount"),
    _f("kind", E, "null for a product line; text_separator, subtotal, correction...",
       allowed=POSITION_KINDS),
    _f("invoice_position_id", INT, "the corrected position (credit notes)"),
    _ro("account_id", INT), _ro("created_at", TS), _ro("updated_at", TS),
    _f("deleted", B, "set to true on update to delete the position"),
    _f("exchange_rate", D),
    _f("accounting_tax_kind", S),
    _f("additional_fields", ANY),
)

POSITION = (
    *_POSITION_CORE,
    _f("correction_before_attributes", OBJ, "credit note: the line as it was",
       fields=_POSITION_CORE),
    _f("correction_after_attributes", OBJ, "credit note: the line as corrected",
       fields=_POSITION_CORE),
)

_SELLER = _many(S, "seller_name", "seller_tax_no", "seller_tax_no_kind", "seller_bank_account",
                "seller_bank", "seller_post_code", "seller_city", "seller_street",
                "seller_country", "seller_email", "seller_www", "seller_fax", "seller_phone",
                "seller_person")
_BUYER = (
    *_many(S, "buyer_name", "buyer_first_name", "buyer_last_name", "buyer_tax_no",
           "buyer_tax_no_kind", "buyer_post_code", "buyer_city", "buyer_street",
           "buyer_country", "buyer_note", "buyer_email", "buyer_phone", "buyer_mobile_phone",
           "buyer_fax", "buyer_www", "buyer_person", "buyer_bank", "buyer_bank_account",
           "buyer_mass_payment_code"),
    _f("buyer_company", B, "professional (true) or private person (false)"),
    _f("client_company", B),
)

INVOICE = DocumentType(
    name="invoice",
    canonical="invoice",
    description="A billing document of any kind: invoice (vat), credit note (correction), "
    "advance, final, estimate, proforma, client order, receipt... Money as strings.",
    capabilities=Capabilities(list=True, get=True, create=True, update=True, delete=True,
                              void=True, incremental=True, idempotency="oid_unique",
                              natural_keys=("number", "oid")),
    fields=(
        _ro("id", INT, "document id"),
        _f("number", S, 'document number, e.g. "13/2012" (generated when absent)'),
        _f("kind", E, "document kind", allowed=KINDS),
        _f("income", B, "sale (true) or expense (false)"),
        _f("user_id", INT), _ro("account_id", INT),
        _f("issue_date", DT), _f("place", S),
        _f("sell_date", S, 'additional date: YYYY-MM-DD, YYYY-MM or "off"'),
        _f("test", B),
        _f("category_id", INT), _f("department_id", INT, "the seller department"),
        *_SELLER,
        _f("client_id", INT, "the buyer's contact id (-1 creates the contact)"),
        *_BUYER,
        _f("recipient_id", INT), _f("recipient_name", S),
        _f("use_moss", B), _f("reverse_charge", B, "reverse charge: amounts without tax"),
        _f("delivery_address", S), _f("use_delivery_address", B),
        _f("additional_info", B), _f("additional_info_desc", S),
        _f("show_discount", B),
        _f("discount_kind", E, allowed=DISCOUNT_KINDS),
        _f("discount", D), _f("discount_net", D),
        _f("payment_type", S, "transfer, card, cash, cheque, paypal, lcr, off, or free text"),
        _f("payment_to_kind", S, 'days ("5"), "other_date" or "off"'),
        _f("payment_to", DT, "due date"),
        _f("status", E, allowed=STATUSES),
        _f("paid", D, "amount paid"),
        _f("paid_date", DT),
        _f("oid", S, "order number from an external application"),
        _f("oid_unique", S, '"yes" refuses a second document with the same oid'),
        _f("warehouse_id", INT), _f("warehouse_document_id", INT),
        _f("description", S), _f("description_footer", S), _f("description_long", S),
        _f("internal_note", S),
        _f("currency", S), _f("lang", S, 'e.g. "fr" or "pl/en"'),
        _f("exchange_currency", S), _f("exchange_kind", S), _f("exchange_currency_rate", D),
        _f("exchange_currency_rate_den", D), _f("exchange_rate", D),
        _f("exchange_rate_den", D), _f("exchange_date", DT), _f("exchange_note", S),
        _ro("exchange_difference", D),
        _f("invoice_template_id", INT),
        _f("from_invoice_id", INT, "the document this one was generated from"),
        _f("invoice_id", INT, "the related document (the invoice a credit note corrects)"),
        _f("correction", S, "text shown on a credit note about the corrected invoice"),
        _f("correction_reason", S),
        _f("corrected_content_before", S), _f("corrected_content_after", S),
        _f("calculating_strategy", ANY, "position / sum / invoice_form_price_kind"),
        _f("split_payment", B),
        _f("additional_fields", ANY, "extra fields sent as a dictionary (title, buyer_title...)"),
        _f("cancelled", B),
        _f("positions", LST, "the document lines", fields=POSITION),
        _ro("price_net", D, "total excluding tax"),
        _ro("price_gross", D, "total including tax"),
        _ro("price_tax", D, "total tax"),
        _ro("adjust_invoice_price", D),
        _ro("token", S, "secret token of the public link"),
        _ro("view_url", S), _ro("payment_url", S),
        _ro("created_at", TS), _ro("updated_at", TS), _ro("sent_time", TS),
        _ro("print_time", TS),
        *_many_ro(S, "app", "pattern", "sales_code", "product_cache", "email_status",
                  "fiscal_status", "approval_status", "accounting_kind", "accounting_scheme",
                  "accounting_status", "sell_date_kind", "issuer", "origin", "search_data"),
        *_many_ro(INT, "pattern_nr", "pattern_nr_m", "pattern_nr_d", "issue_year",
                  "attachments_count", "recurring_id", "product_id", "seller_bank_account_id"),
        *_many_ro(B, "from_api", "has_attachments", "show_attachments", "check_fiscal_print",
                  "tax2_visible", "use_issuer", "exclude_from_accounting",
                  "exclude_from_stock_level", "not_cost", "deleted"),
        *_many_ro(DT, "delivery_date", "transaction_date", "accounting_vat_tax_date",
                  "accounting_income_tax_date", "accounting_other_tax_date"),
    ),
)

CLIENT = DocumentType(
    name="client",
    canonical="party",
    description="A contact: buyer, seller or both.",
    capabilities=Capabilities(list=True, get=True, create=True, update=True, delete=True,
                              natural_keys=("tax_no", "external_id", "email")),
    fields=(
        _ro("id", INT),
        _f("name", S, "name (required); a private person's first then last name", required=True),
        *_many(S, "first_name", "last_name", "shortcut", "title", "post_code", "city", "street",
               "street_no", "country", "delivery_address", "tax_no_kind", "tax_no",
               "external_id", "note", "phone", "mobile_phone", "fax", "email",
               "email_for_reminders", "www", "bank", "bank_account", "person",
               "payment_to_kind", "default_payment_type", "mass_payment_code", "accounting_id",
               "accounting_id2", "register_number"),
        _f("company", B, "professional (true, the default) or private person (false)"),
        _f("use_delivery_address", B), _f("use_mass_payment", B),
        _f("disable_auto_reminders", B),
        _f("kind", E, allowed=CLIENT_KINDS),
        _f("discount", D, "default discount in percent"),
        _f("default_tax", S),
        _f("tag_list", ANY), _f("dynamic_fields", ANY),
        *_many(INT, "category_id", "price_list_id", "department_id", "bank_account_id",
               "buyer_id", "panel_user_id"),
        _ro("balance", D), _ro("token", S), _ro("tax_no_check", S),
        _ro("created_at", TS), _ro("updated_at", TS), _ro("deleted", B),
        _ro("attachments_count", INT),
        *_many_ro(S, "password_hash", "password_salt", "referrer", "fuid", "fname", "femail",
                  "import"),
    ),
)

PRODUCT = DocumentType(
    name="product",
    canonical="product",
    description="A catalogue product or service.",
    capabilities=Capabilities(list=True, get=True, create=True, update=True,
                              natural_keys=("code", "ean_code")),
    fields=(
        _ro("id", INT),
        *_many(S, "name", "description", "code", "quantity_unit", "currency", "ean_code",
               "supplier_code", "additional_info", "accounting_id", "accounting_id2",
               "accounting_tax_code", "accounting_tax_code_exp", "weight_unit", "size_unit"),
        _f("tax", S, 'sales tax rate ("20") or "disabled"'),
        _f("purchase_tax", S),
        *_many(D, "price_gross", "price_net", "purchase_price_gross", "purchase_price_net",
               "stock_level", "warehouse_quantity", "quantity", "weight", "size_height",
               "size_width", "size"),
        _ro("price_tax", D), _ro("purchase_price_tax", D),
        _f("disabled", B), _f("service", B), _f("limited", B), _f("package", B),
        _f("use_moss", B), _f("is_delivery", B),
        _f("kind", E, allowed=PRODUCT_KINDS),
        _f("category_id", INT), _f("department_id", INT),
        _f("tag_list", ANY), _f("package_product_ids", ANY),
        _ro("created_at", TS), _ro("updated_at", TS),
    ),
)

PAYMENT = DocumentType(
    name="payment",
    canonical="payment",
    description="A payment (banking_payment), manual or online, linked to invoices.",
    capabilities=Capabilities(list=True, get=True, create=True, update=True, delete=True),
    fields=(
        _ro("id", INT),
        _f("price", D, "amount paid", required=True),
        *_many(S, "name", "description", "comment", "currency", "oid", "provider",
               "provider_response", "provider_status", "provider_title", "promocode",
               "first_name", "last_name", "street", "city", "post_code", "country", "phone",
               "email", "invoice_name", "invoice_street", "invoice_city",
               "invoice_post_code", "invoice_country", "invoice_tax_no", "invoice_comment"),
        _f("kind", S, 'origin of the payment; "api" when added through the API'),
        _f("paid", B), _f("paid_date", DT), _f("generate_invoice", B), _f("quantity", D),
        *_many(INT, "client_id", "invoice_id", "department_id", "product_id"),
        _f("invoice_ids", ANY, "the invoices paid, in the order the amount is applied"),
        _ro("created_at", TS), _ro("updated_at", TS),
    ),
)

DEPARTMENT = DocumentType(
    name="department",
    canonical="party",
    description="A seller department (company): name, address, bank, default tax.",
    capabilities=Capabilities(list=True, get=True, create=True, update=True, delete=True),
    fields=(
        _ro("id", INT),
        *_many(S, "name", "shortcut", "kind", "tax_no_kind", "tax_no", "post_code", "city",
               "street", "country", "person", "email", "phone", "mobile_phone", "www", "fax",
               "bank", "bank_account", "bank_swift", "bank_account_currency",
               "bank_accountancy_account", "invoice_lang", "invoice_description",
               "footer_content", "footer_kind"),
        _f("main", B, "main department"),
        _f("default_tax", S, 'default tax rate, or "disabled"'),
        _f("cash_init_state", D), _f("invoice_template_id", INT),
        _f("use_pattern", B), _f("own_email_settings", B), _f("restrict_warehouses", B),
        _f("warehouse_id", INT),
    ),
)

SYSTEM = SystemSpec(
    name="vosfactures",
    title="VosFactures",
    description="French online invoicing (vosfactures.fr), REST API with api_token.",
    document_types=(INVOICE, CLIENT, PRODUCT, PAYMENT, DEPARTMENT),
    schema_version="2",
    config=(
        ConfigField("account", description="account subdomain: <account>.vosfactures.fr"),
        ConfigField("base_url", description="any base URL, e.g. a local sandbox"),
        ConfigField("api_token", required=True, secret=True, instead=("login", "password"),
                    description="API token"),
        ConfigField("login", description="login for HTTP Basic, instead of api_token"),
        ConfigField("password", secret=True, description="password for HTTP Basic"),
    ),
    client_factory=LazyFactory("passeur_vosfactures.client:client_factory"),
    sandbox_factory=LazyFactory("passeur_vosfactures.sandbox:create_app"),
    sandbox_options=(
        ConfigField("token", secret=True, description="the api_token clients must send"),
        ConfigField("login", description="the HTTP Basic login"),
        ConfigField("password", secret=True,
                    description="the HTTP Basic password (default: the token)"),
    ),
    sync_adapter=LazyFactory("passeur_vosfactures.sync:sync_adapter"),
)
