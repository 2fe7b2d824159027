"""write_once: one non-idempotent write per key across attempts, on a real SQLite store."""

from __future__ import annotations

import asyncio

import pytest

from passeur.engine.sync.once import WriteOutcome, write_once
from passeur.http import AuthError, Uncertain, ValidationError
from passeur.state import Intent, open_store


class Target:
    """Counts the calls; each call does what the next scripted step says."""

    def __init__(self, *steps: object) -> None:
        self.steps = list(steps)
        self.calls = 0

    async def send(self) -> str:
        self.calls += 1
        step = self.steps.pop(0)
        if isinstance(step, BaseException):
            raise step
        return str(step)


def _write(store, target: Target, policy: str = "report") -> WriteOutcome:
    return asyncio.run(write_once(store, target.send, key="k1", run_id="r1", system="cf",
                                  doctype="invoice", source="codabox:e1",
                                  on_uncertain=policy))


def test_confirmed_is_never_sent_again(tmp_path) -> None:
    with open_store(tmp_path / "s.db") as store:
        target = Target("uuid-1")
        assert _write(store, target) == WriteOutcome("created", "uuid-1")
        again = _write(store, target, "reupload")
        assert again == WriteOutcome("unchanged", "uuid-1", "already written (run r1)")
        assert target.calls == 1
        assert store.intent("k1").state == "confirmed"


def test_failed_is_sent_again(tmp_path) -> None:
    with open_store(tmp_path / "s.db") as store:
        target = Target(ValidationError("refused"), "uuid-2")
        first = _write(store, target)
        assert (first.outcome, first.reason) == ("failed", "ValidationError")
        assert store.intent("k1").state == "failed"
        assert _write(store, target) == WriteOutcome("created", "uuid-2")
        assert target.calls == 2


def test_uncertain_is_reported_not_resent_unless_reupload(tmp_path) -> None:
    with open_store(tmp_path / "s.db") as store:
        target = Target(Uncertain("lost"), "uuid-3")
        first = _write(store, target)
        assert first.outcome == "uncertain" and first.message.startswith("lost")
        second = _write(store, target)
        assert second.outcome == "uncertain" and target.calls == 1
        assert "may have been stored: lost" in second.message
        assert _write(store, target, "reupload") == WriteOutcome("created", "uuid-3")
        assert target.calls == 2


def test_a_pending_intent_left_by_a_crash_is_uncertain(tmp_path) -> None:
    with open_store(tmp_path / "s.db") as store:
        store.open_intent(Intent("k1", "r0", "cf", "invoice", "create", "codabox:e1"))
        target = Target("uuid-4")
        found = _write(store, target)
        assert found.outcome == "uncertain" and target.calls == 0
        assert "its run stopped before the answer was recorded" in found.message
        assert store.intent("k1").state == "uncertain"


def test_auth_error_is_recorded_and_raised(tmp_path) -> None:
    with open_store(tmp_path / "s.db") as store:
        with pytest.raises(AuthError):
            _write(store, Target(AuthError("401")))
        assert store.intent("k1").state == "failed"
        with pytest.raises(ValueError, match="on_uncertain must be one of report, reupload"):
            _write(store, Target(), "guess")


class Crash(BaseException):
    """The process dying in the middle of a send (nothing after it runs)."""


def test_a_crash_while_sending_again_is_known_as_such(tmp_path) -> None:
    """A failed write sent again, the process dying during that send: the next attempt
    must treat it as possibly stored, not as the earlier certain failure."""
    with open_store(tmp_path / "s.db") as store:
        target = Target(ValidationError("refused"), Crash(), "uuid-5")
        assert _write(store, target).outcome == "failed"
        with pytest.raises(Crash):
            _write(store, target)  # sent again; the answer never recorded
        assert store.intent("k1").state == "pending"
        after = _write(store, target)
        assert after.outcome == "uncertain" and target.calls == 2
        assert "its run stopped before the answer was recorded" in after.message
