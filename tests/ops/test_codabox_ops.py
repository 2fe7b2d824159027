"""status, watch and serve over the real CodaBox -> ClearFacts flow (issue 15): three
offices' feeds moved between the two sandboxes by `passeur sync`, then the monitoring view
on the command line, in a headless browser (one table per office, the same cells as
`passeur status --json`) and the watcher's interval taken from CodaBox's fetch_delay."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from codabox.flow_support import world
from ops.ops_helpers import Served, as_json, passeur
from ops.page_helpers import cell, click_header, refreshes, tables, wait

from passeur.state import open_store


def _env(w: Any) -> dict[str, str]:
    return dict(w.env)


def test_status_and_watch_follow_the_codabox_flow(serve: Any, tmp_path: Any) -> None:
    w = world(serve, tmp_path, offices=2, codabox_options={"fetch_delay": 7200})
    env = _env(w)
    first = as_json(passeur("sync", str(w.sync_file), "--json", env=env))
    assert first["summary"]["skipped"] == 2 * 3  # the journals not activated: they wait
    status = as_json(passeur("status", str(w.sync_file), "--json", env=env))
    assert status["flow"] == "codabox-clearfacts"
    assert [t["title"] for t in status["tables"]] == [o.username
                                                     for o in w.codabox.state.offices]
    waiting = {row[1]: row[-2] for t in status["tables"] for row in t["rows"]}
    assert {iban: waiting[iban] for iban in w.inactive} == dict.fromkeys(w.inactive, 3)
    assert status["runs"]["last_error"]["message"].endswith(") is not activated)")

    watched = passeur("watch", str(w.sync_file), "--every", "1h", "--jitter", "0", "--once",
                      env=env)
    assert "running every 2h" in watched.stderr  # CodaBox's fetch_delay is a floor
    with open_store(tmp_path / "state.db") as store:
        latest = store.runs()[0]
        assert latest.mode == "sync"  # not due: the sync above was less than 2h ago
        state = store.watch_state(str(w.sync_file.resolve()))
    assert state is not None and state.interval == 7200.0
    due = datetime.datetime.fromisoformat(latest.started_at).timestamp() + 7200
    assert state.next_due == pytest.approx(due, abs=0.01)
    assert watched.stdout.startswith("next run at ")


@pytest.mark.browser
def test_the_page_shows_one_table_per_office_as_status_json(serve: Any, tmp_path: Any,
                                                             browser: Any) -> None:
    w = world(serve, tmp_path, offices=3)
    env = _env(w)
    passeur("sync", str(w.sync_file), env=env)
    status = as_json(passeur("status", str(w.sync_file), "--json", env=env))
    expected = [{"title": t["title"], "columns": t["columns"],
                 "rows": [[cell(v) for v in row] for row in t["rows"]]}
                for t in status["tables"]]
    assert len(expected) == 3 and all(len(t["rows"]) == 3 for t in expected)
    served = Served(w.sync_file, "--refresh", "1")
    served.env = env
    with served:
        browser.get(served.url)
        wait(browser, lambda: refreshes(browser) >= 1, "the page never loaded its data")
        assert tables(browser, "#tables") == expected
        column = expected[0]["columns"].index("waiting")
        click_header(browser, 0, column)
        click_header(browser, 0, column)  # descending: the journal waiting most first
        shown = tables(browser, "#tables")[0]["rows"]
        assert [r[column] for r in shown] == sorted((r[column] for r in expected[0]["rows"]),
                                                    key=int, reverse=True)
