"""The mapping language: parse, check, compile and run mapping files both ways.

See docs/mapping-language.md for the language. The pipeline is
text -> `parse_text` (AST with positions) -> `analyze_*` (checked IR, problems as values)
-> generated Python -> `CompiledMapping` (`forward`, `backward`, `explain_*`).
"""

from passeur.dsl.ast import MappingFile, RuleInScope, iter_paths, iter_rules
from passeur.dsl.compiled import CompiledMapping
from passeur.dsl.functions import FunctionError, MappingFunction
from passeur.dsl.loader import (
    Analysis,
    analyze_file,
    analyze_mapping,
    analyze_text,
    compile_analysis,
    compile_text,
    load_mapping,
)
from passeur.dsl.printer import format_file, format_text
from passeur.dsl.problems import (
    MappingCompileError,
    MappingRuleError,
    MappingSyntaxError,
    Problem,
)
from passeur.dsl.values import ABSENT, Result, Side, TraceEntry

__all__ = [
    "ABSENT",
    "Analysis",
    "CompiledMapping",
    "FunctionError",
    "MappingCompileError",
    "MappingFile",
    "MappingFunction",
    "MappingRuleError",
    "MappingSyntaxError",
    "Problem",
    "Result",
    "Route",
    "RuleInScope",
    "Side",
    "TraceEntry",
    "analyze_file",
    "analyze_mapping",
    "analyze_text",
    "compile_analysis",
    "compile_text",
    "find_route",
    "format_file",
    "format_text",
    "iter_paths",
    "iter_rules",
    "load_mapping",
    "parse_file",
    "parse_text",
]


def __getattr__(name: str) -> object:
    # Routes read mapping folders and compile only the chosen files: loaded on first use.
    if name in ("find_route", "Route"):
        from passeur.dsl import routes

        return getattr(routes, name)
    # the parser (and lark) only when something is parsed: a warm start reads the cache
    if name in ("parse_file", "parse_text"):
        from passeur.dsl import parser

        return getattr(parser, name)
    raise AttributeError(f"module 'passeur.dsl' has no attribute {name!r}")
