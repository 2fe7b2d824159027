"""Helpers of the sync tests: two live sandboxes on loopback, the connection and sync files
a user would write, and ways to run the sync through the Python API or as a `passeur` process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs

from passeur.engine.sync import load_sync_file, make_plan, open_context, run_plan
from passeur.plugins import load_registry
from passeur.state import open_store

TODAY = "2024-06-01"
ENV = {"SYNC_ACOMBA_LICENCE": "lic", "SYNC_ACOMBA_SECRET": "sec", "SYNC_VF_TOKEN": "tok"}


class CountingWrites:
    """ASGI wrapper that counts every write call that reaches a sandbox."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.writes = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and scope["method"] not in ("GET", "HEAD"):
            self.writes += 1
        await self.app(scope, receive, send)


def set_faults(app: Any, random_seed: int | None = None, **changes: Any) -> None:
    """Change a running sandbox's faults (and reseed its draws, for a reproducible run)."""
    import random

    middleware = app.middleware
    middleware.config = attrs.evolve(middleware.config, **changes)
    if random_seed is not None:
        middleware._rng = random.Random(random_seed)


@attrs.define
class World:
    folder: Path
    erp: Any
    vf: Any
    sync_file: Path
    registry: Any = None

    def __attrs_post_init__(self) -> None:
        self.registry = load_registry()

    @property
    def vf_invoices(self) -> list[dict[str, Any]]:
        return list(self.vf.app.state.invoices)

    def _call(self, step: Any, *, today: Any = None, **options: Any) -> Any:
        """`step` (make_plan, run_plan...) on a fresh context; `today` fixes the run's date."""
        spec = load_sync_file(self.sync_file, self.registry)
        with open_store(spec.store) as store:
            ctx = open_context(spec, self.registry, store, today=today)

            async def go() -> Any:
                try:
                    return await step(ctx, **options)
                finally:
                    await ctx.aclose()

            return asyncio.run(go())

    def run(self, **options: Any) -> Any:
        """One run of the sync file through the Python API (its RunReport)."""
        return self._call(run_plan, **options)

    def plan(self, **options: Any) -> Any:
        return self._call(make_plan, **options)

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "passeur", *args], capture_output=True,
                              text=True, cwd=self.folder, timeout=timeout,
                              env={**os.environ, **ENV, "COLUMNS": "200"})

    def store(self) -> Any:
        """The sync file's store (state.db beside it, or the server store it names)."""
        return open_store(load_sync_file(self.sync_file, self.registry).store)


@attrs.define
class Served:
    app: Any
    server: Any


def write_files(folder: Path, erp_url: str, vf_url: str, extra: str = "",
                http: str = "") -> Path:
    (folder / "acomba.toml").write_text(
        f'system = "acomba"\n[settings]\nbase_url = "{erp_url}/api"\ncompany_id = "1"\n'
        'licence = { env = "SYNC_ACOMBA_LICENCE" }\nsecret = { env = "SYNC_ACOMBA_SECRET" }\n'
        + http, encoding="utf-8")
    (folder / "vf.toml").write_text(
        f'system = "vosfactures"\n[settings]\nbase_url = "{vf_url}"\n'
        'api_token = { env = "SYNC_VF_TOKEN" }\n' + http, encoding="utf-8")
    sync = folder / "sync.toml"
    sync.write_text('store = "state.db"\n[source]\nconnection = "acomba.toml"\n'
                    '[target]\nconnection = "vf.toml"\n' + extra, encoding="utf-8")
    return sync


def numbers(world: World) -> list[str]:
    """The invoice numbers the target holds (one per source document when all is well)."""
    return sorted(str(i["number"]) for i in world.vf.app.state.invoices)


def held_once(world: World) -> None:
    """The target holds each source invoice once, and each client once."""
    held = numbers(world)
    assert held == sorted(world.erp.app.state.invoices)  # each source invoice, once
    external = [c["external_id"] for c in world.vf.app.state.clients]
    assert len(external) == len(set(external))
