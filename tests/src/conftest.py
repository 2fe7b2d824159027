"""Sandboxes served on a real loopback socket (tests/support/loopback.py)."""

from support.loopback import fresh_budgets, serve

__all__ = ["fresh_budgets", "serve"]
