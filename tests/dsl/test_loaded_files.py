"""Which mapping files a conversion loads is explicit: the file given, what it names, the
search path, the shipped mappings; never a scan of the file's folder. `route` shows exactly
what `convert` runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from passeur.cli import _load_commands
from passeur.cli.app import cli

ROOT = Path(__file__).resolve().parents[2]
SEED004 = ROOT / "tests" / "fixtures" / "golden" / "acomba_seed004" / "input.json"
SHIPPED = ROOT / "mappings"
ERP, VF = SHIPPED / "erpconnector", SHIPPED / "vosfactures"
LAYER = ("mapping acomba.invoice <-> vosfactures.invoice\nextends route\n"
         "each LigneFacture <-> positions\n  \"QC-\" + strNoProduit -> code\nend\n")
# a leftover draft of the Acomba hub mapping: dollars US, no lines
DRAFT = ('mapping acomba.invoice <-> passeur.invoice\nNoFacture <-> number\n'
         '"USD" -> currency\n')


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    _load_commands()
    return CliRunner().invoke(cli, list(args), env=env)


def test_a_draft_next_to_the_layer_is_never_loaded(tmp_path: Path) -> None:
    (tmp_path / "erpconnector-invoice.map").write_text(DRAFT, encoding="utf-8")
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "old.map").write_bytes(b"mapping caf\xe9\n")  # Latin-1, nested
    layer = tmp_path / "qc.map"
    layer.write_text(LAYER, encoding="utf-8")
    result = run("convert", str(SEED004), "--from", "acomba", "--to", "vosfactures",
                 "--mapping", str(layer))
    assert result.exit_code == 0, result.stderr
    invoice = json.loads(result.stdout)["invoice"]
    assert invoice["currency"] == "CAD"
    assert len(invoice["positions"]) == 5
    route = run("route", "acomba", "vosfactures", "--mapping", str(layer))
    assert route.exit_code == 0, route.stderr
    assert route.stdout.splitlines() == [
        "acomba.invoice -> vosfactures.invoice  (given)",
        f"  1. {layer} (forward, extends the route)",
        f"     a. {ERP / 'acomba-vosfactures-invoice.map'} (forward, the route it "
        "extends, extends the route)",
        f"        a. {ERP / 'erpconnector-invoice.map'} (forward, the route it extends)",
        f"        b. {VF / 'vosfactures-invoice.map'} (backward, the route it extends)"]


def test_the_search_path_is_explicit_and_wins_over_the_shipped_files(tmp_path: Path) -> None:
    (tmp_path / "erpconnector-invoice.map").write_text(DRAFT, encoding="utf-8")
    for args, env in (((), {"PASSEUR_MAPPING_PATH": str(tmp_path)}),
                      (("--mapping-dir", str(tmp_path)), None)):
        route = run("route", "acomba", "passeur", *args, env=env)
        assert route.exit_code == 0, route.stderr
        assert route.stdout.splitlines() == [
            "acomba.invoice -> passeur.invoice  (direct)",
            f"  1. {tmp_path / 'erpconnector-invoice.map'} (forward)"]
        result = run("convert", str(SEED004), "--from", "acomba", "--to", "passeur", *args,
                     env=env)
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["currency"] == "USD"


def test_a_latin1_file_in_the_search_path_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "old.map").write_bytes(b"mapping acomba.invoice <-> passeur.invoice\n# caf\xe9\n")
    result = run("convert", str(SEED004), "--from", "acomba", "--to", "vosfactures",
                 "--mapping-dir", str(tmp_path))
    assert result.exit_code == 3
    assert result.stderr == (
        f"error: {tmp_path / 'old.map'}:2:6: the file is not UTF-8 text (byte 0xe9); save it "
        f"as UTF-8, or move it out of {tmp_path} (passeur reads routes from there)\n")
    given = tmp_path / "old.map"
    for args in (("check", str(given)),
                 ("convert", str(SEED004), "--from", "acomba", "--to", "passeur",
                  "--mapping", str(given))):
        result = run(*args)
        assert result.exit_code == 1
        assert f"{given}:2:6: error: the file is not UTF-8 text (byte 0xe9); save it as " \
            "UTF-8" in result.output + result.stderr
        assert "Traceback" not in result.output + result.stderr


def test_convert_refuses_a_mapping_that_fails_check_or_fits_another_system(
        tmp_path: Path) -> None:
    bad = tmp_path / "bad.map"
    bad.write_text("mapping acomba.invoice <-> vosfactures.invoice\nextends route\n"
                   "NoFactur -> number\n", encoding="utf-8")
    result = run("convert", str(SEED004), "--from", "acomba", "--to", "vosfactures",
                 "--mapping", str(bad))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(
        f"error: {bad} does not pass `passeur check` (1 error(s)); nothing was converted:\n"
        f"{bad}:3:1: error: unknown field `NoFactur` in acomba.invoice; did you mean "
        "`NoFacture`?")
    layer = tmp_path / "qc.map"
    layer.write_text(LAYER, encoding="utf-8")
    result = run("convert", str(SEED004), "--from", "quickbooks", "--to", "vosfactures",
                 "--mapping", str(layer))
    assert result.exit_code == 2
    assert result.stderr == (f"error: mapping {layer} maps acomba.invoice <-> "
                             "vosfactures.invoice, not quickbooks.invoice to "
                             "vosfactures.invoice\n")


def test_a_bom_and_decomposed_accents_are_read_as_typed(tmp_path: Path) -> None:
    mapping = tmp_path / "bom.map"
    decomposed = "Re\u0301fe\u0301rence"  # NFD, as some editors save `Référence`
    mapping.write_bytes(("\ufeffmapping acomba.invoice <-> passeur.invoice\n"
                         f"{decomposed} -> extensions.reference\n").encode())
    result = run("check", str(mapping))
    assert "syntax" not in result.output and "unknown field" not in result.output, \
        result.output
    assert "required field `NoFacture` of acomba.invoice is never written backward" in \
        result.output  # checked for real: the file was read
