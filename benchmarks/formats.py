"""Standard formats: how fast passeur reads them, against other parsers in the same run.

CODA section: passeur's CODA reader (statements as canonical models, with every check) against
the CODA parsers on PyPI, febelfin-coda (Tryton) and pycoda (ACSONE), on the same corpus files,
in one process. Both PyPI packages install a top-level package named `coda`, so they cannot
share a site-packages: febelfin-coda comes from the `bench` extra, pycoda is installed with
`pip install --target` into a cache folder the first time, and each is imported under its own
name from its own folder.

    pip install -e '.[bench]' && python benchmarks/formats.py coda

UBL section: passeur's UBL reader (the hardened parser, then the declared element tree to a
typed plain record) and the whole conversion to the canonical invoice (reader, mapping file,
hub checks), against a plain lxml walk of the same files (parse, visit every element's text
and attributes: the least any reader does), in one run.

    python benchmarks/formats.py ubl

Figures go to BENCHMARKS.md as ratios to the baseline of each section, measured in the same
run.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import io
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TESTDATA = ROOT.parent / "shared" / "testdata"
CACHE = ROOT / ".bench"


# --- loading two packages that are both called `coda` -----------------------------------------

def _load_as(alias: str, package_dir: Path) -> types.ModuleType:
    """Import the package in `package_dir` under the name `alias` (its relative imports too)."""
    spec = importlib.util.spec_from_file_location(
        alias, package_dir / "__init__.py", submodule_search_locations=[str(package_dir)])
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {package_dir}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module
    spec.loader.exec_module(module)
    return module


def _installed_coda_dir(distribution: str) -> Path | None:
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in dist.files or ():
        if str(file).replace("\\", "/") == "coda/__init__.py":
            return Path(str(dist.locate_file(file))).parent
    return None


def _target_dir(requirement: str, name: str) -> Path:
    """A folder holding `requirement` alone (pip install --target), made the first time."""
    target = CACHE / name
    if not (target / "coda" / "__init__.py").exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                        "--target", str(target), requirement], check=True)
    return target / "coda"


def load_febelfin() -> types.ModuleType:
    found = _installed_coda_dir("febelfin-coda")
    return _load_as("bench_febelfin_coda", found or _target_dir("febelfin-coda==0.5.0",
                                                                  "febelfin-coda"))


def load_pycoda() -> types.ModuleType:
    _load_as("bench_pycoda", _target_dir("pycoda==1.1.0", "pycoda"))
    return importlib.import_module("bench_pycoda.parser")


# --- the CODA section -------------------------------------------------------------------------

def coda_files() -> list[Path]:
    return sorted((TESTDATA / "coda").rglob("*.txt"))


def _passeur() -> Callable[[bytes, str], int]:
    from passeur_coda import read_statements

    def parse(data: bytes, name: str) -> int:
        return sum(len(r.statement.movements) for r in read_statements(data, name)
                   if r.statement is not None)
    return parse


def _febelfin(module: types.ModuleType) -> Callable[[bytes, str], int]:
    def parse(data: bytes, name: str) -> int:
        coda = module.CODA(io.StringIO(data.decode("windows-1252")))
        return sum(len(s.moves) for s in coda.statements)
    return parse


def _pycoda(module: types.ModuleType) -> Callable[[bytes, str], int]:
    def parse(data: bytes, name: str) -> int:
        statements = module.Parser().parse(data)
        return sum(len(s.movements) for s in statements)
    return parse


def _accepted(parse: Callable[[bytes, str], int], files: list[tuple[str, bytes]]) -> set[str]:
    ok = set()
    for name, data in files:
        try:
            parse(data, name)
        except Exception:  # a parser that refuses a file is measured on the others
            continue
        ok.add(name)
    return ok


def _time(parse: Callable[[bytes, str], int], files: list[tuple[str, bytes]],
          passes: int) -> float:
    start = time.perf_counter()
    for _ in range(passes):
        for name, data in files:
            parse(data, name)
    return time.perf_counter() - start


def coda_section(repeat: int = 5, passes: int = 40) -> list[dict[str, Any]]:
    """Records per second of each CODA parser on the corpus files all of them read."""
    files = [(p.name, p.read_bytes()) for p in coda_files()]
    parsers: dict[str, Callable[[bytes, str], int]] = {"passeur": _passeur()}
    versions = {"passeur": "this tree"}
    for label, loader, wrap, dist in (("febelfin-coda", load_febelfin, _febelfin, "0.5.0"),
                                      ("pycoda", load_pycoda, _pycoda, "1.1.0")):
        try:
            parsers[label] = wrap(loader())
            versions[label] = dist
        except Exception as exc:
            print(f"{label}: not measured ({type(exc).__name__}: {exc})", file=sys.stderr)
    accepted = {label: _accepted(parse, files) for label, parse in parsers.items()}
    common = set.intersection(*accepted.values())
    chosen = [(n, d) for n, d in files if n in common]
    records = sum(d.count(b"\n") for _, d in chosen) * passes
    best = {label: float("inf") for label in parsers}
    for _ in range(repeat):  # round the parsers in turn, so load hits them alike
        for label, parse in parsers.items():
            best[label] = min(best[label], _time(parse, chosen, passes))
    base = records / best["passeur"]
    rows = []
    for label in parsers:
        rate = records / best[label]
        rows.append({"parser": label, "version": versions[label], "records_per_s": rate,
                     "ratio": rate / base, "refused": sorted(set(n for n, _ in files)
                                                            - accepted[label])})
    print(f"CODA: {len(chosen)} files read by every parser ({records // passes} records), "
          f"{passes} passes, best of {repeat}")
    print(f"{'parser':<16}{'records/s':>12}{'ratio':>8}  refused")
    for row in rows:
        print(f"{row['parser']:<16}{row['records_per_s']:>12,.0f}{row['ratio']:>8.2f}  "
              f"{', '.join(row['refused']) or '-'}")
    return rows


# --- UBL section ---------------------------------------------------------------------------------

def ubl_files() -> list[Path]:
    folders = ("ubl/peppol", "ubl/en16931", "ublbe", "xrechnung")
    found = [p for f in folders for p in sorted((TESTDATA / f).glob("*"))
             if p.suffix.lower() == ".xml" and b"urn:oasis:names:specification:ubl" in
             p.read_bytes()[:2000]]
    return found


def _lxml_walk(data: bytes) -> int:
    """The baseline: parse with lxml defaults and visit every element's text and attributes
    (what any reader has to do at least), no types, no structure."""
    from lxml import etree

    values = 0
    for element in etree.fromstring(data).iter():
        if element.text is not None:
            values += 1
        values += len(element.attrib)
    return values


def ubl_section(repeat: int = 5, passes: int = 5) -> list[dict[str, Any]]:
    """UBL files per second: passeur's reader (hardened parse, typed plain record), the whole
    conversion to the canonical invoice (reader, mapping, hub checks), and a plain lxml walk."""
    from passeur import load_registry
    from passeur.engine.convert import Converter, parse_endpoint
    from passeur_einvoice.ubl import read_ubl

    registry = load_registry()
    convert = Converter(registry, parse_endpoint(registry, "ubl"),
                        parse_endpoint(registry, "passeur"))
    files = [(p.name, p.read_bytes()) for p in ubl_files()]

    def reader(data: bytes, name: str) -> int:
        plain, _ = read_ubl(data, name)
        return len(plain or ())

    def canonical(data: bytes, name: str) -> int:
        outcome = convert.convert(data)
        assert not outcome.failed, name
        return 1

    legs: dict[str, Callable[[bytes, str], int]] = {
        "lxml walk (baseline)": lambda data, name: _lxml_walk(data),
        "passeur UBL reader": reader,
        "passeur UBL -> canonical": canonical,
    }
    best = {label: float("inf") for label in legs}
    for _ in range(repeat):  # the legs in turn, so machine load hits them alike
        for label, parse in legs.items():
            best[label] = min(best[label], _time(parse, files, passes))
    count = len(files) * passes
    size = sum(len(d) for _, d in files) / (1 << 20)
    base = count / best["lxml walk (baseline)"]
    rows = []
    print(f"UBL: {len(files)} corpus files ({size:.1f} MiB), {passes} passes, best of {repeat}")
    print(f"{'leg':<28}{'files/s':>10}{'MiB/s':>8}{'ratio':>8}")
    for label in legs:
        rate = count / best[label]
        rows.append({"leg": label, "files_per_s": rate, "ratio": rate / base})
        print(f"{label:<28}{rate:>10,.0f}{rate * size / len(files):>8.1f}{rate / base:>8.2f}")
    return rows


SECTIONS: dict[str, Callable[..., Any]] = {"coda": coda_section, "ubl": ubl_section}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", default=sorted(SECTIONS),
                        help=f"sections to run (default: all of {', '.join(sorted(SECTIONS))})")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    for name in args.sections:
        SECTIONS[name](repeat=args.repeat)


if __name__ == "__main__":
    main()
