"""Failures of infrastructure are exceptions; problems in documents are `Issue` values.

Every exception passeur raises on purpose derives from `PasseurError`, so an embedding
tool can catch one class. The tree::

    PasseurError
    ├── UsageError                  bad arguments or configuration given by the user
    │   ├── UnknownSystemError      a system name no plugin provides ("did you mean ...")
    │   └── UnknownDocumentTypeError
    ├── PluginError                 a plugin that cannot be used
    │   ├── PluginLoadError         importing the plugin failed
    │   ├── PluginHookError         a hook misspelled or with a wrong signature
    │   └── DuplicateSystemError    two distributions provide one system name
    ├── InputError                  a file or stream that cannot be read as documents
    │   └── StructureError          data that does not fit a model class (carries data paths)
    ├── OutputError                 an output file that cannot be written (nothing replaced)
    ├── MappingError                a mapping file that cannot be parsed, checked or compiled
    │   └── MappingRuntimeError     a compiled mapping failed on one document
    ├── TransportError              talking to a live system failed (see passeur.http)
    ├── WriteVetoedError            a plugin's before-write hook refused a record
    └── WriteRefusedError           a writer cannot put a document in its format

`Issue` (in `passeur.issues`) is what a conversion or a check returns for a document
problem; exceptions are for what stops the work.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "DuplicateSystemError",
    "InputError",
    "MappingError",
    "MappingRuntimeError",
    "OutputError",
    "PasseurError",
    "PluginError",
    "PluginHookError",
    "PluginLoadError",
    "StructureError",
    "TransportError",
    "UnknownDocumentTypeError",
    "UnknownSystemError",
    "UsageError",
    "WriteRefusedError",
    "WriteVetoedError",
]


class PasseurError(Exception):
    """Root of every exception raised by passeur on purpose."""


class UsageError(PasseurError):
    """The user asked for something that cannot be done as asked."""


class UnknownSystemError(UsageError):
    """A system name that no loaded plugin provides."""

    def __init__(self, name: str, known: Sequence[str], suggestion: str | None = None) -> None:
        self.name = name
        self.known = tuple(known)
        self.suggestion = suggestion
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        listing = ", ".join(self.known) or "none"
        super().__init__(f"unknown system {name!r}{hint} (known systems: {listing})")


class UnknownDocumentTypeError(UsageError):
    """A document type that a system does not declare."""

    def __init__(
        self, system: str, name: str, known: Sequence[str], suggestion: str | None = None
    ) -> None:
        self.system = system
        self.name = name
        self.known = tuple(known)
        self.suggestion = suggestion
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        listing = ", ".join(self.known) or "none"
        super().__init__(
            f"system {system!r} has no document type {name!r}{hint} (it has: {listing})"
        )


class PluginError(PasseurError):
    """A plugin that cannot be used; the other plugins keep working."""


class PluginLoadError(PluginError):
    """Importing a plugin's entry point failed."""


class PluginHookError(PluginError):
    """A plugin implements a hook that does not exist or with the wrong arguments."""


class DuplicateSystemError(PluginError):
    """Two distributions register a system under the same name."""


class InputError(PasseurError):
    """Input that cannot be read as documents (bad JSON, wrong encoding...)."""


class StructureError(InputError):
    """Data that does not fit a model class; `paths` lists each problem with its data path."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.problems = tuple(problems)
        detail = "".join(f"\n  {p}" for p in self.problems)
        super().__init__(message + detail)


class OutputError(PasseurError):
    """An output that cannot be written (full disk, missing folder); the target is untouched."""


class MappingError(PasseurError):
    """A mapping file that cannot be parsed, checked or compiled."""


class MappingRuntimeError(MappingError):
    """A compiled mapping failed on one document; the message names file:line:col and path."""


class TransportError(PasseurError):
    """Talking to a live system failed; subclasses in passeur.http classify why."""


class WriteVetoedError(PasseurError):
    """A `passeur_before_write` hook returned an ERROR issue: the record was not sent."""


class WriteRefusedError(PasseurError):
    """A wire format's writer cannot represent a document (a Factur-X PDF without the
    invoice's PDF, XML its schema refuses); the conversion reports it as the document's
    error instead of failing the run."""
