"""The sync pipeline end to end over loopback: create once, adopt, update, plan, apply."""

from __future__ import annotations

import json

from sync.sync_helpers import numbers

from passeur.state import SUCCESSES


def test_first_run_creates_clients_products_and_invoices_once(world_factory):
    world = world_factory(seed=6)
    report = world.run()
    assert report.ok, [e for e in report.entries if e.outcome not in SUCCESSES]
    state = world.vf.app.state
    source = sorted(world.erp.app.state.invoices)
    assert numbers(world) == source  # NoFacture <-> number
    assert report.summary["created"] == len(report.entries)
    kinds = {e.doctype for e in report.entries}
    assert kinds == {"client", "product", "invoice"}
    customers = {i["InfoClientFacturerA"]["NoClient"]
                 for i in world.erp.app.state.invoices.values()}
    assert sorted(c["external_id"] for c in state.clients) == sorted(customers)
    for invoice in state.invoices:  # every invoice points at its client and products
        assert invoice["client_id"] is not None
        assert all(p["product_id"] for p in invoice["positions"] if p.get("code"))
        assert invoice["oid"] == f"passeur:acomba:{invoice['number']}"
    again = world.run()
    assert again.summary == {**{k: 0 for k in again.summary}, "unchanged": len(source)}
    assert numbers(world) == source


def test_a_new_store_adopts_what_the_target_already_holds(world_factory):
    world = world_factory(seed=4)
    world.run()
    (world.folder / "state.db").unlink()
    for extra in ("state.db-wal", "state.db-shm"):
        (world.folder / extra).unlink(missing_ok=True)
    report = world.run()
    assert report.ok
    assert {e.outcome for e in report.entries} == {"unchanged"}
    assert len(numbers(world)) == 4
    with world.store() as store:
        assert len(list(store.bindings("invoice"))) == 4


def test_a_changed_source_invoice_is_updated_with_its_diff(world_factory):
    world = world_factory(seed=3)
    world.run()
    invoice = world.erp.app.state.invoices["10045"]
    invoice["Description"] = "livraison express"
    report = world.run()
    updated = [e for e in report.entries if e.outcome == "updated"]
    assert [(e.source_id, e.diff) for e in updated] == [
        ("10045", [{"path": "description", "target": "", "source": "livraison express"}])]
    assert next(i for i in world.vf.app.state.invoices
                if i["number"] == "10045")["description"] == "livraison express"
    assert len(numbers(world)) == 3


def test_plan_writes_nothing_and_apply_does_exactly_the_plan(world_factory):
    world = world_factory(seed=3, count_writes=True)
    result = world.cli("plan", "sync.toml", "--out", "plan.json")
    assert result.returncode == 0, result.stderr
    assert world.vf.app.writes == 0 and world.erp.app.writes == 0
    plan = json.loads((world.folder / "plan.json").read_text(encoding="utf-8"))
    assert plan["counts"]["create"] == len(plan["items"])
    world.erp.app.app.state.invoices["10044"]["Description"] = "after the plan"
    applied = world.cli("apply", "plan.json", "--json")
    assert applied.returncode == 0, applied.stderr
    data = json.loads(applied.stdout)
    assert data["summary"]["created"] == len(plan["items"])
    assert world.vf.app.writes == len(plan["items"])  # one write per planned create
    invoice = next(i for i in world.vf.app.app.state.invoices if i["number"] == "10044")
    assert invoice["description"] != "after the plan"  # the plan, not the source now


def test_apply_refuses_a_record_whose_target_changed_since_the_plan(world_factory):
    world = world_factory(seed=2)
    world.run()
    world.erp.app.state.invoices["10044"]["Description"] = "new text"
    assert world.cli("plan", "sync.toml", "--out", "plan.json").returncode == 0
    target = next(i for i in world.vf.app.state.invoices if i["number"] == "10044")
    world.vf.app.state.update_invoice(target["id"], {"description": "edited by hand"})
    result = world.cli("apply", "plan.json", "--json")
    assert result.returncode == 1
    records = json.loads(result.stdout)["records"]
    changed = [r for r in records if r["source_id"] == "10044"]
    assert changed[0]["outcome"] == "conflict"
    assert "changed since the plan" in changed[0]["message"]
    assert target["description"] == "edited by hand"


def test_sync_cli_runs_and_bindings(world_factory):
    world = world_factory(seed=2)
    result = world.cli("sync", "sync.toml", "--json")
    assert result.returncode == 0, result.stderr
    run = json.loads(result.stdout)
    assert run["ok"] and run["summary"]["created"] == len(run["records"])
    listed = json.loads(world.cli("runs", "--sync", "sync.toml", "--json").stdout)
    assert [r["run"] for r in listed] == [run["run"]]
    csv = world.cli("runs", "show", run["run"], "--sync", "sync.toml", "--csv").stdout
    lines = csv.strip().splitlines()
    assert lines[0].startswith("run,seq,at,doctype,source_system,source_id,source_number")
    assert len(lines) == 1 + len(run["records"])
    bindings = json.loads(world.cli("bindings", "list", "--sync", "sync.toml", "--type",
                                    "invoice", "--json").stdout)
    assert sorted(m["id"] for b in bindings for m in b["members"]
                  if m["system"] == "acomba") == ["10044", "10045"]
    doc = bindings[0]["doc"]
    assert world.cli("bindings", "forget", str(doc), "--sync", "sync.toml").returncode == 0
    again = json.loads(world.cli("sync", "sync.toml", "--json").stdout)
    assert again["ok"]  # adopted again, nothing created twice
    assert len(numbers(world)) == 2


def test_vosfactures_to_acomba_defers_an_unknown_customer_and_says_which(world_factory):
    world = world_factory(seed=0, vf={"seed": 2},
                          extra='[policy]\non_missing_reference = "defer"\n')
    (world.folder / "sync.toml").write_text(
        'store = "back.db"\n[source]\nconnection = "vf.toml"\n[target]\n'
        'connection = "acomba.toml"\n[policy]\non_missing_reference = "defer"\n',
        encoding="utf-8")
    report = world.run()
    assert {e.outcome for e in report.entries} == {"deferred"}
    first = report.entries[0]
    assert "does not exist in acomba" in first.message
    assert first.message.startswith("customer ")
    assert world.erp.app.state.invoices == {}


def test_every_seeded_acomba_document_syncs_into_another_acomba_company_unchanged(
        world_factory):
    """The demo's invoices (every line kind of seed 004, a credit note) from one Acomba
    company into another with the same catalogue: all created, then all unchanged."""
    from passeur.sandbox import serve_in_thread
    from passeur_erpconnector import demo
    from passeur_erpconnector.sandbox import create_app

    world = world_factory(seed=0, erp={"tax_group": "TPS5_TVQ9975"})
    demo.seed(world.erp.app)
    other = create_app(licence="lic", secret="sec", tax_group="TPS5_TVQ9975")
    other.state.catalogue = world.erp.app.state.catalogue
    server = serve_in_thread(other)
    try:
        (world.folder / "b.toml").write_text(
            (world.folder / "acomba.toml").read_text("utf-8").replace(
                world.erp.server.base_url, server.base_url), encoding="utf-8")
        (world.folder / "sync.toml").write_text(
            'store = "state.db"\n[source]\nconnection = "acomba.toml"\nname = "a"\n'
            '[target]\nconnection = "b.toml"\nname = "b"\n', encoding="utf-8")
        first = world.run()
        assert first.ok, [(e.source_id, e.message) for e in first.entries if not e.target_id]
        assert sorted(other.state.invoices) == sorted(world.erp.app.state.invoices)
        for number, invoice in world.erp.app.state.invoices.items():
            copy = other.state.invoices[number]
            for field in ("TotalFacture", "SousTotalFacture", "Description", "Référence"):
                assert copy[field] == invoice[field], (number, field)
            assert [line["DescriptionLigne"] for line in copy["LigneFacture"]] == [
                line["DescriptionLigne"] for line in invoice["LigneFacture"]]
        again = world.run()
        assert {e.outcome for e in again.entries} == {"unchanged"}
    finally:
        server.stop()
