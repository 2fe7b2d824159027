"""Plain lines on standard error without importing rich (about a tenth of a one-document
convert's start), where rich would print them as they are.

`say_err(text)` prints what `err_console.print(text, markup=False, highlight=False)` prints:
off a terminal, a line with no control character (other than a newline) comes out of rich
unchanged, so it is written directly; anything else (a terminal, FORCE_COLOR or
TTY_COMPATIBLE set, Jupyter, a tab or a carriage return to expand or strip, a stream that
cannot encode it) goes through the rich console itself.
"""

from __future__ import annotations

import builtins
import os
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["plain_stderr", "say_err"]

#: What rich changes in a printed line: control characters (it strips BEL, BS, VT, FF and CR
#: and expands tabs); a newline it prints as it is.
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f]")


def plain_stderr() -> bool:
    """Whether rich would treat standard error as a plain stream (no terminal, no styles)."""
    if "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ:
        return False
    if hasattr(builtins, "get_ipython"):  # Jupyter: rich's own detection decides
        return False
    isatty = getattr(sys.stderr, "isatty", None)
    try:
        return isatty is not None and not isatty()
    except ValueError:  # a closed stream: rich says "not a terminal" too
        return True


def say_err(text: str, console: Callable[[], Console]) -> None:
    """`text` and a newline on standard error, as `console()` (the rich console of standard
    error, made on first use) prints it with markup and highlighting off."""
    if _CONTROL.search(text) is None and plain_stderr():
        stream = sys.stderr
        try:
            stream.write(text + "\n")
            stream.flush()
            return
        except UnicodeEncodeError:
            pass  # nothing was written: rich says it with its advice
        except BrokenPipeError:
            console().on_broken_pipe()
            return
    console().print(text, markup=False, highlight=False)
