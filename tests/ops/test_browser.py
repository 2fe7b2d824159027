"""`passeur serve` in a real browser: Debian's chromium, headless, driven by chromedriver
through selenium. The page's tables are the cells of `passeur status --json`, a header
click sorts, and a change in the store shows up without a reload.

Without chromium or chromedriver the test is skipped with the reason; with
PASSEUR_REQUIRE_BROWSER=1 (CI, .ci/run installs both) it fails instead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ops.ops_helpers import Served, as_json, passeur, tally_file
from ops.page_helpers import cell, click_header, refreshes, tables, wait

pytestmark = pytest.mark.browser



def test_the_page_shows_the_status_sorts_and_follows_the_store(tmp_path: Path,
                                                               browser: Any) -> None:
    items = ["a:one", "a:!two", "a:three", "b:~four", "b:five"]
    sync = tally_file(tmp_path, items)
    assert passeur("sync", str(sync)).returncode == 1  # a failed and a waiting item
    assert passeur("sync", str(sync)).returncode == 1
    status = as_json(passeur("status", str(sync), "--json"))
    expected = [{"title": t["title"], "columns": t["columns"],
                 "rows": [[cell(v) for v in row] for row in t["rows"]]}
                for t in status["tables"]]
    # what the flow says, worked out by hand: one and three created twice, two failed twice
    assert expected == [
        {"title": "office a", "columns": ["item", "created", "last outcome"],
         "rows": [["one", "2", "created"], ["!two", "0", "failed"],
                  ["three", "2", "created"]]},
        {"title": "office b", "columns": ["item", "created", "last outcome"],
         "rows": [["~four", "0", "skipped"], ["five", "2", "created"]]}]

    with Served(sync, "--refresh", "0.5") as served:
        browser.get(served.url)
        wait(browser, lambda: refreshes(browser) >= 1, "the page never loaded its data")
        assert tables(browser, "#tables") == expected
        assert browser.find_element("id", "title").text == "sync (flow tally)"
        ledger = as_json(passeur("runs", "show", status["runs"]["last"]["run"], "--store",
                                 str(tmp_path / "state.db"), "--json"))
        shown = tables(browser, "#ledger-tables")
        assert shown[1]["title"] == f"ledger of {status['runs']['last']['run']}"
        assert [row[2:5] for row in shown[1]["rows"]] == [
            [r["source_id"], r["outcome"], r["target_id"] or ""] for r in ledger["records"]]
        assert len(shown[0]["rows"]) == 2  # both runs

        # sorting: click "created" in office a: ascending, then descending
        click_header(browser, 0, 1)
        assert [r[0] for r in tables(browser, "#tables")[0]["rows"]] == ["!two", "one",
                                                                          "three"]
        click_header(browser, 0, 1)
        assert [r[0] for r in tables(browser, "#tables")[0]["rows"]] == ["one", "three",
                                                                          "!two"]
        click_header(browser, 1, 0)  # office b by item, as text
        assert [r[0] for r in tables(browser, "#tables")[1]["rows"]] == ["~four", "five"]

        # the store changes; the page follows without reloading (the marker survives)
        browser.execute_script("window.passeurMarker = 42;")
        assert passeur("sync", str(sync), "--replay").returncode == 1  # two still fails
        wait(browser, lambda: tables(browser, "#tables")[1]["rows"][0] == ["~four", "1",
                                                                           "created"],
              "the page did not show the replayed item")
        assert browser.execute_script("return window.passeurMarker") == 42
        now = as_json(passeur("status", str(sync), "--json"))
        assert now["runs"]["count"] == 3
        shown_now = tables(browser, "#tables")
        assert shown_now[0]["rows"] == [["one", "3", "created"], ["three", "3", "created"],
                                     ["!two", "0", "failed"]]  # still sorted, descending
        assert sorted(map(tuple, shown_now[1]["rows"])) == sorted(
            tuple(cell(v) for v in row) for row in now["tables"][1]["rows"])
        assert browser.find_element("id", "error").text == ""
