"""The live part of `check_plugin`: the system's client against its own sandbox, served on
a loopback port (a real HTTP server, never a mock): list, create, find the created document
in the listing, then a create whose answer the sandbox loses, which must come back as
`uncertain` (it may have been created), never as created or failed.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from passeur.http import (
    CREATED,
    UNCERTAIN,
    HttpSettings,
    Outcome,
    RetryPolicy,
    create_all,
    created_id_from,
)
from passeur.schema import SystemSpec

__all__ = ["LiveCheck", "live_problems"]


@attrs.frozen
class LiveCheck:
    """How to meet the system's sandbox: `options` for its `sandbox_factory`, `settings`
    (the connection settings, given the sandbox's base URL) for its `client_factory`, and
    `document`, a create body of `doctype` in the system's own form. `lost` is the body
    sent when the answer is lost (default: `document`). A document type its system cannot
    create (codabox's feeds) takes `document=None`: it is listed, and every document listed
    must carry its declared natural keys."""

    doctype: str
    document: Mapping[str, Any] | None
    settings: Callable[[str], Mapping[str, Any]]
    options: Mapping[str, Any] = attrs.field(factory=dict)
    lost: Mapping[str, Any] | None = None
    timeout: float = 1.0  # the client's read timeout while the answer is lost


def _http(timeout: float) -> HttpSettings:
    retry = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05, rng=random.Random(7))
    return HttpSettings(timeout=timeout, retry=retry)


def _id_fields(spec: SystemSpec, doctype: str) -> tuple[str, ...]:
    declared = spec.document_type(doctype)
    return (declared.created_id_fields if declared is not None else ()) or ("id",)


def _create(client: Any, check: LiveCheck, spec: SystemSpec, body: Mapping[str, Any]
            ) -> Outcome:
    fields = _id_fields(spec, check.doctype)

    async def run() -> list[Outcome]:
        try:
            return await create_all(lambda d: client.acreate_document(check.doctype, d),
                                    [body], key=lambda d: client.document_key(check.doctype,
                                                                              d),
                                    created_id=created_id_from(fields))
        finally:
            await client.aclose()

    return asyncio.run(run())[0]


def _listed_only(spec: SystemSpec, check: LiveCheck, listed: list[dict[str, Any]],
                 where: str, checked: list[str], problems: list[str]) -> None:
    """A document type checked without a create: it must not claim one, its sandbox must
    list something, and each document listed must carry the natural keys it declares."""
    declared = spec.document_type(check.doctype)
    capabilities = declared.capabilities if declared is not None else None
    if capabilities is not None and capabilities.create:
        problems.append(f"{where}: the type declares create, so the check needs a document "
                        "to create")
        return
    if not listed:
        problems.append(f"{where}: the sandbox lists no document, so nothing is checked")
        return
    keys = capabilities.natural_keys if capabilities is not None else ()
    missing = [(i, key) for i, document in enumerate(listed) for key in keys
               if document.get(key) in (None, "")]
    if missing:
        shown = ", ".join(f"document {i + 1} has no {key}" for i, key in missing[:3])
        problems.append(f"{where}: {shown}")
    elif keys:
        checked.append(f"{where}: every listed document has its {', '.join(keys)}")


def live_problems(spec: SystemSpec, check: LiveCheck, checked: list[str],
                  problems: list[str]) -> None:
    """Append what the client and the sandbox get wrong to `problems`."""
    from passeur.sandbox import Sandbox, serve_in_thread

    if spec.sandbox_factory is None or spec.client_factory is None:
        problems.append(f"live: {spec.name} declares no "
                        f"{'sandbox_factory' if spec.sandbox_factory is None else 'client'}"
                        "_factory")
        return
    app = spec.sandbox_factory(**check.options)
    server = serve_in_thread(app)
    where = f"live {spec.name}.{check.doctype}"
    try:
        settings = dict(check.settings(server.base_url))
        client = spec.client_factory(settings, settings=_http(30.0))
        before = list(client.iter_documents(check.doctype))
        checked.append(f"{where}: list ({len(before)} documents)")
        if check.document is None:
            _listed_only(spec, check, before, where, checked, problems)
            client.close()
            return
        outcome = _create(client, check, spec, check.document)
        if outcome.outcome != CREATED or outcome.id is None:
            problems.append(f"{where}: create gave {outcome.outcome} (id {outcome.id!r}): "
                            f"{outcome.reason}")
            return
        checked.append(f"{where}: create (id {outcome.id})")
        after = list(client.iter_documents(check.doctype))
        id_of = created_id_from(_id_fields(spec, check.doctype))
        listed = [d for d in after if str(id_of(d)) == str(outcome.id)]
        if len(after) != len(before) + 1 or len(listed) != 1:
            problems.append(f"{where}: after one create the list holds {len(after)} documents "
                            f"(before: {len(before)}), {len(listed)} with id {outcome.id!r}")
        else:
            checked.append(f"{where}: the created document is listed with its id")
        client.close()
        if not isinstance(app, Sandbox):
            problems.append(f"{where}: the sandbox is not a passeur.sandbox.Sandbox, so its "
                            "answers cannot be lost on purpose")
            return
        app.middleware.config = attrs.evolve(app.faults, lost_response_rate=1.0,
                                             lost_response_hold=check.timeout * 4)
        client = spec.client_factory(settings, settings=_http(check.timeout))
        lost = _create(client, check, spec, check.lost or check.document)
        if lost.outcome != UNCERTAIN:
            problems.append(f"{where}: a create whose answer was lost gave {lost.outcome} "
                            f"({lost.reason}); it must be {UNCERTAIN}")
        else:
            checked.append(f"{where}: a lost answer is uncertain")
    finally:
        server.stop()
