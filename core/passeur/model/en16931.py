"""EN 16931 business rules checked on the canonical invoice, whatever system it came from.

The rules are those of the CEN validation artefacts (EN16931-model), restated on the canonical
model: the mandatory terms (BR-01 ... BR-26 where the model carries them), the calculation and
consistency rules (BR-CO-*), the VAT category rules for standard rate, zero rate, exempt and
reverse charge (BR-S-*, BR-Z-*, BR-E-*, BR-AE-*) and the decimal rules (BR-DEC-*). The
tolerances are the official ones: sums are compared after rounding to two decimals, exactly
(BR-CO-10, -13 ... -16); a VAT amount may differ from taxable amount x rate by less than one
unit (BR-CO-17, BR-x-09 uses the same test); a category's taxable amount may differ from the sum
of its lines, allowances and charges by less than one unit (BR-x-08).

What the canonical model does not carry is not checked here (the specification identifier
BR-01 and code lists are syntax matters: the official Schematron covers them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from passeur.issues import Issue, Level
from passeur.model.common import IdentifierScheme, Note, Party
from passeur.model.invoice import DocumentKind, Invoice, LineKind, Tax, TaxSubtotal
from passeur.model.salestax import fold_sales_taxes, is_vat

__all__ = ["RULES", "Finding", "complete_en16931", "validate_en16931"]

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")

#: the categories with their own rule family, and what each family requires
_FAMILIES = {"S": "BR-S", "Z": "BR-Z", "E": "BR-E", "AE": "BR-AE", "K": "BR-IC", "O": "BR-O",
             "G": "BR-G", "L": "BR-AF", "M": "BR-AG"}
#: the categories taxed at a rate, one breakdown per rate: standard, IGIC (Canary Islands),
#: IPSI (Ceuta and Melilla); the others have one breakdown at 0 %
_RATED = ("S", "L", "M")
#: the categories whose seller may show a tax registration (BT-32) instead of a VAT number
_TAX_NUMBER_OK = ("S", "Z", "E", "AE", "L", "M")

#: rule id -> its text (shortened from the specification), for --json and documentation
RULES: dict[str, str] = {
    "BR-02": "An Invoice shall have an Invoice number (BT-1).",
    "BR-03": "An Invoice shall have an Invoice issue date (BT-2).",
    "BR-05": "An Invoice shall have an Invoice currency code (BT-5).",
    "BR-06": "An Invoice shall contain the Seller name (BT-27).",
    "BR-07": "An Invoice shall contain the Buyer name (BT-44).",
    "BR-08": "An Invoice shall contain the Seller postal address (BG-5).",
    "BR-09": "The Seller postal address shall contain a Seller country code (BT-40).",
    "BR-10": "An Invoice shall contain the Buyer postal address (BG-8).",
    "BR-11": "The Buyer postal address shall contain a Buyer country code (BT-55).",
    "BR-12": "An Invoice shall have the Sum of Invoice line net amount (BT-106).",
    "BR-13": "An Invoice shall have the Invoice total amount without VAT (BT-109).",
    "BR-14": "An Invoice shall have the Invoice total amount with VAT (BT-112).",
    "BR-15": "An Invoice shall have the Amount due for payment (BT-115).",
    "BR-16": "An Invoice shall have at least one Invoice line (BG-25).",
    "BR-21": "Each Invoice line shall have an Invoice line identifier (BT-126).",
    "BR-22": "Each Invoice line shall have an Invoiced quantity (BT-129).",
    "BR-23": "An Invoice line shall have an Invoiced quantity unit of measure code (BT-130).",
    "BR-24": "Each Invoice line shall have an Invoice line net amount (BT-131).",
    "BR-25": "Each Invoice line shall contain the Item name (BT-153).",
    "BR-26": "Each Invoice line shall contain the Item net price (BT-146).",
    "BR-27": "The Item net price (BT-146) shall NOT be negative.",
    "BR-28": "The Item gross price (BT-148) shall NOT be negative.",
    "BR-CO-04": "Each Invoice line shall be categorized with an Invoiced item VAT category "
                "code (BT-151).",
    "BR-CO-09": "VAT identifiers (BT-31, BT-48) shall have a prefix identifying the country.",
    "BR-CO-10": "Sum of Invoice line net amount (BT-106) = sum of Invoice line net amounts.",
    "BR-CO-11": "Sum of allowances on document level (BT-107) = sum of the allowances.",
    "BR-CO-12": "Sum of charges on document level (BT-108) = sum of the charges.",
    "BR-CO-13": "Invoice total without VAT (BT-109) = BT-106 - BT-107 + BT-108.",
    "BR-CO-14": "Invoice total VAT amount (BT-110) = sum of VAT category tax amounts (BT-117).",
    "BR-CO-15": "Invoice total with VAT (BT-112) = BT-109 + BT-110.",
    "BR-CO-16": "Amount due for payment (BT-115) = BT-112 - BT-113 + BT-114.",
    "BR-CO-17": "VAT category tax amount (BT-117) = taxable amount (BT-116) x rate (BT-119) / "
                "100, rounded to two decimals.",
    "BR-CO-18": "An Invoice shall at least have one VAT breakdown group (BG-23).",
    "BR-CO-25": "With a positive Amount due (BT-115), a Payment due date (BT-9) or Payment "
                "terms (BT-20) shall be present.",
    "BR-CO-26": "The Seller identifier (BT-29), legal registration (BT-30) or VAT identifier "
                "(BT-31) shall be present.",
    "BR-DEC": "Amounts shall have at most two decimals.",
}
for _cat, _fam in _FAMILIES.items():
    RULES[f"{_fam}-01"] = (f"An Invoice with a line, allowance or charge of VAT category {_cat} "
                           f"shall have a VAT breakdown of category {_cat}" +
                           (" (exactly one)." if _cat not in _RATED else "."))
    RULES[f"{_fam}-02"] = (f"An Invoice with a line of VAT category {_cat} shall contain the "
                           "Seller VAT identifier (BT-31), tax registration (BT-32) or tax "
                           "representative VAT identifier (BT-63)" +
                           (", and the Buyer VAT identifier (BT-48) or legal registration "
                            "(BT-47)." if _cat == "AE" else "."))
    RULES[f"{_fam}-05"] = (f"In a line of VAT category {_cat} the VAT rate shall be " +
                           ("greater than zero." if _cat == "S" else "0 or greater." if _cat
                            in _RATED else "0 (zero)."))
    RULES[f"{_fam}-08"] = (f"The taxable amount of category {_cat} shall equal the sum of its "
                           "line net amounts plus charges minus allowances" +
                           (" per rate." if _cat in _RATED else "."))
    RULES[f"{_fam}-09"] = (f"The VAT amount of category {_cat} shall be " +
                           ("taxable amount x rate." if _cat in _RATED else "0 (zero)."))
    RULES[f"{_fam}-10"] = (f"A VAT breakdown of category {_cat} shall " +
                           ("not have an exemption reason." if _cat in ("S", "Z", "L", "M")
                            else "have an exemption reason code (BT-121) or text (BT-120)."))
RULES.update({
    "BR-IC-02": "An Invoice with a line of VAT category K (intra-community supply) shall "
                "contain the Seller VAT identifier (BT-31) or tax representative VAT "
                "identifier (BT-63), and the Buyer VAT identifier (BT-48).",
    "BR-G-02": "An Invoice with a line of VAT category G (export outside the EU) shall "
               "contain the Seller VAT identifier (BT-31) or tax representative VAT identifier "
               "(BT-63).",
    "BR-B-01": "An Invoice with VAT category B (Italian split payment) shall be a domestic "
               "Italian invoice (every country code IT).",
    "BR-B-02": "An Invoice with VAT category B (split payment) shall not have a line, "
               "allowance, charge or VAT breakdown of category S.",
    "BR-CL-22": "The VAT exemption reason code (BT-121) shall be coded with the CEF VATEX "
                "list.",
    "BR-IC-11": "An Invoice with a VAT breakdown of category K shall have an Actual delivery "
                "date (BT-72) or an Invoicing period (BG-14).",
    "BR-IC-12": "An Invoice with a VAT breakdown of category K shall have the Deliver to "
                "country code (BT-80).",
    "BR-O-02": "An Invoice with a line of VAT category O (not subject to VAT) shall not "
               "contain the Seller VAT identifier (BT-31), tax representative VAT identifier "
               "(BT-63) or Buyer VAT identifier (BT-48).",
    "BR-O-05": "A line of VAT category O shall not contain an Invoiced item VAT rate (BT-152).",
    "BR-O-11": "An Invoice with a VAT breakdown of category O shall not contain other VAT "
               "breakdown groups (BG-23).",
    "BR-O-12": "An Invoice with a VAT breakdown of category O shall not contain a line of "
               "another VAT category (BT-151).",
    "BR-O-13": "An Invoice with a VAT breakdown of category O shall not contain a document "
               "allowance of another VAT category (BT-95).",
    "BR-O-14": "An Invoice with a VAT breakdown of category O shall not contain a document "
               "charge of another VAT category (BT-102).",
    "BR-CL-01": "The document type code (BT-3) shall be coded with UNTDID 1001 (the EN "
                "16931 subset).",
    "BR-CL-04": "The Invoice currency code (BT-5) shall be coded with ISO 4217.",
    "BR-CL-05": "The VAT accounting currency code (BT-6) shall be coded with ISO 4217.",
    "BR-CL-14": "Country codes (BT-40, BT-55, BT-80) shall be coded with ISO 3166-1 alpha-2 "
                "(and 1A, XI).",
    "BR-CL-17": "The VAT category code of a VAT breakdown (BT-118) shall be coded with UNTDID "
                "5305 (EN 16931 subset).",
    "BR-CL-18": "The Invoiced item VAT category code (BT-151) shall be coded with UNTDID 5305 "
                "(EN 16931 subset).",
    "BR-CL-23": "The unit code (BT-130) shall be coded with UN/ECE recommendations 20 and 21.",
    "BR-CL-16": "The payment means code (BT-81) shall be coded with UNTDID 4461.",
    "BR-CL-10": "Any identifier scheme (BT-29, BT-46, BT-60...) shall be coded with the "
                "ISO 6523 ICD list.",
    "BR-CL-19": "The document level allowance reason code (BT-98) shall be coded with UNTDID "
                "5189 (the EN 16931 subset).",
    "BR-CL-20": "The document level charge reason code (BT-105) shall be coded with UNTDID "
                "7161.",
    "BR-CL-24": "The MIME code of an attached document (BT-125) shall be application/pdf, "
                "image/png, image/jpeg, text/csv, an XLSX or an ODS spreadsheet.",
})


@attrs.frozen
class Finding:
    """One broken rule: its id, what is wrong, and where in the canonical document."""

    rule: str
    message: str
    path: str
    level: Level = Level.ERROR

    @property
    def terms(self) -> tuple[str, ...]:
        """The business terms the rule names (BT-55, BG-8...), from its text."""
        return tuple(dict.fromkeys(re.findall(r"B[TG]-\d+", RULES.get(self.rule, ""))))

    def issue(self, source: str | None = None) -> Issue:
        return Issue(self.level, f"[{self.rule}] {self.message}", self.rule, self.path, source)


def _r2(value: Decimal) -> Decimal:
    """Rounded to two decimals as the Schematron does (round(x * 100) div 100, half up)."""
    return (value * HUNDRED).quantize(ONE, rounding="ROUND_HALF_UP") / HUNDRED


def _vat(tax: Tax) -> bool:
    return is_vat(tax)


def _category(taxes: Iterable[Tax]) -> Tax | None:
    return next((t for t in taxes if _vat(t)), None)


def _has_vat_id(party: Party | None) -> bool:
    return party is not None and party.identifier(IdentifierScheme.VAT) is not None


def _has_tax_number(party: Party | None) -> bool:
    """BT-32: a tax number that is not a VAT identifier."""
    return party is not None and any(str(i.system or "").startswith("tax:")
                                     for i in party.identifiers)


def _decimals(value: Decimal | None) -> int:
    if value is None or not value.is_finite():
        return 0
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


class _Checker:
    def __init__(self, invoice: Invoice) -> None:
        self.invoice = invoice
        self.found: list[Finding] = []

    def fail(self, rule: str, message: str, path: str) -> None:
        self.found.append(Finding(rule, message, path))

    def run(self) -> list[Finding]:
        self.mandatory()
        self.lines()
        self.totals()
        self.breakdown()
        self.categories()
        self.not_subject()
        self.intra_community()
        self.split_payment()
        self.code_lists()
        self.decimals()
        return self.found

    def mandatory(self) -> None:
        inv = self.invoice
        if not inv.number:
            self.fail("BR-02", "the invoice has no number", "$.number")
        if inv.issue_date is None:
            self.fail("BR-03", "the invoice has no issue date", "$.issue_date")
        if not inv.currency:
            self.fail("BR-05", "the invoice has no currency", "$.currency")
        for role, name_rule, address_rule, country_rule in (
                ("seller", "BR-06", "BR-08", "BR-09"), ("buyer", "BR-07", "BR-10", "BR-11")):
            party: Party | None = getattr(inv, role)
            if party is None or not (party.legal_name or party.name):
                self.fail(name_rule, f"the {role} has no name", f"$.{role}.name")
            if party is None or party.address is None or not any(
                    (*party.address.lines, party.address.city, party.address.postal_code,
                     party.address.subdivision, party.address.country)):
                self.fail(address_rule, f"the {role} has no postal address",
                          f"$.{role}.address")
            elif not party.address.country:
                self.fail(country_rule, f"the {role}'s address has no country code",
                          f"$.{role}.address.country")
        seller = inv.seller
        if seller is None or not seller.identifiers:
            self.fail("BR-CO-26", "the seller has no identifier, legal registration or VAT "
                      "identifier", "$.seller.identifiers")
        for role in ("seller", "buyer"):
            party = getattr(inv, role)
            for i, ident in enumerate(party.identifiers if party else ()):
                if ident.scheme is IdentifierScheme.VAT and not (
                        len(ident.value) > 2 and ident.value[:2].isalpha()
                        and ident.value[:2].isupper()):
                    self.fail("BR-CO-09", f"the {role}'s VAT identifier {ident.value!r} does "
                              "not start with a country code", f"$.{role}.identifiers[{i}]")
        due = inv.totals.due if inv.totals else None
        if inv.kind is not DocumentKind.CREDIT_NOTE and due is not None and due > 0 \
                and inv.due_date is None and not (
                inv.payment_terms and inv.payment_terms.description):
            self.fail("BR-CO-25", f"the amount due is {due} but there is no due date nor "
                      "payment terms", "$.due_date")

    def lines(self) -> None:
        priced = [(i, ln) for i, ln in enumerate(self.invoice.lines)
                  if ln.kind in (LineKind.ITEM, LineKind.PRODUCT_GROUP)]
        if not priced:
            self.fail("BR-16", "the invoice has no line", "$.lines")
        for i, line in priced:
            path = f"$.lines[{i}]"
            checks = (("BR-21", line.id, "identifier", "id"),
                      ("BR-22", line.quantity, "quantity", "quantity"),
                      ("BR-23", line.unit, "unit of measure", "unit"),
                      ("BR-24", line.net_amount, "net amount", "net_amount"),
                      ("BR-25", line.name, "item name", "name"),
                      ("BR-26", line.unit_price_net, "net price", "unit_price_net"))
            for rule, value, what, field in checks:
                if value is None or value == "":
                    self.fail(rule, f"line {i + 1} has no {what}", f"{path}.{field}")
            if line.unit_price_net is not None and line.unit_price_net < 0:
                self.fail("BR-27", f"line {i + 1} has a negative net price "
                          f"{line.unit_price_net}", f"{path}.unit_price_net")
            if line.list_price is not None and line.list_price < 0:
                self.fail("BR-28", f"line {i + 1} has a negative gross price "
                          f"{line.list_price}", f"{path}.list_price")
            if _category(line.taxes) is None or _category(line.taxes).category is None:  # type: ignore[union-attr]
                self.fail("BR-CO-04", f"line {i + 1} has no VAT category", f"{path}.taxes")

    def totals(self) -> None:
        inv = self.invoice
        t = inv.totals
        for rule, field in (("BR-12", "line_net"), ("BR-13", "net"), ("BR-14", "gross"),
                            ("BR-15", "due")):
            if t is None or getattr(t, field) is None:
                self.fail(rule, f"the invoice has no {field.replace('_', ' ')} total",
                          f"$.totals.{field}")
        if t is None:
            return
        lines = sum((ln.net_amount or ZERO for ln in inv.lines
                     if ln.kind in (LineKind.ITEM, LineKind.PRODUCT_GROUP)), ZERO)
        if t.line_net is not None and t.line_net != _r2(lines):
            self.fail("BR-CO-10", f"the sum of line net amounts is {_r2(lines)}, the "
                      f"document says {t.line_net}", "$.totals.line_net")
        allowances = sum((a.amount for a in inv.allowance_charges if not a.charge), ZERO)
        charges = sum((a.amount for a in inv.allowance_charges if a.charge), ZERO)
        has_allowance = any(not a.charge for a in inv.allowance_charges)
        has_charge = any(a.charge for a in inv.allowance_charges)
        if (t.allowances is not None or has_allowance) and (t.allowances or ZERO) != _r2(
                allowances):
            self.fail("BR-CO-11", f"the allowances add up to {_r2(allowances)}, the document "
                      f"says {t.allowances}", "$.totals.allowances")
        if (t.charges is not None or has_charge) and (t.charges or ZERO) != _r2(charges):
            self.fail("BR-CO-12", f"the charges add up to {_r2(charges)}, the document says "
                      f"{t.charges}", "$.totals.charges")
        if t.net is not None and t.line_net is not None:
            expected = _r2(t.line_net - (t.allowances or ZERO) + (t.charges or ZERO))
            if t.net != expected:
                self.fail("BR-CO-13", f"the total without VAT is {t.net}; line total - "
                          f"allowances + charges = {expected}", "$.totals.net")
        if t.tax is not None and inv.tax_breakdown:
            expected = _r2(sum((r.tax_amount for r in inv.tax_breakdown), ZERO))
            if t.tax != expected:
                self.fail("BR-CO-14", f"the total VAT is {t.tax}; the VAT breakdown adds up "
                          f"to {expected}", "$.totals.tax")
        if t.gross is not None and t.net is not None:
            expected = _r2(t.net + (t.tax or ZERO))
            if t.gross != expected:
                self.fail("BR-CO-15", f"the total with VAT is {t.gross}; total without VAT + "
                          f"VAT = {expected}", "$.totals.gross")
        if t.due is not None and t.gross is not None:
            expected = _r2(t.gross - (t.paid or ZERO))
            if _r2(t.due - (t.rounding or ZERO)) != expected:
                self.fail("BR-CO-16", f"the amount due is {t.due}; total with VAT - paid + "
                          f"rounding = {expected + (t.rounding or ZERO)}", "$.totals.due")

    def breakdown(self) -> None:
        if not self.invoice.tax_breakdown:
            self.fail("BR-CO-18", "the invoice has no VAT breakdown", "$.tax_breakdown")
        for i, row in enumerate(self.invoice.tax_breakdown):
            path = f"$.tax_breakdown[{i}]"
            rate = row.rate
            if rate is None or rate.quantize(ONE, rounding="ROUND_HALF_UP") == 0:
                if row.tax_amount.quantize(ONE, rounding="ROUND_HALF_UP") != 0:
                    self.fail("BR-CO-17", f"the VAT amount of {_name(row)} at rate 0 is "
                              f"{row.tax_amount}", f"{path}.tax_amount")
                continue
            expected = _r2(abs(row.taxable_amount) * rate / HUNDRED)
            if not abs(row.tax_amount) - 1 < expected < abs(row.tax_amount) + 1:
                self.fail("BR-CO-17", f"the VAT amount of {_name(row)} is {row.tax_amount}; "
                          f"taxable {row.taxable_amount} x {rate} % = {expected}",
                          f"{path}.tax_amount")

    def categories(self) -> None:
        inv = self.invoice
        used: dict[str, list[tuple[Decimal | None, Decimal]]] = {}
        for line in inv.lines:
            if line.kind not in (LineKind.ITEM, LineKind.PRODUCT_GROUP):
                continue
            tax = _category(line.taxes)
            if tax is not None and tax.category:
                used.setdefault(tax.category, []).append((tax.rate, line.net_amount or ZERO))
        for item in inv.allowance_charges:
            if item.tax is not None and item.tax.category:
                used.setdefault(item.tax.category, []).append(
                    (item.tax.rate, item.amount if item.charge else -item.amount))
        rows = {c: [(i, r) for i, r in enumerate(inv.tax_breakdown) if r.category == c]
                for c in _FAMILIES}
        for category, family in _FAMILIES.items():
            lines = used.get(category, [])
            found = rows[category]
            if lines and not found:
                self.fail(f"{family}-01", f"lines of VAT category {category} but no VAT "
                          f"breakdown of category {category}", "$.tax_breakdown")
            if not lines and found and category in _RATED:
                self.fail(f"{family}-01", f"a VAT breakdown of category {category} but no "
                          f"line, allowance or charge of that category", "$.tax_breakdown")
            if category not in _RATED and len(found) > 1:
                self.fail(f"{family}-01", f"{len(found)} VAT breakdowns of category "
                          f"{category}; there must be exactly one", "$.tax_breakdown")
            if lines:
                self.seller_ids(category, family)
            for rate, _amount in lines:
                if category == "S" and (rate is None or rate <= 0):
                    self.fail(f"{family}-05", f"a line of category S has rate {rate}; it "
                              "must be greater than zero", "$.lines")
                elif category in _RATED:
                    if rate is None or rate < 0:
                        self.fail(f"{family}-05", f"a line of category {category} has rate "
                                  f"{rate}; it must be 0 or greater", "$.lines")
                elif category == "O" and rate is not None:
                    self.fail(f"{family}-05", f"a line of category O has rate {rate}; it "
                              "must have none", "$.lines")
                elif category != "S" and rate is not None and rate != 0:
                    self.fail(f"{family}-05", f"a line of category {category} has rate "
                              f"{rate}; it must be 0", "$.lines")
            for i, row in found:
                self.row(category, family, i, row, lines)

    def seller_ids(self, category: str, family: str) -> None:
        inv = self.invoice
        if category == "O":
            for role, party in (("seller", inv.seller), ("buyer", inv.buyer),
                                ("tax_representative", inv.tax_representative)):
                if _has_vat_id(party):
                    self.fail(family + "-02", f"a line not subject to VAT (O) but the {role} "
                              "has a VAT identifier", f"$.{role}.identifiers")
            return
        if not (_has_vat_id(inv.seller) or _has_vat_id(inv.tax_representative) or (
                category in _TAX_NUMBER_OK and _has_tax_number(inv.seller))):
            self.fail(f"{family}-02", f"lines of VAT category {category} but the seller has "
                      "no VAT identifier" + ("" if category not in _TAX_NUMBER_OK else
                                             " nor tax registration") + ", nor its tax "
                      "representative", "$.seller.identifiers")
        if category == "K" and not _has_vat_id(inv.buyer):
            self.fail(f"{family}-02", "an intra-community supply (K) needs the buyer's VAT "
                      "identifier", "$.buyer.identifiers")
        if category == "AE":
            buyer = inv.buyer
            legal = buyer is not None and any(
                i.scheme in (IdentifierScheme.BCE, IdentifierScheme.SIREN)
                for i in buyer.identifiers)
            if not (_has_vat_id(buyer) or legal):
                self.fail(f"{family}-02", "a reverse-charge (AE) invoice needs the buyer's "
                          "VAT identifier or legal registration", "$.buyer.identifiers")

    def not_subject(self) -> None:
        """BR-O-11 ... -14: an invoice not subject to VAT has nothing else."""
        inv = self.invoice
        if not any(r.category == "O" for r in inv.tax_breakdown):
            return
        others = sorted({r.category or "?" for r in inv.tax_breakdown if r.category != "O"})
        if others:
            self.fail("BR-O-11", f"a VAT breakdown of category O and others ({', '.join(others)})",
                      "$.tax_breakdown")
        for i, line in enumerate(inv.lines):
            tax = _category(line.taxes)
            if line.kind in (LineKind.ITEM, LineKind.PRODUCT_GROUP) and tax is not None \
                    and tax.category and tax.category != "O":
                self.fail("BR-O-12", f"line {i + 1} is of VAT category {tax.category} in an "
                          "invoice not subject to VAT", f"$.lines[{i}].taxes")
        for i, item in enumerate(inv.allowance_charges):
            if item.tax is not None and item.tax.category and item.tax.category != "O":
                self.fail("BR-O-14" if item.charge else "BR-O-13", f"a document "
                          f"{'charge' if item.charge else 'allowance'} of VAT category "
                          f"{item.tax.category} in an invoice not subject to VAT",
                          f"$.allowance_charges[{i}].tax")

    def intra_community(self) -> None:
        """BR-IC-11, -12: an intra-community supply says when and where it was delivered."""
        inv = self.invoice
        if not any(r.category == "K" for r in inv.tax_breakdown):
            return
        period = inv.extensions.get("period_start") or inv.extensions.get("period_end")
        if inv.sale_date is None and not period:
            self.fail("BR-IC-11", "an intra-community supply (K) without an actual delivery "
                      "date nor an invoicing period", "$.sale_date")
        to = inv.ship_to
        if to is None or to.address is None or not to.address.country:
            self.fail("BR-IC-12", "an intra-community supply (K) without the deliver-to "
                      "country", "$.ship_to.address.country")

    def split_payment(self) -> None:
        """BR-B-01, -02: Italian split payment (B) is domestic and never beside S."""
        inv = self.invoice
        used = {t.category for ln in inv.lines if ln.kind in (LineKind.ITEM,
                LineKind.PRODUCT_GROUP) for t in ln.taxes if _vat(t)}
        used |= {a.tax.category for a in inv.allowance_charges if a.tax is not None}
        used |= {r.category for r in inv.tax_breakdown}
        if "B" not in used:
            return
        for role in ("seller", "buyer", "ship_to", "payee", "tax_representative"):
            party = getattr(inv, role)
            country = party.address.country if party and party.address else None
            if country and country != "IT":
                self.fail("BR-B-01", f"split payment (B) but the {role}'s country is "
                          f"{country}, not IT", f"$.{role}.address.country")
        if "S" in used:
            self.fail("BR-B-02", "split payment (B) beside standard-rated (S) VAT",
                      "$.tax_breakdown")

    def code_lists(self) -> None:
        """BR-CL-01, -04, -05, -14, -16, -17, -18, -19, -20, -22, -23, -24 on the code lists of
        `passeur.model.codelists`."""
        from passeur.model import codelists

        inv = self.invoice
        if inv.currency and inv.currency not in codelists.currencies():
            self.fail("BR-CL-04", f"the currency {inv.currency!r} is not an ISO 4217 code",
                      "$.currency")
        for role in ("seller", "buyer", "ship_to"):
            party = getattr(inv, role)
            country = party.address.country if party and party.address else None
            if country and country not in codelists.countries():
                self.fail("BR-CL-14", f"the {role}'s country {country!r} is not an ISO 3166 "
                          "code", f"$.{role}.address.country")
        categories = codelists.vat_categories()
        for i, row in enumerate(inv.tax_breakdown):
            if row.category and row.category not in categories:
                self.fail("BR-CL-17", f"the VAT category {row.category!r} is not an EN 16931 "
                          "code", f"$.tax_breakdown[{i}].category")
        vatex = codelists.vatex()
        coded = [(f"$.tax_breakdown[{i}].exemption_code", r.exemption_code)
                 for i, r in enumerate(inv.tax_breakdown)]
        coded += [(f"$.lines[{i}].taxes[{j}].exemption_code", t.exemption_code)
                  for i, ln in enumerate(inv.lines) for j, t in enumerate(ln.taxes)]
        coded += [(f"$.allowance_charges[{i}].tax.exemption_code", a.tax.exemption_code)
                  for i, a in enumerate(inv.allowance_charges) if a.tax is not None]
        for path, code in coded:
            if code and code.strip() and code.strip().upper() not in vatex:
                self.fail("BR-CL-22", f"the VAT exemption reason code {code!r} is not a "
                          "VATEX code", path)
        self.coded_fields()
        units = codelists.units()
        for i, line in enumerate(inv.lines):
            if line.kind not in (LineKind.ITEM, LineKind.PRODUCT_GROUP):
                continue
            tax = _category(line.taxes)
            if tax is not None and tax.category and tax.category not in categories:
                self.fail("BR-CL-18", f"line {i + 1}: the VAT category {tax.category!r} is "
                          "not an EN 16931 code", f"$.lines[{i}].taxes")
            if line.unit and line.unit not in units:
                self.fail("BR-CL-23", f"line {i + 1}: the unit {line.unit!r} is not a UN/ECE "
                          "recommendation 20 or 21 code", f"$.lines[{i}].unit")

    def coded_fields(self) -> None:
        """BR-CL-01 and -05 (the UBL and CII document type code and VAT accounting
        currency, kept as extensions); BR-CL-16, a payment means given as a code (digits or
        ZZZ; a word such as "transfer" is a system's own name, coded by the writer); BR-CL-19
        and -20, the allowance and charge reason codes; BR-CL-10, the ISO 6523 scheme of a
        party's identifier (read as system "iso6523:CODE"; SEPA allowed to the seller and
        the payee, as CEN's rule does); BR-CL-24, the MIME code of an
        embedded attachment."""
        from passeur.model import codelists

        inv = self.invoice
        tax_currency = inv.extensions.get("tax_currency")
        if isinstance(tax_currency, str) and tax_currency.strip() \
                and tax_currency.strip() not in codelists.currencies():
            self.fail("BR-CL-05", f"the VAT accounting currency {tax_currency!r} is not an "
                      "ISO 4217 code", "$.extensions.tax_currency")
        type_code = inv.extensions.get("type_code")
        if isinstance(type_code, str | int) and str(type_code).strip() \
                and str(type_code).strip() not in codelists.document_types():
            self.fail("BR-CL-01", f"the document type code {type_code!r} is not a UNTDID 1001 "
                      "code of EN 16931", "$.extensions.type_code")
        means = (inv.payment_terms.means or "").strip() if inv.payment_terms else ""
        if (means.isdigit() or means == "ZZZ") and means not in codelists.payment_means():
            self.fail("BR-CL-16", f"the payment means code {means!r} is not a UNTDID 4461 "
                      "code", "$.payment_terms.means")
        for i, ac in enumerate(inv.allowance_charges):
            code = (ac.reason_code or "").strip()
            if not code:
                continue
            if ac.charge and code not in codelists.charge_reasons():
                self.fail("BR-CL-20", f"the charge reason code {code!r} is not a UNTDID 7161 "
                          "code", f"$.allowance_charges[{i}].reason_code")
            elif not ac.charge and code not in codelists.allowance_reasons():
                self.fail("BR-CL-19", f"the allowance reason code {code!r} is not a UNTDID "
                          "5189 code of EN 16931", f"$.allowance_charges[{i}].reason_code")
        icd = codelists.icd()
        for role in ("seller", "buyer", "payee", "tax_representative", "ship_to"):
            party = getattr(inv, role)
            for i, ident in enumerate(party.identifiers if party else ()):
                code = (ident.system or "").removeprefix("iso6523:")
                if code == "SEPA" and role in ("seller", "payee"):
                    continue  # the SEPA creditor identifier, which CEN allows them
                if (ident.system or "").startswith("iso6523:") and code not in icd:
                    self.fail("BR-CL-10", f"the {role}'s identifier {ident.value!r} has the "
                              f"scheme {code!r}, not an ISO 6523 ICD code",
                              f"$.{role}.identifiers[{i}]")
        for i, att in enumerate(inv.attachments):
            if att.content and att.mime_type and att.mime_type not in codelists.mime_codes():
                self.fail("BR-CL-24", f"the attachment's MIME code {att.mime_type!r} is not "
                          "one EN 16931 allows", f"$.attachments[{i}].mime_type")

    def row(self, category: str, family: str, i: int, row: TaxSubtotal,
            lines: list[tuple[Decimal | None, Decimal]]) -> None:
        path = f"$.tax_breakdown[{i}]"
        same = [amount for rate, amount in lines
                if category not in _RATED or (rate is not None and row.rate is not None
                                              and rate == row.rate)]
        total = sum(same, ZERO)
        if not row.taxable_amount - 1 < total < row.taxable_amount + 1:
            self.fail(f"{family}-08", f"the taxable amount of {_name(row)} is "
                      f"{row.taxable_amount}; its lines, allowances and charges add up to "
                      f"{total}", f"{path}.taxable_amount")
        if category not in _RATED and row.tax_amount != 0:
            self.fail(f"{family}-09", f"the VAT amount of category {category} is "
                      f"{row.tax_amount}; it must be 0", f"{path}.tax_amount")
        if category in _RATED and row.rate is not None:
            expected = _r2(row.taxable_amount * row.rate / HUNDRED)
            if not abs(row.tax_amount) - 1 < abs(expected) < abs(row.tax_amount) + 1:
                self.fail(f"{family}-09", f"the VAT amount of {_name(row)} is "
                          f"{row.tax_amount}; taxable x rate = {expected}",
                          f"{path}.tax_amount")
        has_reason = bool(row.exemption_reason or row.exemption_code)
        if category in ("S", "Z", "L", "M") and has_reason:
            self.fail(f"{family}-10", f"a VAT breakdown of category {category} has an "
                      "exemption reason", f"{path}.exemption_reason")
        if category in ("E", "AE", "K", "O", "G") and not has_reason:
            self.fail(f"{family}-10", f"the VAT breakdown of category {category} has no "
                      "exemption reason (code or text)", f"{path}.exemption_reason")

    def decimals(self) -> None:
        inv = self.invoice
        amounts: list[tuple[str, Decimal | None]] = []
        if inv.totals is not None:
            amounts += [(f"$.totals.{f}", getattr(inv.totals, f)) for f in (
                "line_net", "allowances", "charges", "net", "tax", "gross", "paid",
                "rounding", "due")]
        amounts += [(f"$.tax_breakdown[{i}].{f}", getattr(r, f))
                    for i, r in enumerate(inv.tax_breakdown)
                    for f in ("taxable_amount", "tax_amount")]
        amounts += [(f"$.lines[{i}].net_amount", ln.net_amount)
                    for i, ln in enumerate(inv.lines)]
        amounts += [(f"$.allowance_charges[{i}].amount", a.amount)
                    for i, a in enumerate(inv.allowance_charges)]
        for path, value in amounts:
            if _decimals(value) > 2:
                self.fail("BR-DEC", f"the amount {value} has more than two decimals", path)


def _name(row: TaxSubtotal) -> str:
    rate = "" if row.rate is None else f" {format(row.rate.normalize(), 'f')} %"
    return f"category {row.category or '?'}{rate}"


def validate_en16931(invoice: Invoice) -> list[Finding]:
    """Every EN 16931 rule the invoice breaks (an empty list when it passes)."""
    return _Checker(invoice).run()


_EU = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
})


def _note(found: list[Issue], code: str, message: str, path: str) -> None:
    found.append(Issue(Level.INFO, message, code, path))


def country_code(value: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country given by code, alpha-3 code or name
    ("Czech Republic", "Canada", "CZE"), from pycountry's ISO tables; None when unknown."""
    import pycountry  # loaded only when completing or validating

    try:
        found = pycountry.countries.lookup(value.strip())
    except LookupError:
        return None
    return str(found.alpha_2)


def _country_coded(party: Party | None, role: str, found: list[Issue]) -> Party | None:
    """A party whose address country is its ISO 3166 code (BT-40, BT-55: VosFactures
    keeps what the user typed, "Canada"); a name ISO does not know is left for BR-CL-14."""
    if party is None or party.address is None or not party.address.country:
        return party
    given = party.address.country
    if len(given) == 2 and given.isupper():
        return party
    code = country_code(given)
    if code is None:
        return party
    _note(found, "en16931.country", f"the {role}'s country {given!r} is written as its ISO "
          f"3166 code {code}", f"$.{role}.address.country")
    return attrs.evolve(party, address=attrs.evolve(party.address, country=code))


def _vat_prefixed(party: Party | None, role: str, found: list[Issue]) -> Party | None:
    """A party whose VAT numbers carry their country prefix (BR-CO-09): a national number
    given without it gets the ISO code of the party's country, the country that issued it
    (EL for Greece), as the rule requires."""
    if party is None:
        return None
    country = (party.address.country or "").upper() if party.address else ""
    prefix = "EL" if country == "GR" else country
    if len(prefix) != 2 or not prefix.isalpha() or country_code(country) is None:
        return party
    idents = []
    for i, ident in enumerate(party.identifiers):
        if ident.scheme is IdentifierScheme.VAT and ident.value[:2].upper() != prefix \
                and not ident.value[:2].isalpha():
            value = prefix + ident.value.replace(" ", "")
            _note(found, "en16931.vat_prefix", f"the {role}'s VAT number {ident.value!r} is "
                  f"written {value!r} (country prefix, BR-CO-09)",
                  f"$.{role}.identifiers[{i}]")
            ident = attrs.evolve(ident, value=value)
        idents.append(ident)
    return attrs.evolve(party, identifiers=tuple(idents))


def _line_category(tax: Tax) -> str:
    if tax.disabled:
        return "O"
    return "S" if tax.rate is not None and tax.rate > 0 else "Z"


def complete_en16931(invoice: Invoice) -> tuple[Invoice, list[Issue]]:
    """The invoice with what EN 16931 requires and its own data determines: VAT categories
    from the rates (S above zero, Z at zero, O when not subject), the unit code C62 (one)
    where none is given, line numbers, line net amounts, the VAT breakdown and the missing
    totals computed from the lines, VAT numbers with their country prefix. Each completion
    is reported (INFO), nothing reported by the source is changed."""
    from passeur.model.totals import TaxRounding, computed_line_net, recompute, tax_breakdown

    invoice, found = fold_sales_taxes(invoice)
    lines = []
    notes = list(invoice.notes)
    for i, line in enumerate(invoice.lines):
        if line.kind not in (LineKind.ITEM, LineKind.PRODUCT_GROUP):
            text = " ".join(t for t in (line.name, line.description) if t)
            if text:  # EN 16931 has no text lines: their text becomes a note (BT-22)
                notes.append(Note(text=text))
            _note(found, "en16931.text_line", f"line {i + 1} is a {line.kind.value} line, "
                  "which EN 16931 has not: " + ("its text is an invoice note" if text else
                                                "left out"), f"$.lines[{i}]")
            continue
        changes: dict[str, Any] = {}
        taxes = tuple(attrs.evolve(t, category=_category_code(t)) if _vat(t) and not t.category
                      else t for t in line.taxes)
        if taxes != line.taxes:
            changes["taxes"] = taxes
            _note(found, "en16931.category", f"line {i + 1}: VAT category "
                  f"{_category(taxes).category} from its rate", f"$.lines[{i}].taxes")  # type: ignore[union-attr]
        if not line.unit:
            changes["unit"] = "C62"
        if not line.id:
            changes["id"] = str(i + 1)
        if line.net_amount is None:
            net = computed_line_net(line, invoice.currency)
            if net is not None:
                changes["net_amount"] = net
        lines.append(attrs.evolve(line, **changes) if changes else line)
    others = sorted({t.scheme for ln in lines for t in ln.taxes if not _vat(t)})
    if others:  # what fold_sales_taxes could not fold: a rate missing, VAT beside another tax
        found.append(Issue(Level.WARNING, f"the lines are taxed {' and '.join(others)}, which "
                           "EN 16931 cannot carry: its only tax is VAT, one category and rate "
                           "per line (BT-151, BT-152); they are written as they are, and the "
                           "file is not EN 16931-valid", "en16931.non_vat_tax", "$.lines"))
    if any(not ln.unit for ln in invoice.lines if ln.kind is LineKind.ITEM):
        _note(found, "en16931.unit", "lines without a unit are written with unit code C62 "
              "(one)", "$.lines")
    done = attrs.evolve(invoice, lines=tuple(lines), notes=tuple(notes),
                        seller=_vat_prefixed(_country_coded(invoice.seller, "seller", found),
                                             "seller", found),
                        buyer=_vat_prefixed(_country_coded(invoice.buyer, "buyer", found),
                                            "buyer", found))
    reported = done.totals
    if not done.tax_breakdown and any(ln.taxes for ln in done.lines):
        rows = tax_breakdown(done)
        if reported is not None and reported.tax is not None and sum(
                (r.tax_amount for r in rows), ZERO) != reported.tax:
            per_line = tax_breakdown(done, tax_rounding=TaxRounding.PER_LINE)
            if sum((r.tax_amount for r in per_line), ZERO) == reported.tax:
                rows = per_line
        done = attrs.evolve(done, tax_breakdown=tuple(
            attrs.evolve(r, taxable_amount=_r2(r.taxable_amount)) for r in rows))
        _note(found, "en16931.breakdown", "the VAT breakdown (BG-23) is computed from the "
              "lines", "$.tax_breakdown")
    computed = recompute(done)
    totals = reported or computed
    # the mandatory totals only (BR-12 ... BR-15); the VAT total BT-110 is optional
    priced = any(ln.kind in (LineKind.ITEM, LineKind.PRODUCT_GROUP) for ln in done.lines)
    filled = {f: getattr(computed, f) for f in ("line_net", "net", "gross", "due")
              if priced and getattr(totals, f) is None and getattr(computed, f) is not None}
    if filled:
        if "due" in filled and totals.gross is not None:
            filled["due"] = totals.gross - (totals.paid or ZERO) + (totals.rounding or ZERO)
        done = attrs.evolve(done, totals=attrs.evolve(totals, **filled))
        _note(found, "en16931.totals", f"totals computed from the lines: {', '.join(filled)}",
              "$.totals")
    return done, found


def _category_code(tax: Tax) -> str:
    return _line_category(tax)
