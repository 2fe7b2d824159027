"""A codabox-clearfacts sync file, end to end: read and check it, open its clients and its
store, run the flow once. What `passeur sync FILE` does for `flow = "codabox-clearfacts"`
once the sync command dispatches flows; until then the entry point a process (or a test)
calls: `python -c "...run_file('offices.toml')"`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from passeur import InputError, Registry, UsageError, load_registry
from passeur.state import open_store
from passeur.tomltext import load_toml
from passeur_codabox.flow import FLOW_NAME, FlowReport, run_flow
from passeur_codabox.flow_config import KEYS, FlowOptions, parse_options

__all__ = ["FlowFile", "load_flow_file", "run_file"]

_CORE = ("flow", "name", "store", "schedule")


@attrs.frozen
class FlowFile:
    path: Path
    name: str
    store: Path
    options: FlowOptions


def load_flow_file(path: str | Path, registry: Registry, *,
                   environ: Mapping[str, str] | None = None) -> FlowFile:
    """Read and check a codabox-clearfacts sync file; nothing is read from any system."""
    from passeur.engine.sync.syncfile import _Reader  # the sync files' own file:line finder

    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{file}: cannot read the sync file: {exc.strerror or exc}") from None
    data = load_toml(text, str(file))
    reader = _Reader(file, text)
    if data.get("flow") != FLOW_NAME:
        raise UsageError(f"{reader.where('flow')}: this is not a {FLOW_NAME} sync file "
                         f'(flow = "{FLOW_NAME}")')
    for key in data:
        if key not in KEYS and key not in _CORE:
            raise UsageError(f"{reader.where(key)}: unknown key {key!r} (a {FLOW_NAME} sync "
                             f"file has: {', '.join(_CORE + KEYS)})")
    options = parse_options({k: v for k, v in data.items() if k in KEYS}, reader.where,
                            file.parent, registry, environ=environ)
    return FlowFile(file.resolve(), str(data.get("name") or file.stem),
                    file.parent / str(data.get("store", "passeur-state.db")), options)


async def run_file(path: str | Path, *, replay: bool = False,
                   registry: Registry | None = None,
                   environ: Mapping[str, str] | None = None) -> FlowReport:
    """One run of the flow of the sync file at `path`."""
    registry = registry or load_registry()
    flow = load_flow_file(path, registry, environ=environ)
    codabox: dict[str, Any] = {o.name: o.connection.client() for o in flow.options.offices}
    clearfacts = flow.options.clearfacts.client()
    with open_store(flow.store) as store:
        return await run_flow(store, flow.options, codabox, clearfacts, sync=str(flow.path),
                              replay=replay, registry=registry)


def main(path: str, replay: bool = False) -> int:
    """Run once and print the summary; 0 only when nothing failed or is uncertain."""
    report = asyncio.run(run_file(path, replay=replay))
    print(", ".join(f"{n} {o}" for o, n in sorted(report.summary.items())) or "nothing new")
    for issue in report.issues:
        print(f"issue: {issue}")
    return 0 if report.ok else 1
