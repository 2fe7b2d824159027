"""XML documents as the plain data mappings work on, and back, guided by a declared tree.

A standard XML syntax (UBL, CII) is declared once as a tree of `Node`s in schema order: each
element's local name, namespace prefix, value kind, whether it repeats, and its attributes.
From that one declaration passeur derives the field schema the mapping checker resolves paths
against (`field_specs`), the reader (`read_tree`: XML to plain data, Decimal amounts, ISO
dates, repeated elements as lists) and the writer (`write_tree`: elements in schema order, so
the output follows the XSD sequence). What a mapping file cannot say about XML stays here:
namespaces, element order, and attributes, which become sibling keys named `Element_attr`
(`EndpointID_schemeID`). An amount's `currencyID` is left out of the plain data when it is
the document currency, and written from it. Elements the tree does not declare (a national
flavour's extensions) are kept as XML text with their path, never dropped.

lxml is imported by the functions that read or write XML, not with the module: a plugin
builds its field schema from its tree when the registry loads, which needs no XML.
"""

from __future__ import annotations

import copy as copy_module
import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from passeur.issues import Issue, Level
from passeur.schema import FieldSpec, FieldType
from passeur.xml import location

__all__ = ["UNMAPPED", "Node", "Tree", "field_specs", "group", "leaf", "read_tree", "write_tree"]

#: The key under which elements the tree does not declare are kept, as XML text.
UNMAPPED = "UnmappedXML"

_KINDS = {
    "text": FieldType.STRING, "code": FieldType.STRING, "decimal": FieldType.DECIMAL,
    "amount": FieldType.DECIMAL, "quantity": FieldType.DECIMAL, "date": FieldType.DATE,
    "date102": FieldType.DATE, "bool": FieldType.BOOLEAN, "indicator": FieldType.BOOLEAN,
    "binary": FieldType.STRING,
    "group": FieldType.OBJECT,
}


@attrs.frozen
class Node:
    """One element: `prefix:Name`, its kind, whether it repeats, attributes, children.

    Kinds: text, code, decimal, amount (Decimal with a currencyID), quantity, date
    (YYYY-MM-DD), date102 (a CII date: a `DateTimeString format="102"` child, YYYYMMDD),
    bool (true/false), indicator (a CII `udt:Indicator` child holding true/false), binary
    (base64 text), group (children).
    """

    tag: str
    kind: str = "text"
    many: bool = False
    attrs: tuple[str, ...] = ()
    children: tuple[Node, ...] = ()
    doc: str = ""

    @property
    def prefix(self) -> str:
        return self.tag.partition(":")[0] if ":" in self.tag else ""

    @property
    def name(self) -> str:
        return self.tag.rpartition(":")[2]


def leaf(tag: str, kind: str = "text", *attrs_: str, many: bool = False, doc: str = "") -> Node:
    """A leaf element (no children)."""
    return Node(tag, kind, many, tuple(attrs_), (), doc)


def group(tag: str, *children: Node, many: bool = False, attrs: tuple[str, ...] = (),
          doc: str = "") -> Node:
    """An element holding other elements."""
    return Node(tag, "group", many, attrs, tuple(children), doc)


@attrs.frozen
class Tree:
    """A syntax: its namespaces by prefix, the root's namespace and name, and its children.

    `currency_key` names the element holding the document currency (amounts in it carry
    no `_currencyID` key) when every amount has a currencyID (UBL); without it (CII) only
    the attributes a node declares are read and written. `date_prefix` is the namespace
    prefix of CII's DateTimeString and Indicator.
    """

    namespaces: Mapping[str, str]
    root_prefix: str
    root: str
    children: tuple[Node, ...]
    currency_key: str | None = None
    date_prefix: str = "udt"

    def uri(self, prefix: str) -> str:
        return self.namespaces[prefix]


def _spec(node: Node) -> list[FieldSpec]:
    kind = _KINDS[node.kind]
    nested = tuple(s for child in node.children for s in _spec(child))
    if node.kind == "group":
        nested = tuple(FieldSpec(f"{a}", FieldType.STRING) for a in node.attrs) + nested
        specs = [FieldSpec(node.name, FieldType.LIST if node.many else FieldType.OBJECT,
                           fields=nested, description=node.doc)]
        return specs
    if node.many:
        specs = [FieldSpec(node.name, FieldType.LIST, fields=(
            FieldSpec("value", kind), *(FieldSpec(a, FieldType.STRING) for a in node.attrs),
            *((FieldSpec("currencyID", FieldType.STRING),)
              if node.kind == "amount" and "currencyID" not in node.attrs else ())),
            description=node.doc)]
        return specs
    specs = [FieldSpec(node.name, kind, description=node.doc)]
    specs += [FieldSpec(f"{node.name}_{a}", FieldType.STRING) for a in node.attrs]
    if node.kind == "amount" and "currencyID" not in node.attrs:
        specs.append(FieldSpec(f"{node.name}_currencyID", FieldType.STRING))
    return specs


def field_specs(tree: Tree) -> tuple[FieldSpec, ...]:
    """The field schema of the plain data `read_tree` gives (for the mapping checker)."""
    specs = [s for child in tree.children for s in _spec(child)]
    specs.append(FieldSpec(UNMAPPED, FieldType.LIST, fields=(
        FieldSpec("path", FieldType.STRING), FieldSpec("after", FieldType.STRING),
        FieldSpec("xml", FieldType.STRING)),
        description="elements this syntax's tree does not declare, kept as XML text"))
    return tuple(specs)


# --- reading -----------------------------------------------------------------------------


class _Reader:
    def __init__(self, tree: Tree, source: str) -> None:
        self.tree = tree
        self.source = source
        self.issues: list[Issue] = []
        self.unmapped: list[dict[str, str]] = []
        self.currency: str | None = None
        self._indexes: dict[int, dict[str, tuple[Node, str]]] = {}

    def problem(self, element: Any, message: str) -> None:
        self.issues.append(Issue(Level.ERROR, f"{message} at {location(element)}",
                                 "xml.value", f"$xml:{location(element)}", self.source or None))

    def value(self, node: Node, element: Any) -> Any:
        text = element.text or ""
        kind = node.kind
        if kind in ("text", "code", "binary"):
            return text.strip() if kind == "code" else text
        stripped = text.strip()
        if kind in ("decimal", "amount", "quantity"):
            try:
                number = Decimal(stripped)
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite():
                self.problem(element, f'"{stripped}" is not a number')
                return stripped
            return number
        if kind == "date":
            try:
                return datetime.date.fromisoformat(stripped)
            except ValueError:
                self.problem(element, f'"{stripped}" is not a date (YYYY-MM-DD)')
                return stripped
        if kind == "date102":
            inner = next(iter(element), None)
            if inner is None:
                self.problem(element, "a date without its DateTimeString")
                return None
            raw = (inner.text or "").strip()
            fmt = inner.get("format", "102")
            try:
                if fmt != "102":
                    raise ValueError
                return datetime.date(int(raw[:4]), int(raw[4:6]), int(raw[6:8])) \
                    if len(raw) == 8 and raw.isdigit() else datetime.date.fromisoformat("x")
            except ValueError:
                self.problem(inner, f'"{raw}" is not a date in format {fmt} (YYYYMMDD)')
                return raw
        if kind == "indicator":
            inner = next(iter(element), None)
            stripped = (inner.text or "").strip() if inner is not None else stripped
        if kind in ("bool", "indicator"):
            if stripped in ("true", "1"):
                return True
            if stripped in ("false", "0"):
                return False
            self.problem(element, f'"{stripped}" is not true or false')
            return stripped
        raise AssertionError(kind)  # pragma: no cover

    def index(self, nodes: Sequence[Node]) -> dict[str, tuple[Node, str]]:
        """The nodes by the Clark name of their element (`{uri}local`), with their name:
        built once per list of nodes, looked up for every element."""
        key = id(nodes)
        found = self._indexes.get(key)
        if found is None:
            found = self._indexes[key] = {
                (f"{{{self.tree.uri(n.prefix)}}}{n.name}" if n.prefix else n.name): (n, n.name)
                for n in nodes}
        return found

    def keep(self, parent: Any, child: Any) -> None:
        """Keep an element the tree does not declare, with where it stood: its parent's
        path and the names of the siblings before it (nearest first), to put it back."""
        from lxml import etree

        before = []
        for sibling in child.itersiblings(preceding=True):
            if isinstance(sibling.tag, str):
                before.append(etree.QName(sibling).localname)
            if len(before) == 8:
                break
        self.unmapped.append({"path": location(parent).split(" (")[0],
                              "after": " ".join(before), "xml": _xml_text(child)})

    def children(self, nodes: Sequence[Node], element: Any, out: dict[str, Any]) -> None:
        by_tag = self.index(nodes)
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):  # comments, processing instructions
                continue
            hit = by_tag.get(tag)
            if hit is None:
                self.keep(element, child)
                continue
            node, name = hit
            item = self.element(node, child)
            if node.many:
                out.setdefault(name, []).append(item)
            elif name in out:
                self.issues.append(Issue(
                    Level.INFO, f"{name} is repeated at {location(child)}; only the "
                    "first is mapped (EN 16931 has one); the others are kept as XML",
                    "xml.repeated", f"$.{name}", self.source or None))
                self.keep(element, child)
            elif node.kind == "group":
                out[name] = item
            else:
                out.update(item)

    def element(self, node: Node, element: Any) -> Any:
        if node.kind == "group":
            out: dict[str, Any] = {a: element.get(a) for a in node.attrs
                                   if element.get(a) is not None}
            self.children(node.children, element, out)
            return out
        value = self.value(node, element)
        attrs_ = {a: element.get(a) for a in node.attrs if element.get(a) is not None}
        if node.kind == "amount" and self.tree.currency_key is not None:
            cur = element.get("currencyID")
            if cur is not None and cur != self.currency:
                attrs_["currencyID"] = cur
        if node.many:
            return {"value": value, **attrs_}
        return {node.name: value, **{f"{node.name}_{k}": v for k, v in attrs_.items()}}


def _xml_text(element: Any) -> str:
    """An element as standalone XML text, declaring only the namespaces it uses."""
    from lxml import etree

    copy = copy_module.deepcopy(element)
    etree.cleanup_namespaces(copy)
    text: str = etree.tostring(copy, encoding="unicode", with_tail=False)
    return text


def read_tree(tree: Tree, root: Any, source: str = "") -> tuple[dict[str, Any], list[Issue]]:
    """Plain data from a parsed root element (already checked to be `tree`'s root)."""
    reader = _Reader(tree, source)
    if tree.currency_key is not None:
        reader.currency = _find_currency(tree, root)
    out: dict[str, Any] = {}
    reader.children(tree.children, root, out)
    if reader.unmapped:
        out[UNMAPPED] = reader.unmapped
    return out, reader.issues


def _find_currency(tree: Tree, root: Any) -> str | None:
    from lxml import etree

    key = tree.currency_key
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname == key:
            return (element.text or "").strip() or None
    return None


# --- writing -----------------------------------------------------------------------------


class _Writer:
    def __init__(self, tree: Tree, currency: str | None) -> None:
        self.tree = tree
        self.currency = currency

    def qname(self, prefix: str, name: str) -> str:
        return f"{{{self.tree.uri(prefix)}}}{name}" if prefix else name

    def text(self, node: Node, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, Decimal):
            return format(value, "f")
        if isinstance(value, str) and node.kind in ("date", "date102"):
            try:  # a date that travelled as ISO text (in an extension)
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return str(value)
        if isinstance(value, datetime.date):
            return value.strftime("%Y%m%d") if node.kind == "date102" else value.isoformat()
        if isinstance(value, float):
            raise TypeError("a float reached the XML writer; amounts must be Decimal")
        return str(value)

    def leaf(self, parent: Any, node: Node, value: Any, attrs_: Mapping[str, Any]) -> None:
        from lxml import etree

        element = etree.SubElement(parent, self.qname(node.prefix, node.name))
        if node.kind == "date102":
            inner = etree.SubElement(element, self.qname(self.tree.date_prefix,
                                                         "DateTimeString"))
            inner.set("format", "102")
            inner.text = self.text(node, value)
        elif node.kind == "indicator":
            inner = etree.SubElement(element, self.qname(self.tree.date_prefix, "Indicator"))
            inner.text = self.text(node, value)
        else:
            element.text = self.text(node, value)
        for name in node.attrs:
            if attrs_.get(name) not in (None, ""):
                element.set(name, str(attrs_[name]))
        if node.kind == "amount" and self.tree.currency_key is not None:
            cur = attrs_.get("currencyID") or self.currency
            if cur:
                element.set("currencyID", str(cur))

    def children(self, parent: Any, nodes: Sequence[Node], data: Mapping[str, Any]) -> None:
        from lxml import etree

        for node in nodes:
            value = data.get(node.name)
            if value is None:
                continue
            items = value if node.many and isinstance(value, list) else [value]
            for item in items:
                if node.kind == "group":
                    if not isinstance(item, Mapping):
                        raise TypeError(f"{node.name} must be an object, not {item!r}")
                    element = etree.SubElement(parent, self.qname(node.prefix, node.name))
                    for name in node.attrs:
                        if item.get(name) not in (None, ""):
                            element.set(name, str(item[name]))
                    self.children(element, node.children, item)
                elif node.many:
                    if isinstance(item, Mapping):
                        if item.get("value") is not None:
                            self.leaf(parent, node, item["value"], item)
                    else:
                        self.leaf(parent, node, item, {})
                else:
                    attrs_ = {a: data.get(f"{node.name}_{a}")
                              for a in (*node.attrs, "currencyID")}
                    self.leaf(parent, node, item, attrs_)


def write_tree(tree: Tree, data: Mapping[str, Any], root_name: str | None = None) -> bytes:
    """The XML document (UTF-8, with a declaration) for plain data of `tree`'s shape."""
    from lxml import etree

    nsmap = {p or None: uri for p, uri in tree.namespaces.items() if p != tree.root_prefix}
    nsmap[None if not tree.root_prefix else tree.root_prefix] = tree.uri(tree.root_prefix)
    name = root_name or tree.root
    root = etree.Element(f"{{{tree.uri(tree.root_prefix)}}}{name}", nsmap=nsmap)
    currency = data.get(tree.currency_key) if tree.currency_key else None
    writer = _Writer(tree, str(currency) if currency else None)
    writer.children(root, tree.children, data)
    for item in data.get(UNMAPPED) or ():
        _reinsert(tree, root, item)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True)
    return out


def _reinsert(tree: Tree, root: Any, item: Mapping[str, Any]) -> None:
    """Put a kept element back under the element its path names: after the last sibling of
    the same name (a repeated element), else at the end. A parent that was not written (it
    held nothing else) is created at its place in the schema order."""
    from lxml import etree

    try:
        element = etree.fromstring(str(item["xml"]), etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False))
    except (etree.XMLSyntaxError, KeyError):
        return
    parent = root
    nodes: Sequence[Node] = tree.children
    for step in str(item.get("path", "")).strip("/").split("/")[1:]:
        name, _, index = step.partition("[")
        local = name.rpartition(":")[2]
        node = next((n for n in nodes if n.name == local), None)
        matches = [c for c in parent if isinstance(c.tag, str)
                   and etree.QName(c).localname == local]
        position = int(index.rstrip("]")) - 1 if index else 0
        if position < len(matches):
            parent = matches[position]
        elif node is not None and position == len(matches) == 0:
            parent = _create(tree, parent, node, nodes)
        else:
            return
        nodes = node.children if node is not None else ()
    same = [c for c in parent if isinstance(c.tag, str) and c.tag == element.tag]
    if same:
        same[-1].addnext(element)
        return
    for name in str(item.get("after") or "").split():  # after its nearest sibling written
        found = [c for c in parent if isinstance(c.tag, str)
                 and etree.QName(c).localname == name]
        if found:
            found[-1].addnext(element)
            return
    if "after" in item:  # it came first
        parent.insert(0, element)
    else:
        parent.append(element)


def _create(tree: Tree, parent: Any, node: Node, siblings: Sequence[Node]) -> Any:
    """A new empty `node` element under `parent`, before the siblings the schema puts after."""
    from lxml import etree

    later = {n.name for n in siblings[list(siblings).index(node) + 1:]}
    element = etree.Element(f"{{{tree.uri(node.prefix)}}}{node.name}" if node.prefix
                            else node.name)
    for child in parent:
        if isinstance(child.tag, str) and etree.QName(child).localname in later:
            child.addprevious(element)
            return element
    parent.append(element)
    return element
