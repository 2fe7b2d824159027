"""The codabox-clearfacts flow when things go wrong: a lost answer to an upload, an upload
answered 500, server errors at random on both sides. Whatever happens, no document is in
ClearFacts twice, and no feed is acknowledged past an entry whose delivery is not
recorded."""

from __future__ import annotations

from collections import Counter

from codabox.flow_support import World, world


def _delivered_indexes(w: World) -> set[str]:
    from passeur.state import open_store

    with open_store(w.tmp / "state.db") as store:
        return {m.record_id for b in store.bindings() for m in b.members
                if m.system == "codabox"}


def _check_offsets(w: World) -> None:
    """Every acknowledged entry was delivered (bound) or is one the sync file skips."""
    delivered = _delivered_indexes(w)
    for feed in w.feeds():
        for entry in feed.entries[:feed.offset]:
            skipped = entry.metadata.get("iban") in w.inactive
            assert entry.feed_index in delivered or skipped, (feed.id, entry.feed_index)


def _outcomes(report) -> list[tuple[str, str]]:
    return [(e.source_id, e.outcome) for e in report.entries]


def test_a_lost_upload_answer_is_uncertain_and_never_uploaded_again(serve, tmp_path) -> None:
    w = world(serve, tmp_path, clearfacts_options={"lose_uploads": "2"})
    feed = w.codabox.state.offices[0].feeds[0]
    lost = feed.entries[2]  # upload 2: the first invoice of the first client (entry 1 waits)
    assert lost.document_model == "purchase_invoice"
    first = w.run()
    uncertain = [e for e in first.entries if e.outcome == "uncertain"]
    assert [e.source_id for e in uncertain] == [lost.feed_index]
    assert uncertain[0].reason == "uncertain"
    assert "it may have been applied" in uncertain[0].message
    assert not first.delivered
    assert feed.offset == 2  # acknowledged up to the entry before the uncertain one
    assert Counter(w.inbox())[w.expected(lost, feed)] == 1  # it was stored
    _check_offsets(w)

    second = w.run()  # report: the entry stays uncertain, nothing is uploaded again
    assert _outcomes(second) == [(lost.feed_index, "uncertain")] + [
        (e.feed_index, "skipped" if e.metadata.get("iban") in w.inactive else "unchanged")
        for e in feed.entries[3:]]
    assert "may have been stored" in second.entries[0].message
    assert len(w.inbox()) == len(set(w.inbox())) == 30
    assert feed.offset == 2

    w.extra = f'[resolve]\n"{lost.feed_index}" = "delivered"\n'  # found in ClearFacts
    w.write()
    third = w.run()
    assert third.entries[0].outcome == "unchanged" and third.delivered
    assert feed.offset == len(feed.entries)
    assert len(w.inbox()) == len(set(w.inbox())) == 30
    assert w.run().entries == ()


def test_an_upload_answered_500_is_uploaded_again_once_resolved(serve, tmp_path) -> None:
    w = world(serve, tmp_path, clearfacts_options={"fail_uploads": "3"})
    feed = w.codabox.state.offices[0].feeds[0]
    failed = feed.entries[3]  # upload 3: statement 2 of the first account
    first = w.run()
    assert [e.source_id for e in first.entries if e.outcome == "uncertain"] == [
        failed.feed_index]
    assert w.expected(failed, feed) not in w.inbox()  # a 500: nothing was stored
    assert feed.offset == 3
    _check_offsets(w)
    w.extra = f'[resolve]\n"{failed.feed_index}" = "reupload"\n'  # not in ClearFacts
    w.write()
    second = w.run()
    assert second.entries[0].source_id == failed.feed_index
    assert second.entries[0].outcome == "created" and second.delivered
    assert Counter(w.inbox())[w.expected(failed, feed)] == 1
    assert len(w.inbox()) == len(set(w.inbox())) == 30
    assert feed.offset == len(feed.entries)


def test_reupload_policy_sends_an_uncertain_upload_again(serve, tmp_path) -> None:
    w = world(serve, tmp_path, clearfacts_options={"fail_uploads": "1"})
    w.extra = '[delivery]\non_uncertain_upload = "reupload"\n'
    w.write()
    assert Counter(e.outcome for e in w.run().entries)["uncertain"] == 1
    second = w.run()
    assert second.delivered and second.entries[0].outcome == "created"
    assert len(w.inbox()) == len(set(w.inbox())) == 30


def test_server_errors_on_codabox_are_retried_or_read_again(serve, tmp_path) -> None:
    w = world(serve, tmp_path, codabox_options={"fail_rate": 0.3, "random_seed": 7})
    for _ in range(6):
        report = w.run()
        _check_offsets(w)
        assert len(w.inbox()) == len(set(w.inbox()))
        if report.delivered and all(f.offset == len(f.entries) for f in w.feeds()):
            break
    assert w.codabox.stats.failed > 10
    expected = [w.expected(e, f) for f, e in w.entries()
                if e.metadata.get("iban") not in w.inactive]
    assert Counter(w.inbox()) == Counter(expected)


def test_server_errors_on_clearfacts_never_duplicate(serve, tmp_path) -> None:
    w = world(serve, tmp_path, clearfacts_options={"fail_rate": 0.25, "random_seed": 3})
    first = w.run()
    _check_offsets(w)
    uncertain = [e.source_id for e in first.entries if e.outcome == "uncertain"]
    assert uncertain and w.clearfacts.stats.failed > 0
    stored = Counter(w.inbox())
    assert all(n == 1 for n in stored.values())
    # the operator looks in ClearFacts: an injected 5xx stored nothing, so each is reuploaded
    w.extra = "[resolve]\n" + "".join(f'"{i}" = "reupload"\n' for i in uncertain)
    w.write()
    for _ in range(6):
        report = w.run()
        _check_offsets(w)
        assert all(n == 1 for n in Counter(w.inbox()).values())
        more = [e.source_id for e in report.entries if e.outcome == "uncertain"]
        if more:
            uncertain += more
            w.extra = "[resolve]\n" + "".join(f'"{i}" = "reupload"\n' for i in uncertain)
            w.write()
        elif report.delivered and all(f.offset == len(f.entries) for f in w.feeds()):
            break
    expected = [w.expected(e, f) for f, e in w.entries()
                if e.metadata.get("iban") not in w.inactive]
    assert Counter(w.inbox()) == Counter(expected)


def test_a_confirmed_upload_without_its_binding_is_bound_not_downloaded(serve, tmp_path) -> None:
    """A run killed between confirming an upload and binding it: the next run finds the
    confirmed intent, binds the entry and acknowledges it, without downloading it again."""
    from passeur.state import open_store

    w = world(serve, tmp_path, offices=1)
    first = w.run()
    with open_store(tmp_path / "state.db") as store:
        bindings = list(store.bindings())
        for binding in bindings:
            store.forget(binding.doc_id)
    assert len(bindings) == 10
    for feed in w.feeds():
        feed.offset = 0  # as if the killed run had acknowledged nothing
    requests = w.codabox.stats.requests
    again = w.run()
    assert [(e.source_id, e.outcome) for e in again.entries] == [
        (e.source_id, "unchanged" if e.outcome == "created" else e.outcome)
        for e in first.entries]
    assert all(e.message.startswith("already delivered (run ") for e in again.entries
               if e.outcome == "unchanged")
    # the pod client, two feeds and two acknowledgements: nothing downloaded
    assert w.codabox.stats.requests - requests == 5
    with open_store(tmp_path / "state.db") as store:
        assert len(list(store.bindings())) == 10
    assert len(w.inbox()) == 10 and all(f.offset == len(f.entries) for f in w.feeds())


def test_an_unexpected_error_on_one_entry_fails_it_and_the_others_go(serve, tmp_path,
                                                                      monkeypatch) -> None:
    """Not a refusal passeur knows (a defect while delivering one entry): that entry is
    failed with the exception named, the others are delivered, the feed waits before it."""
    import passeur_codabox.flow as flow

    w = world(serve, tmp_path)
    feed = w.codabox.state.offices[0].feeds[0]
    broken = feed.entries[2]
    real = flow._Run.deliver

    async def deliver(self, client, feed_client, entry, decision, redownload, index, model):
        if index == broken.feed_index:
            raise RuntimeError("the camt.053 writer fell over")
        return await real(self, client, feed_client, entry, decision, redownload, index,
                          model)

    monkeypatch.setattr(flow._Run, "deliver", deliver)
    report = w.run()
    failed = [e for e in report.entries if e.outcome == "failed"]
    assert [(e.source_id, e.reason) for e in failed] == [(broken.feed_index, "defect")]
    assert failed[0].message.startswith("RuntimeError: the camt.053 writer fell over")
    assert feed.offset == 2  # acknowledged up to the entry before the failed one
    others = [e for e in report.entries if e.source_id != broken.feed_index]
    assert others and all(e.outcome in ("created", "skipped") for e in others)
    _check_offsets(w)
