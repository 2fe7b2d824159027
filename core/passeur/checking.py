"""What `passeur check` runs on mapping files, for the CLI, the conformance kit and plugins:
the language's checks (schemas, functions, laws) and the examples, a pair mapping's run
through the converter `convert --mapping` builds, so an example shows what convert writes.

It sits above both the mapping language and the engine: the language's checker takes the
converter as a parameter (`passeur.dsl.checker`, `pipeline=`), and this module hands it the
engine's, so neither package imports the other's upper half.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from passeur.dsl import checker
from passeur.dsl.checker import FileReport
from passeur.engine.examples import example_pipeline
from passeur.plugins import Registry

__all__ = ["FileReport", "check_file", "check_paths", "check_text"]


def check_text(text: str, file: str, registry: Registry, *, run: bool = True) -> FileReport:
    """Check mapping text named `file`; `run=False` skips compiling and running examples."""
    return checker.check_text(text, file, registry, run=run, pipeline=example_pipeline)


def check_file(path: str | Path, registry: Registry, *, run: bool = True) -> FileReport:
    """Check one mapping file (messages name it as given)."""
    return checker.check_file(path, registry, run=run, pipeline=example_pipeline)


def check_paths(paths: Iterable[str | Path], registry: Registry) -> list[FileReport]:
    """Check files, and every `*.map` file under directories, in a stable order."""
    return checker.check_paths(paths, registry, pipeline=example_pipeline)
