"""The codabox-clearfacts flow when a server answers without the id it must give: an upload
answered without its uuid (or without its result at all) is `uncertain`, never a bare
traceback and never uploaded again blindly; a feed client without its id is a failed feed
line naming the request, and the other feeds still go. Both servers are real sandboxes on
loopback behind a proxy that rewrites the one answer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from codabox.flow_support import world

from support.rewrite import Rewrite


def _upload_answer(part: Callable[[dict[str, Any]], Any]) -> Callable[[str, Any], Any]:
    def change(path: str, body: Any) -> Any:
        data = body.get("data") if isinstance(body, dict) else None
        if isinstance(data, dict) and "uploadFile" in data:
            data["uploadFile"] = part(data["uploadFile"])
        return body
    return change


def _run_without(serve: Any, tmp_path: Any, part: Callable[[dict[str, Any]], Any]) -> None:
    w = world(serve, tmp_path, offices=1)
    w.clearfacts_url = serve(Rewrite(w.clearfacts, _upload_answer(part))).base_url
    w.write()
    feed = w.codabox.state.offices[0].feeds[0]
    invoice = next(e for e in feed.entries if e.document_model == "purchase_invoice")
    first = w.run()
    uncertain = [e for e in first.entries if e.outcome == "uncertain"]
    assert uncertain and {e.doctype for e in uncertain} == {"purchase_invoice",
                                                            "sales_invoice"}
    mine = next(e for e in uncertain if e.source_id == invoice.feed_index)
    assert mine.reason == "uncertain"
    assert "ClearFacts uploadFile of " in mine.message
    assert "was answered without" in mine.message
    assert "not sent again" in mine.message
    assert not first.ok and not first.delivered  # passeur sync exits 1
    assert all(e.outcome != "failed" for e in first.entries), [
        (e.source_id, e.reason, e.message) for e in first.entries if e.outcome == "failed"]
    assert feed.offset < feed.entries.index(invoice) + 1  # never acknowledged past it
    stored = Counter(w.inbox())
    assert stored[w.expected(invoice, feed)] == 1  # it was stored: not uploaded again
    second = w.run()
    assert Counter(w.inbox()) == stored
    assert [e.outcome for e in second.entries if e.source_id == invoice.feed_index] == [
        "uncertain"]


def test_an_upload_answered_without_its_result_is_uncertain(serve, tmp_path) -> None:
    _run_without(serve, tmp_path, lambda part: None)


def test_an_upload_answered_without_its_uuid_is_uncertain(serve, tmp_path) -> None:
    _run_without(serve, tmp_path, lambda part: {k: v for k, v in part.items()
                                                if k != "uuid"})


def test_a_feed_client_without_its_id_is_a_failed_feed_line(serve, tmp_path) -> None:
    def change(path: str, body: Any) -> Any:
        if path.endswith("/delivery/pod-client/") and isinstance(body, dict):
            del body["feed_clients"][0]["id"]
        return body

    w = world(serve, tmp_path, offices=1)
    w.codabox_url = serve(Rewrite(w.codabox, change)).base_url
    w.write()
    first, second = w.codabox.state.offices[0].feeds[:2]
    report = w.run()
    failed = [e for e in report.entries if e.doctype == "feed"]
    assert [(e.outcome, e.source_id, e.reason) for e in failed] == [
        ("failed", f"client {first.client['client_code']}", "UnexpectedResponse")]
    assert failed[0].message == (
        "the feed client cannot be read (nothing of it is delivered): CodaBox GET "
        "delivery/pod-client/ (a feed client) was answered without its 'id' (the answer "
        f"has keys {', '.join(sorted(k for k in first.client if k != 'id'))})")
    assert not report.ok and not report.delivered
    assert first.offset == 0  # nothing of it read, nothing acknowledged
    assert second.offset == len(second.entries)  # the other feed still went
    assert any(e.outcome == "created" for e in report.entries)


def test_a_feed_entry_without_its_feed_index_is_failed_and_holds_its_feed(serve,
                                                                           tmp_path) -> None:
    w = world(serve, tmp_path, offices=1)
    first = w.codabox.state.offices[0].feeds[0]

    def change(path: str, body: Any) -> Any:
        if path.endswith(f"/delivery/feed/{first.id}/") and isinstance(body, dict) \
                and body.get("feed_entries"):
            del body["feed_entries"][1]["feed_index"]
        return body

    w.codabox_url = serve(Rewrite(w.codabox, change)).base_url
    w.write()
    report = w.run()
    failed = [e for e in report.entries if e.outcome == "failed"]
    assert [(e.source_id, e.reason) for e in failed] == [
        ("(no feed_index)", "UnexpectedResponse")]
    assert "without its 'feed_index': it is not delivered" in (failed[0].message or "")
    assert not report.ok
    assert first.offset == 1  # acknowledged up to the entry before it, never past it
    assert len(w.inbox()) == len(set(w.inbox()))
