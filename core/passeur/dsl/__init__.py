"""The mapping language: parse, check, compile and run mapping files both ways.

See docs/mapping-language.md for the language. The pipeline is
text -> `parse_text` (AST with positions) -> `analyze_*` (checked IR, problems as values)
-> generated Python -> `CompiledMapping` (`forward`, `backward`, `explain_*`).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
    from passeur.dsl.parser import parse_file, parse_text
    from passeur.dsl.printer import format_file, format_text
    from passeur.dsl.problems import (
        MappingCompileError,
        MappingRuleError,
        MappingSyntaxError,
        Problem,
    )
    from passeur.dsl.routes import Route, find_route
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


#: Where each public name lives: every one is imported on first use, so that a start
#: running a route from the cache imports neither the syntax tree, the IR nor the checker
#: (the loader, which compiles, imports them all), nor the parser and lark (a warm start
#: reads parsed files from the cache).
_HOMES = {
    "MappingFile": "ast", "RuleInScope": "ast", "iter_paths": "ast", "iter_rules": "ast",
    "CompiledMapping": "compiled", "FunctionError": "functions",
    "MappingFunction": "functions", "Analysis": "loader", "analyze_file": "loader",
    "analyze_mapping": "loader", "analyze_text": "loader", "compile_analysis": "loader",
    "compile_text": "loader", "load_mapping": "loader", "format_file": "printer",
    "format_text": "printer", "MappingCompileError": "problems",
    "MappingRuleError": "problems", "MappingSyntaxError": "problems", "Problem": "problems",
    "ABSENT": "values", "Result": "values", "Side": "values", "TraceEntry": "values",
    "find_route": "routes", "Route": "routes", "parse_file": "parser",
    "parse_text": "parser",
}


def __getattr__(name: str) -> object:
    import importlib

    home = _HOMES.get(name)
    if home is None:
        try:  # a submodule, as the package imported them all before (`dsl.values`)
            return importlib.import_module(f"passeur.dsl.{name}")
        except ModuleNotFoundError:
            pass
        raise AttributeError(f"module 'passeur.dsl' has no attribute {name!r}")
    return getattr(importlib.import_module(f"passeur.dsl.{home}"), name)
