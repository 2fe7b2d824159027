"""Defects of the sync engine found after it was built, each pinned by the test that found it:
a reissue's credit note dated by the run (not the machine's clock at plan time), the plan's
help naming every action, a 401 on a write recorded as a refused write."""

from __future__ import annotations

import datetime
from typing import Any

from sync.test_reissue import acomba_pair  # noqa: F401  (the fixture)

from passeur.engine.sync import make_plan, run_plan
from passeur_erpconnector import demo


def _on(world: Any, step: Any, today: datetime.date, **options: Any) -> Any:
    """`step` (make_plan, run_plan) on a context whose run date is `today`."""
    return world._call(step, today=today, **options)


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


def test_plan_help_names_every_action_of_a_plan():
    """`passeur plan --help` lists what a plan may say of a record, reissue included."""
    from click.testing import CliRunner

    from passeur.cli import _load_commands
    from passeur.cli.app import State, cli
    from passeur.engine.sync.plan import ACTIONS
    from passeur.plugins import load_registry

    _load_commands()
    result = CliRunner().invoke(cli, ["plan", "--help"], obj=State(load_registry()),
                                terminal_width=200)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert 'reissue (a changed document the target cannot update, with on_conflict = ' \
           '"credit_and_reissue": a credit note of the target\'s copy, then the document ' \
           'issued again)' in text
    for action in ACTIONS:
        assert action in text, action


def test_a_401_on_a_write_is_a_refused_write_with_the_servers_message(world_factory):
    """A 401 answering an invoice create: the request was sent, so that invoice is `failed`
    with the server's own message (not "not attempted"), the others not started not attempted, and
    `passeur sync` exits non-zero naming the connection and how to fix its credentials."""
    from sync.test_hostile import _hostile_world

    world, _, server = _hostile_world(world_factory, seed=12, deny_after=5)
    try:
        done = world.cli("sync", "sync.toml")
    finally:
        server.stop()
    assert done.returncode != 0
    out = " ".join((done.stdout + done.stderr).split())
    assert "Traceback" not in out and out.startswith("error: vf.toml refused"), out
    assert ("vf.toml refused the credentials (401): unauthorized; check api_token in "
            "vf.toml (its value comes from the environment variable SYNC_VF_TOKEN)") in out, out
    with world.store() as store:
        entries = store.ledger(store.runs()[0].run_id)
    invoices = [e for e in entries if e.doctype == "invoice"]
    refused = [e for e in invoices if e.message and e.message.startswith("refused")]
    # the creates in flight when the first 401 came may all have been refused
    assert refused, [e.message for e in invoices]
    assert {(e.outcome, e.reason, e.message) for e in refused} == {(
        "failed", "AuthError", "refused by vosfactures (401 on POST /invoices.json): "
        "unauthorized")}
    # the writes under way when it came end as they end (refused too, here); those never
    # started are not attempted
    rest = [e for e in invoices if e.outcome == "failed" and e not in refused]
    assert all(e.message.startswith("not attempted") for e in rest)
    assert len(refused) + len(rest) + len(world.vf.app.state.invoices) == len(invoices)
    assert len(invoices) == len(world.erp.app.state.invoices)  # one outcome each


def test_a_new_store_adopts_the_reissue_not_the_credited_original(acomba_pair):  # noqa: F811
    """After a reissue (10045 credited by 10045-NC, issued again as 10045-R1), a first run
    on a new store adopted the credited 10045, found it changed, and wrote its credit note
    again: 412 (10045-NC exists). It adopts 10045-R1, and writes nothing."""
    world, other, policy = acomba_pair
    policy("credit_and_reissue")
    assert world.run().ok
    demo.change(world.erp.app)
    assert world.run().ok
    held = sorted(other.state.invoices)
    (world.folder / "state.db").unlink()
    for extra in ("state.db-wal", "state.db-shm"):
        (world.folder / extra).unlink(missing_ok=True)
    report = world.run()
    by_id = {e.source_id: e for e in report.entries if e.doctype == "invoice"}
    assert report.ok, [(e.source_id, e.outcome, e.message) for e in report.entries]
    assert by_id["10045"].outcome == "unchanged"
    assert by_id["10045"].target_id == "10045-R1"
    assert by_id["10047"].target_id == "10047-R1"
    assert sorted(other.state.invoices) == held  # nothing written again


def test_a_cancelled_invoice_is_never_adopted(world_factory):
    """VosFactures: an invoice cancelled there (`cancelled: true`) matches the source
    document by its key, but a first run on a new store does not adopt it (and so neither
    updates it nor writes a copy): a conflict that says so."""
    world = world_factory(seed=3)
    assert world.run().ok
    state = world.vf.app.state
    cancelled = next(iter(state.invoices))
    state.cancel(int(cancelled["id"]), "annulée")
    source_id = cancelled["oid"].rsplit(":", 1)[1]
    count = len(state.invoices)
    (world.folder / "state.db").unlink()
    for extra in ("state.db-wal", "state.db-shm"):
        (world.folder / extra).unlink(missing_ok=True)
    report = world.run()
    by_id = {e.source_id: e for e in report.entries if e.doctype == "invoice"}
    assert by_id[source_id].outcome == "conflict"
    assert by_id[source_id].message == (
        f"vosfactures invoice {cancelled['id']} matches it but is credited or cancelled "
        "there, and no document there issues it again; bind the one that replaces it with "
        "`passeur bindings relink`")
    assert {e.outcome for s, e in by_id.items() if s != source_id} == {"unchanged"}
    assert len(state.invoices) == count


def test_a_401_while_listing_either_side_names_that_connection(world_factory):
    """A 401 before any write (the target's listing, the source's reading) stopped the run
    with the bare request ("GET http://...: HTTP 401: unauthorized"): it now names the
    connection file and the setting to fix, like a refused write."""
    import os
    import subprocess
    import sys

    from sync.sync_helpers import ENV
    from sync.test_hostile import _hostile_world

    world, _, server = _hostile_world(world_factory, seed=3, deny_after=0)
    try:
        done = world.cli("sync", "sync.toml")
    finally:
        server.stop()
    assert done.returncode == 4
    assert done.stderr.strip() == (
        "error: vf.toml refused the credentials (401): unauthorized; check api_token in "
        "vf.toml (its value comes from the environment variable SYNC_VF_TOKEN)")
    assert len(world.vf.app.state.invoices) == 0

    other = world_factory(seed=3)
    done = subprocess.run([sys.executable, "-m", "passeur", "sync", "sync.toml"],
                          capture_output=True, text=True, cwd=other.folder, timeout=120,
                          env={**os.environ, **ENV, "SYNC_ACOMBA_SECRET": "wrong",
                               "COLUMNS": "200"})
    assert done.returncode == 4
    message = done.stderr.strip()
    assert message.startswith("error: acomba.toml refused the credentials (401): "), message
    assert message.endswith("; check licence in acomba.toml (its value comes from the "
                            "environment variable SYNC_ACOMBA_LICENCE) and secret in "
                            "acomba.toml (its value comes from the environment variable "
                            "SYNC_ACOMBA_SECRET)"), message
    assert len(other.vf.app.state.invoices) == 0
