"""The seller in connection and sync files: a system whose documents do not name their
seller (Acomba) gets it from its connection (a seller file or a `[seller]` table), or from
the sync file's side; each mistake is refused at its file:line."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO
from lxml import etree

import passeur.cli.sync_cmd  # noqa: F401 - registers the command
from passeur import load_registry
from passeur.cli.app import cli
from passeur.engine.connection import load_connection
from passeur.engine.sync.syncfile import load_sync_file
from passeur.errors import InputError
from support.einvoice_corpus import registry

SELLER = Path(__file__).parent / "seller.toml"
CREATED = REPO / "tests/fixtures/golden/acomba_seed003_created/input.json"
INLINE = '''system = "acomba"

[folder]
path = "in"
pattern = "{NoFacture}.json"

[seller]
name = "Ébénisterie Tremblay inc."
identifiers = [{ value = "CA123456789", scheme = "vat" }]

[seller.address]
city = "Montréal"
country = "CA"
'''


def _acomba_folder(tmp_path: Path, connection: str) -> None:
    (tmp_path / "in").mkdir()
    answer = json.loads(CREATED.read_text(encoding="utf-8"))  # seed 003's create answer
    (tmp_path / "in" / "10044.json").write_text(json.dumps(
        answer["ResultPayload"]["FullTransaction"]), encoding="utf-8")
    (tmp_path / "acomba.toml").write_text(connection, encoding="utf-8")
    (tmp_path / "ubl.toml").write_text('system = "ubl"\n[folder]\npath = "out"\n'
                                       'pattern = "{ID}.xml"\n', encoding="utf-8")


def test_a_connection_names_its_seller_file(tmp_path: Path) -> None:
    shutil.copy(SELLER, tmp_path / "our-company.toml")
    (tmp_path / "acomba.toml").write_text(
        'system = "acomba"\nseller = "our-company.toml"\n[folder]\npath = "in"\n')
    connection = load_connection(tmp_path / "acomba.toml", load_registry())
    assert connection.seller is not None
    assert connection.seller.origin == str(tmp_path / "our-company.toml")
    assert connection.seller.party.name == "Ébénisterie Tremblay inc."


def test_a_connection_gives_its_seller_inline(tmp_path: Path) -> None:
    (tmp_path / "acomba.toml").write_text(INLINE, encoding="utf-8")
    connection = load_connection(tmp_path / "acomba.toml", load_registry())
    assert connection.seller is not None
    party = connection.seller.party
    assert (party.name, party.address.city if party.address else None,
            party.identifiers[0].value) == ("Ébénisterie Tremblay inc.", "Montréal",
                                            "CA123456789")
    assert connection.seller.origin == str(tmp_path / "acomba.toml")


@pytest.mark.parametrize(("text", "message"), [
    ('system = "acomba"\n\nseller = "nowhere.toml"\n',
     ":3: seller file nowhere.toml not found (looked for "),
    ('system = "acomba"\n\n[seller]\nname = "X"\n',
     ":3: the seller has no address.country (EN 16931 BT-27, BT-40)"),
    ('system = "acomba"\n[seller]\nname = "X"\nvat = "1"\n[seller.address]\ncountry = "CA"\n',
     ":2: not a seller party: unknown field(s): vat"),
    ('system = "acomba"\nseller = 3\n', ":2: seller is a seller file (seller = "
     '"our-company.toml") or a [seller] table of the party\'s fields, not int'),
])
def test_a_bad_seller_in_a_connection_is_refused_at_its_line(tmp_path: Path, text: str,
                                                             message: str) -> None:
    path = tmp_path / "acomba.toml"
    path.write_text(text + '[folder]\npath = "in"\n' if "[seller" not in text else
                    text.replace('system = "acomba"\n', 'system = "acomba"\nfolder = '
                                 '{ path = "in" }\n', 1), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_connection(path, load_registry())
    shift = 1 if "[seller" in text else 0  # the folder line added above the table
    line, _, rest = message[1:].partition(":")
    assert str(caught.value).startswith(f"{path}:{int(line) + shift}:{rest}")


def test_a_sync_side_names_its_seller_and_wins_over_the_connection(tmp_path: Path) -> None:
    _acomba_folder(tmp_path, INLINE)
    other = tmp_path / "other.toml"
    other.write_text('name = "Autre inc."\n[address]\ncountry = "CA"\n', encoding="utf-8")
    sync = tmp_path / "sync.toml"
    sync.write_text('store = "state.db"\n\n[source]\nconnection = "acomba.toml"\n'
                    'seller = "other.toml"\n\n[target]\nconnection = "ubl.toml"\n',
                    encoding="utf-8")
    spec = load_sync_file(sync, registry())
    assert spec.source.connection.seller is not None
    assert spec.source.connection.seller.party.name == "Autre inc."
    sync.write_text('store = "state.db"\n\n[source]\nconnection = "acomba.toml"\n\n'
                    '[source.seller]\nname = "X"\n\n[target]\nconnection = "ubl.toml"\n',
                    encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_sync_file(sync, registry())
    assert str(caught.value) == (f"{sync}:6: the seller has no address.country (EN 16931 "
                                 "BT-27, BT-40)")


def test_a_sync_from_acomba_to_ubl_files_takes_the_seller_of_the_connection(
        tmp_path: Path) -> None:
    """"Every new Acomba invoice as a Peppol UBL file in this folder": the written invoice's
    seller is the connection's."""
    _acomba_folder(tmp_path, INLINE)
    (tmp_path / "sync.toml").write_text('store = "state.db"\n[source]\nconnection = '
                                        '"acomba.toml"\n[target]\nconnection = "ubl.toml"\n',
                                        encoding="utf-8")
    result = CliRunner().invoke(cli, ["sync", str(tmp_path / "sync.toml"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout, parse_float=Decimal)["summary"]
    assert summary["created"] == 1
    root = etree.parse(str(tmp_path / "out" / "10044.xml")).getroot()
    ns = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
          "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
    seller = root.find("cac:AccountingSupplierParty/cac:Party", ns)
    assert seller is not None
    assert [e.text for e in seller.iterfind(".//cbc:RegistrationName", ns)] == [
        "Ébénisterie Tremblay inc."]
    assert seller.findtext("cac:PostalAddress/cbc:CityName", namespaces=ns) == "Montréal"
    assert seller.findtext("cac:PartyTaxScheme/cbc:CompanyID", namespaces=ns) == "CA123456789"
