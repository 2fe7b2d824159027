"""A random sample of mutmut's mutants of core/passeur/dsl and core/passeur/engine, each run
against its package's tests: an estimate of the kill rate a full run would give, on a
machine where a full run (thousands of mutants, each a test run) is out of reach.

Every mutant mutmut 2 can make in the packages' modules is listed (its operators: arithmetic
and comparison operators swapped, numbers and strings changed, keywords and booleans
flipped, arguments and return values replaced...), a sample of --count is drawn uniformly
without replacement with --seed, and each is written into a copy of the tree (--root, never
the checkout you work in) and tested with `pytest -x` over the module's own test files
(those importing it by name or named after it; else its package's test folder, tests/dsl,
tests/engine or tests/sync, without the slow property suites); with --confirm a survivor
is run again over the whole package folder. The mutant is
killed when the tests fail or time out. The copy must hold core/, plugins/, mappings/ and
tests/ (`cp -a`), so that its plugins' mapping folders are its own. Results go to --out as
JSON lines (one per mutant, with its file, line and diff), so an interrupted run resumes
where it stopped.

    nice -n 15 python benchmarks/mutation_sample.py --root /tmp/mut --seed 10 --count 200 \
        --out /tmp/mut/results.jsonl
    python benchmarks/mutation_sample.py --report /tmp/mut/results.jsonl

The report gives the kill rate with a 95 % Wilson interval; survivors must then be read one
by one (an equivalent mutant cannot be killed: it does not change behaviour).
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PACKAGES = ("core/passeur/dsl", "core/passeur/engine")
#: tests left out of every run (none: the copy imports its own core, plugins and mappings)
DESELECT: tuple[str, ...] = ()


#: property and fuzz suites too slow to run for each mutant (the confirming pass runs them)
SLOW = frozenset({"tests/dsl/test_shipped_laws.py", "tests/dsl/test_fuzz.py",
                  "tests/dsl/test_check_fuzz.py"})


#: the tests of a module no test file names: the language's semantics (compiled and run
#: both ways) for dsl; a survivor is run again over the whole folder (--confirm)
FALLBACK = {"tests/dsl": ("tests/dsl/test_compiler.py", "tests/dsl/test_semantics.py",
                          "tests/dsl/test_construct_laws.py", "tests/dsl/test_seen_defects.py",
                          "tests/dsl/test_lens.py", "tests/dsl/test_let.py",
                          "tests/dsl/test_group.py", "tests/dsl/test_layers.py")}


def _package_folder(relative: str) -> str:
    if relative.startswith("core/passeur/engine/sync/"):
        return "tests/sync"
    if relative.startswith("core/passeur/engine/"):
        return "tests/engine"
    return "tests/dsl"


def _tests_for(root: Path, relative: str) -> list[str]:
    """The module's own test files: those that import it by name or are named after it;
    else its package's test folder (without SLOW)."""
    module = relative.removeprefix("core/").removesuffix(".py").replace("/", ".")
    stem = module.rsplit(".", 1)[1]
    folder = _package_folder(relative)
    candidates = sorted((root / "tests").rglob("test_*.py"))
    own: list[str] = []
    if stem != "__init__":
        pattern = re.compile(rf"{re.escape(module)}\b|from {re.escape(module.rsplit('.', 1)[0])}"
                             rf" import [^\n]*\b{stem}\b")
        for path in candidates:
            name = path.relative_to(root).as_posix()
            if name in SLOW:
                continue
            named = path.name.startswith(f"test_{stem}") and name.startswith(folder + "/")
            if named or pattern.search(path.read_text("utf-8")):
                own.append(name)
    if own:
        return own
    return list(FALLBACK.get(folder, (folder,)))


#: left out of the population: the sync engine's tests take minutes a run (see BENCHMARKS.md)
EXCLUDED = ("core/passeur/engine/sync/",)


def all_mutants(root: Path) -> list[tuple[str, str, int, int]]:
    """(file relative to root, mutmut's line text, index on that line, line number) of
    every mutant."""
    import mutmut  # type: ignore[import-untyped]

    found: list[tuple[str, str, int, int]] = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if relative.startswith(EXCLUDED):
                continue
            source = path.read_text(encoding="utf-8")
            context = mutmut.Context(source=source, filename=str(path))
            for mid in mutmut.list_mutations(context):
                found.append((relative, mid.line, mid.index, mid.line_number))
    return found


def _mutated(root: Path, relative: str, line: str, index: int,
             line_number: int) -> tuple[str, str]:
    import mutmut

    path = root / relative
    source = path.read_text(encoding="utf-8")
    mid = mutmut.RelativeMutationID(line=line, index=index, line_number=line_number,
                                    filename=str(path))
    context = mutmut.Context(source=source, mutation_id=mid, filename=str(path))
    new, count = mutmut.mutate(context)
    if count != 1:
        raise RuntimeError(f"{relative}: mutant {line!r}/{index} not applied")
    return source, new


def _pytest(root: Path, folders: list[str], env: dict[str, str],
            timeout: float) -> subprocess.CompletedProcess[bytes]:
    deselect = [arg for test in DESELECT for arg in ("--deselect", test)]
    return subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                           *deselect, *folders], cwd=root, env=env, capture_output=True,
                          timeout=timeout, check=False)


def run(root: Path, seed: int, count: int, out: Path, timeout: float,
        confirm: bool = False) -> None:
    # the copy's own core and plugins (whose mapping folders link to the copy's mappings/)
    paths = [root / "core", root / "plugins", root / "tests" / "plugins" / "sage100_plugin"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(map(str, paths)),
               XDG_CACHE_HOME=str(root / ".cache"), PASSEUR_CACHE_DIR=str(root / ".cache"))
    passing: dict[tuple[str, ...], bool] = {}  # a mutant is killed only by passing tests
    took: dict[tuple[str, ...], float] = {}  # a mutant may take three times as long
    mutants = all_mutants(root)
    sample = random.Random(seed).sample(mutants, min(count, len(mutants)))
    done = set()
    if out.exists():
        for row in out.read_text(encoding="utf-8").splitlines():
            seen = json.loads(row)
            done.add((seen["file"], seen["line"], seen["index"]))
    print(f"{len(mutants)} mutants in {', '.join(PACKAGES)}; sample of {len(sample)} "
          f"(seed {seed}); {len(done)} already run", flush=True)
    for number, (relative, line, index, line_number) in enumerate(sample, 1):
        if (relative, line, index) in done:
            continue
        tests = tuple(_tests_for(root, relative))
        if tests not in passing:
            began = time.monotonic()
            try:
                baseline = _pytest(root, list(tests), env, timeout * 3)
                passing[tests] = baseline.returncode == 0
            except subprocess.TimeoutExpired:
                passing[tests] = False
                baseline = subprocess.CompletedProcess([], 1, b"timed out", b"")
            took[tests] = time.monotonic() - began
            if not passing[tests]:
                print(f"tests fail without a mutant, {relative}'s mutants left out: "
                      f"{baseline.stdout.decode()[-1500:]}", flush=True)
        if not passing[tests]:
            continue
        original, mutated = _mutated(root, relative, line, index, line_number)
        path = root / relative
        started = time.monotonic()
        try:
            path.write_text(mutated, encoding="utf-8")
            try:
                result = _pytest(root, list(tests), env, max(60.0, 3 * took[tests]))
                status = "survived" if result.returncode == 0 else "killed"
                if status == "survived" and confirm:  # the whole package folder, slow ones too
                    result = _pytest(root, [_package_folder(relative)], env, timeout * 3)
                    status = "survived" if result.returncode == 0 else "killed by package"
            except subprocess.TimeoutExpired:
                status = "timeout"
        finally:
            path.write_text(original, encoding="utf-8")
        diff = "".join(difflib.unified_diff(original.splitlines(True), mutated.splitlines(True),
                                            relative, relative, n=0))
        record: dict[str, Any] = {"file": relative, "line": line, "index": index,
                                  "tests": list(tests),
                                  "line_number": line_number,
                                  "status": status, "seconds": round(time.monotonic() - started),
                                  "diff": diff}
        with out.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"[{number}/{len(sample)}] {status:8} {relative} {line.strip()[:60]!r}",
              flush=True)


def wilson(killed: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson score interval of a proportion."""
    if total == 0:
        return 0.0, 1.0
    p = killed / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return centre - half, centre + half


def report(out: Path, equivalent: set[tuple[str, str, int]]) -> str:
    rows = [json.loads(r) for r in out.read_text(encoding="utf-8").splitlines()]
    counted = [r for r in rows if (r["file"], r["line"], r["index"]) not in equivalent]
    killed = sum(r["status"] != "survived" for r in counted)
    low, high = wilson(killed, len(counted))
    lines = [f"{len(rows)} mutants run, {len(rows) - len(counted)} judged equivalent; "
             f"{killed} of {len(counted)} non-equivalent killed = "
             f"{100 * killed / max(len(counted), 1):.1f} % (95 % Wilson interval "
             f"{100 * low:.1f} - {100 * high:.1f} %)"]
    lines += [f"survived: {r['file']}: {r['line'].strip()[:80]}" for r in counted
              if r["status"] == "survived"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, help="a copy of the checkout to mutate")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("mutation-results.jsonl"))
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--report", type=Path, help="summarise a results file")
    parser.add_argument("--confirm", action="store_true",
                        help="run a survivor again over its whole package test folder")
    parser.add_argument("--equivalent", type=Path,
                        help="a JSON list of [file, line, index] judged equivalent")
    args = parser.parse_args()
    if args.report:
        equivalent = set()
        if args.equivalent:
            equivalent = {tuple(e) for e in json.loads(args.equivalent.read_text("utf-8"))}
        print(report(args.report, equivalent))
        return
    if args.root is None:
        parser.error("--root (a copy of the checkout) is required to run mutants")
    run(args.root.resolve(), args.seed, args.count, args.out, args.timeout, args.confirm)


if __name__ == "__main__":
    main()
