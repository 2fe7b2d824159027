"""`passeur sync` calls the plugins' write hooks as `passeur push` does: `passeur_before_write`
on each record about to be written (an ERROR issue vetoes it: nothing is sent, the record is
`failed`), `passeur_after_write` with the ledger entry of every write."""

from __future__ import annotations

from typing import Any

from passeur import Issue, Level, load_registry


class Auditor:
    """Refuses one invoice (by its key in `oid`) and records every outcome it is told."""

    def __init__(self, refused_oid: str) -> None:
        self.refused_oid = refused_oid
        self.before: list[tuple[str, str]] = []
        self.after: list[tuple[str, str, str]] = []

    def passeur_before_write(self, system: str, doctype: str, record: Any) -> list[Issue]:
        self.before.append((system, doctype))
        if doctype == "invoice" and record.get("oid") == self.refused_oid:
            return [Issue(Level.ERROR, "our policy: not this one", "audit.veto", "$.oid")]
        return [Issue(Level.WARNING, "looked at it", "audit.seen")]

    def passeur_after_write(self, system: str, doctype: str, record: Any,
                            outcome: Any) -> None:
        self.after.append((system, doctype, outcome.outcome))


def test_sync_calls_the_write_hooks_and_a_veto_sends_nothing(world_factory):
    world = world_factory(seed=4)
    first = sorted(world.erp.app.state.invoices)[0]
    auditor = Auditor(f"passeur:acomba:{first}")
    world.registry = load_registry(plugins=[("auditor", auditor)])
    report = world.run()
    by_id = {e.source_id: e for e in report.entries if e.doctype == "invoice"}
    vetoed = by_id[first]
    assert (vetoed.outcome, vetoed.reason) == ("failed", "WriteVetoedError")
    assert vetoed.message == ("refused before writing: error [audit.veto]: $.oid: our policy: "
                              "not this one")
    assert {e.outcome for k, e in by_id.items() if k != first} == {"created"}
    oids = [i["oid"] for i in world.vf.app.state.invoices]
    assert f"passeur:acomba:{first}" not in oids and len(oids) == len(by_id) - 1
    writes = [e for e in report.entries if e.outcome in ("created", "failed")]
    assert len(auditor.before) == len(writes)  # every record about to be written
    assert sorted(auditor.after) == sorted(("vosfactures", e.doctype, e.outcome)
                                           for e in writes)
    assert not report.ok


def test_push_still_calls_each_hook_once_per_document(world_factory):
    """push runs the applier without its hooks (it calls them on the documents as given):
    one before and one after per document, not two (tests/plugins/test_write_lifecycle.py
    checks the veto itself)."""
    import json

    world = world_factory(seed=0)
    auditor = Auditor("none")
    registry = load_registry(plugins=[("auditor", auditor)])
    from click.testing import CliRunner

    from passeur.cli import _load_commands
    from passeur.cli.app import State, cli

    _load_commands()
    src = world.folder / "in.json"
    src.write_text(json.dumps([{"kind": "vat", "oid": "A-1", "buyer_name": "ACME",
                                "positions": [{"name": "A", "quantity": 1, "tax": 20,
                                               "total_price_gross": "12.00"}]}]),
                   encoding="utf-8")
    result = CliRunner().invoke(cli, ["push", str(world.folder / "vf.toml"), "invoice",
                                      str(src), "--json"], obj=State(registry))
    assert result.exit_code == 0, result.output
    assert auditor.before == [("vosfactures", "invoice")]
    assert [a[2] for a in auditor.after] == ["created"]
