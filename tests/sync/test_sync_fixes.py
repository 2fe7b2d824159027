"""Defects of the sync engine found after it was built, each pinned by the test that found it:
a reissue's credit note dated by the run (not the machine's clock at plan time)."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

from sync.test_reissue import acomba_pair  # noqa: F401  (the fixture)

from passeur.engine.sync import load_sync_file, make_plan, open_context, run_plan
from passeur.state import open_store
from passeur_erpconnector import demo


def _on(world: Any, step: Any, today: datetime.date, **options: Any) -> Any:
    """`step` (make_plan, run_plan) on a context whose run date is `today`."""
    spec = load_sync_file(world.sync_file, world.registry)
    with open_store(spec.store) as store:
        ctx = open_context(spec, world.registry, store, today=today)

        async def go() -> Any:
            try:
                return await step(ctx, **options)
            finally:
                await ctx.aclose()

        return asyncio.run(go())


def test_a_reissue_credit_note_is_dated_by_the_run(acomba_pair):  # noqa: F811
    world, other, policy = acomba_pair
    assert world.run().ok
    demo.change(world.erp.app)
    policy("credit_and_reissue")
    day = datetime.date(2031, 3, 4)
    plan = _on(world, make_plan, day)
    credit = {i.source_id: i for i in plan.items}["10045"].credit
    assert credit["Facture"]["DateFacture"] == "2031-03-04"
    report = _on(world, run_plan, day)
    assert report.ok
    assert other.state.invoices["10045-NC"]["DateFacture"][:10] == "2031-03-04"
    assert other.state.invoices["10047-NC"]["DateFacture"][:10] == "2031-03-04"


def test_a_credit_note_is_never_dated_before_the_invoice_it_credits(acomba_pair):  # noqa: F811
    world, other, policy = acomba_pair
    assert world.run().ok
    demo.change(world.erp.app)
    policy("credit_and_reissue")
    plan = _on(world, make_plan, datetime.date(2001, 1, 1))
    credit = {i.source_id: i for i in plan.items}["10045"].credit
    assert credit["Facture"]["DateFacture"] == other.state.invoices["10045"]["DateFacture"][:10]
    assert credit["Facture"]["DateFacture"] > "2001-01-01"
