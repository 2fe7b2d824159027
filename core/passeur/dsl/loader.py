"""Mapping text or file -> `CompiledMapping`: includes, header, checks, code, disk cache.

`analyze_*` return every problem as a value (for `passeur check`); `compile_text` and
`load_mapping` raise one `MappingCompileError` listing them all.
"""

from __future__ import annotations

import functools
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any

import attrs

from passeur.dsl import ast, cache, reads
from passeur.dsl.cache import parse_file, parse_text  # the parser, through the cache
from passeur.dsl.codegen import Generated, generate
from passeur.dsl.compiled import CompiledMapping
from passeur.dsl.ir import IRBlock, IRMapping, analyze
from passeur.dsl.layers import written
from passeur.dsl.lets import bind_library_lets, top_lets
from passeur.dsl.problems import MappingCompileError, MappingSyntaxError, Problem
from passeur.dsl.runtime import Facts
from passeur.dsl.values import ABSENT, Side
from passeur.errors import PasseurError

if TYPE_CHECKING:
    from passeur.plugins import Registry

__all__ = ["Analysis", "analyze_file", "analyze_mapping", "analyze_text", "compile_analysis",
           "compile_text", "default_registry",
           "load_mapping"]


@functools.cache
def default_registry() -> Registry:
    """The registry of installed plugins, loaded once per process when none is given."""
    from passeur.plugins import load_registry

    return load_registry()


@attrs.define
class Analysis:
    """A parsed and checked mapping, with every problem found (empty when it compiles)."""

    file: str
    mapping: ast.MappingFile | None
    statements: list[tuple[str, ast.Statement]]
    files: list[ast.MappingFile]
    ir: IRMapping | None
    left: Side | None
    right: Side | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _side(registry: Registry, ref: ast.SideRef) -> Side:
    try:
        spec, variant = registry.resolve(ref.system)
    except PasseurError:  # unknown systems are the checker's to report
        return Side(ref.system, None, ref.doctype, ref.text)
    return Side(spec.name, variant, ref.doctype, ref.text)


def _expand(mapping: ast.MappingFile, directory: Path, problems: list[Problem],
            files: list[ast.MappingFile], stack: tuple[Path, ...],
            seen: set[Path]) -> list[tuple[str, ast.Statement]]:
    """The statements of a file with its includes spliced in (origin file kept)."""
    out: list[tuple[str, ast.Statement]] = []
    statements = list(mapping.statements)
    library: dict[str, ast.Let] = {}  # the `let`s of the libraries included so far
    for index, statement in enumerate(statements):
        if not isinstance(statement, ast.Include):
            out.append((mapping.file, statement))
            continue
        target = (directory / statement.path).resolve()
        where = (mapping.file, statement.line, statement.column)
        if target in stack:
            problems.append(Problem(*where, f"include cycle: {statement.path} includes "
                                    "itself (directly or through other files)", "include",
                                    mapping.source))
            continue
        if target in seen:
            problems.append(Problem(*where, f"{statement.path} is already included",
                                    "include", mapping.source))
            continue
        seen.add(target)
        try:
            included = parse_file(target)
        except OSError as exc:
            problems.append(Problem(*where, f"cannot read included file {statement.path}: "
                                    f"{exc.strerror or exc}", "include", mapping.source))
            continue
        except UnicodeDecodeError:
            problems.append(Problem(*where, f"included file {statement.path} is not UTF-8 "
                                    "text; save it as UTF-8", "include", mapping.source))
            continue
        except MappingSyntaxError as exc:
            problems.append(exc.problem)
            continue
        included = attrs.evolve(included, file=_display(target, statement.path, mapping.file))
        files.append(included)
        for inner in included.statements:
            if isinstance(inner, (ast.Header, ast.Extends)):
                problems.append(Problem(included.file, inner.line, inner.column,
                                        "an included file is a library: it cannot have a "
                                        "`mapping` header or `extends`", "include",
                                        included.source))
        expanded = _expand(included, target.parent, problems, files, (*stack, target), seen)
        given = top_lets(s for _, s in expanded)
        if given:  # the rules after the include see the library's `let`s
            library.update(given)
            statements[index + 1:] = bind_library_lets(mapping, statements[index + 1:],
                                                       library)
        out.extend(expanded)
    return out


def _display(target: Path, written: str, parent: str) -> str:
    """How messages name an included file: next to its parent's name, as written."""
    if parent.startswith("<"):
        return str(target)
    return str(Path(parent).parent / written)


def _check_layout(mapping: ast.MappingFile, problems: list[Problem]) -> None:
    headers = [s for s in mapping.statements if isinstance(s, ast.Header)]
    if not headers:
        problems.append(Problem(mapping.file, 1, 1, "a mapping file starts with a header "
                                "such as `mapping SYSTEM.DOCTYPE <-> passeur.DOCTYPE`",
                                "header", mapping.source))
    if headers and mapping.statements[0] is not headers[0]:
        h = headers[0]
        problems.append(Problem(mapping.file, h.line, h.column, "the `mapping` header must "
                                "be the first line of the file", "header", mapping.source))
    for extra in headers[1:]:
        problems.append(Problem(mapping.file, extra.line, extra.column, "a file has one "
                                "`mapping` header", "header", mapping.source))
    for index, statement in enumerate(mapping.statements):
        if isinstance(statement, ast.Extends) and (
                index != 1 or not isinstance(mapping.statements[0], ast.Header)):
            problems.append(Problem(mapping.file, statement.line, statement.column,
                                    f"`extends {statement.text}` must come right after the "
                                    "header", "extends", mapping.source))
    if not mapping.extends:
        for drop in _drops(mapping.statements):
            problems.append(Problem(mapping.file, drop.line, drop.column, "`drop` removes "
                                    "what a base writes, so it only belongs in a layer: a "
                                    "file with `extends route` or `extends NAME` after its "
                                    "header", "drop", mapping.source))


def _drops(statements: tuple[ast.Statement, ...]) -> list[ast.Drop]:
    found: list[ast.Drop] = []
    for statement in statements:
        if isinstance(statement, ast.Drop):
            found.append(statement)
        elif isinstance(statement, ast.Each):
            found.extend(_drops(statement.body))
    return found


def analyze_mapping(mapping: ast.MappingFile, registry: Registry | None = None,
                    base_dir: Path | None = None) -> Analysis:
    """Check a parsed file: includes, header, names, arrows and lenses. Never raises for
    problems in the mapping; they are all in `Analysis.problems`."""
    registry = registry if registry is not None else default_registry()
    problems: list[Problem] = []
    files = [mapping]
    _check_layout(mapping, problems)
    directory = base_dir if base_dir is not None else (
        Path(mapping.file).parent if not mapping.file.startswith("<") else Path.cwd())
    start = (directory / Path(mapping.file).name).resolve() if not mapping.file.startswith(
        "<") else directory / "<text>"
    statements = _expand(mapping, directory, problems, files, (start,), set())
    ir = analyze(files, statements, registry.functions)
    problems.extend(ir.problems)
    header = mapping.header
    left = _side(registry, header.left) if header else None
    right = _side(registry, header.right) if header else None
    return Analysis(mapping.file, mapping, statements, files, ir, left, right, problems)


def analyze_text(text: str, filename: str = "<text>", registry: Registry | None = None,
                 base_dir: Path | None = None) -> Analysis:
    """Parse and check; a syntax error becomes the one problem of the analysis."""
    try:
        mapping = parse_text(text, filename)
    except MappingSyntaxError as exc:
        return Analysis(filename, None, [], [], None, None, None, [exc.problem])
    return analyze_mapping(mapping, registry, base_dir)


def analyze_file(path: str | Path, registry: Registry | None = None) -> Analysis:
    """Read (UTF-8, a BOM accepted) and check a file; text that is not UTF-8 is the one
    problem of the analysis, at the line and column of the first bad byte."""
    path = Path(path)
    data = path.read_bytes()
    reads.note(path, data)  # a route cached from this file checks it is unchanged
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Analysis(str(path), None, [], [], None, None, None,
                        [not_utf8(str(path), data, exc)])
    return analyze_text(text, str(path), registry, path.parent)


def not_utf8(file: str, data: bytes, exc: UnicodeDecodeError) -> Problem:
    """A file that is not UTF-8 text, said where and how to fix it."""
    line = data.count(b"\n", 0, exc.start) + 1
    column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
    return Problem(file, line, column, f"the file is not UTF-8 text (byte "
                   f"0x{data[exc.start]:02x}); save it as UTF-8", "encoding")


def tables_of(ir_tables: dict[str, ast.Table]) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """Lookup dicts per (table, direction); the first entry wins, fallbacks apart."""
    tables: dict[Any, Any] = {}
    fallbacks: dict[Any, Any] = {}
    for name, table in ir_tables.items():
        for direction in ("forward", "backward"):
            lookup: dict[Any, Any] = {}
            for source, target in table.pairs(direction):
                lookup.setdefault(source, target)
            tables[(name, direction)] = lookup
            fallback = table.fallback(direction)
            if fallback is None:
                fallbacks[(name, direction)] = ABSENT
            else:
                value = fallback.right if direction == "forward" else fallback.left
                fallbacks[(name, direction)] = value.value if value is not None else None
    return tables, fallbacks


def _let_names(ir: IRMapping) -> dict[int, str]:
    """The rule-table index of every `let` (top-level and in blocks) -> its name."""
    names = {found.index: found.let.name for found in ir.lets}
    stack = [item for item in ir.items if isinstance(item, IRBlock)]
    while stack:
        block = stack.pop()
        names.update((found.index, found.let.name) for found in block.lets)
        stack.extend(item for item in block.body if isinstance(item, IRBlock))
    return names



def _exact_written(ir: IRMapping, direction: str) -> tuple[tuple[tuple[str, ...], bool], ...]:
    """The top-level paths written in one direction, each with whether the rule is exact."""
    out: list[tuple[tuple[str, ...], bool]] = []
    for item in ir.items:
        if direction not in item.directions:
            continue
        if isinstance(item, IRBlock):
            path = item.each.right if direction == "forward" else item.each.left
            out.append((path.parts, item.each.arrow == ast.BOTH))
        elif item.rule.arrow == ast.BOTH:
            lens = item.right_lens if direction == "forward" else item.left_lens
            assert lens is not None
            out.append((lens.path.parts, True))
        else:
            target = item.rule.right if direction == "forward" else item.rule.left
            if isinstance(target, ast.Path):
                out.append((target.parts, False))
    return tuple(out)


def facts_of(mapping: ast.MappingFile, ir: IRMapping) -> Facts:
    """What the compiled code needs of the IR at run time, drawn once (see runtime.Facts)."""
    tables, fallbacks = tables_of(ir.tables)
    directions = ("forward", "backward")
    rebuilt = frozenset(
        item.each.left.parts[0] for item in ir.items
        if isinstance(item, IRBlock) and "backward" in item.directions
        and len(item.each.left.parts) == 1)
    extends = mapping.extends_statement
    what = None if extends is None else ("the route" if extends.is_route else extends.text)
    return Facts(tuple(ir.rules), _let_names(ir), rebuilt,
                 {d: _exact_written(ir, d) for d in directions},
                 {d: tuple(written(ir, d)) for d in directions}, tables, fallbacks,
                 tuple(ir.functions), mapping.extends, what)


def _fingerprint(analysis: Analysis, registry: Registry, explain: bool) -> str:
    texts = [f.source for f in analysis.files]
    versions = []
    for side in (analysis.left, analysis.right):
        spec = registry.systems.get(side.system) if side else None
        versions.append(spec.schema_version if spec is not None else None)
    functions = sorted((name, getattr(f, "inverse", None), bool(getattr(f, "lossy", False)))
                       for name, f in registry.functions.items())
    # a table read from a CSV file is part of the mapping: its rows are in the key
    rows = sorted((t.name, [(e.left.value if e.left else None, e.arrow,
                             e.right.value if e.right else None) for e in t.entries])
                  for t in (analysis.ir.tables.values() if analysis.ir else ())
                  if t.data is not None)
    return cache.cache_key([texts, versions, functions, explain,
                            [f.file for f in analysis.files], rows])


def _too_deep(analysis: Analysis, generated: Generated, exc: BaseException) -> Problem:
    """Python refusing the generated code (within the parser's limits, only a combination
    of them nests this deep): said at the rule it comes from, never as a traceback."""
    assert analysis.ir is not None
    line = getattr(exc, "lineno", None) or 0
    index = next((i for first, last, i in generated.line_table if first <= line <= last), 0)
    rules = analysis.ir.rules
    file, at, column, _text = rules[index] if rules else (analysis.file, 1, 1, "")
    source = next((f.source for f in analysis.files if f.file == file), None)
    return Problem(file or analysis.file, at, column, "this rule nests too deep to compile "
                   "(blocks, conditions and aggregates inside each other); name a part of "
                   "it with `let`, or split it", "limit", source)


def _build(analysis: Analysis, registry: Registry, explain: bool,
           use_cache: bool) -> tuple[Generated, CodeType, bool]:
    assert analysis.ir is not None
    key = _fingerprint(analysis, registry, explain) if use_cache else ""
    if use_cache:
        hit = cache.load(key)
        if hit is not None:
            code, meta = hit
            generated = Generated(meta["source"], tuple(tuple(x) for x in meta["line_table"]),
                                  tuple(meta["sites"]),
                                  tuple(tuple(x) for x in meta.get("loops", ())))
            return generated, code, True
    generated = generate(analysis.ir, explain=explain)
    try:
        code = compile(generated.source, f"<mapping {analysis.file}>", "exec")
    except (SyntaxError, RecursionError, MemoryError) as exc:
        raise MappingCompileError([_too_deep(analysis, generated, exc)]) from None
    if use_cache:
        cache.store(key, code, {"source": generated.source,
                                "line_table": [list(x) for x in generated.line_table],
                                "sites": list(generated.sites),
                                "loops": [list(x) for x in generated.loops]})
    return generated, code, False


def compile_analysis(analysis: Analysis, registry: Registry | None = None, *,
                     path: Path | None = None, use_cache: bool = True,
                     stack: tuple[Path, ...] = ()) -> CompiledMapping:
    """Compile a checked mapping; raises `MappingCompileError` listing all its problems.
    A layer (`extends`) gets its base compiled too; `stack` holds the files already being
    loaded above it, so that a cycle of `extends` is refused instead of looping."""
    registry = registry if registry is not None else default_registry()
    if analysis.problems:
        raise MappingCompileError(analysis.problems)
    assert analysis.mapping is not None and analysis.ir is not None
    assert analysis.left is not None and analysis.right is not None
    generated, code, hit = _build(analysis, registry, False, use_cache)
    functions: dict[str, Any] = dict(analysis.ir.functions)

    def explain_factory() -> tuple[Generated, CodeType]:
        generated_x, code_x, _ = _build(analysis, registry, True, use_cache)
        return generated_x, code_x

    compiled = CompiledMapping(
        file=analysis.file, path=path, left=analysis.left, right=analysis.right,
        facts=facts_of(analysis.mapping, analysis.ir), mapping=analysis.mapping,
        ir=analysis.ir, generated=generated, code=code, functions=functions,
        explain_factory=explain_factory, cache_hit=hit)
    extends = analysis.mapping.extends_statement
    if extends is not None:
        compiled.base = _base_of(compiled, extends, registry, stack)
    return compiled


def _base_of(compiled: CompiledMapping, extends: ast.Extends, registry: Registry,
             stack: tuple[Path, ...]) -> list[tuple[CompiledMapping, str]]:
    """The steps a layer builds on: the route without it, or the mapping it names."""
    from passeur.dsl.routes import find_named, route_under

    own = compiled.path or (None if compiled.file.startswith("<") else Path(compiled.file))
    inner = (*stack, own.resolve()) if own is not None else stack

    def problem(message: str) -> MappingCompileError:
        return MappingCompileError([Problem(compiled.file, extends.line, extends.column,
                                            message, "extends", compiled.ast.source)])

    if extends.is_route:
        try:
            route = route_under(registry, compiled.left, compiled.right, own, stack)
        except MappingCompileError as exc:
            raise problem(f"cannot extend the route: {exc}") from None
        except PasseurError as exc:
            raise problem(f"cannot extend the route: {exc}") from None
        return list(route.steps)
    if extends.is_file:
        base_dir = own.parent if own is not None else Path.cwd()
        found = base_dir / extends.target
        if not found.is_file():
            raise problem(f'cannot extend "{extends.target}": no such file in {base_dir}')
    else:
        named = find_named(registry, extends.target, own)
        if named is None:
            from passeur.dsl.routes import mapping_dirs

            where = [str(own.parent)] if own is not None else []
            where += [str(d) for d in mapping_dirs(registry)]
            raise problem(f"cannot extend {extends.target}: no file {extends.target}.map "
                          f"(looked in: {', '.join(where)})")
        found = named
    if found.resolve() in inner:
        chain = " -> ".join(p.name for p in (*inner, found.resolve()))
        raise problem(f"extends cycle: {chain}")
    try:
        base = load_mapping(found, registry, stack=inner)
    except MappingCompileError as exc:
        raise problem(f"cannot extend {extends.text}: {found} does not compile:\n{exc}"
                      ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise problem(f"cannot extend {extends.text}: cannot read {found}: {exc}") from None
    sides = (str(base.left), str(base.right))
    if sides == (str(compiled.left), str(compiled.right)):
        return [(base, "forward")]
    if sides == (str(compiled.right), str(compiled.left)):
        return [(base, "backward")]
    raise problem(f"cannot extend {extends.text}: {found} maps {sides[0]} <-> {sides[1]}, "
                  f"not {compiled.left} <-> {compiled.right}")


def compile_text(text: str, filename: str = "<text>", registry: Registry | None = None, *,
                 use_cache: bool = True) -> CompiledMapping:
    """Compile mapping text (includes are read relative to the current directory)."""
    analysis = analyze_text(text, filename, registry)
    return compile_analysis(analysis, registry, use_cache=use_cache)


def load_mapping(path: str | Path, registry: Registry | None = None, *,
                 use_cache: bool = True, stack: tuple[Path, ...] = ()) -> CompiledMapping:
    """Compile a mapping file; messages name it as given."""
    path = Path(path)
    analysis = analyze_file(path, registry)
    return compile_analysis(analysis, registry, path=path, use_cache=use_cache, stack=stack)
