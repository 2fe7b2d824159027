"""`passeur sandbox SYSTEM`: serve a system's local sandbox on a loopback port.

The command knows no system: it asks the registry for the system's `sandbox_factory` and
passes it the options that were given, refusing with a clear message any option the
factory does not take (so `--licence` on VosFactures is a usage error, not silence).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Any

import click

from passeur.cli.app import cli as cli_group
from passeur.cli.app import console, handle_errors, print_json, registry_of
from passeur.errors import UsageError

__all__ = ["build_options", "sandbox"]

HELP = """Serve a local copy of a live system's API on 127.0.0.1, for tests and trials.

\b
The sandbox keeps its data in memory and behaves as the system's documentation says
(authentication, pagination, filters, error bodies, numbering). Fault options make it
slow, rate-limited or unreliable on purpose, reproducibly (--random-seed).

\b
Examples:
  passeur sandbox vosfactures --port 8080 --token MYTOKEN --seed 200
  passeur sandbox erpconnector --port 8081 --licence L --secret S --erp acomba --seed 50
  passeur sandbox acomba --licence L --secret S -o tax_group=TPS5_TVQ9975
  passeur sandbox vosfactures --latency-ms 100 --rate-limit 10 --lost-response-rate 0.05

It prints the base URL (with --json, one JSON object) and serves until Ctrl+C.
"""


def serve_forever(app: Any, host: str, port: int, on_ready: Callable[[str], None]) -> None:
    """Serve in the foreground; uvicorn is imported here, not when the CLI starts."""
    from passeur.sandbox import serve_forever as serve

    serve(app, host, port, on_ready=on_ready)


def _convert(key: str, text: str, default: Any) -> Any:
    """A `-o KEY=VALUE` value converted to the type of the factory's default."""
    try:
        if isinstance(default, bool):
            if text.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(text)
            return text.lower() in ("true", "1", "yes")
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
    except ValueError:
        kind = type(default).__name__
        raise UsageError(f"option {key}={text!r}: expected a value of type {kind}") from None
    return text


def build_options(factory: Callable[..., Any], system: str, given: dict[str, Any],
                  extra: tuple[str, ...]) -> dict[str, Any]:
    """Keyword arguments for `factory` from the CLI options that were set and `-o K=V`."""
    params = inspect.signature(factory).parameters
    accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    known = sorted(n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
                   or p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD)
    options: dict[str, Any] = {}
    for key, value in given.items():
        if value is None:
            continue
        if key not in params and not accepts_any:
            raise UsageError(f"option --{key.replace('_', '-')} does not apply to the {system} "
                             f"sandbox (it takes: {', '.join(known)})")
        options[key] = value
    for item in extra:
        key, sep, text = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise UsageError(f"-o expects KEY=VALUE, got {item!r}")
        if key not in params and not accepts_any:
            raise UsageError(f"option {key!r} does not apply to the {system} sandbox "
                             f"(it takes: {', '.join(known)})")
        default = params[key].default if key in params else None
        options[key] = _convert(key, text, None if default is inspect.Parameter.empty
                                else default)
    return options


class _SandboxCommand(click.Command):
    """`passeur sandbox`: its help lists each system's own options, from the declarations."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        try:
            systems = [s for s in registry_of(ctx).systems.values()
                       if s.sandbox_factory is not None]
        except Exception:  # help never fails because a plugin does  # pragma: no cover
            systems = []
        for spec in sorted(systems, key=lambda s: s.name):
            if not spec.sandbox_options:
                continue
            with formatter.section(f"Options of the {spec.name} sandbox"):
                formatter.write_dl([(f"--{o.name.replace('_', '-')} TEXT", o.description)
                                    for o in spec.sandbox_options])
        super().format_epilog(ctx, formatter)


def declared_options(spec: Any, args: list[str]) -> dict[str, Any]:
    """`--NAME VALUE` / `--NAME=VALUE` pairs left over by click, as the system's declared
    sandbox options; anything else is a usage error that lists what the system takes."""
    declared = {o.name: o for o in spec.sandbox_options}
    takes = ", ".join(f"--{n.replace('_', '-')}" for n in declared) or "no options of its own"
    given: dict[str, Any] = {}
    items = list(args)
    while items:
        item = items.pop(0)
        name, sep, value = item.partition("=")
        key = name[2:].replace("-", "_") if name.startswith("--") else ""
        if not key:
            raise UsageError(f"unexpected argument {item!r}")
        if key not in declared:
            raise UsageError(f"option {name} does not apply to the {spec.name} sandbox "
                             f"(it takes: {takes})")
        if not sep:
            if not items or items[0].startswith("--"):
                raise UsageError(f"option {name} needs a value")
            value = items.pop(0)
        given[key] = value
    return given


@cli_group.command("sandbox", cls=_SandboxCommand, help=HELP,
                   short_help="Serve a local sandbox of a live system.",
                   context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("system")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="port to listen on (0: any free port, printed at start)")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="loopback address to bind (127.0.0.1 or ::1; nothing else is allowed)")
@click.option("--erp", "--variant", "variant",
              help="the variant of the system, e.g. the ERP behind ERP Connector (acomba...)")
@click.option("--seed", type=click.IntRange(0), default=None,
              help="pre-load N realistic generated invoices (with clients and products)")
@click.option("--random-seed", type=int, default=None,
              help="seed of the generated data and of the fault draws (default 0)")
@click.option("--today", help="the date the sandbox believes it is (YYYY-MM-DD)")
@click.option("--latency-ms", type=click.FloatRange(0), default=None,
              help="delay added to every answer, in milliseconds")
@click.option("--rate-limit", type=click.FloatRange(0, min_open=True), default=None,
              help="requests per second allowed; beyond, 429 with Retry-After")
@click.option("--fail-rate", type=click.FloatRange(0, 1), default=None,
              help="share of requests answered 500/502/503 (not applied)")
@click.option("--lost-response-rate", type=click.FloatRange(0, 1), default=None,
              help="share of writes applied but never answered (the client times out)")
@click.option("-o", "--option", "extra", multiple=True, metavar="KEY=VALUE",
              help="any other sandbox option (e.g. tax_group=TPS5_TVQ9975, pending_polls=2)")
@click.option("--json", "as_json", is_flag=True, help="print the base URL as a JSON object")
@click.pass_context
@handle_errors
def sandbox(ctx: click.Context, /, system: str, port: int, host: str, extra: tuple[str, ...],
            as_json: bool, variant: str | None, **given: Any) -> None:
    spec, implied = registry_of(ctx).resolve(system)
    factory = spec.sandbox_factory
    if factory is None:
        raise UsageError(f"the {spec.name} system has no sandbox")
    given.update(declared_options(spec, ctx.args))
    secrets = {o.name for o in spec.sandbox_options if o.secret}
    variant = variant or implied
    if variant is not None:
        if spec.variant_setting is None:
            raise UsageError(f"the {spec.name} system has no variants (--erp/--variant)")
        if spec.variants and variant not in spec.variants:
            raise UsageError(f"unknown {spec.variant_setting} {variant!r} for {spec.name}; "
                             f"choose one of {', '.join(spec.variants)}")
        given[spec.variant_setting] = variant
    options = build_options(factory, spec.name, given, extra)
    try:
        app = factory(**options)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"cannot start the {spec.name} sandbox: {exc}") from None

    def ready(url: str) -> None:
        if as_json:
            print_json({"system": spec.name, "base_url": url,
                        "options": {k: v for k, v in options.items()
                                    if k not in secrets}})
        else:
            label = f"{spec.name} ({variant})" if variant else spec.name
            console.print(f"{label} sandbox listening on {url}  (Ctrl+C to stop)",
                          markup=False)
            summary = getattr(app, "summary", None) or {}
            for key, value in summary.items():
                console.print(f"  {key}: {value}", markup=False)
        sys.stdout.flush()

    serve_forever(app, host, port, on_ready=ready)
