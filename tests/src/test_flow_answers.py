"""The src-documents flow when SRC answers without what it must: an entry of the listing
without its id is a failed ledger line (the others are sent), an upload answered with no
object is `uncertain` for each entry of the archive (never resent blindly); never a bare
traceback. SRC is the real sandbox on loopback behind a proxy that rewrites one answer."""

from __future__ import annotations

from typing import Any

from src.test_flow import ABSENT, SrcClient, World, _settings

from passeur.archives import ArchiveLimits
from support.rewrite import Rewrite


def _behind(w: World, serve: Any, change: Any) -> None:
    w.src = SrcClient(serve(Rewrite(w.src_app, change)).base_url, login="connecteur",
                      password="sandbox-src", limits=ArchiveLimits(max_files=4),
                      settings=_settings())


def test_an_entry_listed_without_its_id_is_failed_and_the_others_go(serve, tmp_path) -> None:
    w = World(serve, tmp_path)
    try:
        dropped: list[dict[str, Any]] = []

        def change(path: str, body: Any) -> Any:
            if path == "/api/v1/invoices" and isinstance(body, dict):
                for item in body.get("items") or []:
                    if item.get("id") == "FA000002":
                        dropped.append(dict(item))
                        del item["id"]
            return body

        _behind(w, serve, change)
        report = w.run(tmp_path)
        failed = [i.entry for i in report.items if i.entry.outcome == "failed"]
        assert [(e.target_id, e.reason) for e in failed] == [("(no id)", "UnexpectedResponse")]
        assert failed[0].message.startswith(
            "SRC GET api/v1/invoices (an entry of the listing) was answered without its "
            "'id' (the answer has keys ")
        assert "it cannot be sent a document" in failed[0].message
        assert dropped and not report.ok
        sent = {i.entry.target_id for i in report.items if i.entry.outcome == "created"}
        assert sent and "FA000002" not in sent and ABSENT not in sent
        assert w.src_app.state.entries["FA000002"].document is None
    finally:
        w.store.close()


def test_an_upload_answered_with_no_object_is_uncertain(serve, tmp_path) -> None:
    w = World(serve, tmp_path)
    try:
        def change(path: str, body: Any) -> Any:
            return ["stored?"] if path.endswith("invoice-document-archives") else body

        _behind(w, serve, change)
        report = w.run(tmp_path)
        uncertain = [i.entry for i in report.items if i.entry.outcome == "uncertain"]
        assert uncertain and not report.ok
        assert all(e.reason == "unanswered" for e in uncertain)
        assert uncertain[0].message == (
            "SRC POST v1/invoice-document-archives was answered with a JSON list, not an "
            "object naming the accepted and rejected entries: it may have been stored; the "
            "next run looks it up first")
        assert all(i.entry.outcome != "failed" for i in report.items
                   if i.entry.target_id != ABSENT)
    finally:
        w.store.close()
