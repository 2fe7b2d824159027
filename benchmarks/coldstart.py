"""Cold start: how long `passeur --version` and a one-document convert take as whole processes,
against `python -c pass` (the interpreter's own start) measured in the same run.

The convert runs with a warm compile cache (a private cache folder, filled by one run before
timing): the Acomba sample through the route acomba -> passeur -> vosfactures, which reads the
route's mapping files from the cache instead of parsing them. The commands are run in turn
(A, B, C, A, B, C...) so that a slow moment of the machine falls on all of them; each figure is
the median wall time of its runs, and each ratio is to the median of `python -c pass`.

Run:  python benchmarks/coldstart.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "core" / "passeur" / "samples" / "acomba-invoice.json"


def passeur_command() -> list[str]:
    """The installed console script next to this interpreter, else `python -m passeur`."""
    script = Path(sys.executable).with_name("passeur")
    if script.exists():
        return [str(script)]
    found = shutil.which("passeur")
    return [found] if found else [sys.executable, "-m", "passeur"]


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): "
                         f"{done.stderr.decode(errors='replace')}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    passeur = passeur_command()
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PASSEUR_CACHE_DIR": cache}
        legs = [
            ("python -c pass (baseline)", [sys.executable, "-c", "pass"]),
            ("passeur --version", [*passeur, "--version"]),
            ("passeur convert, 1 document, warm cache",
             [*passeur, "convert", str(SAMPLE), "--from", "acomba", "--to", "vosfactures"]),
        ]
        for _, command in legs:  # warm-up: fills the cache and the OS's file cache
            timed(command, env)
        times: list[list[float]] = [[] for _ in legs]
        for _ in range(args.runs):
            for index, (_, command) in enumerate(legs):
                times[index].append(timed(command, env))
    medians = [statistics.median(t) for t in times]
    print(f"cold start: {args.runs} runs each, in turn; median wall seconds")
    print(f"{'command':<42}{'median s':>10}{'min s':>8}{'ratio':>8}")
    for (name, _), median, runs in zip(legs, medians, times, strict=True):
        print(f"{name:<42}{median:>10.3f}{min(runs):>8.3f}{median / medians[0]:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
