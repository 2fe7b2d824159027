"""Issue 15's "Done when": three offices' feeds moved to ClearFacts, run twice, then (new
statements arrived) `passeur sync` in its own process killed with SIGKILL halfway (after
some uploads, before the feeds are acknowledged) and run again: every document is in
ClearFacts exactly once, and `passeur status --json` shows every activated journal up to
date and the others with their waiting statements."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

from codabox.flow_support import world

from passeur.state import open_store


def test_killed_halfway_then_run_again(serve, tmp_path) -> None:
    # CodaBox answers slowly, so the run spends its time between uploads (downloading)
    w = world(serve, tmp_path, codabox_options={"latency_ms": 60})
    env = {**os.environ, **w.env}
    assert {k: n for k, n in w.run().summary.items() if n} == {"created": 30, "skipped": 9}
    assert w.run().entries == ()  # run twice: nothing new
    for feed in w.feeds():  # the banks send two more statements of every account
        for account in feed.accounts:
            w.codabox.state.add_statements(feed, account, 2)
    process = subprocess.Popen([sys.executable, "-m", "passeur", "sync", str(w.sync_file),
                                "--json"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(w.clearfacts.state.documents) < 34 and process.poll() is None:
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    assert process.returncode == -signal.SIGKILL
    stored_at_kill = len(w.clearfacts.state.documents)
    assert 34 <= stored_at_kill < 42
    offsets = [f.offset for f in w.feeds()]
    assert any(o < len(f.entries) for o, f in zip(offsets, w.feeds(), strict=True))

    report = w.run()  # the killed run's lock is taken over: its process is gone
    with open_store(tmp_path / "state.db") as store:
        runs = store.runs(str(w.sync_file.resolve()))
    assert [r.status for r in runs] == ["finished", "running", "finished", "finished"]
    uncertain = [e for e in report.entries if e.outcome == "uncertain"]
    # a kill between an upload and its answer's record leaves that one uncertain: the test
    # looks in the inbox, as the operator would, and resolves it
    if uncertain:
        inbox = set(w.inbox())
        by_index = {e.feed_index: (f, e) for f, e in w.entries()}
        lines = []
        for line in uncertain:
            feed, entry = by_index[line.source_id]
            there = w.expected(entry, feed) in inbox
            lines.append(f'"{line.source_id}" = "{"delivered" if there else "reupload"}"')
        w.extra = "[resolve]\n" + "\n".join(lines) + "\n"
        w.write()
        report = w.run()
    assert report.delivered
    expected = [w.expected(e, f) for f, e in w.entries()
                if e.metadata.get("iban") not in w.inactive]
    assert Counter(w.inbox()) == Counter(expected)  # each document exactly once
    assert all(f.offset == len(f.entries) for f in w.feeds())
    # what the killed run delivered is not delivered again: the re-run only sent the rest
    created = sum(e.outcome == "created" for e in report.entries)
    assert created <= len(expected) - stored_at_kill + len(uncertain)
    # and `passeur sync` run again as a user would: nothing new, exit 0
    again = subprocess.run([sys.executable, "-m", "passeur", "sync", str(w.sync_file),
                            "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["records"] == []
    # `passeur status --json`: every activated journal up to date, the others waiting
    status = subprocess.run([sys.executable, "-m", "passeur", "status", str(w.sync_file),
                             "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert status.returncode == 0, status.stderr
    tables = json.loads(status.stdout)["tables"]
    assert [t["title"] for t in tables] == [o.username for o in w.codabox.state.offices]
    rows = [dict(zip(t["columns"], row, strict=True)) for t in tables for row in t["rows"]]
    accounts = [a for f in w.feeds() for a in f.accounts]
    assert [r["iban"] for r in rows] == [a.iban for a in accounts]
    for row in rows:
        waiting = row["iban"] in w.inactive
        assert (row["activated"], row["last_statement"], row["gaps"], row["waiting"],
                row["last_error"]) == (not waiting, 5, "", 5 if waiting else 0, None)
        assert (row["last_delivery"] is None) == waiting
