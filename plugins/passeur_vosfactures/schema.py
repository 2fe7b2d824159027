"""Document types and field schemas of VosFactures, from its API documentation (seed 002)
and the responses recorded from the real API (shared testdata).

Types are what a mapping sees after `wire.py` has read a document: the API writes money and
rates as strings ("59.00", "1.0") which are read as `Decimal`; dates are dates. Three fields
keep the API's text because it is not always a number or a date: `number` ("13/2012"),
`sell_date` (a date, a month "2013-01" or "off") and a position's `tax` ("23", "disabled",
"np"). Timestamps (`created_at`...) stay ISO strings.
"""

from __future__ import annotations

from passeur import (
    Capabilities,
    ConfigField,
    DocumentType,
    FieldType,
    SystemSpec,
    field,
    fields,
    read_only,
    read_only_fields,
)
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

_POSITION_CORE = (
    read_only("id", INT, "position id"),
    read_only("invoice_id", INT),
    field("product_id", INT, "catalogue product id"),
    field("name", S, "product name, or the text of a text_separator line"),
    field("description", S),
    field("code", S, "product reference"),
    field("additional_info", S, "content of the additional column"),
    field("discount_percent", D, "discount in percent"),
    field("discount", D, "discount amount including tax"),
    field("quantity", D),
    field("quantity_unit", S, "unit, e.g. kg"),
    field("price_net", D, "unit price excluding tax (computed when omitted)"),
    field("tax", S, 'tax rate in percent ("23"), or "disabled" / "np" for no tax'),
    field("tax2", S, "second tax rate (some countries); '0' when unused"),
    field("price_gross", D, "unit price including tax (computed when omitted)"),
    field("price_tax", D, "unit tax amount"),
    field("total_price_net", D, "line total excluding tax (computed when omitted)"),
    field("total_price_gross", D, "line total including tax"),
    field("total_price_tax", D, "line tax amount"),
    field("kind", E, "null for a product line; text_separator, subtotal, correction...",
          allowed=POSITION_KINDS),
    field("invoice_position_id", INT, "the corrected position (credit notes)"),
    read_only("account_id", INT), read_only("created_at", TS), read_only("updated_at", TS),
    field("deleted", B, "set to true on update to delete the position"),
    field("exchange_rate", D),
    field("accounting_tax_kind", S),
    field("additional_fields", ANY),
)

POSITION = (
    *_POSITION_CORE,
    field("correction_before_attributes", OBJ, "credit note: the line as it was",
          fields=_POSITION_CORE),
    field("correction_after_attributes", OBJ, "credit note: the line as corrected",
          fields=_POSITION_CORE),
)

_SELLER = fields(S, "seller_name", "seller_tax_no", "seller_tax_no_kind", "seller_bank_account",
                "seller_bank", "seller_post_code", "seller_city", "seller_street",
                "seller_country", "seller_email", "seller_www", "seller_fax", "seller_phone",
                "seller_person")
_BUYER = (
    *fields(S, "buyer_name", "buyer_first_name", "buyer_last_name", "buyer_tax_no",
            "buyer_tax_no_kind", "buyer_post_code", "buyer_city", "buyer_street",
            "buyer_country", "buyer_note", "buyer_email", "buyer_phone", "buyer_mobile_phone",
            "buyer_fax", "buyer_www", "buyer_person", "buyer_bank", "buyer_bank_account",
            "buyer_mass_payment_code"),
    field("buyer_company", B, "professional (true) or private person (false)"),
    field("client_company", B),
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
        read_only("id", INT, "document id"),
        field("number", S, 'document number, e.g. "13/2012" (generated when absent)'),
        field("kind", E, "document kind", allowed=KINDS),
        field("income", B, "sale (true) or expense (false)"),
        field("user_id", INT), read_only("account_id", INT),
        field("issue_date", DT), field("place", S),
        field("sell_date", S, 'additional date: YYYY-MM-DD, YYYY-MM or "off"'),
        field("test", B),
        field("category_id", INT), field("department_id", INT, "the seller department"),
        *_SELLER,
        field("client_id", INT, "the buyer's contact id (-1 creates the contact)"),
        *_BUYER,
        field("recipient_id", INT), field("recipient_name", S),
        field("use_moss", B), field("reverse_charge", B, "reverse charge: amounts without tax"),
        field("delivery_address", S), field("use_delivery_address", B),
        field("additional_info", B), field("additional_info_desc", S),
        field("show_discount", B),
        field("discount_kind", E, allowed=DISCOUNT_KINDS),
        field("discount", D), field("discount_net", D),
        field("payment_type", S, "transfer, card, cash, cheque, paypal, lcr, off, or free text"),
        field("payment_to_kind", S, 'days ("5"), "other_date" or "off"'),
        field("payment_to", DT, "due date"),
        field("status", E, allowed=STATUSES),
        field("paid", D, "amount paid"),
        field("paid_date", DT),
        field("oid", S, "order number from an external application"),
        field("oid_unique", S, '"yes" refuses a second document with the same oid'),
        field("warehouse_id", INT), field("warehouse_document_id", INT),
        field("description", S), field("description_footer", S), field("description_long", S),
        field("internal_note", S),
        field("currency", S), field("lang", S, 'e.g. "fr" or "pl/en"'),
        field("exchange_currency", S), field("exchange_kind", S),
        field("exchange_currency_rate", D),
        field("exchange_currency_rate_den", D), field("exchange_rate", D),
        field("exchange_rate_den", D), field("exchange_date", DT), field("exchange_note", S),
        read_only("exchange_difference", D),
        field("invoice_template_id", INT),
        field("from_invoice_id", INT, "the document this one was generated from"),
        field("invoice_id", INT, "the related document (the invoice a credit note corrects)"),
        field("correction", S, "text shown on a credit note about the corrected invoice"),
        field("correction_reason", S),
        field("corrected_content_before", S), field("corrected_content_after", S),
        field("calculating_strategy", ANY, "position / sum / invoice_form_price_kind"),
        field("split_payment", B),
        field("additional_fields", ANY,
              "extra fields sent as a dictionary (title, buyer_title...)"),
        field("cancelled", B),
        field("positions", LST, "the document lines", fields=POSITION),
        read_only("price_net", D, "total excluding tax"),
        read_only("price_gross", D, "total including tax"),
        read_only("price_tax", D, "total tax"),
        read_only("adjust_invoice_price", D),
        read_only("token", S, "secret token of the public link"),
        read_only("view_url", S), read_only("payment_url", S),
        read_only("created_at", TS), read_only("updated_at", TS), read_only("sent_time", TS),
        read_only("print_time", TS),
        *read_only_fields(S, "app", "pattern", "sales_code", "product_cache", "email_status",
                          "fiscal_status", "approval_status", "accounting_kind",
                          "accounting_scheme", "accounting_status", "sell_date_kind", "issuer",
                          "origin", "search_data"),
        *read_only_fields(INT, "pattern_nr", "pattern_nr_m", "pattern_nr_d", "issue_year",
                          "attachments_count", "recurring_id", "product_id",
                          "seller_bank_account_id"),
        *read_only_fields(B, "from_api", "has_attachments", "show_attachments",
                          "check_fiscal_print",
                          "tax2_visible", "use_issuer", "exclude_from_accounting",
                          "exclude_from_stock_level", "not_cost", "deleted"),
        *read_only_fields(DT, "delivery_date", "transaction_date", "accounting_vat_tax_date",
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
        read_only("id", INT),
        field("name", S, "name (required); a private person's first then last name", required=True),
        *fields(S, "first_name", "last_name", "shortcut", "title", "post_code", "city", "street",
                "street_no", "country", "delivery_address", "tax_no_kind", "tax_no",
                "external_id", "note", "phone", "mobile_phone", "fax", "email",
                "email_for_reminders", "www", "bank", "bank_account", "person",
                "payment_to_kind", "default_payment_type", "mass_payment_code", "accounting_id",
                "accounting_id2", "register_number"),
        field("company", B, "professional (true, the default) or private person (false)"),
        field("use_delivery_address", B), field("use_mass_payment", B),
        field("disable_auto_reminders", B),
        field("kind", E, allowed=CLIENT_KINDS),
        field("discount", D, "default discount in percent"),
        field("default_tax", S),
        field("tag_list", ANY), field("dynamic_fields", ANY),
        *fields(INT, "category_id", "price_list_id", "department_id", "bank_account_id",
                "buyer_id", "panel_user_id"),
        read_only("balance", D), read_only("token", S), read_only("tax_no_check", S),
        read_only("created_at", TS), read_only("updated_at", TS), read_only("deleted", B),
        read_only("attachments_count", INT),
        *read_only_fields(S, "password_hash", "password_salt", "referrer", "fuid", "fname",
                          "femail", "import"),
    ),
)

PRODUCT = DocumentType(
    name="product",
    canonical="product",
    description="A catalogue product or service.",
    capabilities=Capabilities(list=True, get=True, create=True, update=True,
                              natural_keys=("code", "ean_code")),
    fields=(
        read_only("id", INT),
        *fields(S, "name", "description", "code", "quantity_unit", "currency", "ean_code",
                "supplier_code", "additional_info", "accounting_id", "accounting_id2",
                "accounting_tax_code", "accounting_tax_code_exp", "weight_unit", "size_unit"),
        field("tax", S, 'sales tax rate ("20") or "disabled"'),
        field("purchase_tax", S),
        *fields(D, "price_gross", "price_net", "purchase_price_gross", "purchase_price_net",
                "stock_level", "warehouse_quantity", "quantity", "weight", "size_height",
                "size_width", "size"),
        read_only("price_tax", D), read_only("purchase_price_tax", D),
        field("disabled", B), field("service", B), field("limited", B), field("package", B),
        field("use_moss", B), field("is_delivery", B),
        field("kind", E, allowed=PRODUCT_KINDS),
        field("category_id", INT), field("department_id", INT),
        field("tag_list", ANY), field("package_product_ids", ANY),
        read_only("created_at", TS), read_only("updated_at", TS),
    ),
)

PAYMENT = DocumentType(
    name="payment",
    canonical="payment",
    description="A payment (banking_payment), manual or online, linked to invoices.",
    capabilities=Capabilities(list=True, get=True, create=True, update=True, delete=True),
    fields=(
        read_only("id", INT),
        field("price", D, "amount paid", required=True),
        *fields(S, "name", "description", "comment", "currency", "oid", "provider",
                "provider_response", "provider_status", "provider_title", "promocode",
                "first_name", "last_name", "street", "city", "post_code", "country", "phone",
                "email", "invoice_name", "invoice_street", "invoice_city",
                "invoice_post_code", "invoice_country", "invoice_tax_no", "invoice_comment"),
        field("kind", S, 'origin of the payment; "api" when added through the API'),
        field("paid", B), field("paid_date", DT), field("generate_invoice", B),
        field("quantity", D),
        *fields(INT, "client_id", "invoice_id", "department_id", "product_id"),
        field("invoice_ids", ANY, "the invoices paid, in the order the amount is applied"),
        read_only("created_at", TS), read_only("updated_at", TS),
    ),
)

DEPARTMENT = DocumentType(
    name="department",
    canonical="party",
    description="A seller department (company): name, address, bank, default tax.",
    capabilities=Capabilities(list=True, get=True, create=True, update=True, delete=True),
    fields=(
        read_only("id", INT),
        *fields(S, "name", "shortcut", "kind", "tax_no_kind", "tax_no", "post_code", "city",
                "street", "country", "person", "email", "phone", "mobile_phone", "www", "fax",
                "bank", "bank_account", "bank_swift", "bank_account_currency",
                "bank_accountancy_account", "invoice_lang", "invoice_description",
                "footer_content", "footer_kind"),
        field("main", B, "main department"),
        field("default_tax", S, 'default tax rate, or "disabled"'),
        field("cash_init_state", D), field("invoice_template_id", INT),
        field("use_pattern", B), field("own_email_settings", B), field("restrict_warehouses", B),
        field("warehouse_id", INT),
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
