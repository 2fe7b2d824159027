"""Apply: execute a plan, references first, each write exactly once.

Before each write a *write intent* with a deterministic key is recorded in the store; after
it, the intent is confirmed with the id the target gave. An answer that does not identify
what was stored, a lost answer, a server error after a write that may have been applied:
the intent becomes `uncertain` and the document is looked up in the target by its key
before anything is sent again. A later run finds unfinished intents the same way. Every
record's outcome goes to the ledger the moment it is known, so a killed run leaves a record
of everything it touched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from passeur.engine.sync.adapter import Stored
from passeur.engine.sync.compare import content_hash, diff
from passeur.engine.sync.context import Event, SyncContext
from passeur.engine.sync.plan import Plan, PlanItem, reissue_keys
from passeur.engine.sync.refusal import credentials_refused
from passeur.errors import PasseurError, TransportError
from passeur.http import AuthError, Conflict, Retryable, Uncertain, ValidationError
from passeur.issues import Issue, Level
from passeur.state import Intent, LedgerEntry, Member, attempt_owner, owner_run

__all__ = ["Applier", "credentials_refused"]

LEASE_TTL = 300.0  # seconds a document's lease lives (its holder's process gone: at once)
LEASE_POLL = 0.2  # seconds between two looks at a lease another attempt of the run holds

OUTCOME_OF = {"unchanged": "unchanged", "skip": "skipped", "defer": "deferred",
              "fail": "failed", "conflict": "conflict"}
_UNKNOWN = object()  # a lookup that could not be made
WRITES = ("create", "update", "reissue")  # the actions that call the target


class _Outcome(Exception):
    def __init__(self, outcome: str, message: str | None = None, reason: str | None = None,
                 target_id: str | None = None) -> None:
        super().__init__(message)
        self.outcome, self.message, self.reason, self.target_id = (outcome, message, reason,
                                                                   target_id)


class Applier:
    """Runs the items of one plan for one run (`run_id`) against the target."""

    def __init__(self, ctx: SyncContext, run_id: str, *, on_event: Event | None = None,
                 from_file: bool = False, attempts: int = 3,
                 sleep: Callable[[float], Any] = asyncio.sleep, hooks: bool = True,
                 attempt: str | None = None) -> None:
        self.ctx = ctx
        self.run_id = run_id
        # `attempt` names one attempt of a distributed run's job: another attempt of the
        # same job may run at once (a live worker taken for dead), so this one leases under
        # its own owner, waits for the other, and records nothing already on the ledger
        self.attempt = attempt
        self.owner = run_id if attempt is None else attempt_owner(run_id, attempt)
        self.taken_over: set[str] = set()  # keys left by an attempt that died: look first
        self.on_event = on_event
        self.from_file = from_file
        self.attempts = attempts
        self.sleep = sleep
        self.src = ctx.spec.source.name
        self.tgt = ctx.spec.target.name
        # the plugins' write hooks (`push` calls them itself, on the documents as given)
        self.hook = ctx.registry.pm.hook if hooks else None
        self.system = ctx.spec.target.connection.system.name
        self.resolved: dict[str, str] = {}
        self.failed_refs: dict[str, str] = {}
        self.entries: list[LedgerEntry] = []
        self.done = 0
        self.resumed = False  # an item taken up again (a queue's retry): look before writing
        self.begin(ctx.mapping_version)

    # -- the run -------------------------------------------------------------------------

    def begin(self, mapping_version: str, total: int | None = None) -> None:
        """Get ready to take items one by one (`submit`) while they are being planned."""
        self.mapping_version, self.total = mapping_version, total
        self.gate = asyncio.Semaphore(self.ctx.spec.concurrency)
        self.ready: dict[str, asyncio.Event] = {}
        self.submitted: list[PlanItem] = []
        self.documents: set[str] = set()  # the keys of the documents submitted
        self.tasks: list[asyncio.Future[None]] = []
        self.waiting = 0  # submitted, not yet writing
        self.writing: set[int] = set()  # id() of the items past the gate, not yet done
        self.moved = asyncio.Event()  # an item started or finished

    def submit(self, item: PlanItem) -> None:
        """Start one item: a document as soon as the references it waits for are done
        (parents first, without a barrier between the two). A reference is always submitted
        before the documents that wait for it."""
        self.ready.setdefault(item.key, asyncio.Event())  # a credit note waits for its invoice
        if not item.reference:
            self.documents.add(item.key)
        self.submitted.append(item)
        self.waiting += 1  # counted now: the task only starts when the planner yields
        self.tasks.append(asyncio.ensure_future(self._gated(item)))

    async def room(self) -> None:
        """Wait while enough work is queued (twice `concurrency`): a planner feeding this
        applier then leaves the event loop to the writes, which keep the target's rate
        budget busy, and plans further in their waits. It always yields once, so that
        the items just submitted send their requests before the next record is mapped."""
        await asyncio.sleep(0)
        while self.waiting >= 2 * self.ctx.spec.concurrency:
            self.moved.clear()
            await self.moved.wait()

    async def _gated(self, item: PlanItem) -> None:
        started = False
        try:
            for key in item.refs:
                if key in self.ready:
                    await self.ready[key].wait()
            async with self.gate:
                self.waiting, started = self.waiting - 1, True
                self.moved.set()
                self.writing.add(id(item))
                await self.one(item)
        finally:
            self.writing.discard(id(item))
            if not started:
                self.waiting -= 1
            self.moved.set()
            if item.key in self.ready:
                self.ready[item.key].set()

    async def drain(self) -> list[LedgerEntry]:
        """Wait for every submitted item; a refused credential stops those not started,
        each recorded as failed (not attempted). Those already writing are waited for and
        recorded by what happened to them: cancelled, a write that reached the target
        would be recorded "not attempted"."""
        try:
            await asyncio.gather(*self.tasks)
        except AuthError as exc:
            for task, item in zip(self.tasks, self.submitted, strict=True):
                if id(item) not in self.writing:  # a write under way ends as it ends: it
                    task.cancel()                 # may have been sent, and applied
            await asyncio.gather(*self.tasks, return_exceptions=True)
            recorded = {(e.doctype, e.source_id) for e in self.entries}
            for item in self.submitted:
                if (item.doctype, item.source_id) not in recorded:
                    self._record(item, "failed", reason="AuthError", message=(
                        f"not attempted: {self.tgt} refused the credentials ({exc})"))
            raise credentials_refused(self.ctx.spec.target.connection, exc) from exc
        return self.entries

    async def apply(self, plan: Plan) -> list[LedgerEntry]:
        """Every item of a finished plan, `concurrency` at a time."""
        self.begin(plan.mapping_version, len(plan.items))
        for item in plan.items:
            self.submit(item)
        return await self.drain()

    async def apply_one(self, item: PlanItem) -> LedgerEntry:
        """One document on its own (a distributed run's apply task), the references it
        waits for already in `resolved` / `failed_refs`: the same steps as inside a run,
        and a refused credential recorded as this item's failure."""
        return await self.one(item, alone=True)

    def _record(self, item: PlanItem, outcome: str, *, message: str | None = None,
                reason: str | None = None, target_id: str | None = None) -> LedgerEntry:
        entry = self.ctx.store.record(LedgerEntry(
            self.run_id, item.doctype, self.src, item.source_id, outcome,
            source_number=item.source_number, target_system=self.tgt,
            target_id=target_id or item.target_id, reason=reason or item.reason,
            message=message if message is not None else item.message,
            mapping_version=self.mapping_version, diff=list(item.diff)))
        self.entries.append(entry)
        self.done += 1
        if self.on_event:
            self.on_event("apply", self.done, self.total)
        return entry

    async def one(self, item: PlanItem, *, alone: bool = False) -> LedgerEntry:
        """One item's steps and its ledger entry, under the document's lease: the entry is
        recorded before the lease is let go, so another attempt that gets the lease next
        finds it. `alone` (a distributed apply task): a refused credential is this item's
        failure, not raised."""
        if self.attempt is None and item.action in OUTCOME_OF:
            return await self._settle(item, alone)  # nothing written: no lease inline
        resource = f"{self.tgt}:{item.doctype}:{item.key}"
        if not await self._hold(item, resource):
            return await self._settle(item, alone, _Outcome(
                "deferred", "another run is writing this document; the next run takes it "
                "up", "leased"))
        try:
            if self.attempt is not None:
                done = self.ctx.store.outcome(self.run_id, item.doctype, item.source_id)
                if done is not None:  # recorded by another attempt of this job
                    self._learn(item, done.outcome, done.target_id, done.message)
                    return done
            return await self._settle(item, alone)
        finally:
            self.ctx.store.release(resource, self.owner)

    async def _hold(self, item: PlanItem, resource: str) -> bool:
        """Take the document's lease; False when another run holds it. Another attempt of
        this run holding it is waited for (bounded by the lease's time): it records the
        item, or its lease lapses (its process died) and this attempt takes the item over,
        looking up each write by its key before sending it."""
        store = self.ctx.store
        waited, deadline = False, None
        while not store.lease(resource, self.owner, LEASE_TTL):
            if self.attempt is None:
                return False  # inline: another run holds it
            holder = store.lease_holder(resource)
            if holder is not None and owner_run(holder) != self.run_id:
                return False
            loop = asyncio.get_running_loop()
            deadline = deadline or loop.time() + LEASE_TTL + 10 * LEASE_POLL
            if loop.time() > deadline:
                raise RuntimeError(f"{resource}: held by {holder} longer than its lease's "
                                   f"{LEASE_TTL:.0f} s; nothing recorded, for the queue to "
                                   "try again")
            waited = True
            await asyncio.sleep(LEASE_POLL)
        if waited:
            self.taken_over.add(item.key)
        return True

    def _learn(self, item: PlanItem, outcome: str, target_id: str | None,
               message: str | None) -> None:
        """What the documents waiting for this item need to know of its outcome."""
        if outcome in ("created", "unchanged", "updated") and target_id:
            self.resolved[item.key] = target_id
        else:
            self.failed_refs[item.key] = message or outcome

    async def _settle(self, item: PlanItem, alone: bool,
                      preset: _Outcome | None = None) -> LedgerEntry:
        refused: AuthError | None = None
        try:
            if preset is not None:
                raise preset
            outcome = await self._one(item)
        except _Outcome as result:
            outcome = result
        except AuthError as exc:
            if item.action in WRITES and exc.method not in ("", "GET", "HEAD"):
                refused = exc  # the write was sent and refused: this record failed, the
                path = urlsplit(exc.url).path or exc.url  # run stops
                outcome = _Outcome("failed", f"refused by {self.tgt} ({exc.status} on "
                                   f"{exc.method} {path}): {exc.detail}", "AuthError")
            elif alone:
                outcome = _Outcome("failed", f"{self.tgt} refused the credentials ({exc})",
                                   "AuthError")
            else:
                raise  # refused before this record's write was sent: not attempted
        except (PasseurError, NotImplementedError) as exc:
            outcome = _Outcome("failed", str(exc), type(exc).__name__)
        self._learn(item, outcome.outcome, outcome.target_id, outcome.message)
        entry = self._record(item, outcome.outcome, message=outcome.message,
                             reason=outcome.reason, target_id=outcome.target_id)
        if self.hook is not None and item.action in WRITES:
            self.hook.passeur_after_write(system=self.system, doctype=item.doctype,
                                          record=item.body, outcome=entry)
        if refused is not None and not alone:
            raise refused
        return entry

    def _vetoed(self, item: PlanItem, body: Mapping[str, Any]) -> None:
        """`passeur_before_write`: an ERROR issue from a plugin keeps the record from being
        sent; the outcome says which and why."""
        if self.hook is None:
            return
        found: list[Issue] = []
        for answer in self.hook.passeur_before_write(system=self.system,
                                                     doctype=item.doctype, record=body):
            found.extend(answer or ())
        errors = [issue for issue in found if issue.level is Level.ERROR]
        if errors:
            raise _Outcome("failed", "refused before writing: " + "; ".join(map(str, errors)),
                           "WriteVetoedError")

    async def _one(self, item: PlanItem) -> _Outcome:
        if item.action in OUTCOME_OF:
            if item.action == "unchanged":
                self._bind(item, item.target_id, item.target_version)
            return _Outcome(OUTCOME_OF[item.action], item.message, item.reason,
                            item.target_id)
        body = self._linked(item)
        self._vetoed(item, body)
        if item.action == "create":
            return await self._create(item, body)
        if item.action == "reissue":
            return await self._reissue(item, body)
        return await self._update(item, body)

    def _linked(self, item: PlanItem) -> dict[str, Any]:
        body = dict(item.body or {})
        for key in item.refs:
            if key in self.failed_refs:
                raise _Outcome("deferred", f"waits for a reference that did not get through: "
                               f"{self.failed_refs[key]}", "reference")
            target_id = self.resolved.get(key)
            if target_id is None:
                raise _Outcome("deferred", f"waits for reference {key}", "reference")
            if key in self.documents:  # the invoice a credit note credits
                link = getattr(self.ctx.target, "link_credit", None)
                body = link(item.doctype, body, target_id) if link else body
                continue
            kind, _, source_key = key.removeprefix(f"passeur:{self.src}:").partition(":")
            for ref in self.ctx.target.references(item.doctype, body):
                if ref.kind == kind and ref.source_key == source_key:
                    body = self.ctx.target.link(item.doctype, body, ref, target_id)
        return body

    # -- bindings ------------------------------------------------------------------------

    def _bind(self, item: PlanItem, target_id: str | None, version: str | None,
              number: str | None = None) -> None:
        if target_id is None:
            return
        store = self.ctx.store
        source = Member(self.src, item.source_id, None, item.source_hash, item.source_number)
        target = Member(self.tgt, target_id, version,
                        content_hash(item.body) if item.body is not None else None, number)
        binding = store.find_binding(item.doctype, self.src, item.source_id)
        if binding is None:
            other = store.find_binding(item.doctype, self.tgt, target_id)
            if other is not None:
                store.bind(item.doctype, source, doc_id=other.doc_id)
                store.update_member(other.doc_id, target)
                return
            store.bind(item.doctype, source, target)
            return
        if binding.member(self.tgt) is None:
            store.bind(item.doctype, target, doc_id=binding.doc_id)
        else:
            store.update_member(binding.doc_id, target)
        if item.source_hash is not None:
            store.update_member(binding.doc_id, source)

    # -- lookups -------------------------------------------------------------------------

    async def _lookup(self, item: PlanItem, body: Mapping[str, Any],
                      key: str | None = None) -> Stored | object | None:
        """The stored record carrying the item's key (or `key`), None if there is none,
        _UNKNOWN if the target could not be asked."""
        for attempt in range(self.attempts):
            try:
                found = await self.ctx.target.afind(item.doctype, key or item.key, body)
            except (Retryable, Uncertain):
                await self.sleep(0.2 * 2 ** attempt)
                continue
            except TransportError:
                return _UNKNOWN
            for record in found:
                stored = self.ctx.target.identify(item.doctype, record)
                if stored is not None:
                    return stored
            return None
        return _UNKNOWN

    # -- create --------------------------------------------------------------------------

    async def _create(self, item: PlanItem, body: dict[str, Any]) -> _Outcome:
        store = self.ctx.store
        bound = store.find_binding(item.doctype, self.src, item.source_id)
        member = bound.member(self.tgt) if bound else None
        if member is not None:  # another run got there first
            return _Outcome("unchanged", "already written by another run", None,
                            member.record_id)
        intent_key = f"{self.tgt}|{item.doctype}|{item.key}|{item.source_id}|create"
        stored, earlier = await self._send_new(item, body, item.key, intent_key)
        self._bind(item, stored.record_id, stored.version, stored.number)
        if earlier is not None:
            return _Outcome("created", f"written by run {earlier}, whose answer was lost; "
                            "found by its key and bound", None, stored.record_id)
        return _Outcome("created", item.message, None, stored.record_id)

    async def _send_new(self, item: PlanItem, body: dict[str, Any], key: str,
                        intent_key: str) -> tuple[Stored, str | None]:
        """Create one record under a write intent, exactly once: (what was stored, the run
        whose lost answer it was, when an earlier attempt had written it). Raises _Outcome
        when it is not certainly stored."""
        store = self.ctx.store
        intent = Intent(intent_key, self.run_id, self.tgt, item.doctype, "create",
                        f"{self.src}:{item.source_id}")
        prior = store.open_intent(intent)
        if prior.run_id != self.run_id or prior.state != "pending" or self.resumed or \
                item.key in self.taken_over:
            found = await self._lookup(item, body, key)
            if isinstance(found, Stored):
                store.close_intent(intent_key, "confirmed", found.record_id)
                return found, prior.run_id
            if found is _UNKNOWN:
                raise _Outcome("uncertain", f"an earlier attempt (run {prior.run_id}) may have "
                               f"created it and {self.tgt} cannot be asked now; the next run "
                               "looks again", "Uncertain")
            store.close_intent(intent_key, "pending", message=f"retried by {self.run_id}")
        sent = 0
        while True:
            sent += 1
            try:
                stored = await self.ctx.target.acreate(item.doctype, body)
            except Conflict as exc:
                if sent == 1:  # not ours: the key was taken before this run wrote anything
                    store.close_intent(intent_key, "failed", message=str(exc))
                    raise _Outcome("failed", f"{exc}; {self.tgt} already holds a document "
                                   "with this key, written by someone else",
                                   "Conflict") from None
                found = await self._lookup(item, body, key)
                if not isinstance(found, Stored):
                    store.close_intent(intent_key, "uncertain", message=str(exc))
                    raise _Outcome("uncertain", f"{exc}; the lookup by key did not find it: "
                                   "the next run looks again", "Conflict") from None
                stored = found
            except Uncertain as exc:
                store.close_intent(intent_key, "uncertain", message=str(exc))
                found = await self._lookup(item, body, key)
                if isinstance(found, Stored):
                    stored = found
                elif found is _UNKNOWN:
                    raise _Outcome("uncertain", f"{exc}; the lookup by key failed too: the "
                                   "next run looks again before writing",
                                   type(exc).__name__) from None
                elif exc.still_running:  # accepted and not done: a resend could be a copy
                    raise _Outcome("uncertain", f"{exc}; not found by its key yet, so not "
                                   "sent again: the next run looks it up before writing",
                                   type(exc).__name__) from None
                elif sent < self.attempts:
                    store.close_intent(intent_key, "pending", message="not found; resent")
                    continue
                else:
                    store.close_intent(intent_key, "failed", message=str(exc))
                    raise _Outcome("failed", f"{exc}; not found in {self.tgt} after {sent} "
                                   "attempts", type(exc).__name__) from None
            except ValidationError as exc:
                found = await self._lookup(item, body, key) if sent > 1 else None
                if isinstance(found, Stored):  # the resend hit our own first copy
                    stored = found
                else:
                    store.close_intent(intent_key, "failed", message=str(exc))
                    raise _Outcome("failed", str(exc), "ValidationError") from None
            except AuthError as exc:
                store.close_intent(intent_key, "failed", message=str(exc))
                raise
            except (TransportError, NotImplementedError) as exc:
                store.close_intent(intent_key, "failed", message=str(exc))
                raise _Outcome("failed", str(exc), type(exc).__name__) from None
            store.close_intent(intent_key, "confirmed", stored.record_id)
            return stored, None

    async def _reissue(self, item: PlanItem, body: dict[str, Any]) -> _Outcome:
        """A changed document the target cannot update (on_conflict = "credit_and_reissue"):
        a credit note of the target's copy, then the document again, each under its own
        intent and key; the binding then points at the new document. A crash between the
        two leaves the credit note's intent confirmed: the next run finds it by its key
        and goes on with the new document."""
        assert item.target_id is not None and item.credit is not None
        credit_key, new_key = reissue_keys(item.key, item.target_id)
        base = f"{self.tgt}|{item.doctype}|{item.key}|{item.target_id}"
        try:
            credit, _ = await self._send_new(item, dict(item.credit), credit_key,
                                             f"{base}|credit")
        except _Outcome as failed:
            raise _Outcome(failed.outcome, f"the credit note of {item.target_id} was not "
                           f"written: {failed.message}; {item.target_id} stands as it was",
                           failed.reason) from None
        try:
            stored, _ = await self._send_new(item, body, new_key, f"{base}|reissue")
        except _Outcome as failed:
            raise _Outcome(failed.outcome, f"credit note {credit.record_id} written (it "
                           f"credits {item.target_id}), the new document not: "
                           f"{failed.message}; the next run writes it", failed.reason,
                           credit.record_id) from None
        self._bind(item, stored.record_id, stored.version, stored.number)
        return _Outcome("updated", f"{self.tgt} updates no {item.doctype}: credit note "
                        f"{credit.record_id} created (it credits {item.target_id}), then "
                        f"{stored.record_id} (on_conflict = \"credit_and_reissue\")", None,
                        stored.record_id)

    # -- update --------------------------------------------------------------------------

    async def _update(self, item: PlanItem, body: dict[str, Any]) -> _Outcome:
        target, store = self.ctx.target, self.ctx.store
        assert item.target_id is not None
        record = await target.aget(item.doctype, item.target_id)
        if record is None:
            return _Outcome("failed", f"{item.doctype} {item.target_id} is gone from "
                            f"{self.tgt}", "NotFound")
        current = target.identify(item.doctype, record)
        assert current is not None
        view = target.comparable(item.doctype, body, record)
        moved = (current.version != item.target_version if item.target_version
                 else content_hash(view) != item.target_hash)
        if moved and diff(body, view):
            return _Outcome("conflict", f"{self.tgt} {item.doctype} {item.target_id} changed "
                            "since the plan (version "
                            f"{item.target_version} -> {current.version}); plan again",
                            "target changed")
        if not diff(body, view):
            self._bind(item, current.record_id, current.version, current.number)
            return _Outcome("unchanged", "already as planned", None, current.record_id)
        intent_key = f"{self.tgt}|{item.doctype}|{item.key}|update|{item.source_hash}"
        store.open_intent(Intent(intent_key, self.run_id, self.tgt, item.doctype, "update",
                                 f"{self.src}:{item.source_id}"))
        try:
            stored = await target.aupdate(item.doctype, current, body)
        except Uncertain as exc:
            store.close_intent(intent_key, "uncertain", message=str(exc))
            again = await target.aget(item.doctype, item.target_id)
            if again is None or diff(body, target.comparable(item.doctype, body, again)):
                return _Outcome("uncertain", f"{exc}; the record does not show the update "
                                "yet: the next run compares again", "Uncertain")
            stored = target.identify(item.doctype, again) or current
        except AuthError:
            raise
        except TransportError as exc:
            store.close_intent(intent_key, "failed", message=str(exc))
            return _Outcome("failed", str(exc), type(exc).__name__)
        store.close_intent(intent_key, "confirmed", stored.record_id)
        self._bind(item, stored.record_id, stored.version, stored.number)
        return _Outcome("updated", item.message, None, stored.record_id)
