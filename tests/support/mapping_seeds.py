"""Seed mapping texts for the mapping-file fuzz tests (tests/fuzz/test_fuzz_files.py): the
shipped mappings use few of the constructs added for issue 9, so these small texts use each
of them (let, ^. and $., each ... where, group ... by ... where, each key, value in ... via /
as, prefix and unprefix, before and after, position(), lookup, a table from a CSV file,
French numbers, + joining texts, a let from an included library), each with an example that
runs, so that an edit lands near them."""

from __future__ import annotations

#: The CSV file and the library the seeds read, written beside the fuzzed file.
CLIENTS_CSV = "NoClient;Nom;Ville\nC1;Dupont SA;Lyon\nC2;Martin et fils;Nantes\n"
LIBRARY = "let taux = 0.15\ntable modes\n  1 <-> \"cash\"\nend\n"

_HEADER = "mapping acomba.invoice <-> passeur.invoice\n\n"

SEEDS: dict[str, str] = {
    "let.map": _HEADER + """\
each LigneFacture <-> lines where QteFacture > 0
  let net = QteFacture * PrixFinal
  net -> net_amount
  QteFacture <-> quantity
  PrixFinal <-> unit_price_net
  text(position()) -> extensions.line_number
  concat($.NoFacture, "/", text(QteFacture)) -> description
  ^.DateFacture -> extensions.invoice_date
  let computed = net_amount = quantity * unit_price_net
  ExtendedProperties.net <- text(net_amount) when not computed
end

example "lines"
  left {"NoFacture": "F7", "DateFacture": "2024-04-24",
        "LigneFacture": [{"QteFacture": 3, "PrixFinal": 2.50},
                         {"QteFacture": 0, "PrixFinal": 1}]}
  right {"lines": [{"quantity": 3, "unit_price_net": 2.50, "net_amount": 7.50,
                    "description": "F7/3", "extensions": {"line_number": "1",
                    "invoice_date": "2024-04-24"}}]}
end
""",
    "group.map": """\
mapping vosfactures.invoice <-> passeur.invoice

each positions <-> lines
  quantity <-> quantity
  total_price_net <-> net_amount
  tax <-> extensions.vat
end
group positions -> tax_breakdown by tax where quantity > 0
  number(tax) -> rate
  sum(total_price_net) -> taxable_amount
  round(sum(total_price_net) * number(tax) / 100, 2) -> tax_amount
  text(count()) + "/" + text(position()) -> code
end

example "by rate"
  left {"positions": [{"quantity": 2, "total_price_net": 100.00, "tax": "21"},
                      {"quantity": 1, "total_price_net": 10.50, "tax": "6"}]}
  right {"lines": [{"quantity": 2, "net_amount": 100.00, "extensions": {"vat": "21"}},
                   {"quantity": 1, "net_amount": 10.50, "extensions": {"vat": "6"}}],
         "tax_breakdown": [{"rate": 21, "taxable_amount": 100.00, "tax_amount": 21.00,
                            "code": "1/1"},
                           {"rate": 6, "taxable_amount": 10.50, "tax_amount": 0.63,
                            "code": "1/2"}]}
end
""",
    "keys.map": _HEADER + """\
table property_names
  "NoVendeurExterne" <-> "seller_ref"
  "Entrepot"         <-> "warehouse"
end

each key, value in ExtendedProperties <-> extensions via property_names
each LigneFacture <-> lines
  each key, value in ExtendedProperties <-> extensions as unprefix(key, "x_")
end

example "keys"
  left {"ExtendedProperties": {"NoVendeurExterne": "V-12", "Entrepot": {"code": 3}}}
  right {"extensions": {"seller_ref": "V-12", "warehouse": {"code": 3}}}
end
""",
    "parts.map": _HEADER + """\
before(InfoClientFacturerA.NomClient, " ") <-> buyer.name
after(InfoClientFacturerA.NomClient, " ") <-> buyer.extensions.last_name
unprefix(NoFacture, "F-") <-> number
prefix(ExtendedProperties.po, "PO") <-> extensions.po
french_number(ExtendedProperties.montant, " ") <-> totals.net keep
french_number_text(TotalFacture, " ") -> extensions.total_text
NoFacture + "-" + text(TotalFacture) -> extensions.ref

example "parts"
  left {"NoFacture": "F-7", "TotalFacture": 1234.5,
        "InfoClientFacturerA": {"NomClient": "Jean Paul Dupont"},
        "ExtendedProperties": {"montant": "1 234,50"}}
  right {"number": "7", "buyer": {"name": "Jean", "extensions": {"last_name": "Paul Dupont"}},
         "totals": {"net": 1234.50},
         "extensions": {"total_text": "1 234,5", "ref": "F-7-1234.5"}}
end
""",
    "joins.map": _HEADER + """\
include "library.map"
table clients from "clients.csv" NoClient <-> Nom
table villes from "clients.csv" NoClient -> Ville else "?"

InfoClientFacturerA.NoClient <-> buyer.name via clients
InfoClientFacturerA.NoClient -> buyer.address.city via villes
TotalFacture * taux -> totals.tax
each LigneFacture -> lines
  QteFacture -> quantity
  lookup($.ExtendedProperties.produits, "Code", strNoProduit, "Nom", "?") -> name
end

example "joins"
  left {"InfoClientFacturerA": {"NoClient": "C2"}, "TotalFacture": 10,
        "ExtendedProperties": {"produits": [{"Code": "SCIE", "Nom": "Scie"}]},
        "LigneFacture": [{"strNoProduit": "SCIE", "QteFacture": 1},
                         {"strNoProduit": "X", "QteFacture": 3}]}
  right {"buyer": {"name": "Martin et fils", "address": {"city": "Nantes"}},
         "totals": {"tax": 1.50},
         "lines": [{"quantity": 1, "name": "Scie"}, {"quantity": 3, "name": "?"}]}
end
""",
}
