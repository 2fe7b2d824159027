"""The monitoring page: one HTML document, its script inline and no external asset (the
machines it runs on may have no internet). The script fetches /api/status and /api/runs
every few seconds and redraws the tables, keeping each table's sort; every cell is set with
textContent, so nothing the data holds is ever read as HTML."""

from __future__ import annotations

import base64
import hashlib
import html

__all__ = ["SCRIPT", "page", "script_hash"]

STYLE = """
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 .3em; } h2 { font-size: 1.05em; margin: 1.2em 0 .3em; }
#layout { display: flex; gap: 2em; align-items: flex-start; flex-wrap: wrap; }
#status { flex: 3 1 40em; } #ledger { flex: 2 1 28em; }
table { border-collapse: collapse; margin-bottom: 1em; }
th, td { border: 1px solid #ccc; padding: .25em .5em; text-align: left; }
th { background: #f2f2f2; cursor: pointer; user-select: none; white-space: nowrap; }
th[aria-sort=ascending]::after { content: " \\25B2"; }
th[aria-sort=descending]::after { content: " \\25BC"; }
.failed, .uncertain, .error { color: #b00; } .skipped, .deferred { color: #a60; }
#meta { color: #555; } #error { color: #b00; }
"""

SCRIPT = """
"use strict";
const REFRESH = Number(document.body.dataset.refresh) * 1000;
const sorts = {};  // table key -> {column, descending}
let refreshes = 0;
const MARKED = /^(failed|uncertain|error|skipped|deferred)$/;

function cellText(value) {
  if (value === null || value === undefined) return "";
  if (value === true) return "yes";
  if (value === false) return "no";
  return String(value);
}

function compare(a, b) {
  const empty = (v) => v === null || v === undefined || v === "";
  if (empty(a) || empty(b)) return empty(a) - empty(b);  // empty cells last
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return a - b;
  return String(a).localeCompare(String(b), undefined, {numeric: true});
}

function drawTable(key, title, columns, rows, into) {
  const sort = sorts[key];
  const shown = rows.map((row, i) => [row, i]);
  if (sort) {
    shown.sort((x, y) => {
      const c = compare(x[0][sort.column], y[0][sort.column]);
      return (sort.descending ? -c : c) || x[1] - y[1];
    });
  }
  const table = document.createElement("table");
  table.dataset.key = key;
  const caption = document.createElement("caption");
  caption.textContent = title;
  table.appendChild(caption);
  const head = table.createTHead().insertRow();
  columns.forEach((name, n) => {
    const th = document.createElement("th");
    th.textContent = name;
    th.scope = "col";
    if (sort && sort.column === n) {
      th.setAttribute("aria-sort", sort.descending ? "descending" : "ascending");
    }
    th.addEventListener("click", () => {
      const now = sorts[key];
      sorts[key] = {column: n, descending: !!(now && now.column === n && !now.descending)};
      redraw();
    });
    head.appendChild(th);
  });
  const body = table.createTBody();
  for (const [row] of shown) {
    const tr = body.insertRow();
    for (const value of row) {
      const td = tr.insertCell();
      td.textContent = cellText(value);
      if (typeof value === "string" && MARKED.test(value)) td.className = value;
    }
  }
  into.appendChild(table);
}

let last = null;
let drawn = "";

function redraw() {
  if (!last) return;
  const [status, runs] = last;
  document.getElementById("title").textContent = `${status.sync} (flow ${status.flow})`;
  const r = status.runs;
  const lastRun = r.last ? `${r.last.run} ${r.last.status} at ${r.last.started_at}` : "none";
  const ok = r.last_success ? `${r.last_success.run} at ${r.last_success.started_at}` : "none";
  const bad = r.last_error ? `${r.last_error.run}: ${r.last_error.message}` : "none";
  const watch = status.watch ? `next run at ${status.watch.next_due}` : "not watched";
  document.getElementById("meta").textContent =
    `${r.count} run(s); last: ${lastRun}; last success: ${ok}; last error: ${bad}; ${watch}`;
  const into = document.getElementById("tables");
  into.replaceChildren();
  status.tables.forEach((t, i) => drawTable(`status-${i}`, t.title, t.columns, t.rows, into));
  const ledger = document.getElementById("ledger-tables");
  ledger.replaceChildren();
  drawTable("runs", "runs", ["run", "mode", "status", "started", "finished"],
            runs.runs.map((x) => [x.run, x.mode, x.status, x.started_at, x.finished_at]), ledger);
  drawTable("ledger", `ledger of ${runs.ledger.run || "no run"}`,
            ["#", "type", "source", "outcome", "target id", "message"],
            runs.ledger.records.map((e, i) => [i + 1, e.doctype, e.source_number || e.source_id,
                                               e.outcome, e.target_id, e.message]), ledger);
}

async function refresh() {
  try {
    const got = await Promise.all(["api/status", "api/runs"].map(async (path) => {
      const answer = await fetch(path, {cache: "no-store"});
      if (!answer.ok) throw new Error(`${path}: HTTP ${answer.status}`);
      return answer.json();
    }));
    const [status, runs] = got;
    const content = JSON.stringify([status.runs, status.watch, status.tables, runs]);
    refreshes += 1;
    document.getElementById("error").textContent = "";
    if (content !== drawn) {  // redraw only what changed: a click or a selection stays
      drawn = content;
      last = got;
      redraw();
    }
    document.getElementById("updated").textContent =
      `${status.generated_at} (refresh ${refreshes})`;
    document.body.dataset.refreshes = String(refreshes);
  } catch (err) {
    document.getElementById("error").textContent = `could not refresh: ${err.message}`;
  }
  setTimeout(refresh, REFRESH);
}

refresh();
"""


def script_hash() -> str:
    """The inline script's hash, for the Content-Security-Policy (no other script runs)."""
    digest = hashlib.sha256(SCRIPT.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def page(title: str, refresh: float) -> str:
    """The page; its data comes from the API (nothing of the store is in the HTML)."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>passeur: {html.escape(title)}</title>
<style>{STYLE}</style></head>
<body data-refresh="{refresh:g}" data-refreshes="0">
<h1 id="title">{html.escape(title)}</h1>
<p id="meta">loading...</p><p id="error"></p>
<div id="layout"><section id="status"><h2>status</h2><div id="tables"></div></section>
<section id="ledger"><h2>runs and ledger</h2><div id="ledger-tables"></div></section></div>
<p>updated <span id="updated">never</span></p>
<script>{SCRIPT}</script>
</body></html>
"""
