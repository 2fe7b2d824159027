"""The check stage's credit-note links: a credit note names the invoice it credits; that
invoice must be in the target, and the credit note is written linked to it there."""

from __future__ import annotations

from passeur_erpconnector import demo


def _acomba_with_credit_note(world_factory, credits: str, extra: str = ""):
    """The demo's Acomba invoices; credit note 10050 says (where passeur writes it) which
    invoice it credits."""
    world = world_factory(seed=0, erp={"tax_group": "TPS5_TVQ9975"}, extra=extra)
    demo.seed(world.erp.app)
    note = world.erp.app.state.invoices["10050"]
    note["ExtendedProperties"] = {"passeur.credits": credits}
    return world


def _vf(world, oid: str) -> dict:
    return next(i for i in world.vf.app.state.invoices if i["oid"] == oid)


def test_a_credit_note_is_linked_to_the_invoice_it_credits_in_the_target(world_factory):
    world = _acomba_with_credit_note(world_factory, "10045")
    report = world.run()
    assert report.ok, [(e.source_id, e.message) for e in report.entries if not e.target_id]
    credited = _vf(world, "passeur:acomba:10045")
    note = _vf(world, "passeur:acomba:10050")
    assert note["invoice_id"] == credited["id"]
    assert note["from_invoice_id"] == credited["id"]
    assert {e.outcome for e in world.run().entries} == {"unchanged"}


def test_a_credit_note_whose_invoice_is_not_in_the_target_waits_and_says_which(
        world_factory):
    world = _acomba_with_credit_note(world_factory, "9999")
    report = world.run()
    entry = next(e for e in report.entries if e.source_id == "10050")
    assert (entry.outcome, entry.reason) == ("deferred", "credited invoice")
    assert entry.message == ("credit note 10050 credits invoice 9999 of acomba, which is not "
                             "in vosfactures yet: it waits until 9999 is synced (the next run "
                             "links them)")
    assert "passeur:acomba:10050" not in [i["oid"] for i in world.vf.app.state.invoices]
    others = {e.outcome for e in report.entries if e.source_id != "10050"}
    assert others == {"created"}
    assert not report.ok


def test_under_on_missing_reference_fail_it_fails_naming_the_invoice(world_factory):
    world = _acomba_with_credit_note(world_factory, "9999",
                                     '[policy]\non_missing_reference = "fail"\n')
    entry = next(e for e in world.run().entries if e.source_id == "10050")
    assert entry.outcome == "failed"
    assert entry.message == ("credit note 10050 credits invoice 9999 of acomba, which is not "
                             "in vosfactures: sync 9999 first, then this credit note")


def test_a_credit_note_of_an_invoice_bound_by_an_earlier_run_is_linked(world_factory):
    world = _acomba_with_credit_note(world_factory, "10045")
    note = world.erp.app.state.invoices.pop("10050")
    assert world.run().ok
    world.erp.app.state.invoices["10050"] = note
    report = world.run()
    entry = next(e for e in report.entries if e.source_id == "10050")
    assert entry.outcome == "created"
    assert _vf(world, "passeur:acomba:10050")["invoice_id"] == _vf(
        world, "passeur:acomba:10045")["id"]
