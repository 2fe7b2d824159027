"""The state of one VosFactures sandbox account and every write it accepts.

Validation happens before any change: a refused payload leaves the account untouched, as an
API answering 422 must. Records are kept in their wire form (money as "12.30" strings).
"""

from __future__ import annotations

import datetime
import random
import string
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from passeur.sandbox import FieldErrors, Table, record_id
from passeur_vosfactures.sandbox_advances import advance_positions, final_deductions
from passeur_vosfactures.sandbox_fields import as_boolean, plain_fields
from passeur_vosfactures.sandbox_money import (
    DISCOUNT_KINDS,
    cents,
    compute_position,
    document_totals,
    money,
    parse_decimal,
    parse_strategy,
    quantity_text,
    tax_rate,
    tax_text,
)
from passeur_vosfactures.sandbox_sending import SendingMixin
from passeur_vosfactures.sandbox_webhooks import Webhooks
from passeur_vosfactures.schema import KINDS, STATUSES

try:
    #: The account's clock: a French account stamps in Paris time, +01:00 in winter and
    #: +02:00 in summer (the recorded responses show +01:00 because they date from January).
    PARIS: datetime.tzinfo = ZoneInfo("Europe/Paris")
except ZoneInfoNotFoundError:  # pragma: no cover - a system without a time zone database
    PARIS = datetime.timezone(datetime.timedelta(hours=1))

__all__ = ["NUMBER_PREFIXES", "Account", "NotFound"]

BLANK = "doit être rempli(e)"
NOT_IN_LIST = "n'est pas inclus(e) dans la liste"
MISSING = "n'existe pas"
TAKEN = "est déjà utilisé(e)"

#: Prefix of generated numbers per kind: "FV 2024/05/013" (assumption, see docs/sandboxes.md).
NUMBER_PREFIXES = {
    "vat": "FV", "proforma": "PRO", "bill": "FN", "receipt": "R", "advance": "FA",
    "final": "FS", "correction": "AV", "invoice_other": "AF", "estimate": "DEV",
    "client_order": "BC", "maintenance_request": "BI", "payment_receipt": "RP", "kp": "KP",
    "kw": "KW",
}
NO_BUYER_KINDS = ("kp", "kw", "receipt")
COMPUTED = ("id", "price_net", "price_gross", "price_tax", "created_at", "updated_at", "token",
            "positions", "paid", "cancelled", "view_url", "from_api", "sent_time",
            "email_status")
AMOUNTS = ("total_price_gross", "price_gross", "total_price_net", "price_net")
TRUE = (True, 1, "1", "true", "yes")
READ_ONLY = ("id", "created_at", "updated_at", "token")
BUYER_FIELDS = ("name", "first_name", "last_name", "tax_no", "email", "street", "post_code",
                "city", "country")
#: Seed 002's reverse-charge mention, the default description of such a document.
REVERSE_CHARGE = "Mécanisme d'autoliquidation : la TVA est due par le preneur assujetti"


class NotFound(Exception):
    """No record with that id."""


def _truthy(value: Any) -> bool:
    return value in TRUE or (isinstance(value, str) and value.lower() in ("true", "yes", "1"))


def _date(value: Any, field: str, errors: FieldErrors) -> str | None:
    if value is None or value == "":
        return None
    try:
        return datetime.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        errors.add(field, "n'est pas une date valide")
        return None


class Account(SendingMixin):
    """Tables of one account plus the clock that dates its documents."""

    def __init__(self, today: datetime.date | None = None,
                 clock: Callable[[], datetime.datetime] | None = None,
                 random_seed: int = 0, add_new_products: bool = True) -> None:
        self._rng = random.Random(random_seed)
        self._fixed_today = today
        self._clock = clock
        self._ticks = 0
        self.departments = Table(1)
        self.clients = Table(1001)
        self.products = Table(2001)
        self.invoices = Table(10001)
        self.payments = Table(50001)
        self._position_ids = Table(900001)
        self._counters: dict[tuple[str, str], int] = {}
        self.outbox: list[dict[str, Any]] = []  # e-mails "sent" by send_by_email
        #: Seed 002: positions naming an unknown product add it to the catalogue.
        self.add_new_products = add_new_products
        self.new_products: list[dict[str, Any]] = []
        self.webhooks = Webhooks()
        self.create_department({"name": "Ma Société", "shortcut": "Ma Société", "main": True,
                                "tax_no": "FR40303265045", "city": "Paris",
                                "post_code": "75002", "street": "1 rue de la Bourse",
                                "country": "FR"})

    # -- clock --------------------------------------------------------------------------
    def now(self) -> datetime.datetime:
        if self._clock is not None:
            return self._clock()
        if self._fixed_today is not None:
            self._ticks += 1
            start = datetime.datetime.combine(self._fixed_today, datetime.time(9, 0), PARIS)
            return start + datetime.timedelta(seconds=self._ticks)
        return datetime.datetime.now(PARIS)

    def today(self) -> datetime.date:
        return self._fixed_today or self.now().date()

    def new_token(self) -> str:
        return "".join(self._rng.choices(string.ascii_letters + string.digits, k=20))

    def stamp(self) -> str:
        return self.now().isoformat(timespec="milliseconds")

    def _touch(self, record: dict[str, Any], created: bool = False) -> None:
        stamp = self.stamp()
        if created:
            record["created_at"] = stamp
        record["updated_at"] = stamp

    # -- simple records -------------------------------------------------------------------
    def _simple(self, table: Table, fields: dict[str, Any], defaults: dict[str, Any]) -> dict[
            str, Any]:
        errors = FieldErrors()
        fields = plain_fields(fields, errors, READ_ONLY)
        if not str(fields.get("name") or "").strip():
            errors.add("name", BLANK)
        errors.raise_if_any()
        record = dict(defaults)
        record.update(fields)
        self._touch(record, created=True)
        return table.insert(record)

    def create_department(self, fields: dict[str, Any]) -> dict[str, Any]:
        return self._simple(self.departments, fields,
                            {"shortcut": fields.get("name"), "main": False, "tax_no": None,
                             "kind": None, "default_tax": "20", "currency": "EUR"})

    def create_client(self, fields: dict[str, Any]) -> dict[str, Any]:
        return self._simple(self.clients, fields, {
            "shortcut": fields.get("name"), "first_name": None, "last_name": None,
            "tax_no": None, "street": None, "post_code": None, "city": None, "country": None,
            "email": None, "phone": None, "mobile_phone": None, "external_id": None,
            "company": True, "kind": "buyer", "note": None, "bank_account": None,
            "token": self.new_token()})

    def create_product(self, fields: dict[str, Any]) -> dict[str, Any]:
        errors = FieldErrors()
        prices = self._product_prices(fields, errors)
        if not str(fields.get("name") or "").strip():
            errors.add("name", BLANK)
        errors.raise_if_any()
        data = {k: v for k, v in fields.items() if k not in prices}
        return self._simple(self.products, data | prices, {
            "code": None, "description": None, "currency": "EUR", "quantity_unit": None,
            "service": False, "disabled": False, "kind": "sell"})

    @staticmethod
    def _product_prices(fields: dict[str, Any], errors: FieldErrors) -> dict[str, Any]:
        tax = tax_text(fields.get("tax", "20"), "tax", errors)
        net = parse_decimal(fields.get("price_net"), "price_net", errors)
        gross = parse_decimal(fields.get("price_gross"), "price_gross", errors)
        factor = 1 + tax_rate(tax)
        if net is None and gross is not None:
            net = cents(gross / factor)
        net = net if net is not None else Decimal(0)
        gross = gross if gross is not None else cents(net * factor)
        return {"tax": tax, "price_net": money(net), "price_gross": money(gross),
                "price_tax": money(gross - cents(net))}

    def update(self, table: Table, record_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        record = table.get(record_id)
        if record is None:
            raise NotFound(record_id)
        errors = FieldErrors()
        fields = plain_fields(fields, errors, READ_ONLY)
        if "name" in fields and not str(fields.get("name") or "").strip():
            errors.add("name", BLANK)
        if table is self.payments:
            fields = self._payment_update(fields, errors)
        prices: dict[str, Any] = {}
        if table is self.products:
            # Seed 002: the net price follows from the gross price and the rate; it cannot
            # be set directly on an update.
            fields = {k: v for k, v in fields.items() if k not in ("price_net", "price_tax")}
            if {"price_gross", "tax"} & fields.keys():
                merged = {"tax": record["tax"], "price_gross": record["price_gross"]} | fields
                prices = self._product_prices(merged, errors)
        errors.raise_if_any()
        record.update({k: v for k, v in fields.items() if k not in READ_ONLY} | prices)
        self._touch(record)
        return record

    @staticmethod
    def _payment_update(fields: dict[str, Any], errors: FieldErrors) -> dict[str, Any]:
        """A payment's amount is money on update as on create (`"abc"` is refused)."""
        if "price" in fields:
            price = parse_decimal(fields["price"], "price", errors)
            if price is None and "price" not in errors.fields:
                errors.add("price", BLANK)
            fields = fields | {"price": money(price) if price is not None else None}
        if "paid_date" in fields:
            fields = fields | {"paid_date": _date(fields["paid_date"], "paid_date", errors)}
        return {k: v for k, v in fields.items() if k not in ("invoice_id", "invoice_ids")}

    def product_by_code(self, code: str) -> dict[str, Any]:
        """The product whose reference is `code` (`find_by=code` updates)."""
        found = self.products.find(code=code)
        if not found:
            raise NotFound(code)
        return found[0]

    def delete(self, table: Table, record_id: int) -> None:
        record = table.get(record_id)
        if record is None:
            raise NotFound(record_id)
        if table is self.departments and record.get("main"):
            # New documents take the main department as seller: it cannot go (assumption).
            errors = FieldErrors()
            errors.add("base", "Le département principal ne peut pas être supprimé")
            raise errors
        table.delete(record_id)

    # -- invoices -------------------------------------------------------------------------
    def _number(self, kind: str, issue_date: str) -> str:
        year, month = issue_date[:4], issue_date[5:7]
        key = (kind, f"{year}/{month}")
        self._counters[key] = self._counters.get(key, 0) + 1
        return f"{NUMBER_PREFIXES.get(kind, 'DOC')} {year}/{month}/{self._counters[key]:03d}"

    def _resolve_client(self, data: dict[str, Any], kind: str,
                        errors: FieldErrors) -> dict[str, Any] | None:
        """The client an invoice names by id, else one recognised by tax number, e-mail or
        name; None means "create one from the buyer fields"."""
        client_id = data.get("client_id")
        if client_id not in (None, "", -1, "-1"):
            client = self.clients.get(client_id)
            if client is None:
                errors.add("client_id", MISSING)
            return client
        name = data.get("buyer_name") or " ".join(
            p for p in (data.get("buyer_first_name"), data.get("buyer_last_name")) if p)
        if not name and kind not in NO_BUYER_KINDS:
            errors.add("buyer_name", BLANK)
            return None
        for field, value in (("tax_no", data.get("buyer_tax_no")),
                             ("email", data.get("buyer_email")), ("name", name)):
            if value:
                # An e-mail is recognised whatever its case (RECO@ex.fr is reco@ex.fr).
                found = ([c for c in self.clients
                          if str(c.get("email") or "").lower() == str(value).lower()]
                         if field == "email" else self.clients.find(**{field: value}))
                if found:
                    return found[0]
        return None

    def _department(self, data: dict[str, Any], errors: FieldErrors) -> dict[str, Any] | None:
        if data.get("department_id") not in (None, ""):
            department = self.departments.get(data["department_id"])
            if department is None:
                errors.add("department_id", MISSING)
            return department
        if data.get("seller_name"):
            found = self.departments.find(name=data["seller_name"])
            return found[0] if found else None
        return next((d for d in self.departments if d.get("main")), None)

    def _check_unique(self, data: dict[str, Any], kind: str, own_id: int | None,
                      errors: FieldErrors) -> None:
        others = [r for r in self.invoices if r["id"] != own_id]
        oid = data.get("oid")
        if oid not in (None, "") and _truthy(data.get("oid_unique")) and any(
                str(r.get("oid")) == str(oid) for r in others):
            errors.add("oid", TAKEN)
        number = data.get("number")
        if number not in (None, "") and any(
                r.get("number") == str(number) and r["kind"] == kind for r in others):
            errors.add("number", TAKEN)

    def _position(self, raw: Any, errors: FieldErrors, base: dict[str, Any] | None = None,
                  context: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """One position; `context` holds the document's `strategy` and `discount_kind`."""
        context = context or {}
        prefix = "positions"
        if not isinstance(raw, dict):
            errors.add(prefix, "n'est pas valide")
            return None
        raw = plain_fields(raw, errors, prefix=f"{prefix}.")
        product = None
        if raw.get("product_id") not in (None, ""):
            product = self.products.get(raw["product_id"])
            if product is None:
                errors.add(f"{prefix}.product_id", MISSING)
        merged = dict(base or {})
        if base is not None and not set(AMOUNTS) & raw.keys():
            for name in ("total_price_gross", "price_gross", "total_price_net"):
                merged.pop(name, None)
        elif base is not None:
            for name in AMOUNTS:
                merged.pop(name, None)
        merged.update(raw)
        name = merged.get("name") or (product or {}).get("name")
        if not name and merged.get("kind") != "subtotal":
            errors.add(f"{prefix}.name", BLANK)
        if product is None and base is None and name and merged.get("kind") in (None, "") and (
                context.get("add_products")):
            product = self._catalogue_product(merged, str(name))
        amounts = compute_position(merged, product, prefix, errors, context.get("strategy"),
                                   context.get("discount_kind"))
        rate_tax = cents(amounts["total_price_gross"] - amounts["total_price_net"])
        position = {k: v for k, v in merged.items() if k not in ("_destroy", "deleted")}
        position.update({
            "name": name, "product_id": product["id"] if product else merged.get("product_id"),
            "kind": merged.get("kind"), "quantity": quantity_text(amounts["quantity"]),
            "tax": amounts["tax"], "price_net": money(amounts["price_net"]),
            "price_gross": money(amounts["price_gross"]),
            "price_tax": money(amounts["price_gross"] - amounts["price_net"]),
            "total_price_net": money(amounts["total_price_net"]),
            "total_price_gross": money(amounts["total_price_gross"]),
            "total_price_tax": money(rate_tax),
        })
        for key in ("description", "code", "quantity_unit", "discount", "discount_percent"):
            position.setdefault(key, (product or {}).get(key) if key == "code" else None)
        return position

    def _catalogue_product(self, position: dict[str, Any],
                           name: str) -> dict[str, Any] | None:
        """Seed 002: a position naming a product the catalogue does not have adds it (by
        code, else by name); None when it is already there (then that one is used)."""
        code = position.get("code")
        found = (self.products.find(code=code) if code not in (None, "")
                 else self.products.find(name=name))
        if found:
            return found[0]
        self.new_products.append({"name": name, "code": code, "tax": position.get("tax"),
                                  "position": position})
        return None

    def _add_new_products(self, record: dict[str, Any]) -> None:
        """Create the catalogue products the positions named, once the document is valid."""
        pending, self.new_products = self.new_products, []
        for item in pending:
            position = next((p for p in record["positions"]
                             if p.get("name") == item["name"] and not p.get("product_id")),
                            None)
            if position is None:
                continue
            product = self.create_product({
                "name": item["name"], "code": item["code"], "tax": position["tax"],
                "price_gross": position["price_gross"]})
            position["product_id"] = product["id"]

    def _totals(self, record: dict[str, Any]) -> None:
        net, gross = document_totals(record["positions"],
                                     parse_strategy(record.get("calculating_strategy"),
                                                    FieldErrors()))
        record.update(price_net=money(net), price_gross=money(gross),
                      price_tax=money(gross - net))

    def _context(self, data: dict[str, Any], record: dict[str, Any] | None,
                 errors: FieldErrors) -> dict[str, Any]:
        """The document settings positions are computed with (sent, else the record's)."""
        strategy = parse_strategy(data.get("calculating_strategy",
                                           (record or {}).get("calculating_strategy")), errors)
        kind = data.get("discount_kind", (record or {}).get("discount_kind"))
        if kind in (None, ""):
            kind = None
        elif kind not in DISCOUNT_KINDS:
            errors.add("discount_kind", f"n'est pas inclus(e) dans la liste "
                       f"({', '.join(DISCOUNT_KINDS)})")
            kind = None
        return {"strategy": strategy, "discount_kind": kind,
                "add_products": self.add_new_products}

    def _header(self, data: dict[str, Any], record: dict[str, Any] | None,
                errors: FieldErrors) -> dict[str, Any]:
        """Validated header fields of a create (record None) or an update."""
        header = plain_fields(data, errors, (*COMPUTED, "oid_unique", "buyer_override",
                                             "update_product_name", "total_correction",
                                             "advance_creation_mode", "advance_value",
                                             "position_name", "copy_invoice_from"))
        kind = data.get("kind") or (record or {}).get("kind") or "vat"
        if not isinstance(kind, str) or kind not in KINDS:
            kind = "vat" if not isinstance(kind, str) else kind
            errors.add("kind", NOT_IN_LIST)
        header["kind"] = kind
        if "status" in data and (not isinstance(data["status"], str)
                                 or data["status"] not in STATUSES):
            errors.add("status", NOT_IN_LIST)
        for field in ("issue_date", "payment_to", "paid_date"):
            if field in data:
                header[field] = _date(data[field], field, errors)
        if "sell_date" in data and data["sell_date"] not in (None, "", "off") and not (
                isinstance(data["sell_date"], str) and len(data["sell_date"]) == 7):
            header["sell_date"] = _date(data["sell_date"], "sell_date", errors)
        if "income" in data:
            header["income"] = _truthy(data["income"])
        if "positions" in data and not isinstance(data["positions"], list):
            errors.add("positions", "n'est pas valide")
        header.pop("positions", None)
        self._check_unique(data | {"kind": kind}, kind, (record or {}).get("id"), errors)
        return header

    def _copied(self, data: dict[str, Any], errors: FieldErrors) -> dict[str, Any]:
        """`copy_invoice_from`: the source's buyer, seller and positions, unless sent; a
        `correction` with `total_correction: "1"` negates every line (a full credit note),
        with "0" its lines are zero."""
        source = self.invoices.get(data["copy_invoice_from"])
        if source is None:
            errors.add("copy_invoice_from", MISSING)
            return data
        copied = {k: v for k, v in source.items() if k.startswith(("buyer_", "seller_"))
                  or k in ("client_id", "department_id", "currency", "lang")}
        copied.update({k: v for k, v in data.items() if k != "copy_invoice_from"})
        copied.setdefault("from_invoice_id", source["id"])
        copied.setdefault("invoice_id", source["id"])
        if data.get("kind") == "advance" and "positions" not in data:
            copied["positions"] = advance_positions(source, data, errors)
            return copied
        if data.get("kind") == "final" and "positions" not in data:
            copied["positions"] = [self._copy_position(p, 1) for p in source["positions"]]
            copied["positions"] += final_deductions(source, self._advances(data, source,
                                                                           errors))
            return copied
        if "positions" not in data:
            sign = {"1": -1, "0": 0}.get(str(data.get("total_correction")), 1) if data.get(
                "kind") == "correction" else 1
            copied["positions"] = [
                {"name": p["name"], "product_id": p.get("product_id"), "tax": p["tax"],
                 "quantity": Decimal(p["quantity"]) * (sign or 1),
                 "total_price_gross": Decimal(p["total_price_gross"]) * sign,
                 "kind": "correction" if data.get("kind") == "correction" else p.get("kind")}
                for p in source["positions"]]
        return copied

    @staticmethod
    def _copy_position(p: dict[str, Any], sign: int) -> dict[str, Any]:
        return {"name": p["name"], "product_id": p.get("product_id"), "tax": p["tax"],
                "quantity": Decimal(p["quantity"]) * (sign or 1),
                "total_price_gross": Decimal(p["total_price_gross"]) * sign,
                "kind": p.get("kind")}

    def _advances(self, data: dict[str, Any], source: dict[str, Any],
                  errors: FieldErrors) -> list[dict[str, Any]]:
        """The advance invoices a final invoice deducts (`invoice_ids`)."""
        ids = data.get("invoice_ids")
        ids = ids if isinstance(ids, list) else [] if ids in (None, "") else [ids]
        advances = []
        for value in ids:
            advance = self.invoices.get(value)
            if advance is None:
                errors.add("invoice_ids", MISSING)
            elif advance["kind"] != "advance":
                errors.add("invoice_ids", f"{advance['number']} n'est pas une facture "
                           "d'acompte")
            else:
                advances.append(advance)
        return advances

    def create_invoice(self, data: Any) -> dict[str, Any]:
        errors = FieldErrors()
        self.new_products = []
        if not isinstance(data, dict):
            errors.add("invoice", BLANK)
            errors.raise_if_any()
        data = plain_fields(data, errors)
        if data.get("copy_invoice_from") not in (None, ""):
            data = self._copied(data, errors)
        header = self._header(data, None, errors)
        kind = header["kind"]
        client = self._resolve_client(data, kind, errors)
        department = self._department(data, errors)
        raw_positions = data.get("positions") if isinstance(data.get("positions"), list) else []
        if not raw_positions and kind not in ("kp", "kw") and not (kind == "advance" and errors):
            errors.add("positions", BLANK)
        context = self._context(data, None, errors)
        positions = [self._position(raw, errors, context=context) for raw in raw_positions]
        errors.raise_if_any()

        today = self.today().isoformat()
        issue = header.get("issue_date") or today
        record: dict[str, Any] = {
            "number": None, "kind": kind, "income": True, "issue_date": issue,
            "sell_date": issue, "payment_to_kind": "5", "status": "issued", "currency": "EUR",
            "lang": "fr", "paid": "0.00", "paid_date": None, "oid": None, "description": None,
            "cancelled": False, "test": False, "from_api": True, "email_status": None,
            "sent_time": None, "place": None, "payment_type": None, "internal_note": None,
        }
        record.update(header)
        record["issue_date"] = issue
        record["sell_date"] = record.get("sell_date") or issue
        if str(record.get("payment_to_kind")) == "off":  # seed 002: no due date shown
            record["payment_to"] = None
        elif not record.get("payment_to"):
            days = str(record.get("payment_to_kind") or "5")
            offset = int(days) if days.isdigit() and len(days) < 6 else 5
            record["payment_to"] = (datetime.date.fromisoformat(issue)
                                    + datetime.timedelta(days=offset)).isoformat()
        if not record.get("number"):
            record["number"] = self._number(kind, issue)
        record["number"] = str(record["number"])
        created_client = client is None and kind not in NO_BUYER_KINDS
        if created_client:
            client = self.create_client({
                "name": data.get("buyer_name") or " ".join(
                    p for p in (data.get("buyer_first_name"), data.get("buyer_last_name")) if p),
                "first_name": data.get("buyer_first_name"),
                "last_name": data.get("buyer_last_name"),
                "tax_no": data.get("buyer_tax_no"), "email": data.get("buyer_email"),
                "street": data.get("buyer_street"), "post_code": data.get("buyer_post_code"),
                "city": data.get("buyer_city"), "country": data.get("buyer_country")})
        if client is not None:
            record["client_id"] = client["id"]
            override = as_boolean(data.get("buyer_override"))
            for field in BUYER_FIELDS:
                sent = data.get(f"buyer_{field}")
                if override and sent is not None:
                    client[field] = sent  # seed 002: buyer_override updates the card
                elif not created_client:
                    # Seed 002: an existing contact is shown as its card says.
                    record[f"buyer_{field}"] = client.get(field)
                record.setdefault(f"buyer_{field}", client.get(field))
        if department is None and data.get("seller_name"):
            department = self.create_department({"name": data["seller_name"],
                                                 "tax_no": data.get("seller_tax_no")})
        if department is not None:
            record["department_id"] = department["id"]
            for field in ("name", "tax_no", "street", "post_code", "city", "country"):
                record.setdefault(f"seller_{field}", department.get(field))
        if record.get("description") in (None, ""):
            if as_boolean(record.get("reverse_charge")):
                record["description"] = REVERSE_CHARGE
            elif department is not None and (as_boolean(data.get("fill_default_descriptions"))
                                             or data.get("department_id") not in (None, "")):
                # Seed 002: the department's "Informations spécifiques" (assumption: its
                # `invoice_description` field), when asked for or the department is named.
                record["description"] = department.get("invoice_description")
        if department is not None and as_boolean(data.get("fill_default_descriptions")) and (
                record.get("description_long") in (None, "")):
            record["description_long"] = department.get("invoice_description_long")
        record["token"] = self.new_token()
        self._touch(record, created=True)
        self.invoices.insert(record)
        record["positions"] = []
        for position in positions:
            assert position is not None
            self._add_position(record, position)
        self._add_new_products(record)
        self._totals(record)
        return record

    def _add_position(self, record: dict[str, Any], position: dict[str, Any]) -> None:
        position["id"] = self._position_ids.next_id()
        position["invoice_id"] = record["id"]
        position["created_at"] = position["updated_at"] = record["updated_at"]
        record["positions"].append(position)

    def invoice(self, invoice_id: int) -> dict[str, Any]:
        record = self.invoices.get(invoice_id)
        if record is None:
            raise NotFound(invoice_id)
        return record

    def update_invoice(self, invoice_id: int, data: Any) -> dict[str, Any]:
        record = self.invoice(invoice_id)
        errors = FieldErrors()
        if not isinstance(data, dict):
            errors.add("invoice", BLANK)
            errors.raise_if_any()
        data = plain_fields(data, errors)
        header = self._header(data, record, errors)
        if "client_id" in data:
            self._resolve_client(data, header["kind"], errors)
        if "department_id" in data:
            self._department(data, errors)
        context = self._context(data, record, errors) | {"add_products": False}
        by_id = {p["id"]: p for p in record["positions"]}
        changes: list[tuple[str, Any, dict[str, Any] | None]] = []
        for raw in data.get("positions") or []:
            if isinstance(raw, dict) and raw.get("id") not in (None, ""):
                number = record_id(raw["id"])
                existing = None if number is None else by_id.get(number)
                if existing is None:
                    errors.add("positions.id", MISSING)
                elif _truthy(raw.get("_destroy")) or _truthy(raw.get("deleted")):
                    changes.append(("destroy", existing["id"], None))
                else:
                    changes.append(("update", existing["id"],
                                    self._position(raw, errors, existing, context)))
            else:
                changes.append(("add", None, self._position(raw, errors, context=context)))
        errors.raise_if_any()
        was = record["status"]
        record.update(header)
        self._touch(record)
        for action, position_id, position in changes:
            if action == "destroy":
                record["positions"] = [p for p in record["positions"] if p["id"] != position_id]
            elif action == "update" and position is not None:
                position["updated_at"] = record["updated_at"]
                record["positions"] = [position if p["id"] == position_id else p
                                       for p in record["positions"]]
            elif position is not None:
                self._add_position(record, position)
        self._totals(record)
        if header.get("status") == "paid" and was != "paid":
            self._mark_paid(record)
        return record

    def change_status(self, invoice_id: int, status: str | None) -> dict[str, Any]:
        record = self.invoice(invoice_id)
        errors = FieldErrors()
        if status not in STATUSES:
            errors.add("status", NOT_IN_LIST)
        errors.raise_if_any()
        record["status"] = status
        if status == "paid":
            self._mark_paid(record)
        self._touch(record)
        return record

    def _mark_paid(self, record: dict[str, Any]) -> None:
        """Status `paid`, by change_status or by PUT: the whole total is paid, on the
        paid date sent or today (as the recorded `invoice_put_status_response.json`)."""
        record["paid"] = record["price_gross"]
        record["paid_date"] = record.get("paid_date") or self.today().isoformat()

    def cancel(self, invoice_id: int, reason: str | None) -> dict[str, Any]:
        record = self.invoice(invoice_id)
        record["cancelled"] = True
        record["cancel_reason"] = reason  # shown with additional_fields[invoice]=cancel_reason
        self._touch(record)
        return record

    # -- payments -------------------------------------------------------------------------
    def create_payment(self, data: Any) -> dict[str, Any]:
        errors = FieldErrors()
        if not isinstance(data, dict):
            errors.add("banking_payment", BLANK)
            errors.raise_if_any()
        data = plain_fields(data, errors)
        price = parse_decimal(data.get("price"), "price", errors)
        if price is None and "price" not in errors.fields:
            errors.add("price", BLANK)
        sent_ids = data.get("invoice_ids")
        ids = (list(sent_ids) if isinstance(sent_ids, list)
               else [] if sent_ids in (None, "") else [sent_ids])
        if data.get("invoice_id") not in (None, ""):
            ids.insert(0, data["invoice_id"])
        invoices = []
        for value in ids:
            invoice = self.invoices.get(value)
            if invoice is None:
                errors.add("invoice_id", MISSING)
            else:
                invoices.append(invoice)
        errors.raise_if_any()
        assert price is not None
        paid = _truthy(data.get("paid", True))
        record = {"name": "Paiement", "currency": "EUR", "kind": "api",
                  "paid_date": self.today().isoformat(), "description": None}
        record.update({k: v for k, v in data.items() if k not in COMPUTED})
        record.update(price=money(price), paid=paid,
                      invoice_ids=[i["id"] for i in invoices],
                      invoice_id=invoices[0]["id"] if invoices else None)
        self._touch(record, created=True)
        self.payments.insert(record)
        if paid:
            remaining = cents(price)
            for invoice in invoices:
                due = Decimal(invoice["price_gross"]) - Decimal(invoice["paid"])
                applied = min(due, remaining)
                if applied <= 0:
                    continue
                remaining -= applied
                invoice["paid"] = money(Decimal(invoice["paid"]) + applied)
                invoice["status"] = ("paid" if Decimal(invoice["paid"])
                                     >= Decimal(invoice["price_gross"]) else "partial")
                invoice["paid_date"] = record["paid_date"]
                self._touch(invoice)
        return record
