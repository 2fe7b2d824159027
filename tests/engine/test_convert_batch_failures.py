"""A rule failing inside an `each` block never stops a batch: every document comes out.

Regression: every top-level block reused one loop variable, so a failure inside
`LigneFacture` looked up the loop index of `ListeDesTaxes` (absent in a create payload) and
crashed with `TypeError: '_Absent' object is not iterable`; only the first document of an
NDJSON file was written.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from click.testing import CliRunner

import passeur.cli.convert_cmd  # noqa: F401 - registers the command
from passeur import load_registry
from passeur.cli.app import cli
from passeur.dsl import load_mapping

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "core" / "passeur" / "samples" / "acomba-invoice.json"
MAPPING = REPO / "mappings" / "erpconnector" / "erpconnector-invoice.map"


def _documents() -> list[dict[str, Any]]:
    base = json.loads(SAMPLE.read_text(encoding="utf-8"), parse_float=Decimal)
    docs = [copy.deepcopy(base) for _ in range(4)]
    for number, doc in enumerate(docs, start=1):
        doc["NoFacture"] = f"1000{number}"
    second = docs[1]
    del second["ListeDesTaxes"]  # a create payload has none
    # a line whose kept taxes were not written by passeur: that rule fails on this line
    second["LigneFacture"][0]["ExtendedProperties"] = {"passeur.taxes": "not json"}
    return docs


def test_a_failing_line_rule_after_an_absent_list_is_an_issue_with_its_path() -> None:
    mapping = load_mapping(MAPPING, load_registry())
    result = mapping.forward(_documents()[1])
    messages = [(i.path, i.message) for i in result.issues]
    assert len(messages) == 1, messages
    assert messages[0][0] == "LigneFacture[0].ExtendedProperties.passeur.taxes"
    assert len(result.value["lines"]) == len(_documents()[1]["LigneFacture"])


def test_all_four_documents_of_an_ndjson_batch_come_out(tmp_path: Path) -> None:
    source = tmp_path / "in.ndjson"
    source.write_text("".join(json.dumps(d, default=str) + "\n" for d in _documents()),
                      encoding="utf-8")
    out = tmp_path / "out.ndjson"
    result = CliRunner().invoke(cli, ["convert", str(source), "--from", "acomba", "--to",
                                       "passeur", "-o", str(out), "--on-issue", "warn"])
    assert "Traceback" not in result.output
    assert "not iterable" not in result.output
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    numbers = [d["number"] for d in written]
    # the second document has an error (its first line's taxes), so it is left out and
    # reported; the three others are all written
    assert numbers == ["10001", "10003", "10004"], result.output
    assert "document 2" in result.output and "passeur.taxes" in result.output
