"""Clients against their sandboxes over a real loopback socket (not an in-process transport):
the fixtures of tests/support/loopback.py."""

from support.loopback import fresh_budgets, serve

__all__ = ["fresh_budgets", "serve"]
