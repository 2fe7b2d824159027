"""Reading the monitoring page in the browser: its tables as text, a header click that
survives a refresh, waiting for what the page shows."""

from __future__ import annotations

from typing import Any

__all__ = ["cell", "click_header", "refreshes", "tables", "wait"]


def cell(value: Any) -> str:
    return "" if value is None else {True: "yes", False: "no"}.get(value, str(value)) \
        if isinstance(value, bool) else str(value)


def tables(driver: Any, where: str) -> list[dict[str, Any]]:
    """Every table under `where` as the page shows it: caption, header texts, cell texts."""
    script = """
      return [...document.querySelectorAll(arguments[0] + ' table')].map(t => ({
        title: t.caption.textContent,
        columns: [...t.tHead.rows[0].cells].map(c => c.textContent),
        rows: [...t.tBodies[0].rows].map(r => [...r.cells].map(c => c.textContent))}));"""
    found: list[dict[str, Any]] = driver.execute_script(script, where)
    return found


def refreshes(driver: Any) -> int:
    return int(driver.execute_script("return document.body.dataset.refreshes"))


def click_header(driver: Any, table: int, column: int) -> None:
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


def wait(driver: Any, until: Any, what: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30, poll_frequency=0.2).until(lambda d: until(), message=what)
