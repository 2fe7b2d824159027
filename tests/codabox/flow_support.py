"""A CodaBox -> ClearFacts world for the flow's tests: both sandboxes on loopback, one
connection file per office and one for ClearFacts, a sync file written as a user would, and
what the tests read back (the inbox, the feeds' offsets, the ledger)."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import attrs

from passeur import load_registry
from passeur.engine.sync import load_sync_file
from passeur.engine.sync.flows import FlowContext
from passeur.state import open_store
from passeur_clearfacts.sandbox import create_app as clearfacts_app
from passeur_codabox.flow import FlowReport
from passeur_codabox.flow_config import FlowOptions
from passeur_codabox.sandbox import create_app as codabox_app

VENDOR = "0b0b0b0b-1111-4222-8333-444455556666"
TOKEN = "T0kenT0kenT0kenT0kenT0kenT0kenT0kenT0kenT0kenT0kenT0kenT0kenT0kenT0kenT0kenT0ken"
assert len(TOKEN) == 80
HTTP = "[http]\nrate_limit = 1000\nbase_delay = 0.01\nmax_delay = 0.05\ntimeout = 5\n"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@attrs.define
class World:
    tmp: Path
    codabox: Any  # the CodaBox sandbox app (its .state is read by the tests)
    clearfacts: Any
    codabox_url: str
    clearfacts_url: str
    inactive: set[str]  # IBANs whose journal is configured but not activated
    extra: str = ""  # more sync-file text ([delivery], [resolve]...)
    overrides: dict[str, str] = attrs.field(factory=dict)  # environment changed by a test

    @property
    def env(self) -> dict[str, str]:
        env = {"CODABOX_VENDOR": VENDOR, "CLEARFACTS_TOKEN": TOKEN}
        for office in self.codabox.state.offices:
            env[f"CODABOX_PASSWORD_{office.username.upper()}"] = office.password
        return {**env, **self.overrides}

    @property
    def sync_file(self) -> Path:
        return self.tmp / "offices.toml"

    def write(self) -> Path:
        """The connection files and the sync file, from the sandboxes' offices."""
        (self.tmp / "clearfacts.toml").write_text(
            f'system = "clearfacts"\n[settings]\nbase_url = "{self.clearfacts_url}"\n'
            f'token = {{ env = "CLEARFACTS_TOKEN" }}\n{HTTP}', encoding="utf-8")
        (self.tmp / "codabox.toml").write_text(
            f'system = "codabox"\n[settings]\nbase_url = "{self.codabox_url}/v2"\n'
            f'software_company = {{ env = "CODABOX_VENDOR" }}\n{HTTP}', encoding="utf-8")
        lines = ['flow = "codabox-clearfacts"', 'name = "offices"', 'store = "state.db"', "",
                 "[source]", 'connection = "codabox.toml"', "[target]",
                 'connection = "clearfacts.toml"', self.extra]
        for office in self.codabox.state.offices:
            lines += [f"[offices.{office.username}]", f'username = "{office.username}"',
                      f'password = {{ env = "CODABOX_PASSWORD_{office.username.upper()}" }}',
                      f"[offices.{office.username}.journals]"]
            for feed in office.feeds:
                for n, account in enumerate(feed.accounts):
                    active = "false" if account.iban in self.inactive else "true"
                    lines.append(f'"{account.iban}" = {{ journal = '
                                 f'"{feed.client["client_code"]}-BQ{n + 1}", '
                                 f"activated = {active} }}")
        self.sync_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return self.sync_file

    def spec(self) -> Any:
        return load_sync_file(self.sync_file, load_registry(), environ=self.env)

    def options(self) -> FlowOptions:
        options: FlowOptions = self.spec().options
        return options

    def run(self, *, replay: bool = False) -> FlowReport:
        """One run as `passeur sync` makes it: the sync file checked by the sync engine,
        the flow the registry knows by its name."""
        registry = load_registry()
        spec = load_sync_file(self.sync_file, registry, environ=self.env)
        flow = registry.sync_flows[spec.flow]
        with open_store(self.tmp / "state.db") as store:
            report: FlowReport = asyncio.run(flow.run(FlowContext(spec, registry, store),
                                                      spec.options, replay=replay))
        return report

    # -- what the tests read back ----------------------------------------------------------

    def run_count(self) -> int:
        with open_store(self.tmp / "state.db") as store:
            return len(store.runs())

    def feeds(self) -> list[Any]:
        return [f for o in self.codabox.state.offices for f in o.feeds]

    def entries(self) -> list[tuple[Any, Any]]:
        """(feed, entry) for every entry of every feed, in feed order."""
        return [(f, e) for f in self.feeds() for e in f.entries]

    def inbox(self) -> list[tuple[str, str, str, str]]:
        """(company number, kind, type, sha256) of every stored document, upload order."""
        return [(d.company_number, d.kind, d.type, d.sha256)
                for d in self.clearfacts.state.documents]

    def expected(self, entry: Any, feed: Any) -> tuple[str, str, str, str]:
        """What delivering `entry` puts in ClearFacts (from the sandbox's own data)."""
        company = feed.client["client_vat"][2:]
        if entry.document_model == "coda":
            return company, "archive", "FINANCIAL", sha(entry.files["cod"])
        kind = "PURCHASE" if entry.document_model == "purchase_invoice" else "SALE"
        return company, "invoice", kind, sha(entry.files["xml"])


def world(serve: Any, tmp: Path, *, inactive_per_office: int = 1, offices: int = 3,
          clearfacts_options: dict[str, Any] | None = None,
          codabox_options: dict[str, Any] | None = None) -> World:
    """Three offices of two clients (the first with two accounts); the second account of
    each office's first client has its journal configured but not activated."""
    codabox = codabox_app(software_company=VENDOR, offices=offices,
                          **(codabox_options or {}))
    administrations = [(f.client["client_vat"][2:], f.client["client_name"])
                       for o in codabox.state.offices for f in o.feeds]
    clearfacts = clearfacts_app(token=TOKEN, administrations=administrations,
                                **(clearfacts_options or {}))
    inactive = set()
    for office in codabox.state.offices:
        accounts = office.feeds[0].accounts
        inactive.update(a.iban for a in accounts[1:1 + inactive_per_office])
    made = World(tmp, codabox, clearfacts, serve(codabox).base_url,
                 serve(clearfacts).base_url, inactive)
    made.write()
    return made
