"""`passeur sync` of a codabox-clearfacts sync file in its own process, killed with SIGKILL
halfway (after some uploads, before the feeds are acknowledged), then run again: every
document is in ClearFacts exactly once and every activated journal is up to date."""

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
from passeur_codabox.flow_status import journal_status


def test_killed_halfway_then_run_again(serve, tmp_path) -> None:
    # CodaBox answers slowly, so the run spends its time between uploads (downloading)
    w = world(serve, tmp_path, codabox_options={"latency_ms": 60})
    env = {**os.environ, **w.env}
    process = subprocess.Popen([sys.executable, "-m", "passeur", "sync", str(w.sync_file),
                                "--json"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(w.clearfacts.state.documents) < 12 and process.poll() is None:
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    assert process.returncode == -signal.SIGKILL
    stored_at_kill = len(w.clearfacts.state.documents)
    assert 12 <= stored_at_kill < 30
    offsets = [f.offset for f in w.feeds()]
    assert any(o < len(f.entries) for o, f in zip(offsets, w.feeds(), strict=True))

    report = w.run()  # the killed run's lock is taken over: its process is gone
    with open_store(tmp_path / "state.db") as store:
        runs = store.runs(str(w.sync_file.resolve()))
    assert [r.status for r in runs] == ["finished", "running"]  # the killed one stays
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
    assert report.ok
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
    with open_store(tmp_path / "state.db") as store:
        rows = journal_status(store, w.options(), str(w.sync_file.resolve()))
    for row in rows:
        assert row.last_statement == 3 and row.gaps == ()
        assert row.waiting == (3 if row.iban in w.inactive else 0)
        assert row.last_error is None
