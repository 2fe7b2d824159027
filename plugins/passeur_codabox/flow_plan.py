"""`passeur plan` of a codabox-clearfacts sync file: what a run would do with each entry
waiting in the feeds, from the feeds' listings (GET only), the bindings and the write
intents; nothing is downloaded, uploaded or acknowledged, and the store is not changed.

A statement planned `create` is still read and checked when the run downloads it (a
statement that does not balance is refused then); an upload left uncertain is planned
`defer` unless the sync file resolves it.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Mapping
from typing import Any

from passeur import PasseurError
from passeur.sync import Plan, PlanItem, Store
from passeur_codabox.delivery import decide
from passeur_codabox.flow import feed_client_id, intent_key, label, target_system
from passeur_codabox.flow_config import FlowOptions

__all__ = ["plan_flow"]


def _item(store: Store, options: FlowOptions, entry: Mapping[str, Any],
          journals: Mapping[str, Any], allowed: Mapping[str, Any]) -> dict[str, Any]:
    index = str(entry.get("feed_index") or "")
    model = str(entry.get("document_model") or "unknown")
    base: dict[str, Any] = {"doctype": model, "source_id": index,
                            "source_number": label(entry)}
    binding = store.find_binding(model, "codabox", index)
    if binding is not None:
        other = next((m for m in binding.members if m.system != "codabox"), None)
        return {**base, "action": "unchanged", "reason": "already delivered",
                "target_id": other.record_id if other else None}
    decision = decide(entry, journals, allowed)
    if decision.action == "skip":
        return {**base, "action": "skip", "reason": decision.code, "message": decision.reason}
    if model in ("purchase_invoice", "sales_invoice") and options.invoices == "none":
        return {**base, "action": "skip", "reason": "invoices not delivered"}
    system = target_system(options, model)
    intent = store.intent(intent_key(system, index))
    resolution = options.resolve.get(index)
    if intent is not None and intent.state == "confirmed":
        return {**base, "action": "unchanged", "reason": "already delivered",
                "target_id": intent.target_id}
    if intent is not None and intent.state in ("pending", "uncertain"):
        if resolution == "delivered":
            return {**base, "action": "unchanged", "reason": "resolved as delivered"}
        if resolution != "reupload" and options.on_uncertain_upload == "report":
            return {**base, "action": "defer", "reason": "uncertain",
                    "message": "an earlier upload may be in ClearFacts: look there, then "
                               "resolve it in [resolve]"}
    where = (f"{options.statements.folder}" if system == "folder" else
             f"ClearFacts {'archive' if model == 'coda' else decision.invoice_type}")
    return {**base, "action": "create", "reason": None,
            "message": f"{decision.format} to {where}"}


async def plan_flow(store: Store, options: FlowOptions, codabox: Mapping[str, Any], *,
                    sync: str, name: str, replay: bool = False) -> Plan:
    """The plan of one run (`codabox` maps each office to its client)."""
    found: list[dict[str, Any]] = []
    for office in options.offices:
        client = codabox[office.name]
        try:
            pod = await asyncio.to_thread(client.pod_client)
        except PasseurError as exc:
            found.append({"doctype": "feed", "source_id": f"office {office.name}",
                          "action": "fail", "reason": type(exc).__name__,
                          "message": f"the pod client could not be read: {exc}"})
            continue
        allowed = pod.get("allowed_formats") or {}
        for feed_client in pod.get("feed_clients") or []:
            for redownload in ((True, False) if replay else (False,)):
                try:
                    feed_id = feed_client_id(feed_client)
                    entries = await asyncio.to_thread(client.feed, feed_id,
                                                      redownload=redownload)
                except PasseurError as exc:
                    found.append({"doctype": "feed", "source_id": str(
                                  feed_client.get("id") or feed_client.get("client_code")
                                  or "?"), "action": "fail", "reason": type(exc).__name__,
                                  "message": f"the feed could not be read: {exc}"})
                    continue
                found += [_item(store, options, e, office.journals, allowed)
                          for e in entries]
    items = tuple(PlanItem(seq=n, key=f"{sync}:{item['source_id']}", **item)
                  for n, item in enumerate(found, 1))
    created = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    return Plan(sync, name, "codabox", "clearfacts", "none", created, items)
