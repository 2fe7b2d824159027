"""Issue 17's scale scenario: 4 `passeur worker` processes sync 2,000 Acomba invoices (and
the clients and products they name) to a VosFactures sandbox that fails and loses answers,
under one rate budget shared through the PostgreSQL store. After the run: every document in
the target once by its key, every record one outcome, the summary the ledger's, and the
target's own request log never busier than the budget allows (`budget_bound`). Two attempts
of one job at once and a worker killed mid-write are test_distributed*.py's."""

from __future__ import annotations

import collections
import math
from typing import Any

from sync.sync_helpers import held_once
from sync.test_distributed import (
    each_invoice_created_once,
    enqueue,
    one_outcome_each,
    stop,
    wait_closed,
    workers,
)

INVOICES = 2000
RATE, BURST = 50.0, 4  # the client's budget for the VosFactures account: requests/s, burst
HTTP = (f"[http]\nrate_limit = {RATE:g}\nburst = {BURST}\nmax_attempts = 6\n"
        "base_delay = 0.01\nmax_delay = 0.05\ntimeout = 2\nconnect_timeout = 5\n")
# the sandbox refuses above 55/s (10 % over the budget, as in test_distributed.py: room for
# LAG); lost answers come back after 0.2 s, below the client's 2 s timeout
FAULTS = {"rate_limit": 55, "latency_ms": 5, "fail_rate": 0.05, "lost_response_rate": 0.03,
          "lost_response_hold": 0.2, "random_seed": 17}
WINDOWS = (1.0, 5.0, 20.0)  # seconds: the sandbox's request log is checked over each
# How much the delays between a slot and its request's arrival in the sandbox's log may
# differ: a worker or the sandbox's thread waiting for a core (2 cores shared, load 3-8),
# the store's commit before the wait starts. The machine's, not the budget's: without it,
# busiest(1 s) was 56 against 54 here (delays some 40 ms apart). 0.25 s was not always
# enough: in CI with a second test suite running beside it, busiest was 67, 267 and 1017
# for 1, 5 and 20 s, each 13 over rate x window + burst: the same excess whatever the
# window, which is what a spread of delays of 0.26 s gives (a budget overrun would grow
# with the window). 0.5 s still fails a budget per worker (4 x 50/s) at once, and a leak
# of over 2.5 % of the requests over the 20 s window.
LAG = 0.5


def budget_bound(rate: float, burst: int, window: float, lag: float = LAG) -> int:
    """The most requests a GCRA budget lets reach a server within any `window` seconds.

    `gcra` (the store's `take_slot`, as ratelimit.py's TokenBucket) hands out slots with
    theoretical times t_1 < t_2 < ..., t_(n+1) >= t_n + 1/rate, and the n-th request waits
    until max(now, t_n - (burst - 1)/rate): it is ready between t_n - (burst - 1)/rate and
    t_n. So requests k..k+m ready within `window` have m/rate <= t_(k+m) - t_k <=
    window + (burst - 1)/rate: at most rate*window + burst of them. Each reaches the
    server some delay after it is ready; when those delays differ by up to `lag`, a
    window of arrivals holds requests ready within window + lag."""
    return math.floor(rate * (window + lag)) + burst


def test_four_workers_sync_two_thousand_invoices_with_faults_within_the_rate_limit(
        server_world: Any) -> None:
    world = server_world(seed=INVOICES, vf=FAULTS, http=HTTP)
    assert len(world.erp.app.state.invoices) == INVOICES
    procs = workers(world, 4)
    try:
        run_id = enqueue(world)
        (run,) = wait_closed(world, [run_id], timeout=600)
    finally:
        codes = stop(procs)
    assert codes == [0, 0, 0, 0], [p.stderr.read() if p.stderr else b"" for p in procs]
    assert run.status == "finished"
    entries = one_outcome_each(world, run_id)
    each_invoice_created_once(world, run, entries)
    state = world.vf.app.state  # the target's own records, by their keys
    held = collections.Counter(str(i["number"]) for i in state.invoices)
    assert len(held) == INVOICES and set(held.values()) == {1}
    held_once(world)  # and the same numbers as the source's
    for doctype, table, key in (("client", state.clients, "external_id"),
                                ("product", state.products, "code")):
        written = sorted(str(e.target_id) for e in entries if e.doctype == doctype)
        assert written and sorted(str(r["id"]) for r in table) == written, doctype
        keys = collections.Counter(r[key] for r in table)
        assert set(keys.values()) == {1}, (doctype, keys.most_common(3))
    assert {e.outcome for e in entries} == {"created"}
    stats = world.vf.app.middleware.stats
    busiest = {w: stats.busiest(w) for w in WINDOWS}
    print(f"target: {stats.requests} requests, {stats.failed} failed, {stats.lost} lost, "
          f"{stats.rate_limited} refused; busiest {busiest}, bounds "
          f"{ {w: budget_bound(RATE, BURST, w) for w in WINDOWS} }")  # shown on a failure
    assert stats.failed > 0 and stats.lost > 0  # the faults did fire
    for window in WINDOWS:  # four workers, one budget: the sandbox saw it kept
        assert busiest[window] <= budget_bound(RATE, BURST, window), (window, busiest)
    assert stats.rate_limited == 0
