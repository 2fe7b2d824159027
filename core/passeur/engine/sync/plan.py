"""Plan: read the source (incrementally), map, check, resolve references and compare with
the target, deciding per record create / update (with its diff) / unchanged / skip / defer /
fail / conflict. Planning only reads: no system receives a write, and the store is only read.

A plan is a value (`Plan.as_json`), so `passeur plan --out plan.json` saves exactly what
`passeur apply plan.json` will do.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import attrs

from passeur.engine.sync.adapter import Reference, SyncAdapter
from passeur.engine.sync.compare import content_hash, diff
from passeur.engine.sync.context import Event, SyncContext
from passeur.engine.sync.match import Index
from passeur.engine.sync.refusal import credentials_refused
from passeur.errors import PasseurError, UsageError
from passeur.http import AuthError
from passeur.issues import Level

__all__ = ["PLAN_VERSION", "Plan", "PlanItem", "idempotency_key", "make_plan",
           "reissue_keys"]

PLAN_VERSION = 1
ACTIONS = ("create", "update", "reissue", "unchanged", "skip", "defer", "fail",
           "conflict")


def idempotency_key(source: str, doctype: str, source_id: str) -> str:
    """The key written to the target: the source system and the document's id there, never
    a free-text field (40 invoices sharing one Référence are 40 keys)."""
    prefix = "" if doctype == "invoice" else f"{doctype}:"
    return f"passeur:{source}:{prefix}{source_id}"


def reissue_keys(key: str, credited_id: str) -> tuple[str, str]:
    """The keys of the credit note and of the new document that replace the target's
    `credited_id` (on_conflict = "credit_and_reissue"): one pair per credited record, so a
    re-run after a crash finds both writes again."""
    return f"{key}#credit:{credited_id}", f"{key}#reissue:{credited_id}"


@attrs.frozen
class PlanItem:
    """What the plan decided for one record (a document or a reference it needs)."""

    seq: int
    doctype: str
    action: str
    source_id: str
    key: str
    source_number: str | None = None
    source_hash: str | None = None
    body: Mapping[str, Any] | None = None
    target_id: str | None = None
    target_version: str | None = None
    target_hash: str | None = None
    refs: tuple[str, ...] = ()  # keys of the reference items this one waits for
    diff: tuple[Mapping[str, Any], ...] = ()
    reason: str | None = None
    message: str | None = None
    adopt: bool = False  # bind to an existing target record (first run, or a found ref)
    changed_at: str | None = None
    reference: bool = False
    credit: Mapping[str, Any] | None = None  # a reissue's credit note, written before `body`

    def as_json(self) -> dict[str, Any]:
        data = attrs.asdict(self, recurse=False)
        data["refs"], data["diff"] = list(self.refs), list(self.diff)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PlanItem:
        fields = {a.name for a in attrs.fields(cls)}
        unknown = set(data) - fields
        if unknown:
            raise UsageError(f"plan item has unknown fields {sorted(unknown)}")
        values = dict(data)
        values["refs"] = tuple(values.get("refs") or ())
        values["diff"] = tuple(values.get("diff") or ())
        return cls(**values)


@attrs.frozen
class Plan:
    sync: str  # the sync file's path
    name: str
    source: str
    target: str
    mapping_version: str
    created_at: str
    items: tuple[PlanItem, ...]

    def counts(self) -> dict[str, int]:
        return {a: sum(i.action == a for i in self.items) for a in ACTIONS}

    def as_json(self) -> dict[str, Any]:
        return {"passeur_plan": PLAN_VERSION, "sync": self.sync, "name": self.name,
                "source": self.source, "target": self.target,
                "mapping_version": self.mapping_version, "created_at": self.created_at,
                "counts": self.counts(), "items": [i.as_json() for i in self.items]}

    @classmethod
    def from_json(cls, data: Any, where: str = "plan") -> Plan:
        if not isinstance(data, Mapping) or data.get("passeur_plan") != PLAN_VERSION:
            raise UsageError(f"{where} is not a passeur plan (version {PLAN_VERSION}); make "
                             "one with `passeur plan SYNCFILE --out plan.json`")
        try:
            return cls(str(data["sync"]), str(data["name"]), str(data["source"]),
                       str(data["target"]), str(data["mapping_version"]),
                       str(data["created_at"]),
                       tuple(PlanItem.from_json(i) for i in data["items"]))
        except (KeyError, TypeError) as exc:
            raise UsageError(f"{where}: a damaged plan ({exc}); make a new one") from None


def _since_text(ctx: SyncContext, doctype: str, full: bool,
                since: datetime.date | None) -> str | None:
    """Where to start reading: an explicit date, else the cursor minus the look-back (what
    changed just before the cursor but was committed late is read again, and found
    unchanged if it was already synced)."""
    if since is not None:
        return since.isoformat()
    if full:
        return None
    cursor = ctx.store.cursor(ctx.spec.source.name, doctype)
    if cursor is None:
        return ctx.spec.since.isoformat() if ctx.spec.since else None
    try:
        when = datetime.datetime.fromisoformat(cursor.updated_at)
    except ValueError:
        return cursor.updated_at
    return (when - datetime.timedelta(seconds=ctx.spec.look_back)).isoformat(
        timespec="milliseconds")


def _live(target: SyncAdapter, doctype: str, by_id: Mapping[str, Mapping[str, Any]],
          by_key: dict[str, list[Mapping[str, Any]]],
          by_number: dict[str, list[Mapping[str, Any]]]
          ) -> tuple[dict[str, list[Mapping[str, Any]]], dict[str, list[Mapping[str, Any]]],
                     frozenset[str]]:
    """What a document may be adopted as, by key and by number: never a record the target
    shows credited (a credit note of it is there: `credited`) or cancelled (`voided`), which
    a reissue replaced; in its place the live record that issued it again (the reissue's
    key `KEY#reissue:ID`, or the number it reissues, `reissue_of`). Both adapter methods
    are optional."""
    credited_of = getattr(target, "credited", None)
    voided = getattr(target, "voided", None)
    reissue_of = getattr(target, "reissue_of", None)
    dead: set[str] = set()
    for record in by_id.values():
        credited = credited_of(doctype, record) if credited_of is not None else None
        if credited:
            dead.add(credited)
    for record_id, record in by_id.items():
        if voided is not None and voided(doctype, record):
            dead.add(record_id)

    def alive(records: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        out = []
        for record in records:
            stored = target.identify(doctype, record)
            if stored is None or stored.record_id not in dead:
                out.append(record)
        return out

    reissued: dict[str, list[Mapping[str, Any]]] = {}
    for record in by_id.values():
        base = reissue_of(doctype, record) if reissue_of is not None else None
        if base:
            reissued.setdefault(base, []).append(record)
    # where nothing live replaces them, the dead records stay: the planner reports them
    keys = {k: alive(v) for k, v in by_key.items()}
    for key, records in by_key.items():
        if records and not keys[key]:
            keys[key] = alive([r for k, v in by_key.items()
                               if k.startswith(f"{key}#reissue:") for r in v]) or records
    numbers = {n: alive(v) for n, v in by_number.items()}
    for number, records in by_number.items():
        if records and not numbers[number]:
            numbers[number] = alive(reissued.get(number, [])) or records
    return keys, numbers, frozenset(dead)


#: The target's records of one document type, by id, by idempotency key, by number, and
#: the ids of those credited or cancelled there.
_Found = tuple[dict[str, Mapping[str, Any]], dict[str, list[Mapping[str, Any]]],
               dict[str, list[Mapping[str, Any]]], frozenset[str]]


class _Planner:
    """Plans record by record. The target's listings (each document type, each kind of
    reference) are started at once and side by side, each the first time it may be needed,
    so their latencies overlap with one another and with reading and mapping the source."""

    def __init__(self, ctx: SyncContext, on_event: Event | None,
                 sink: Callable[[PlanItem], None] | None = None,
                 pace: Callable[[], Awaitable[None]] | None = None) -> None:
        self.ctx = ctx
        self.src = ctx.spec.source.name
        self.tgt = ctx.spec.target.name
        self.items: list[PlanItem] = []
        self.refs: dict[str, PlanItem] = {}
        self.docs: dict[str, PlanItem] = {}  # documents planned so far, by key
        self.ref_index: dict[str, asyncio.Future[Index | None]] = {}
        self.found: dict[str, asyncio.Future[_Found]] = {}
        self.on_event = on_event
        self.sink = sink
        self.pace = pace

    def add(self, **fields: Any) -> PlanItem:
        item = PlanItem(seq=len(self.items) + 1, **fields)
        self.items.append(item)
        if not item.reference:
            self.docs[item.key] = item
        if self.sink is not None:
            self.sink(item)
        return item

    async def aclose(self) -> None:
        """Stop the listings nobody waited for (a plan cut short)."""
        futures: list[asyncio.Future[Any]] = [*self.ref_index.values(),
                                               *self.found.values()]
        pending = [f for f in futures if not f.done()]
        for future in pending:
            future.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for future in futures:
            if future.done() and not future.cancelled():
                future.exception()  # retrieved: an unused listing's error is not logged

    # -- references ----------------------------------------------------------------------

    def start_index(self, kind: str) -> asyncio.Future[Index | None]:
        if kind not in self.ref_index:
            self.ref_index[kind] = asyncio.ensure_future(self._load_index(kind))
        return self.ref_index[kind]

    async def _load_index(self, kind: str) -> Index | None:
        target = self.ctx.target
        try:
            records = [r async for r in target.alist(kind)]
        except (PasseurError, NotImplementedError, KeyError):
            return None  # the target lists no such records
        return Index(records, lambda r: target.match_values(kind, r),
                     lambda r: getattr(target.identify(kind, r), "record_id", "?"))

    async def _index(self, kind: str) -> Index | None:
        return await self.start_index(kind)

    def start_listing(self, doctype: str) -> asyncio.Future[_Found]:
        if doctype not in self.found:
            self.found[doctype] = asyncio.ensure_future(self._load_found(doctype))
        return self.found[doctype]

    async def _load_found(self, doctype: str) -> _Found:
        target = self.ctx.target
        by_id: dict[str, Mapping[str, Any]] = {}
        by_key: dict[str, list[Mapping[str, Any]]] = {}
        by_number: dict[str, list[Mapping[str, Any]]] = {}
        async for record in target.alist(doctype):
            stored = target.identify(doctype, record)
            if stored is not None:
                by_id[stored.record_id] = record
            key = target.key_of(doctype, record)
            if key:
                by_key.setdefault(key, []).append(record)
            number = target.natural_key(doctype, record)
            if number:
                by_number.setdefault(number, []).append(record)
        return by_id, *_live(target, doctype, by_id, by_key, by_number)

    async def resolve(self, ref: Reference) -> tuple[str | None, str | None, str | None]:
        """(target id now known, key of the reference item to wait for, problem)."""
        ctx, policy = self.ctx, self.ctx.spec.policy
        key = idempotency_key(self.src, ref.kind, ref.source_key)
        common = {"doctype": ref.kind, "source_id": ref.source_key, "key": key,
                  "source_number": ref.label or ref.source_key, "reference": True,
                  "source_hash": content_hash(ref.body) if ref.body is not None else None}
        bound = ctx.store.find_binding(ref.kind, self.src, ref.source_key)
        member = bound.member(self.tgt) if bound else None
        if member is not None:
            mine = bound.member(self.src) if bound else None
            if (key not in self.refs and ref.body is not None and mine is not None
                    and mine.content_hash not in (None, common["source_hash"])):
                await self._changed_reference(ref, member.record_id, common)
            return member.record_id, None, None
        planned = self.refs.get(key)
        if planned is not None:
            problem = planned.message if planned.action in ("fail", "defer") else None
            return None, key, problem
        index = await self._index(ref.kind)
        found = index.find(ref.hints, ctx.spec.match.get(ref.kind, ())) if index else None
        if found is not None and found.record is not None:
            stored = ctx.target.identify(ref.kind, found.record)
            item = self.add(action="unchanged", target_id=stored.record_id if stored else None,
                            adopt=True, message=f"found in {self.tgt} by {found.field}",
                            **common)
        elif found is not None and found.ambiguous:
            action = "defer" if policy["on_ambiguous"] == "defer" else "fail"
            item = self.add(action=action, reason="ambiguous", message=(
                f"{ref.label} matches {len(found.ambiguous)} records in {self.tgt} by "
                f"{found.field} (ids {', '.join(found.ambiguous)}); bind one with `passeur "
                f"bindings relink`"), **common)
        elif policy["on_missing_reference"] == "create" and ref.body is not None:
            item = self.add(action="create", body=dict(ref.body), **common)
        else:
            action = "defer" if policy["on_missing_reference"] == "defer" else "fail"
            why = ("the policy says not to create it" if ref.body is not None
                   else f"{self.tgt} cannot receive one from passeur")
            item = self.add(action=action, reason="missing reference", message=(
                f"{ref.label} does not exist in {self.tgt} ({why}); create it there, then "
                "sync again"), **common)
        self.refs[key] = item
        problem = item.message if item.action in ("fail", "defer") else None
        return None, key, problem

    async def _changed_reference(self, ref: Reference, target_id: str,
                                 common: Mapping[str, Any]) -> None:
        """A bound client or product whose source changed since it was last written or
        found: compared with the target's copy, it is an update (with its diff) where the
        target updates that kind, else left as it is with the diff in the plan. A record
        found in the target is never changed on the run that found it: only a later change
        in the source updates it."""
        ctx = self.ctx
        assert ref.body is not None
        record = await ctx.target.aget(ref.kind, target_id)
        if record is None:
            return  # gone: the document's own write says so
        stored = ctx.target.identify(ref.kind, record)
        view = ctx.target.comparable(ref.kind, ref.body, record)
        # only what the adapter compares is compared and sent (a product's price comes from
        # one invoice line: it is not the product's own)
        wanted = {k: v for k, v in ref.body.items() if k in view}
        changes = tuple(diff(wanted, view))
        placed = {"target_id": target_id, "target_version": stored.version if stored else None,
                  "target_hash": content_hash(view), "body": wanted, "diff": changes}
        if not changes:
            item = self.add(action="unchanged", **placed, **common)
        elif ctx.capabilities(ref.kind).update:
            item = self.add(action="update", message=f"{ref.label} changed in {self.src}",
                            **placed, **common)
        else:
            item = self.add(action="skip", reason="changed", message=(
                f"{ref.label} changed in {self.src}; {self.tgt} updates no {ref.kind} "
                "through passeur"), **placed, **common)
        self.refs[str(common["key"])] = item

    # -- documents -----------------------------------------------------------------------

    async def plan_doctype(self, doctype: str, full: bool,
                           since: datetime.date | None) -> None:
        ctx = self.ctx
        self.start_listing(doctype)
        since_text = _since_text(ctx, doctype, full, since)
        count = 0
        async for record in _read(ctx.source.alist(doctype, since=since_text),
                                  ctx.spec.source.connection):
            changed = ctx.source.changed_at(doctype, record)
            if changed is not None and since_text is not None and changed < since_text:
                continue  # a source that cannot filter: the cursor's job is done here
            count += 1
            if self.on_event:
                self.on_event("read", count, None)
            await self.plan_one(doctype, record, changed, full)
            if self.pace is not None:
                await self.pace()  # the writes already planned go out first

    async def _body(self, doctype: str, record: Mapping[str, Any], key: str,
                    common: Mapping[str, Any], original: Any = None,
                    ) -> tuple[dict[str, Any], list[str], list[str]] | None:
        """The record mapped for the target (over `original`, the target's current copy,
        when there is one), stamped, checked and linked to its references; None when it
        failed (the item is added)."""
        ctx = self.ctx
        converter = ctx.converters[doctype]
        if original is not None:
            outcome = converter.convert(dict(record), line=None, original=dict(original))
        else:
            outcome = converter.convert(dict(record), line=None)
        notes = [str(i) for i in outcome.issues if i.level is not Level.INFO]
        if outcome.failed:
            errors = [str(i) for i in outcome.issues if i.level is Level.ERROR]
            self.add(action="fail", reason="mapping", message="; ".join(errors or notes)
                     or "the mapping gave nothing", **common)
            return None
        body = ctx.target.stamp(doctype, outcome.output, key)
        refused = ctx.target.refusals(doctype, body)
        if refused:
            self.add(action="fail", reason="refused", message="; ".join(refused + notes),
                     **common)
            return None
        linked = self._credit_link(doctype, record, body, common)  # checked before refs
        if linked is None:
            return None
        body, credit = linked
        waits: list[str] = []
        refs = ctx.target.references(doctype, body)
        for ref in refs:
            self.start_index(ref.kind)  # side by side, before the first is awaited
        for ref in refs:
            target_id, wait, problem = await self.resolve(ref)
            if problem is not None:
                action = "defer" if "defer" in (ctx.spec.policy["on_missing_reference"],
                                                ctx.spec.policy["on_ambiguous"]) else "fail"
                self.add(action=action, reason="reference", message=problem, body=body,
                         **common)
                return None
            if target_id is not None:
                body = ctx.target.link(doctype, body, ref, target_id)
            elif wait is not None:
                waits.append(wait)
        return body, waits + ([credit] if credit else []), notes

    def _credit_link(self, doctype: str, record: Mapping[str, Any], body: dict[str, Any],
                     common: Mapping[str, Any]) -> tuple[dict[str, Any], str | None] | None:
        """A credit note names the invoice it credits (the source adapter's `credited`): that
        invoice must be in the target, and its id there is written into the credit note
        (`link_credit`). Bound by an earlier run: linked now; planned in this run: the
        credit note waits for it; else deferred (failed under on_missing_reference =
        "fail") with a message naming it. None when the item was added."""
        ctx = self.ctx
        credited_of = getattr(ctx.source, "credited", None)  # both optional in an adapter
        credited = credited_of(doctype, record) if credited_of is not None else None
        if not credited:
            return body, None
        link = getattr(ctx.target, "link_credit", None)
        bound = ctx.store.find_binding(doctype, self.src, credited)
        member = bound.member(self.tgt) if bound else None
        if member is not None:
            return (link(doctype, body, member.record_id) if link else body), None
        key = idempotency_key(self.src, doctype, credited)
        planned = self.docs.get(key)
        if planned is not None and planned.action in ("create", "unchanged", "update",
                                                      "reissue"):
            if planned.action == "unchanged" and planned.target_id:
                return (link(doctype, body, planned.target_id) if link else body), None
            return body, key
        fail = ctx.spec.policy["on_missing_reference"] == "fail"
        label = common.get("source_number") or common.get("source_id")
        self.add(action="fail" if fail else "defer", reason="credited invoice", body=body,
                 message=(f"credit note {label} credits {doctype} {credited} of {self.src}, "
                          f"which is not in {self.tgt}" + (
                              f": sync {credited} first, then this credit note" if fail else
                              f" yet: it waits until {credited} is synced (the next run "
                              "links them)")), **common)
        return None

    async def plan_one(self, doctype: str, record: Mapping[str, Any], changed: str | None,
                       full: bool) -> None:
        ctx, src, tgt = self.ctx, self.src, self.tgt
        ident = ctx.source.identify(doctype, record)
        if ident is None:
            self.add(doctype=doctype, action="fail", source_id="?", key="", reason="no id",
                     message=f"a {doctype} of {src} has no id; it cannot be synced safely",
                     changed_at=changed)
            return
        key = idempotency_key(src, doctype, ident.record_id)
        source_hash = content_hash(record)
        common = {"doctype": doctype, "source_id": ident.record_id, "key": key,
                  "source_number": ident.number, "source_hash": source_hash,
                  "changed_at": changed}
        binding = ctx.store.find_binding(doctype, src, ident.record_id)
        member = binding.member(tgt) if binding else None
        mine = binding.member(src) if binding else None
        if member and mine and mine.content_hash == source_hash and not full:
            self.add(action="unchanged", target_id=member.record_id,
                     target_version=member.version, **common)
            return
        made = await self._body(doctype, record, key, common)
        if made is None:
            return
        body, waits, notes = made
        message = "; ".join(notes) or None
        by_id, by_key, by_number, dead = await self.start_listing(doctype)
        current: Mapping[str, Any] | None = None
        adopt = False
        if member is not None:
            current = by_id.get(member.record_id)
            if current is None:
                current = await ctx.target.aget(doctype, member.record_id)
            if current is None:
                self.add(action="fail", reason="target gone", message=(
                    f"bound to {tgt} {doctype} {member.record_id}, which no longer exists; "
                    f"`passeur bindings forget {binding.doc_id if binding else '?'}` to "
                    "create it again"), **common)
                return
        else:
            number = ctx.target.natural_key(doctype, body)
            found = list(by_key.get(key, ())) or (list(by_number.get(number, ()))
                                                  if number else [])
            if len(found) > 1:
                ids = [getattr(ctx.target.identify(doctype, r), "record_id", "?")
                       for r in found]
                self.add(action="conflict", reason="ambiguous", message=(
                    f"{len(found)} {doctype}s in {tgt} match it ({', '.join(ids)}); bind the "
                    "right one with `passeur bindings relink`"), **common)
                return
            if found:
                current, adopt = found[0], True
                stored = ctx.target.identify(doctype, current)
                if stored is not None and stored.record_id in dead:
                    self.add(action="conflict", reason="credited", message=(
                        f"{tgt} {doctype} {stored.record_id} matches it but is credited or "
                        "cancelled there, and no document there issues it again; bind the "
                        "one that replaces it with `passeur bindings relink`"), **common)
                    return
        if current is None:
            self.add(action="create", body=body, refs=tuple(waits), message=message, **common)
            return
        if ctx.converters[doctype].original_problem() is None:
            # written over the target's copy, so that `key` and `keep` take effect
            made = await self._body(doctype, record, key, common, original=current)
            if made is None:
                return
            body, waits, notes = made
            message = "; ".join(notes) or None
        stored = ctx.target.identify(doctype, current)
        view = ctx.target.comparable(doctype, body, current)
        changes = tuple(diff(body, view))
        placed = {"target_id": stored.record_id if stored else None,
                  "target_version": stored.version if stored else None,
                  "target_hash": content_hash(view), "adopt": adopt, "body": body,
                  "refs": tuple(waits)}
        if not changes:
            self.add(action="unchanged", message="adopted: already in the target"
                     if adopt else message, **placed, **common)
        elif ctx.capabilities(doctype).update:
            self.add(action="update", diff=changes, message=message, **placed, **common)
        else:
            self._no_update(doctype, key, current, body, changes, placed, common)

    def _no_update(self, doctype: str, key: str, current: Mapping[str, Any],
                   body: Mapping[str, Any], changes: tuple[Mapping[str, Any], ...],
                   placed: dict[str, Any], common: Mapping[str, Any]) -> None:
        """A changed document the target cannot update: a conflict with its diff, skipped,
        or (on_conflict = "credit_and_reissue") a credit note of the target's copy plus a
        new document, both built by the target's adapter."""
        ctx, src = self.ctx, self.src
        who = ctx.spec.target.connection.variant or ctx.spec.target.connection.system.name
        policy = ctx.spec.policy["on_conflict"]
        message = (f"changed in {src} since it was written, and {who} updates no {doctype}: "
                   "issue a credit note and a new document there, or accept the difference")
        if policy == "credit_and_reissue":
            reissue = getattr(ctx.target, "reissue", None)  # optional in an adapter
            target_id = placed["target_id"]
            made = (reissue(doctype, current, body, *reissue_keys(key, target_id),
                            today=ctx.today)
                    if reissue is not None and target_id is not None else
                    f"{who} cannot issue a credit note through passeur")
            if isinstance(made, str):
                self.add(action="conflict", diff=changes, reason="changed", message=(
                    f"{message} (on_conflict = \"credit_and_reissue\": {made})"),
                    **placed, **common)
                return
            credit, new = made
            self.add(action="reissue", diff=changes, credit=credit, message=(
                f"changed in {src}, and {who} updates no {doctype}: {target_id} is credited "
                "and the document issued again"), **{**placed, "body": new}, **common)
            return
        self.add(action="skip" if policy == "skip" else "conflict", diff=changes,
                 reason="changed", message=message, **placed, **common)


async def make_plan(ctx: SyncContext, *, full: bool = False,
                    since: datetime.date | None = None,
                    on_event: Event | None = None,
                    sink: Callable[[PlanItem], None] | None = None,
                    pace: Callable[[], Awaitable[None]] | None = None) -> Plan:
    """The plan of one run (reads only). `sink` receives each item the moment it is
    decided (a reference always before the documents that wait for it), so that `passeur
    sync` applies while it still plans (`pace` is awaited after each document, to let the
    writes go first); the returned plan lists references first."""
    planner = _Planner(ctx, on_event, sink, pace)
    try:
        for doctype in ctx.spec.doctypes:
            planner.start_listing(doctype)
            kinds = getattr(ctx.target, "reference_kinds", None)  # optional in an adapter
            for kind in kinds(doctype) if kinds is not None else ():
                planner.start_index(kind)
        for doctype in ctx.spec.doctypes:
            await planner.plan_doctype(doctype, full, since)
    finally:
        await planner.aclose()
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    refs = [i for i in planner.items if i.reference]
    docs = [i for i in planner.items if not i.reference]
    ordered = tuple(attrs.evolve(item, seq=n) for n, item in enumerate(refs + docs, 1))
    return Plan(str(ctx.spec.path), ctx.spec.name, ctx.spec.source.name,
                ctx.spec.target.name, ctx.mapping_version, now, ordered)


async def _read(records: AsyncIterator[dict[str, Any]],
                connection: Any) -> AsyncIterator[dict[str, Any]]:
    """The source's records; a refusal of its credentials names the source's connection
    file (any other refusal during a plan is the target's: `run_plan` names it)."""
    while True:
        try:
            record = await anext(records)
        except StopAsyncIteration:
            return
        except AuthError as exc:
            raise credentials_refused(connection, exc) from exc
        yield record
