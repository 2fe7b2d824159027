"""The `world_factory` fixture: two sandboxes and the files a user would write."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sync.sync_helpers import ENV, TODAY, CountingWrites, Served, World, write_files

from passeur.sandbox import serve_in_thread
from passeur_erpconnector.sandbox import create_app as erp_app
from passeur_vosfactures.sandbox import create_app as vf_app


@pytest.fixture
def world_factory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    servers: list[Any] = []

    def make(seed: int = 6, *, erp: dict[str, Any] | None = None,
             vf: dict[str, Any] | None = None, extra: str = "", http: str = "",
             count_writes: bool = False) -> World:
        erp_sandbox = erp_app(licence="lic", secret="sec", seed=seed, today=TODAY,
                              **(erp or {}))
        vf_sandbox = vf_app(token="tok", today=TODAY, **(vf or {}))
        target: Any = CountingWrites(vf_sandbox) if count_writes else vf_sandbox
        source: Any = CountingWrites(erp_sandbox) if count_writes else erp_sandbox
        e, v = serve_in_thread(source), serve_in_thread(target)
        servers.extend([e, v])
        folder = tmp_path / f"world{len(servers) // 2}"  # a fresh store for each world
        folder.mkdir()
        sync = write_files(folder, e.base_url, v.base_url, extra, http)
        return World(folder, Served(source, e), Served(target, v), sync)

    yield make
    for server in servers:
        server.stop()




@pytest.fixture
def server_world(world_factory: Any, postgres_url: str, pg_schema: str,
                 monkeypatch: pytest.MonkeyPatch) -> Callable[..., World]:
    """A world whose sync file names no store: PASSEUR_STORE points at a fresh schema of
    the test server (what a server install sets once)."""
    joiner = "&" if "?" in postgres_url else "?"
    url = f"{postgres_url}{joiner}options={quote(f'-csearch_path={pg_schema}')}"

    def make(**options: Any) -> World:
        world: World = world_factory(**options)
        text = world.sync_file.read_text("utf-8").replace('store = "state.db"\n', "")
        world.sync_file.write_text(text, encoding="utf-8")
        monkeypatch.setenv("PASSEUR_STORE", url)
        return world

    return make
