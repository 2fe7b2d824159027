"""Developer and CI sessions: `nox` runs tests, lint and typing; `nox -s tests` just tests."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typing"]
nox.options.error_on_missing_interpreters = True

EXAMPLE_PLUGIN = "tests/plugins/example_plugin"
SAGE100_PLUGIN = "tests/plugins/sage100_plugin"  # the tutorial's package (docs/plugins.md)


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite, with the example third-party plugin installed as a real package."""
    session.install("-e", ".[test]")
    session.install("-e", EXAMPLE_PLUGIN)
    session.install("-e", SAGE100_PLUGIN)
    session.run("pytest", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """The fuzz tests only, with the long budget: `nox -s fuzz` runs about 100,000 inputs
    (base 2,000 examples, scaled per test by its cost: tests/support/fuzz.py);
    `nox -s fuzz -- 500` a shorter run, `nox -s fuzz -- 2000 tests/fuzz/test_fuzz_files.py`
    one file. Hypothesis' statistics give the exact count of each test."""
    session.install("-e", ".[test]")
    session.install("-e", EXAMPLE_PLUGIN)
    args = list(session.posargs)
    examples = args.pop(0) if args and args[0].isdigit() else "2000"
    session.run("pytest", "-m", "fuzz", "-p", "no:cacheprovider", "--hypothesis-show-statistics",
                "-q", *(args or ["tests"]), env={"PASSEUR_FUZZ_EXAMPLES": examples})


@nox.session
def lint(session: nox.Session) -> None:
    """ruff over everything we wrote."""
    session.install("ruff>=0.5")
    session.run("ruff", "check", "core", "plugins", "tests", "benchmarks", "noxfile.py")


@nox.session
def typing(session: nox.Session) -> None:
    """mypy, strict on core/ (with the postgres extra, so the server store is checked against
    psycopg's own types)."""
    session.install("-e", ".[postgres]", "mypy>=1.10")
    session.run("mypy")
