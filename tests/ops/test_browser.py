"""`passeur serve` in a real browser: Debian's chromium, headless, driven by chromedriver
through selenium. The page's tables are the cells of `passeur status --json`, a header
click sorts, and a change in the store shows up without a reload.

Without chromium or chromedriver the test is skipped with the reason; with
PASSEUR_REQUIRE_BROWSER=1 (CI, .ci/run installs both) it fails instead."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ops.ops_helpers import Served, as_json, passeur, tally_file

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")


def _missing() -> str | None:
    absent = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if absent:
        return (f"{' and '.join(absent)} not installed (apt-get install chromium "
                "chromium-driver; .ci/run does)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    reason = _missing()
    if reason is not None:
        if os.environ.get("PASSEUR_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PASSEUR_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _cell(value: Any) -> str:
    return "" if value is None else {True: "yes", False: "no"}.get(value, str(value)) \
        if isinstance(value, bool) else str(value)


def _tables(driver: Any, where: str) -> list[dict[str, Any]]:
    """Every table under `where` as the page shows it: caption, header texts, cell texts."""
    script = """
      return [...document.querySelectorAll(arguments[0] + ' table')].map(t => ({
        title: t.caption.textContent,
        columns: [...t.tHead.rows[0].cells].map(c => c.textContent),
        rows: [...t.tBodies[0].rows].map(r => [...r.cells].map(c => c.textContent))}));"""
    found: list[dict[str, Any]] = driver.execute_script(script, where)
    return found


def _refreshes(driver: Any) -> int:
    return int(driver.execute_script("return document.body.dataset.refreshes"))


def _click_header(driver: Any, table: int, column: int) -> None:
    """A real click on a header; found again if a refresh redrew the table meanwhile."""
    from selenium.common.exceptions import StaleElementReferenceException

    for _ in range(20):
        try:
            driver.find_elements("css selector", "#tables table")[table] \
                .find_elements("tag name", "th")[column].click()
            return
        except StaleElementReferenceException:
            continue
    raise AssertionError("the header kept being redrawn")


def _wait(driver: Any, until: Any, what: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30, poll_frequency=0.2).until(lambda d: until(), message=what)


def test_the_page_shows_the_status_sorts_and_follows_the_store(tmp_path: Path,
                                                               browser: Any) -> None:
    items = ["a:one", "a:!two", "a:three", "b:~four", "b:five"]
    sync = tally_file(tmp_path, items)
    assert passeur("sync", str(sync)).returncode == 1  # a failed and a waiting item
    assert passeur("sync", str(sync)).returncode == 1
    status = as_json(passeur("status", str(sync), "--json"))
    expected = [{"title": t["title"], "columns": t["columns"],
                 "rows": [[_cell(v) for v in row] for row in t["rows"]]}
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
        _wait(browser, lambda: _refreshes(browser) >= 1, "the page never loaded its data")
        assert _tables(browser, "#tables") == expected
        assert browser.find_element("id", "title").text == "sync (flow tally)"
        ledger = as_json(passeur("runs", "show", status["runs"]["last"]["run"], "--store",
                                 str(tmp_path / "state.db"), "--json"))
        shown = _tables(browser, "#ledger-tables")
        assert shown[1]["title"] == f"ledger of {status['runs']['last']['run']}"
        assert [row[2:5] for row in shown[1]["rows"]] == [
            [r["source_id"], r["outcome"], r["target_id"] or ""] for r in ledger["records"]]
        assert len(shown[0]["rows"]) == 2  # both runs

        # sorting: click "created" in office a: ascending, then descending
        _click_header(browser, 0, 1)
        assert [r[0] for r in _tables(browser, "#tables")[0]["rows"]] == ["!two", "one",
                                                                          "three"]
        _click_header(browser, 0, 1)
        assert [r[0] for r in _tables(browser, "#tables")[0]["rows"]] == ["one", "three",
                                                                          "!two"]
        _click_header(browser, 1, 0)  # office b by item, as text
        assert [r[0] for r in _tables(browser, "#tables")[1]["rows"]] == ["~four", "five"]

        # the store changes; the page follows without reloading (the marker survives)
        browser.execute_script("window.passeurMarker = 42;")
        assert passeur("sync", str(sync), "--replay").returncode == 1  # two still fails
        _wait(browser, lambda: _tables(browser, "#tables")[1]["rows"][0] == ["~four", "1",
                                                                           "created"],
              "the page did not show the replayed item")
        assert browser.execute_script("return window.passeurMarker") == 42
        now = as_json(passeur("status", str(sync), "--json"))
        assert now["runs"]["count"] == 3
        tables = _tables(browser, "#tables")
        assert tables[0]["rows"] == [["one", "3", "created"], ["three", "3", "created"],
                                     ["!two", "0", "failed"]]  # still sorted, descending
        assert sorted(map(tuple, tables[1]["rows"])) == sorted(
            tuple(_cell(v) for v in row) for row in now["tables"][1]["rows"])
        assert browser.find_element("id", "error").text == ""
