"""What the sync engine needs from a system beyond reading and creating: the contract a plugin
fulfils with `SystemSpec.sync_adapter(client, variant)`.

Core never knows which system it syncs. A plugin says here how its records are identified
(id, number, version, when they changed), where the deterministic idempotency key is written
(VosFactures `oid`, an ERP's ExtendedProperties) and found again, which references a
document needs to exist first (its client, its products) and how the resolved ids are
written back, how an update is sent (VosFactures positions with `id` / `_destroy`), and which
fields of a stored record a mapped body is compared with. A write is a success only when the
answer identifies what was stored: `acreate` returns a `Stored` or raises `Unconfirmed`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol, runtime_checkable

import attrs

from passeur.http.errors import Uncertain

__all__ = ["AdapterDefaults", "Reference", "Stored", "SyncAdapter", "Unconfirmed"]


class Unconfirmed(Uncertain):
    """A write answered without saying what was stored (a 204, a 302, an empty body): it may
    have been applied, so it is reconciled by lookup, never counted as created."""


@attrs.frozen
class Stored:
    """A record as a system holds it: its id there, what people call it, its version."""

    record_id: str
    number: str | None = None
    version: str | None = None
    record: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)


@attrs.frozen
class Reference:
    """A record a document needs in the target before it can be written (its client, a
    product). `source_key` identifies it in the source (Acomba `NoClient`, a product code);
    `hints` are the values the matching cascade may use (external_id, vat, siren, bce, neq,
    code, email, name); `body` is what to create when the policy allows it (None: the target
    cannot receive one, the user must create it)."""

    kind: str
    source_key: str
    hints: Mapping[str, str] = attrs.field(factory=dict)
    body: Mapping[str, Any] | None = None
    label: str = ""  # how to name it in a message ("client C0001 Atelier Côté SA")


@runtime_checkable
class SyncAdapter(Protocol):
    """One system's part of a sync, around its live client."""

    def identify(self, doctype: str, record: Mapping[str, Any]) -> Stored | None:
        """Id, number and version of a record as listed or returned; None if it has no id."""
        ...

    def changed_at(self, doctype: str, record: Mapping[str, Any]) -> str | None:
        """When the record last changed (ISO text that sorts), for the incremental cursor;
        None when the system does not say (the whole collection is then read each time)."""
        ...

    def alist(self, doctype: str, *, since: str | None = None) -> AsyncIterator[dict[str, Any]]:
        """Every record of a type (changed at or after `since`, when the system can say)."""
        ...

    def stamp(self, doctype: str, body: Mapping[str, Any], key: str) -> dict[str, Any]:
        """The body with the idempotency key written where the system keeps it."""
        ...

    def key_of(self, doctype: str, record: Mapping[str, Any]) -> str | None:
        """The idempotency key a stored record carries, if any."""
        ...

    def natural_key(self, doctype: str, body: Mapping[str, Any]) -> str | None:
        """The number that identifies the document in this system (to adopt existing ones)."""
        ...

    def refusals(self, doctype: str, body: Mapping[str, Any]) -> list[str]:
        """Why `body` cannot be written right (the target would fill in a value the source
        did not give, such as a line's tax rate from a product's default): each reason makes
        the document `failed`, before any reference of it is created."""
        ...

    def references(self, doctype: str, body: Mapping[str, Any]) -> list[Reference]:
        """What must exist in this system before `body` can be written."""
        ...

    def match_values(self, kind: str, record: Mapping[str, Any]) -> Mapping[str, str]:
        """The cascade's fields of a stored reference record (external_id, vat, email...)."""
        ...

    def link(self, doctype: str, body: Mapping[str, Any], reference: Reference,
             target_id: str) -> dict[str, Any]:
        """The body with a resolved reference written in (client_id, product_id...)."""
        ...

    def comparable(self, doctype: str, body: Mapping[str, Any],
                   record: Mapping[str, Any]) -> dict[str, Any]:
        """What of a stored record corresponds to a body about to be written, in the body's
        own shape, so that equal means unchanged."""
        ...

    async def acreate(self, doctype: str, body: Mapping[str, Any]) -> Stored:
        """Create; raises `Unconfirmed` when the answer does not identify what was stored."""
        ...

    async def aupdate(self, doctype: str, current: Stored,
                      body: Mapping[str, Any]) -> Stored:
        """Replace a stored record's content with `body` (where the system allows it)."""
        ...

    async def afind(self, doctype: str, key: str,
                    body: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Stored records carrying the idempotency `key` (or, failing that, the natural key
        of `body`): how an uncertain write is reconciled."""
        ...

    async def aget(self, doctype: str, record_id: str) -> dict[str, Any] | None:
        """One stored record, None if it is gone."""
        ...

    async def aclose(self) -> None: ...


class AdapterDefaults:
    """The answers of a system that knows nothing beyond its documents: no change times, no
    key written in, no natural key, no references, no lookup, no update. An adapter
    subclasses it and overrides what its system can do (`identify`, `alist`, `comparable`
    and `acreate` are its own)."""

    def changed_at(self, doctype: str, record: Mapping[str, Any]) -> str | None:
        return None

    def stamp(self, doctype: str, body: Mapping[str, Any], key: str) -> dict[str, Any]:
        return dict(body)

    def key_of(self, doctype: str, record: Mapping[str, Any]) -> str | None:
        return None

    def natural_key(self, doctype: str, body: Mapping[str, Any]) -> str | None:
        return None

    def refusals(self, doctype: str, body: Mapping[str, Any]) -> list[str]:
        return []

    def references(self, doctype: str, body: Mapping[str, Any]) -> list[Reference]:
        return []

    def reference_kinds(self, doctype: str) -> tuple[str, ...]:
        """The kinds of reference a `doctype` may need, so that the planner lists them in
        the target from the start, before the first document is mapped (optional: an
        adapter without it has them listed at the first document that needs one)."""
        return ()

    def match_values(self, kind: str, record: Mapping[str, Any]) -> Mapping[str, str]:
        return {}

    def link(self, doctype: str, body: Mapping[str, Any], reference: Reference,
             target_id: str) -> dict[str, Any]:
        return dict(body)

    def credited(self, doctype: str, record: Mapping[str, Any]) -> str | None:
        """The id, in this system, of the invoice a credit note `record` credits (optional:
        the planner then requires that invoice in the target before the credit note)."""
        return None

    def link_credit(self, doctype: str, body: Mapping[str, Any],
                    target_id: str) -> dict[str, Any]:
        """`body`, a credit note, linked to the invoice `target_id` of this system."""
        return dict(body)

    async def aupdate(self, doctype: str, current: Stored,
                      body: Mapping[str, Any]) -> Stored:
        raise NotImplementedError("this target takes no update through passeur")

    async def afind(self, doctype: str, key: str,
                    body: Mapping[str, Any]) -> list[dict[str, Any]]:
        return []

    async def aget(self, doctype: str, record_id: str) -> dict[str, Any] | None:
        return None

    async def aclose(self) -> None:
        return None
