"""Send one non-idempotent write exactly once, across retries and crashes, when the target
cannot be searched afterwards (an upload API that returns an id but lists nothing).

The write intent is recorded before the call and closed after it (`passeur.state.Store`
intents): `confirmed` with the target's id, `failed` when the target certainly did not
store it, `uncertain` when it may have (a lost answer, a 5xx after sending). A later attempt
under the same key finds the intent first: a confirmed one is not sent again; a failed one
is sent again; a pending or uncertain one is sent again only when the caller's policy says
so (`reupload`), since nothing can tell whether the first one arrived (the default is
`report`: never send blind). Flows (issue 15, issue 16) share this; the generic sync's
applier reconciles by lookup instead (`passeur.engine.sync.apply`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import attrs

from passeur.errors import PasseurError
from passeur.http.errors import AuthError, Uncertain
from passeur.state import Intent, Store

__all__ = ["UNCERTAIN_POLICIES", "WriteOutcome", "write_once"]

#: What to do with a write whose earlier attempt may have arrived.
UNCERTAIN_POLICIES = ("report", "reupload")


@attrs.frozen
class WriteOutcome:
    """`created` (sent now, `target_id` known), `unchanged` (sent by an earlier attempt and
    confirmed), `uncertain` or `failed`, with a message saying why."""

    outcome: str
    target_id: str | None = None
    message: str | None = None
    reason: str | None = None


async def write_once(store: Store, send: Callable[[], Awaitable[str]], *, key: str,
                     run_id: str, system: str, doctype: str, source: str,
                     on_uncertain: str = "report") -> WriteOutcome:
    """Send through `send()` (which returns the target's id) at most once per `key`, unless
    `on_uncertain` is `reupload` and an earlier attempt's fate is unknown. An `AuthError` is
    recorded (the intent failed: nothing was stored) and raised again: every later call
    would fail the same way."""
    if on_uncertain not in UNCERTAIN_POLICIES:
        raise ValueError(f"on_uncertain must be one of {', '.join(UNCERTAIN_POLICIES)}")
    earlier = store.intent(key)
    if earlier is not None:
        if earlier.state == "confirmed":
            return WriteOutcome("unchanged", earlier.target_id,
                                f"already written (run {earlier.run_id})")
        if earlier.state in ("pending", "uncertain") and on_uncertain == "report":
            store.close_intent(key, "uncertain", message=earlier.message)
            how = ("its run stopped before the answer was recorded" if earlier.state ==
                   "pending" else (earlier.message or "the answer was lost"))
            return WriteOutcome(
                "uncertain", None,
                f"an earlier attempt (run {earlier.run_id}) may have been stored: {how}; "
                "it is not sent again, since the target cannot be searched for it "
                "(on_uncertain_upload = \"report\")", reason="uncertain")
        # sent again: pending until its answer, so a crash during this send is known as
        # such next time, not taken for the earlier failure (and sent a third time blind)
        store.close_intent(key, "pending", message=f"sent again in run {run_id}")
    else:
        store.open_intent(Intent(key, run_id, system, doctype, "create", source))
    try:
        target_id = await send()
    except Uncertain as exc:
        store.close_intent(key, "uncertain", message=str(exc))
        return WriteOutcome("uncertain", None, f"{exc} (not sent again: look in the target, "
                            "then resolve it in the sync file)", reason="uncertain")
    except AuthError as exc:
        store.close_intent(key, "failed", message=str(exc))
        raise
    except PasseurError as exc:
        store.close_intent(key, "failed", message=str(exc))
        return WriteOutcome("failed", None, str(exc), reason=type(exc).__name__)
    store.close_intent(key, "confirmed", target_id=target_id)
    return WriteOutcome("created", target_id)
