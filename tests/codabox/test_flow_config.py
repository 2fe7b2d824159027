"""The codabox-clearfacts flow's sync-file keys: every refusal names the file and line to fix
and what to write instead; statements delivered to a folder, as CODA or as camt.053."""

from __future__ import annotations

from pathlib import Path

import pytest
from codabox.flow_support import world
from lxml import etree

from passeur import UsageError, load_registry
from passeur.engine.sync import load_sync_file

HEAD = """flow = "codabox-clearfacts"
[source]
connection = "cb.toml"
[target]
connection = "cf.toml"
"""
OFFICE = """[offices.dupont]
username = "pod66"
password = { env = "P" }
[offices.dupont.journals]
"""


def _parse(tmp_path: Path, text: str):
    (tmp_path / "cf.toml").write_text('system = "clearfacts"\n[settings]\n'
                                      'token = { env = "T" }\n', encoding="utf-8")
    (tmp_path / "cb.toml").write_text('system = "codabox"\n[settings]\n'
                                      'software_company = { env = "V" }\n', encoding="utf-8")
    path = tmp_path / "flow.toml"
    path.write_text(text, encoding="utf-8")
    return load_sync_file(path, load_registry(),
                          environ={"T": "x" * 80, "V": "v", "P": "p"}).options


@pytest.mark.parametrize(("text", "line", "message"), [
    (HEAD + OFFICE + '"BE40 9740 8087 8038" = { journal = "BQ1", activated = true }\n', 10,
     "offices.dupont.journals.BE40 9740 8087 8038: 'BE40 9740 8087 8038' is not a valid IBAN"),
    (HEAD + OFFICE + '"BE71096123456769" = { journal = "BQ1", activated = "yes" }\n', 10,
     "offices.dupont.journals.BE71096123456769.activated: true or false, not 'yes'"),
    (HEAD + OFFICE + '"BE71096123456769" = { journal = "BQ1", active = true }\n', 10,
     "unknown key 'active' (a journal has: journal, activated)"),
    (HEAD + "[statements]\nto = \"ftp\"\n" + OFFICE, 7,
     "to must be one of clearfacts, folder, got 'ftp'"),
    (HEAD + "[statements]\nto = \"folder\"\n" + OFFICE, 7,
     'statements to a folder need folder = "DIR"'),
    (HEAD + "[delivery]\non_uncertain_upload = \"retry\"\n" + OFFICE, 7,
     "on_uncertain_upload must be one of report, reupload, got 'retry'"),
    (HEAD + "[delivery]\non_uncertain = \"report\"\n" + OFFICE, 7,
     "unknown key 'on_uncertain' in [delivery]; did you mean 'on_uncertain_upload'?"),
    (HEAD + '[resolve]\n"abc" = "yes"\n' + OFFICE, 7,
     'an uncertain upload is resolved as "delivered" (it is in ClearFacts) or "reupload"'),
    (HEAD + OFFICE + '"BE71096123456769" = { journal = "BQ1", activated = true }\n'
     '[offices.other]\nusername = "pod67"\npassword = { env = "P" }\n'
     '[offices.other.journals]\n'
     '"BE71096123456769" = { journal = "BQ2", activated = true }\n', 15,
     "IBAN BE71096123456769 is configured for offices dupont and other"),
    (HEAD.replace('connection = "cb.toml"', 'connection = "cf.toml"\nname = "cf2"') + OFFICE,
     2, "[source] of flow 'codabox-clearfacts' is a codabox connection, not clearfacts"),
    (HEAD.replace('"cb.toml"', '"missing.toml"') + OFFICE, 3,
     "connection file missing.toml not found"),
    (HEAD + OFFICE.replace('{ env = "P" }', '"secret"'), 8,
     '[offices.dupont] needs password = { env = "VARIABLE" }'),
    (HEAD + OFFICE.replace('{ env = "P" }', '{ env = "NOPE" }'), 8,
     "environment variable NOPE (for password) is not set"),
    (HEAD + OFFICE.replace('username = "pod66"\n', ""), 6,
     '[offices.dupont] needs username = "..."'),
    ("office = 1\n" + HEAD + OFFICE, 1, "unknown key 'office'; did you mean 'offices'?"),
])
def test_refusals_name_file_and_line(tmp_path, text: str, line: int, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        _parse(tmp_path, text)
    assert str(caught.value).startswith(f"{tmp_path / 'flow.toml'}:{line}: ")
    assert message in str(caught.value)


def test_a_flow_without_offices_is_refused(tmp_path) -> None:
    with pytest.raises(UsageError, match="the flow needs at least one office"):
        _parse(tmp_path, HEAD)


def test_journals_are_read_with_their_iban_compacted(tmp_path) -> None:
    options = _parse(tmp_path, HEAD + OFFICE +
                     '"BE71 0961 2345 6769" = { journal = " BQ1 ", activated = true }\n'
                     '"BE40310225425763" = { journal = "BQ2" }\n')
    journals = options.offices[0].journals
    assert [(j.iban, j.name, j.activated) for j in journals.values()] == [
        ("BE71096123456769", "BQ1", True), ("BE40310225425763", "BQ2", False)]
    assert options.on_uncertain_upload == "report" and options.statements.to == "clearfacts"


@pytest.mark.parametrize("fmt", ["coda", "camt053"])
def test_statements_to_a_folder(serve, tmp_path, fmt: str) -> None:
    w = world(serve, tmp_path, offices=1)
    w.extra = f'[statements]\nto = "folder"\nfolder = "out"\nformat = "{fmt}"\n'
    w.write()
    report = w.run()
    assert report.delivered
    files = sorted((tmp_path / "out").iterdir())
    statements = [(f, e) for f, e in w.entries()
                  if e.document_model == "coda" and e.metadata["iban"] not in w.inactive]
    suffix = ".cod" if fmt == "coda" else ".xml"
    names = sorted(f"{f.client['client_code']}_{e.metadata['iban']}_"
                   f"{e.metadata['first_statement_number']:03d}{suffix}"
                   for f, e in statements)
    assert [p.name for p in files] == names
    assert all(e.target_system == "folder" for e in report.entries
               if e.doctype == "coda" and e.outcome == "created")
    by_name = {p.name: p.read_bytes() for p in files}
    for feed, entry in statements:
        name = (f"{feed.client['client_code']}_{entry.metadata['iban']}_"
                f"{entry.metadata['first_statement_number']:03d}{suffix}")
        if fmt == "coda":
            assert by_name[name] == entry.files["cod"]
        else:
            root = etree.fromstring(by_name[name])
            ns = {"c": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"}
            assert root.xpath("//c:Stmt/c:Acct/c:Id/c:IBAN/text()", namespaces=ns) == [
                entry.metadata["iban"]]
    # only invoices went to ClearFacts
    assert {d.kind for d in w.clearfacts.state.documents} == {"invoice"}
    assert len(w.clearfacts.state.documents) == 4
    # a second run after the offsets were reset (a new login, say) writes nothing again
    for feed in w.feeds():
        feed.offset = 0
    again = w.run()
    assert again.delivered and {e.outcome for e in again.entries} == {"unchanged", "skipped"}
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == names


def test_the_documented_example_parses(tmp_path) -> None:
    """docs/sync.md's sync file, with its connection files, is what the flow reads."""
    doc = (Path(__file__).parents[2] / "docs" / "sync.md").read_text("utf-8")
    section = doc.split("## Flow codabox-clearfacts")[1]
    text = section.split("```toml\n")[1].split("```")[0]
    (tmp_path / "clearfacts.toml").write_text('system = "clearfacts"\n[settings]\n'
                                              'token = { env = "T" }\n', encoding="utf-8")
    (tmp_path / "codabox.toml").write_text('system = "codabox"\n[settings]\n'
                                           'software_company = { env = "V" }\n',
                                           encoding="utf-8")
    path = tmp_path / "offices.toml"
    path.write_text(text, encoding="utf-8")
    env = {"T": "x" * 80, "V": "v", "DUPONT_CODABOX_PASSWORD": "p1",
           "LEMAIRE_CODABOX_PASSWORD": "p2"}
    options = load_sync_file(path, load_registry(), environ=env).options
    assert [(o.username, o.password) for o in options.offices] == [("pod66", "p1"),
                                                                   ("pod71", "p2")]
    assert [(o.name, [(j.iban, j.activated) for j in o.journals.values()])
            for o in options.offices] == [
        ("dupont", [("BE40310225425763", True), ("BE71096123456769", False)]),
        ("lemaire", [("BE69001428565678", True)])]
    assert (options.statements.to, options.statements.category, options.invoices,
            options.on_uncertain_upload, dict(options.resolve)) == (
        "clearfacts", "CODA", "clearfacts", "report", {})


def test_a_second_copy_of_a_statement_number_in_a_folder_is_a_conflict(serve,
                                                                       tmp_path) -> None:
    w = world(serve, tmp_path, offices=1)
    w.extra = '[statements]\nto = "folder"\nfolder = "out"\n'
    w.write()
    w.run()
    feed = w.codabox.state.offices[0].feeds[1]
    (copy,) = w.codabox.state.add_statements(feed, feed.accounts[0], 1, skip=-1)
    name = f"{feed.client['client_code']}_{feed.accounts[0].iban}_003.cod"
    kept = (tmp_path / "out" / name).read_bytes()
    report = w.run()
    line = report.entries[0]
    assert (line.source_id, line.outcome, line.reason) == (copy.feed_index, "failed",
                                                           "Conflict")
    assert "already holds a different document; it is not overwritten" in line.message
    assert (tmp_path / "out" / name).read_bytes() == kept
    assert feed.offset == len(feed.entries) - 1  # held before it
