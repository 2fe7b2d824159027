"""Route pieces every sandbox shares: a bounded record-id path convertor, and the answer for
a documented resource the sandbox does not implement.

Starlette's `{x:int}` convertor turns any run of digits into an int, and Python refuses
to convert more than 4,300 digits: `/Task/<5000 digits>` was a 500. `{x:rid}` matches one
to 18 digits (every id fits in 64 bits); a longer number is simply no such record (404).
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

__all__ = ["NOT_AVAILABLE_STATUS", "RecordIdConvertor", "not_available_message"]

#: The status of a documented resource the sandbox does not implement: 501 Not Implemented,
#: so that a client tells it from a missing record (404) and from a refused request (4xx).
NOT_AVAILABLE_STATUS = 501


class RecordIdConvertor(Convertor[int]):
    """A record id in a path: 1 to 18 digits."""

    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("rid", RecordIdConvertor())


def not_available_message(resource: str) -> str:
    """The message of a `NOT_AVAILABLE_STATUS` answer (one wording for every sandbox)."""
    return (f"{resource} is documented by the platform but not available in the sandbox "
            "(see docs/sandboxes.md)")
