"""What `push` got wrong against hostile servers (issue 13), run through the sync engine
against the VosFactures sandbox behind a proxy that answers as the hostile server did."""

from __future__ import annotations

from typing import Any

import pytest

from passeur.http import AuthError


class Hostile:
    """ASGI proxy in front of a sandbox: invoice creates are applied by the sandbox, then
    answered `status` with an empty body (a 204, a 302); or, with `deny_after`, every
    request after that many invoice creates is answered 401."""

    def __init__(self, app: Any, status: int | None = None, deny_after: int | None = None):
        self.app, self.status, self.deny_after = app, status, deny_after
        self.creates = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        create = scope.get("type") == "http" and scope["method"] == "POST" and scope[
            "path"] == "/invoices.json"
        if self.deny_after is not None and self.creates >= self.deny_after:
            await send({"type": "http.response.start", "status": 401,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": b'{"error": "unauthorized"}'})
            return
        if not create:
            await self.app(scope, receive, send)
            return
        self.creates += 1
        if self.status is None:
            await self.app(scope, receive, send)
            return

        async def swallow(message: Any) -> None:  # the sandbox's answer never reaches us
            return None

        await self.app(scope, receive, swallow)
        headers = [(b"location", b"/invoices")] if self.status == 302 else []
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


def _hostile_world(world_factory, seed: int = 6, **options: Any):
    from passeur.sandbox import serve_in_thread

    world = world_factory(seed=seed)
    proxy = Hostile(world.vf.app, **options)
    server = serve_in_thread(proxy)
    (world.folder / "vf.toml").write_text(
        (world.folder / "vf.toml").read_text("utf-8").replace(world.vf.server.base_url,
                                                              server.base_url),
        encoding="utf-8")
    return world, proxy, server


@pytest.mark.parametrize("status", [204, 302])
def test_an_empty_answer_is_never_created_until_the_target_shows_the_invoice(
        world_factory, status):
    """push counted 2 of 2 '204 / 302 empty body' answers as created with id null. The sync
    looks each one up by its key: found, it is bound to the id the target shows."""
    world, proxy, server = _hostile_world(world_factory, status=status)
    try:
        report = world.run()
    finally:
        server.stop()
    invoices = [e for e in report.entries if e.doctype == "invoice"]
    source = sorted(world.erp.app.state.invoices)
    assert sorted(e.source_id for e in invoices) == source
    held = {i["oid"]: str(i["id"]) for i in world.vf.app.state.invoices}
    assert len(held) == len(source) == proxy.creates  # each sent once, stored once
    for entry in invoices:
        assert entry.outcome == "created"
        assert entry.target_id == held[f"passeur:acomba:{entry.source_id}"]


def test_a_401_midway_leaves_an_outcome_for_every_record(world_factory):
    """push ended a 401 after 5 creates with one error line and no per-document outcome: the
    sync's ledger holds one entry per record, the ones not written `failed` (AuthError)."""
    world, _, server = _hostile_world(world_factory, seed=12, deny_after=5)
    try:
        with pytest.raises(AuthError):
            world.run()
    finally:
        server.stop()
    with world.store() as store:
        run = store.runs()[0]
        entries = store.ledger(run.run_id)
    assert run.status == "aborted"
    invoices = [e for e in entries if e.doctype == "invoice"]
    assert sorted(e.source_id for e in invoices) == sorted(world.erp.app.state.invoices)
    created = [e for e in invoices if e.outcome == "created"]
    assert len(created) == len(world.vf.app.state.invoices) == 5
    assert {e.outcome for e in invoices if e.outcome != "created"} == {"failed"}
    assert {e.reason for e in invoices if e.outcome == "failed"} == {"AuthError"}


def test_forty_invoices_sharing_one_reference_are_forty_invoices(world_factory):
    """Seed 004's Référence "From OERP" on 40 invoices: push wrote it as the oid and got 1
    created, 39 missing under oid_unique. The key is the source's id, never free text."""
    world = world_factory(seed=40)
    for invoice in world.erp.app.state.invoices.values():
        invoice["Référence"] = "From OERP"
    report = world.run()
    assert report.ok
    oids = [i["oid"] for i in world.vf.app.state.invoices]
    assert len(oids) == len(set(oids)) == 40
    assert sorted(oids) == sorted(f"passeur:acomba:{n}" for n in world.erp.app.state.invoices)


class DenyWhileOneIsInFlight:
    """ASGI proxy: the first invoice create is applied by the sandbox and its answer held
    `hold` seconds; every invoice create after it is answered 401 at once."""

    def __init__(self, app: Any, hold: float = 0.6) -> None:
        self.app, self.hold, self.creates = app, hold, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        import asyncio

        if not (scope.get("type") == "http" and scope["method"] == "POST"
                and scope["path"] == "/invoices.json"):
            await self.app(scope, receive, send)
            return
        self.creates += 1
        if self.creates > 1:
            await send({"type": "http.response.start", "status": 401,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": b'{"error": "unauthorized"}'})
            return
        held: list[Any] = []

        async def keep(message: Any) -> None:
            held.append(message)

        await self.app(scope, receive, keep)
        await asyncio.sleep(self.hold)
        for message in held:
            await send(message)


def test_a_write_in_flight_when_a_401_stops_the_run_is_recorded_as_it_ended(world_factory):
    """The first invoice create was applied and its answer still on its way when a second
    create got a 401: that create was cancelled and recorded "not attempted" while the target
    held it. Writes under way now end as they end: it is recorded created, bound to the id
    the target shows, and only the writes never started are "not attempted"."""
    from passeur.sandbox import serve_in_thread

    world = world_factory(seed=12)
    proxy = DenyWhileOneIsInFlight(world.vf.app)
    server = serve_in_thread(proxy)
    (world.folder / "vf.toml").write_text(
        (world.folder / "vf.toml").read_text("utf-8").replace(world.vf.server.base_url,
                                                              server.base_url),
        encoding="utf-8")
    try:
        with pytest.raises(AuthError):
            world.run()
    finally:
        server.stop()
    assert proxy.creates > 1  # the 401 came while the first create was held
    with world.store() as store:
        entries = store.ledger(store.runs()[0].run_id)
    invoices = [e for e in entries if e.doctype == "invoice"]
    assert sorted(e.source_id for e in invoices) == sorted(world.erp.app.state.invoices)
    held = {str(i["id"]) for i in world.vf.app.state.invoices}
    assert len(held) == 1
    created = [e for e in invoices if e.outcome == "created"]
    assert [e.target_id for e in created] == sorted(held)
    others = {e.message.split(":")[0] for e in invoices if e not in created}
    assert others <= {"not attempted", "refused by vosfactures (401 on POST /invoices.json)"}
