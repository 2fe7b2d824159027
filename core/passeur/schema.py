"""What a system declares about itself: document types, field schemas, capabilities, settings.

These declarations are data the engine reads (the mapping checker resolves paths against the
field schemas; the engine refuses an operation a capability does not grant). Core never
branches on a system's name.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

__all__ = [
    "Capabilities",
    "ConfigField",
    "DocumentType",
    "FieldSpec",
    "FieldType",
    "SystemSpec",
]


class FieldType(enum.Enum):
    """The type of a field as its system writes it on the wire."""

    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"  # quantities, rates, money; read as Decimal, never float
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    ENUM = "enum"  # a string among `allowed`
    OBJECT = "object"  # nested fields in `fields`
    LIST = "list"  # a list of objects described by `fields`
    ANY = "any"  # free-form (extension bags, dictionaries)


@attrs.frozen
class FieldSpec:
    """One field of a document type.

    `required` holds everywhere; `required_in` names the variants (e.g. the ERP behind ERP
    Connector) where it is required in addition, so "Acomba requires NoFacture, QuickBooks
    generates it" is data, not code.
    """

    name: str
    type: FieldType = FieldType.STRING
    required: bool = False
    read_only: bool = False
    allowed: tuple[str, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    description: str = ""
    required_in: frozenset[str] = frozenset()
    generated_in: frozenset[str] = frozenset()

    def is_required(self, variant: str | None = None) -> bool:
        """Whether a writer must provide this field for the given variant."""
        if variant is not None and variant in self.generated_in:
            return False
        return self.required or (variant is not None and variant in self.required_in)

    def child(self, name: str) -> FieldSpec | None:
        """The nested field called `name`, if this is an object or a list of objects."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        return None


@attrs.frozen
class Capabilities:
    """What the engine may do with one document type of one system."""

    list: bool = False
    get: bool = False
    create: bool = False
    update: bool = False
    delete: bool = False
    void: bool = False
    incremental: bool = False  # can list what changed since a cursor
    idempotency: str | None = None  # how duplicate creates are refused, e.g. "oid_unique"
    natural_keys: tuple[str, ...] = ()  # fields that identify a record across systems

    def granted(self) -> tuple[str, ...]:
        """Names of the operations granted, for display."""
        ops = ("list", "get", "create", "update", "delete", "void", "incremental")
        return tuple(op for op in ops if getattr(self, op))


@attrs.frozen
class DocumentType:
    """A kind of record a system holds (invoice, client...) and how it maps to the hub.

    `canonical` names the canonical document type it converts to (`invoice`, `party`...).
    `variant_capabilities` overrides `capabilities` per variant (ERP Connector's matrix).
    `created_id_fields` are the fields of a create answer that hold the new document's id,
    the first one present wins (`push` reports it).
    """

    name: str
    fields: tuple[FieldSpec, ...]
    capabilities: Capabilities = Capabilities()
    canonical: str | None = None
    description: str = ""
    variant_capabilities: Mapping[str, Capabilities] = attrs.field(factory=dict)
    created_id_fields: tuple[str, ...] = ("id",)

    def field(self, name: str) -> FieldSpec | None:
        """The top-level field called `name`."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        return None

    def resolve(self, path: Iterable[str]) -> FieldSpec | None:
        """The field at a dotted path (list fields are entered transparently), or None."""
        specs: tuple[FieldSpec, ...] = self.fields
        found: FieldSpec | None = None
        for part in path:
            found = next((s for s in specs if s.name == part), None)
            if found is None:
                return None
            specs = found.fields
        return found

    def capabilities_for(self, variant: str | None) -> Capabilities:
        """The capabilities that hold for one variant of the system."""
        if variant is not None and variant in self.variant_capabilities:
            return self.variant_capabilities[variant]
        return self.capabilities


@attrs.frozen
class ConfigField:
    """One setting of a connection to a system; `secret` ones are read from the environment.

    `instead` names settings that, given together, stand in for a required one (an API token
    or a login and password), so alternatives are data and not code in the connection reader.
    """

    name: str
    type: FieldType = FieldType.STRING
    required: bool = False
    secret: bool = False
    default: Any = None
    allowed: tuple[str, ...] = ()
    description: str = ""
    instead: tuple[str, ...] = ()

    def satisfied_by(self, given: Mapping[str, Any]) -> bool:
        """Whether `given` settings meet this field's requirement."""
        if not self.required or self.name in given:
            return True
        return bool(self.instead) and all(name in given for name in self.instead)


@attrs.frozen
class SystemSpec:
    """Everything a plugin declares about one system.

    `variant_setting` names the configuration field that selects a variant (for ERP Connector,
    `erp`); `variants` lists its values. `client_factory(config)` builds a live API client and
    `sandbox_factory(**options)` a local sandbox application, when the system has them;
    `sync_adapter(client, variant)` its part of a sync (passeur.engine.sync.SyncAdapter), and
    `demo()` a `passeur.engine.sync.DemoScenario` that `passeur demo` runs.
    `sandbox_options` declares the sandbox's own options (its credentials...), which
    `passeur sandbox SYSTEM --NAME VALUE` takes and its help lists; `secret` ones are never
    echoed. `schema_version` goes into the key of compiled mapping caches. `aliases` are other
    names people call the system by (the SRC system is `sagesrc`, and `src` on the command
    line): `passeur sandbox`, `route` and the other commands that resolve a system name
    accept them; files and bindings keep `name`.
    """

    name: str
    title: str
    document_types: tuple[DocumentType, ...]
    description: str = ""
    config: tuple[ConfigField, ...] = ()
    variants: tuple[str, ...] = ()
    variant_setting: str | None = None
    schema_version: str = "1"
    client_factory: Callable[..., Any] | None = None
    sandbox_factory: Callable[..., Any] | None = None
    sync_adapter: Callable[..., Any] | None = None
    demo: Callable[[], Any] | None = None
    sandbox_options: tuple[ConfigField, ...] = ()
    aliases: tuple[str, ...] = ()

    def document_type(self, name: str) -> DocumentType | None:
        """The document type called `name`, or None."""
        for doctype in self.document_types:
            if doctype.name == name:
                return doctype
        return None

    @property
    def document_type_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.document_types)
