"""Mapping engine benchmark: one realistic invoice conversion run by every engine in one run.

The conversion (Acomba invoice -> canonical invoice): a header, 10 lines, a value table
(TypeDoc), a default (shipping charges), a computed total (sum of quantity x price) and
per-line computed amounts. Legs:

  hand      a hand-written Python function with Decimal (the baseline, ratio 1.00)
  compiled  the passeur mapping below, compiled (passeur.dsl.compile_text)
  jq, jsonata-python, jsonatapy, glom: established
            engines from PyPI, each given the document in the form it takes (floats for
            the JSON engines: they have no exact decimals).

The hand-written function and the compiled mapping each run on two kinds of document: built
with Decimal everywhere, and read from JSON text with `parse_float=Decimal` (as passeur's
readers do), where a whole quantity (`"QteFacture": 2`) is an `int`, so that quantity x price
is int x Decimal. Each compiled leg's ratio is to the hand-written leg on the same kind.

Prints documents/second and the ratio to the baseline measured in the same run, and checks
that every leg computes the same total (the JSON engines' float totals are reported as they
come out). Install the engines with `pip install -e '.[bench]'`.

Run:  python benchmarks/mapping.py [--docs 2000] [--repeat 5]
(the JSON engines are slow: the default run takes about a minute)
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

MAPPING = """\
mapping acomba.invoice <-> passeur.invoice

table doc_kind
  "FACTURES"    <-> "invoice"
  "SOUMISSIONS" <-> "quote"
  "COMMANDES"   <-> "order"
end

NoFacture <-> number
date(DateFacture) <-> issue_date
TypeDoc <-> kind via doc_kind
InfoClientFacturerA.NomClient <-> buyer.name
"CAD" -> currency
FraisDeTransport -> totals.charges default 0
sum(LigneFacture, QteFacture * PrixFinal) -> totals.line_net

each LigneFacture <-> lines key strNoProduit = product_code
  strNoProduit <-> product_code
  DescriptionLigne <-> description
  QteFacture <-> quantity
  UniteMesure <-> unit
  PrixFinal <-> unit_price_net
  QteFacture * PrixFinal -> net_amount
end
"""

DOC_KIND = {"FACTURES": "invoice", "SOUMISSIONS": "quote", "COMMANDES": "order"}


def make_document(seed: int = 0, whole_as_int: bool = False) -> dict[str, Any]:
    """An Acomba invoice (10 lines, every amount a Decimal; with `whole_as_int`, a whole
    quantity is an int, as JSON text gives it)."""
    lines = []
    for n in range(10):
        quantity = Decimal(n % 4 + 1) + Decimal("0.5") * (n % 2)
        lines.append({
            "NoLigneFacture": n + 1,
            "strNoProduit": f"PRD-{seed:03}-{n:02}",
            "DescriptionLigne": f"Produit numéro {n} (lot {seed})",
            "QteFacture": int(quantity) if whole_as_int and n % 2 == 0 else quantity,
            "UniteMesure": "UN",
            "PrixFinal": Decimal("0.30") + Decimal(n) * Decimal("1.15"),
        })
    return {
        "NoFacture": f"{10044 + seed}",
        "TypeDoc": "FACTURES" if seed % 3 else "SOUMISSIONS",
        "DateFacture": "2024-04-24",
        "InfoClientFacturerA": {"NoClient": "C-77", "NomClient": "Quincaillerie Beaulieu"},
        "LigneFacture": lines,
    }


# -- (b) the hand-written baseline --------------------------------------------------------


def hand_written(doc: dict[str, Any]) -> dict[str, Any]:
    """What an engineer writes by hand for this conversion, with Decimal."""
    out: dict[str, Any] = {}
    if "NoFacture" in doc:
        out["number"] = doc["NoFacture"]
    if "DateFacture" in doc:
        out["issue_date"] = datetime.date.fromisoformat(doc["DateFacture"])
    if "TypeDoc" in doc:
        out["kind"] = DOC_KIND[doc["TypeDoc"]]
    client = doc.get("InfoClientFacturerA")
    if isinstance(client, dict) and "NomClient" in client:
        out["buyer"] = {"name": client["NomClient"]}
    out["currency"] = "CAD"
    charges = doc.get("FraisDeTransport")
    totals: dict[str, Any] = {"charges": Decimal(0) if charges is None else charges}
    lines = doc.get("LigneFacture", [])
    totals["line_net"] = sum((ln["QteFacture"] * ln["PrixFinal"] for ln in lines), Decimal(0))
    out["totals"] = totals
    out_lines = []
    for ln in lines:
        item: dict[str, Any] = {}
        for source, target in (("strNoProduit", "product_code"),
                               ("DescriptionLigne", "description"),
                               ("QteFacture", "quantity"), ("UniteMesure", "unit"),
                               ("PrixFinal", "unit_price_net")):
            if source in ln:
                item[target] = ln[source]
        item["net_amount"] = ln["QteFacture"] * ln["PrixFinal"]
        out_lines.append(item)
    out["lines"] = out_lines
    return out


# -- (c) established engines ----------------------------------------------------------------

JQ_PROGRAM = """{
  number: .NoFacture, issue_date: .DateFacture,
  kind: ({"FACTURES": "invoice", "SOUMISSIONS": "quote", "COMMANDES": "order"}[.TypeDoc]),
  buyer: {name: .InfoClientFacturerA.NomClient}, currency: "CAD",
  totals: {charges: (.FraisDeTransport // 0),
           line_net: ([.LigneFacture[] | .QteFacture * .PrixFinal] | add)},
  lines: [.LigneFacture[] | {product_code: .strNoProduit, description: .DescriptionLigne,
          quantity: .QteFacture, unit: .UniteMesure, unit_price_net: .PrixFinal,
          net_amount: (.QteFacture * .PrixFinal)}]
}"""

JSONATA_EXPRESSION = """{
  "number": NoFacture, "issue_date": DateFacture,
  "kind": $lookup({"FACTURES": "invoice", "SOUMISSIONS": "quote", "COMMANDES": "order"},
                  TypeDoc),
  "buyer": {"name": InfoClientFacturerA.NomClient}, "currency": "CAD",
  "totals": {"charges": $exists(FraisDeTransport) ? FraisDeTransport : 0,
             "line_net": $sum(LigneFacture.(QteFacture * PrixFinal))},
  "lines": [LigneFacture.{"product_code": strNoProduit, "description": DescriptionLigne,
            "quantity": QteFacture, "unit": UniteMesure, "unit_price_net": PrixFinal,
            "net_amount": QteFacture * PrixFinal}]
}"""


def read_from_json(doc: dict[str, Any]) -> Any:
    """The document written as JSON text and read back as passeur's readers read it
    (`parse_float=Decimal`: a whole number stays an int). Every amount here has a short
    exact float repr, so writing it through float loses nothing."""
    return json.loads(json.dumps(doc, default=float), parse_float=Decimal)


def _floats(doc: dict[str, Any]) -> Any:
    """The document as the JSON engines take it: numbers as floats (they have no Decimal)."""
    return json.loads(json.dumps(doc, default=float))


def engine_legs() -> dict[str, tuple[Callable[[Any], Any], str, str]]:
    """name -> (convert, input form, note); engines that do not import are left out."""
    legs: dict[str, tuple[Callable[[Any], Any], str, str]] = {}
    try:
        import jq

        program = jq.compile(JQ_PROGRAM)
        legs["jq"] = (lambda d: program.input_value(d).first(), "float", "jq 1.x binding")
    except ImportError:
        pass
    try:
        from jsonata import Jsonata

        expression = Jsonata(JSONATA_EXPRESSION)
        legs["jsonata-python"] = (expression.evaluate, "float", "pure Python JSONata")
    except ImportError:
        pass
    try:
        import jsonatapy

        compiled = jsonatapy.compile(JSONATA_EXPRESSION)
        legs["jsonatapy"] = (compiled.evaluate, "float", "JSONata in Rust (PyO3 binding)")
    except ImportError:
        pass
    try:
        from glom import Coalesce, glom

        def line_spec(ln: dict[str, Any]) -> dict[str, Any]:
            return glom(ln, {"product_code": "strNoProduit", "description": "DescriptionLigne",
                             "quantity": "QteFacture", "unit": "UniteMesure",
                             "unit_price_net": "PrixFinal",
                             "net_amount": lambda x: x["QteFacture"] * x["PrixFinal"]})

        spec = {
            "number": "NoFacture",
            "issue_date": ("DateFacture", datetime.date.fromisoformat),
            "kind": ("TypeDoc", DOC_KIND.__getitem__),
            "buyer": {"name": "InfoClientFacturerA.NomClient"},
            "currency": lambda _: "CAD",
            "totals": {"charges": Coalesce("FraisDeTransport", default=Decimal(0)),
                       "line_net": ("LigneFacture", [lambda x: x["QteFacture"]
                                                     * x["PrixFinal"]],
                                    lambda xs: sum(xs, Decimal(0)))},
            "lines": ("LigneFacture", [line_spec]),
        }
        legs["glom"] = (lambda d: glom(d, spec), "decimal", "Python lambdas for arithmetic")
    except ImportError:
        pass
    return legs


# -- the run -------------------------------------------------------------------------------


def measure(legs: list[tuple[Callable[[Any], Any], list[Any]]], repeat: int) -> list[float]:
    """Documents per second of each leg, best of `repeat` passes. The passes go round the
    legs in turn, so a slow moment of the machine does not fall on one leg only."""
    best = [float("inf")] * len(legs)
    for _ in range(repeat):
        for index, (convert, docs) in enumerate(legs):
            start = time.perf_counter()
            for doc in docs:
                convert(doc)
            best[index] = min(best[index], time.perf_counter() - start)
    return [len(docs) / elapsed for (_, docs), elapsed in zip(legs, best, strict=True)]


def compiled_leg() -> Callable[[Any], Any] | None:
    try:
        import passeur.dsl as dsl

        compiled = dsl.compile_text(MAPPING, "benchmark.map")
    except (ImportError, AttributeError) as exc:
        print(f"compiled: not available ({type(exc).__name__}: {exc})", file=sys.stderr)
        return None
    return compiled.forward  # called as is, like the baseline; the Result holds .value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    docs = [make_document(i) for i in range(args.docs)]
    json_docs = [read_from_json(make_document(i, whole_as_int=True)) for i in range(args.docs)]
    assert json_docs[0]["LigneFacture"][0]["QteFacture"].__class__ is int
    float_docs = [_floats(d) for d in docs]
    expected = hand_written(docs[0])

    # (name, convert, inputs, note, index of the leg its ratio is to)
    legs: list[tuple[str, Callable[[Any], Any], list[Any], str, int]] = [
        ("hand-written (Decimal)", hand_written, docs, "baseline", 0),
        ("hand-written (JSON)", hand_written, json_docs, "baseline for JSON documents", 1)]
    compiled = compiled_leg()
    if compiled is not None:
        for name, inputs, base in (("passeur compiled", docs, 0),
                                   ("passeur compiled (JSON)", json_docs, 1)):
            result = compiled(inputs[0]).value
            wanted = hand_written(inputs[0])
            same = result == wanted and not compiled(inputs[0]).issues
            legs.append((name, compiled, inputs, "same output as its baseline" if same
                         else "OUTPUT DIFFERS from its baseline", base))
            if not same:
                print(f"compiled output: {result!r}\nbaseline: {wanted!r}", file=sys.stderr)
    for name, (convert, form, note) in engine_legs().items():
        inputs = float_docs if form == "float" else docs
        total = convert(inputs[0])["totals"]["line_net"]
        exact = Decimal(repr(total) if isinstance(total, float) else str(total)) == (
            expected["totals"]["line_net"])
        legs.append((name, convert, inputs,
                     f"{note}; line_net {total!r}" + ("" if exact else " (not exact)"), 0))

    print(f"mapping benchmark: {args.docs} invoices x 10 lines, best of {args.repeat}")
    print(f"{'engine':<26}{'docs/s':>10}{'ratio':>8}  notes (ratio to its baseline)")
    rates = measure([(convert, inputs) for _, convert, inputs, _, _ in legs], args.repeat)
    for (name, _, _, note, base), rate in zip(legs, rates, strict=True):
        print(f"{name:<26}{rate:>10.0f}{rate / rates[base]:>8.2f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
