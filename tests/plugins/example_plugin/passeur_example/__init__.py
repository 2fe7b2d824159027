"""A third-party plugin as a plugin author would write it: one module, public API only."""

from __future__ import annotations

from typing import Any

from passeur import Capabilities, DocumentType, FieldSpec, FieldType, SystemSpec, hookimpl

SYSTEM = SystemSpec(
    name="example",
    title="Example ERP",
    document_types=(
        DocumentType(
            name="invoice",
            canonical="invoice",
            capabilities=Capabilities(list=True, get=True),
            fields=(
                FieldSpec("InvoiceNo", FieldType.STRING, required=True),
                FieldSpec("Total", FieldType.DECIMAL, read_only=True),
            ),
        ),
    ),
)


@hookimpl
def passeur_register_systems(register: Any) -> None:
    register(SYSTEM)


# -- a sync flow of its own: `flow = "tally"` ------------------------------------------
# Each item of [tally] items ("OFFICE:NAME") becomes one ledger record: created, or failed
# when NAME starts with "!", or skipped (waiting) when it starts with "~" unless the run
# is a --replay. `pause` (seconds) waits before each item, so a test can stop a run
# halfway; `poll` is the server's minimum polling interval (`passeur watch`).

TALLY_KEYS = ("items", "pause", "poll")


def _tally_parse(file: Any) -> dict[str, Any]:
    from passeur.errors import UsageError

    table = file.table("tally", TALLY_KEYS, "[tally] has")
    items = table.get("items", [])
    if not isinstance(items, list) or not all(isinstance(i, str) and ":" in i
                                              for i in items):
        raise UsageError(f"{file.where('items', 'tally')}: items must be a list of "
                         f"\"OFFICE:NAME\" texts, got {items!r}")
    for key in ("pause", "poll"):
        value = table.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise UsageError(f"{file.where(key, 'tally')}: {key} must be a number of "
                             f"seconds, got {value!r}")
    return {"items": tuple(items), "pause": float(table.get("pause", 0)),
            "poll": table.get("poll")}


async def _tally_run(ctx: Any, options: Any, *, mode: str = "sync", replay: bool = False,
                     full: bool = False, since: Any = None, on_event: Any = None) -> Any:
    import asyncio

    from passeur.sync import recorded_run

    with recorded_run(ctx, mode) as run:
        for item in options["items"]:
            if options["pause"]:
                await asyncio.sleep(options["pause"])
            office, name = item.split(":", 1)
            if name.startswith("!"):
                run.record(doctype="tally", source_id=item, outcome="failed",
                           reason="refused", message=f"{name[1:]} was refused")
            elif name.startswith("~") and not replay:
                run.record(doctype="tally", source_id=item, outcome="skipped",
                           reason="waiting", message="waits for --replay")
            else:
                run.record(doctype="tally", source_id=item, outcome="created",
                           target_id=f"{office}-{name.lstrip('~')}")
    return run.report()


def _tally_status(ctx: Any, options: Any) -> list[Any]:
    """One table per office: each item, how many times it was created, its last outcome."""
    from passeur.sync import StatusTable

    created: dict[str, int] = {}
    last: dict[str, str] = {}
    for run in reversed(ctx.store.runs(str(ctx.spec.path))):
        for entry in ctx.store.ledger(run.run_id):
            created[entry.source_id] = created.get(entry.source_id, 0) + (
                entry.outcome == "created")
            last[entry.source_id] = entry.outcome
    offices: dict[str, list[tuple[Any, ...]]] = {}
    for item in options["items"]:
        office, name = item.split(":", 1)
        offices.setdefault(office, []).append((name, created.get(item, 0),
                                               last.get(item)))
    return [StatusTable(f"office {office}", ("item", "created", "last outcome"),
                        tuple(rows)) for office, rows in offices.items()]


def _tally_poll(ctx: Any, options: Any) -> float | None:
    poll = options["poll"]
    return None if poll is None else float(poll)


@hookimpl
def passeur_register_sync_flows(register: Any) -> None:
    from passeur.sync import SyncFlow

    register(SyncFlow(name="tally", keys=("tally",), parse=_tally_parse, run=_tally_run,
                      replay="the items waiting (~NAME) are delivered",
                      status=_tally_status, poll_interval=_tally_poll,
                      title="items counted into the ledger (a test flow)"))
