"""passeur: convert business documents between accounting systems through readable mappings.

The public API for plugin authors and embedding tools. Import from here (or from
`passeur.model`); anything else is internal and may change.
"""

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
from passeur.engine.wire import WireFormat, Written, read_fields, to_decimal, write_fields
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
from passeur.hookspecs import hookimpl
from passeur.issues import Issue, IssuePolicy, Level, MappingPosition
from passeur.numbers import NumberError, parse_decimal
from passeur.plugins import PluginRecord, Registry, load_registry, make_plugin_manager
from passeur.schema import Capabilities, ConfigField, DocumentType, FieldSpec, FieldType, SystemSpec

__version__ = "0.1.0"

__all__ = [
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
    "dump_json",
    "fields_of",
    "hookimpl",
    "load_registry",
    "make_plugin_manager",
    "parse_decimal",
    "read_fields",
    "to_decimal",
    "write_fields",
]
