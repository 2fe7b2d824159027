"""docs/compose.yaml, checked as text (PyYAML is not a test dependency): its PostgreSQL is the
version docs/scale.md names, its workers run `passeur worker` under a supervisor that starts
them again, and every variable they are given is one passeur reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = (ROOT / "docs" / "compose.yaml").read_text(encoding="utf-8")
SCALE = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")


def services(text: str) -> dict[str, str]:
    """Each service's block of lines (two-space keys under `services:`)."""
    body = text.split("\nservices:\n", 1)[1]
    body = re.split(r"\n(?=\S)", body, maxsplit=1)[0]  # up to the next top-level key
    names = list(re.finditer(r"^  ([\w-]+):(.*)$", body, re.M))
    return {m.group(1): body[m.start():names[i + 1].start() if i + 1 < len(names) else None]
            for i, m in enumerate(names)}


def environment(block: str) -> list[str]:
    found = re.search(r"^    environment:\n((?:      .*\n?)+)", block, re.M)
    return [] if found is None else re.findall(r"^      (\w+):", found.group(1), re.M)


def read_by_passeur() -> set[str]:
    return {name for path in (ROOT / "core" / "passeur").rglob("*.py")
            for name in re.findall(r"[\"'](PASSEUR_[A-Z_]+)[\"']", path.read_text("utf-8"))}


def test_the_database_is_the_documented_postgresql() -> None:
    found = re.findall(r"^    image: postgres:(\d+)\s", COMPOSE, re.M)
    documented = re.findall(r"\*\*PostgreSQL (\d+)\*\*", SCALE)
    assert found == documented == ["15"], (found, documented)
    db = services(COMPOSE)["db"]
    assert environment(db) == ["POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"]


def test_the_workers_run_passeur_worker_restarted_with_only_passeur_variables() -> None:
    found = services(COMPOSE)
    workers = [name for name in found if name.startswith("worker-")]
    assert workers == ["worker-1", "worker-2"]
    first = found["worker-1"]
    assert "exec passeur worker --concurrency 8" in first
    assert re.search(r"^    restart: on-failure\b", first, re.M)  # exit 4: started again
    assert found["worker-2"].strip() == "worker-2: *worker"  # the same service again
    given = environment(first)
    assert given == ["PASSEUR_STORE"]
    assert set(given) <= read_by_passeur()
    assert re.search(r"^      PASSEUR_STORE: postgresql://passeur:\$\{POSTGRES_PASSWORD"
                     r"[^}]*\}@db:5432/passeur$", first, re.M)


def test_the_scale_doc_points_to_it() -> None:
    assert "[docs/compose.yaml](compose.yaml)" in SCALE
    assert "no compose file" not in SCALE
