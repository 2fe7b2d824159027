"""`--trace FILE` keeps writing when a library reconfigures logging mid-command (uvicorn's
dictConfig closes every handler when `passeur demo` starts its sandboxes)."""

from __future__ import annotations

import logging
import logging.config
from pathlib import Path

from passeur.cli.tracing import tracing


def test_the_trace_survives_a_logging_reconfiguration(tmp_path: Path) -> None:
    trace = tmp_path / "t.log"
    log = logging.getLogger("passeur.http")
    with tracing(False, str(trace)):
        log.info("-> GET before")
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
        log.info("-> GET after api_token=abcdef123")
    lines = trace.read_text(encoding="utf-8").splitlines()
    assert [line.split(" ", 3)[-1] for line in lines] == ["-> GET before",
                                                          "-> GET after api_token=***"]
    log.info("-> GET outside")  # the trace ended with the block
    assert len(trace.read_text(encoding="utf-8").splitlines()) == 2
