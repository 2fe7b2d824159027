"""ERP Connector's task envelope turned into a result or a classified error.

Every write (and possibly a read) answers with::

    {"OrigRemoteTaskID": 129014, "ResultType": "Success", "ErrorType": "None",
     "ResultMessage": "...", "ResultPayload": {...}, "IsTaskCompleted": true}

Seed 003 shows only success. Assumed here, and matched by the sandbox: a failed task has a
`ResultType` other than "Success" and an `ErrorType` naming the kind of failure, with field
problems (when any) in `ResultPayload` as {"Errors": {field: [messages]}} (a bare
{field: [messages]} is read too); an incomplete task
(`IsTaskCompleted: false`) is fetched again with GET `Task/<OrigRemoteTaskID>`, which answers
the same envelope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from passeur.http import (
    AuthError,
    Conflict,
    ErrorReading,
    FieldProblem,
    NotFound,
    Retryable,
    TransportError,
    Uncertain,
    UnexpectedResponse,
    ValidationError,
    nested_problems,
)

__all__ = ["ENVELOPE_KEYS", "TASK_PATH", "TaskPending", "error_body", "is_envelope", "unwrap"]

ENVELOPE_KEYS = ("OrigRemoteTaskID", "ResultType", "ErrorType", "ResultMessage",
                 "ResultPayload", "IsTaskCompleted")
TASK_PATH = "Task/{id}"

# ErrorType (lower-case, without separators) -> class; first matching fragment wins.
_KINDS: tuple[tuple[tuple[str, ...], type[TransportError]], ...] = (
    (("auth", "licence", "license", "unauthorized", "forbidden", "notsupported",
      "unsupported"), AuthError),
    (("validation", "invalid", "required", "missing", "format"), ValidationError),
    (("notfound", "introuvable"), NotFound),
    (("duplicate", "exist", "conflict"), Conflict),
    (("busy", "unavailable", "offline", "notconnected", "robot"), Retryable),
    (("timeout",), Uncertain),
)


class TaskPending(Exception):
    """The task is not finished yet; poll `TASK_PATH` with `task_id`."""

    def __init__(self, task_id: Any) -> None:
        self.task_id = task_id
        super().__init__(f"task {task_id} is not completed yet")

    def timed_out(self, seconds: float) -> Uncertain:
        return Uncertain(f"task {self.task_id} was still not completed after {seconds:g} s; "
                         "it may still be applied: look the document up before resending",
                         method="GET", url=TASK_PATH.format(id=self.task_id),
                         still_running=True)


def envelope_problems(answer: Any) -> list[FieldProblem]:
    """The field problems of an envelope: ResultPayload holds {"Errors": {field: [...]}}
    (or the errors bare)."""
    payload = answer.get("ResultPayload") if isinstance(answer, Mapping) else None
    if isinstance(payload, Mapping) and "Errors" in payload:
        payload = payload["Errors"]
    return nested_problems(payload) if isinstance(payload, Mapping | list) else []


def error_body(body: Any) -> ErrorReading:
    """ERP Connector's reading of an error body (the client declares it to passeur.http):
    an envelope's ResultMessage and its ResultPayload errors; other bodies read the common
    way."""
    if not (isinstance(body, Mapping) and "ResultPayload" in body and "ResultType" in body):
        return ErrorReading()
    message = body.get("ResultMessage")
    return ErrorReading(message if isinstance(message, str) and message else None,
                        tuple(envelope_problems(body)))


def is_envelope(answer: Any) -> bool:
    return isinstance(answer, Mapping) and "IsTaskCompleted" in answer and "ResultType" in answer


def _norm(text: Any) -> str:
    return "".join(ch for ch in str(text or "").lower() if ch.isalnum())


def unwrap(answer: Any) -> Any:
    """The `ResultPayload` of a successful, completed task; raise otherwise.

    Anything that is not an envelope is returned as it is (a bare GET answer).
    """
    if not is_envelope(answer):
        return answer
    task = answer.get("OrigRemoteTaskID")
    if not answer.get("IsTaskCompleted"):
        raise TaskPending(task)
    result_type = _norm(answer.get("ResultType"))
    error_type = _norm(answer.get("ErrorType"))
    if result_type == "success" and error_type in ("", "none"):
        payload = answer.get("ResultPayload")
        return {} if payload is None else payload
    message = str(answer.get("ResultMessage") or answer.get("ErrorType") or "task failed")
    detail = f"task {task} failed ({answer.get('ErrorType')}): {message}"
    common: dict[str, Any] = {}
    for fragments, cls in _KINDS:
        if any(f in error_type for f in fragments):
            if cls is ValidationError:
                problems = envelope_problems(answer)
                return _raise(ValidationError(detail, problems=problems, **common))
            return _raise(cls(detail, **common))
    return _raise(UnexpectedResponse(detail, **common))


def _raise(error: TransportError) -> Any:
    raise error
