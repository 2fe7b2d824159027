"""Reading a `multipart/form-data` body (text fields and file parts) without extra packages.

Starlette parses forms only with python-multipart installed; a sandbox needs just the parts of
a body it has already read whole (and capped: `read_body`), which the standard library's
e-mail parser does. A body that is not well-formed multipart is a `BadForm` (answered 400).
"""

from __future__ import annotations

import email.parser
import email.policy

import attrs

__all__ = ["BadForm", "FormPart", "parse_form"]


class BadForm(ValueError):
    """A body that is not the multipart form the endpoint expects."""


@attrs.frozen
class FormPart:
    """One part: its field name, file name (None for a text field), media type and bytes."""

    name: str
    filename: str | None
    content_type: str
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


def parse_form(content_type: str, body: bytes) -> dict[str, FormPart]:
    """The parts of a multipart body by field name (the first of each name wins)."""
    if not content_type.lower().startswith("multipart/form-data") or "boundary=" not in \
            content_type:
        raise BadForm("expected multipart/form-data with a boundary")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1",
                                                                                 "replace")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise BadForm("the body is not multipart")
    parts: dict[str, FormPart] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or not name:
            raise BadForm("a part has no name (Content-Disposition: form-data; name=...)")
        filename = part.get_filename()
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name not in parts:
            parts[name] = FormPart(name, filename, part.get_content_type(), data)
    if not parts:
        raise BadForm("the form has no parts")
    return parts
