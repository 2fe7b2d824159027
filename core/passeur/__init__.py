"""passeur: convert business documents between accounting systems through readable mappings.

The public API for plugin authors and embedding tools. Import from here (or from
`passeur.model`); anything else is internal and may change.

The names are imported on first use (PEP 562), so `import passeur` (which every
`passeur` command does first) costs nothing until one is needed: `passeur --version`
imports none of them.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from passeur.canonical import fields_of
    from passeur.engine.documents import (
        BinaryReader,
        BinaryWriter,
        CsvReader,
        CsvWriter,
        DocumentReader,
        DocumentWriter,
        FixedWidthField,
        FixedWidthReader,
        JsonReader,
        JsonWriter,
        XmlReader,
        XmlWriter,
    )
    from passeur.engine.io import InputProblem, RawDocument, dump_json
    from passeur.engine.wire import (
        WireFormat,
        Written,
        canonical_read,
        read_fields,
        to_decimal,
        write_fields,
    )
    from passeur.errors import (
        DuplicateSystemError,
        InputError,
        MappingError,
        MappingRuntimeError,
        OutputError,
        PasseurError,
        PluginError,
        PluginHookError,
        PluginLoadError,
        StructureError,
        TransportError,
        UnknownDocumentTypeError,
        UnknownSystemError,
        UsageError,
        WriteRefusedError,
        WriteVetoedError,
    )
    from passeur.fieldspecs import field, fields, read_only, read_only_fields
    from passeur.hookspecs import hookimpl
    from passeur.issues import Issue, IssuePolicy, Level, MappingPosition
    from passeur.numbers import NumberError, parse_decimal
    from passeur.plugins import PluginRecord, Registry, load_registry, make_plugin_manager
    from passeur.registering import registers
    from passeur.schema import (
        Capabilities,
        ConfigField,
        DocumentType,
        FieldSpec,
        FieldType,
        SystemSpec,
    )
    from passeur.wire_checks import (
        WRONG_SYSTEM,
        expect_list,
        expect_object,
        not_this_system,
        wire_error,
    )

__version__ = "0.1.0"

#: public name -> the module that defines it
_WHERE = {
    "BinaryReader": "passeur.engine.documents",
    "BinaryWriter": "passeur.engine.documents",
    "Capabilities": "passeur.schema",
    "ConfigField": "passeur.schema",
    "CsvReader": "passeur.engine.documents",
    "CsvWriter": "passeur.engine.documents",
    "DocumentReader": "passeur.engine.documents",
    "DocumentType": "passeur.schema",
    "DocumentWriter": "passeur.engine.documents",
    "DuplicateSystemError": "passeur.errors",
    "FieldSpec": "passeur.schema",
    "FieldType": "passeur.schema",
    "FixedWidthField": "passeur.engine.documents",
    "FixedWidthReader": "passeur.engine.documents",
    "InputError": "passeur.errors",
    "InputProblem": "passeur.engine.io",
    "Issue": "passeur.issues",
    "IssuePolicy": "passeur.issues",
    "JsonReader": "passeur.engine.documents",
    "JsonWriter": "passeur.engine.documents",
    "Level": "passeur.issues",
    "MappingError": "passeur.errors",
    "MappingPosition": "passeur.issues",
    "MappingRuntimeError": "passeur.errors",
    "NumberError": "passeur.numbers",
    "OutputError": "passeur.errors",
    "PasseurError": "passeur.errors",
    "PluginError": "passeur.errors",
    "PluginHookError": "passeur.errors",
    "PluginLoadError": "passeur.errors",
    "PluginRecord": "passeur.plugins",
    "RawDocument": "passeur.engine.io",
    "Registry": "passeur.plugins",
    "StructureError": "passeur.errors",
    "SystemSpec": "passeur.schema",
    "TransportError": "passeur.errors",
    "UnknownDocumentTypeError": "passeur.errors",
    "UnknownSystemError": "passeur.errors",
    "UsageError": "passeur.errors",
    "WireFormat": "passeur.engine.wire",
    "canonical_read": "passeur.engine.wire",
    "WriteRefusedError": "passeur.errors",
    "WriteVetoedError": "passeur.errors",
    "WRONG_SYSTEM": "passeur.wire_checks",
    "Written": "passeur.engine.wire",
    "XmlReader": "passeur.engine.documents",
    "XmlWriter": "passeur.engine.documents",
    "dump_json": "passeur.engine.io",
    "expect_list": "passeur.wire_checks",
    "expect_object": "passeur.wire_checks",
    "field": "passeur.fieldspecs",
    "fields": "passeur.fieldspecs",
    "fields_of": "passeur.canonical",
    "hookimpl": "passeur.hookspecs",
    "load_registry": "passeur.plugins",
    "make_plugin_manager": "passeur.plugins",
    "not_this_system": "passeur.wire_checks",
    "parse_decimal": "passeur.numbers",
    "read_fields": "passeur.engine.wire",
    "read_only": "passeur.fieldspecs",
    "read_only_fields": "passeur.fieldspecs",
    "registers": "passeur.registering",
    "to_decimal": "passeur.engine.wire",
    "wire_error": "passeur.wire_checks",
    "write_fields": "passeur.engine.wire",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'passeur' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next access is a plain global
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "WRONG_SYSTEM",
    "BinaryReader",
    "BinaryWriter",
    "Capabilities",
    "ConfigField",
    "CsvReader",
    "CsvWriter",
    "DocumentReader",
    "DocumentType",
    "DocumentWriter",
    "DuplicateSystemError",
    "FieldSpec",
    "FieldType",
    "FixedWidthField",
    "FixedWidthReader",
    "InputError",
    "InputProblem",
    "Issue",
    "IssuePolicy",
    "JsonReader",
    "JsonWriter",
    "Level",
    "MappingError",
    "MappingPosition",
    "MappingRuntimeError",
    "NumberError",
    "OutputError",
    "PasseurError",
    "PluginError",
    "PluginHookError",
    "PluginLoadError",
    "PluginRecord",
    "RawDocument",
    "Registry",
    "StructureError",
    "SystemSpec",
    "TransportError",
    "UnknownDocumentTypeError",
    "UnknownSystemError",
    "UsageError",
    "WireFormat",
    "WriteRefusedError",
    "WriteVetoedError",
    "Written",
    "XmlReader",
    "XmlWriter",
    "__version__",
    "canonical_read",
    "dump_json",
    "expect_list",
    "expect_object",
    "field",
    "fields",
    "fields_of",
    "hookimpl",
    "load_registry",
    "make_plugin_manager",
    "not_this_system",
    "parse_decimal",
    "read_fields",
    "read_only",
    "read_only_fields",
    "registers",
    "to_decimal",
    "wire_error",
    "write_fields",
]
