"""Example blocks read their documents as `convert` does: a system's side through its wire
reader, so a date is a date there too."""

from __future__ import annotations

from typing import Any

from passeur.checking import check_text

TEXT = """\
mapping acomba.invoice <-> passeur.invoice
NoFacture <-> number
date(DateFacture, "YYYY-MM-DD") <-> issue_date
add_days(DateFacture, 30) -> due_date

example "due in 30 days"
  left {"NoFacture": "1", "DateFacture": "2024-04-24"}
  right {"number": "1", "issue_date": "2024-04-24", "due_date": "2024-05-24"}
end
"""


def test_dates_in_an_example_are_dates(registry: Any) -> None:
    report = check_text(TEXT, "ex.map", registry)
    assert (report.examples, report.examples_failed) == (1, 0)
    assert not [f for f in report.findings if f.problem.code == "example"]
