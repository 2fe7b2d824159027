"""Cold start: how long `passeur --version` and a one-document convert take as whole processes,
against `python -c pass` (the interpreter's own start) measured in the same run.

The convert runs with a warm compile cache (a private cache folder, filled by one run before
timing): the Acomba sample through the pair mapping acomba -> vosfactures (a layer over the
route acomba -> passeur -> vosfactures), which reads the route's mapping files from the cache
instead of parsing them. The commands are run in turn (A, B, C, A, B, C...) so that a slow
moment of the machine falls on all of them; each figure is the median of its runs (wall time,
and CPU time: user + sys of the child process, from the operating system's accounting, which
a loaded machine disturbs less), and each ratio is to the median of `python -c pass`.

Python's own bytecode is cached as an installed package has it (pip compiles the .pyc files
at install time): in a private folder (PYTHONPYCACHEPREFIX), filled by the warm-up run, even
where PYTHONDONTWRITEBYTECODE is set. `--no-bytecode-cache` measures with the environment as
it is (with PYTHONDONTWRITEBYTECODE, an editable install compiles every module at each start).

Run:  python benchmarks/coldstart.py [--runs 15] [--no-bytecode-cache]
"""

from __future__ import annotations

import argparse
import os
import resource
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of the command as a child process."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): "
                         f"{done.stderr.decode(errors='replace')}")
    return elapsed, _children_cpu() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="keep the environment's PYTHONDONTWRITEBYTECODE and cache folder")
    args = parser.parse_args(argv)
    passeur = passeur_command()
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as pyc:
        env = {**os.environ, "PASSEUR_CACHE_DIR": cache}
        if not args.no_bytecode_cache:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = pyc
        legs = [
            ("python -c pass (baseline)", [sys.executable, "-c", "pass"]),
            ("passeur --version", [*passeur, "--version"]),
            ("passeur convert, 1 document, warm cache",
             [*passeur, "convert", str(SAMPLE), "--from", "acomba", "--to", "vosfactures"]),
        ]
        for _, command in legs:  # warm-up: fills the cache and the OS's file cache
            timed(command, env)
        walls: list[list[float]] = [[] for _ in legs]
        cpus: list[list[float]] = [[] for _ in legs]
        for _ in range(args.runs):
            for index, (_, command) in enumerate(legs):
                wall, cpu = timed(command, env)
                walls[index].append(wall)
                cpus[index].append(cpu)
    wall_medians = [statistics.median(t) for t in walls]
    cpu_medians = [statistics.median(t) for t in cpus]
    bytecode = "environment as is" if args.no_bytecode_cache else "bytecode cached"
    print(f"cold start: {args.runs} runs each, in turn ({bytecode}); medians in seconds, "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    print(f"{'command':<42}{'wall s':>8}{'min':>7}{'ratio':>7}{'cpu s':>8}{'min':>7}{'ratio':>7}")
    for (name, _), wall, cpu, wall_runs, cpu_runs in zip(legs, wall_medians, cpu_medians,
                                                         walls, cpus, strict=True):
        print(f"{name:<42}{wall:>8.3f}{min(wall_runs):>7.3f}{wall / wall_medians[0]:>7.1f}"
              f"{cpu:>8.3f}{min(cpu_runs):>7.3f}{cpu / max(cpu_medians[0], 1e-3):>7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
