"""Peak memory of `passeur convert` on NDJSON: N invoices against 1,000, in the same run.

Writes NDJSON files of Acomba invoices (seed 003's created invoice, five lines, TPS + TVQ)
with distinct numbers, converts each to VosFactures in a child process (so each size gets a
fresh interpreter), and reads the child's peak resident memory (ru_maxrss). A streaming
converter gives a ratio close to 1.00 whatever the size; one that loads its input would grow
with it. Prints the ratio of each size to the 1,000-invoice baseline and the throughput.

    python benchmarks/convert_memory.py                  # 1,000 vs 100,000
    python benchmarks/convert_memory.py --sizes 1000 10000 100000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "golden" / "acomba_seed003_created" / "input.json"

CHILD = """
import resource, sys
import passeur.cli.convert_cmd
from passeur.cli.app import cli
try:
    cli.main(sys.argv[1:], standalone_mode=False, prog_name="passeur")
finally:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def write_input(path: Path, count: int) -> None:
    """`count` invoices, one per line, each with its own number (the text is never parsed
    here: numbers are only substituted, so no float ever touches the amounts)."""
    full = json.loads(SEED.read_text(encoding="utf-8"))["ResultPayload"]["FullTransaction"]
    template = json.dumps(full, ensure_ascii=False).replace('"10044"', '"{number}"', 1)
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            out.write(template.replace("{number}", f"F{i:07d}") + "\n")


def measure(path: Path, count: int) -> tuple[int, float]:
    """(peak RSS in KiB, seconds) of one conversion in a fresh interpreter."""
    args = [sys.executable, "-c", CHILD, "convert", str(path), "--from", "acomba",
            "--to", "vosfactures", "--on-issue", "ignore", "-o", os.devnull]
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    lines = done.stderr.strip().splitlines()
    if not lines or not lines[-1].isdigit():
        raise SystemExit(f"the conversion of {count} invoices failed:\n{done.stderr}")
    summary = next((ln for ln in lines if "document(s) converted" in ln), "")
    if not summary.startswith(f"{count} of {count} "):
        raise SystemExit(f"not every invoice converted: {summary}")
    return int(lines[-1]), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    options = parser.parse_args()
    sizes = sorted(set(options.sizes))
    baseline_size = sizes[0]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in sizes:
            path = Path(tmp) / f"invoices-{count}.ndjson"
            write_input(path, count)
            size_mib = path.stat().st_size / 2**20
            peak, seconds = measure(path, count)
            rows.append((count, size_mib, peak, seconds))
            path.unlink()
    base_peak = rows[0][2]
    print(f"| invoices | input MiB | peak RSS MiB | ratio to {baseline_size:,} | invoices/s |")
    print("|---:|---:|---:|---:|---:|")
    for count, size_mib, peak, seconds in rows:
        print(f"| {count:,} | {size_mib:.1f} | {peak / 1024:.1f} | {peak / base_peak:.2f} | "
              f"{count / seconds:,.0f} |")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"\n(this script itself peaked at {own / 1024:.1f} MiB)")


if __name__ == "__main__":
    main()
