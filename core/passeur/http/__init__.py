"""passeur.http: the one HTTP layer every live-system client uses (public API).

Clients describe requests as `Call` values and run them through `HttpClient` (sync) or
`AsyncHttpClient` (asyncio), which authenticate (`TokenAuth`, `BasicAuth`, `BearerAuth`),
wait for the account's rate budget (`TokenBucket`, shared per account), send with timeouts over an
injectable httpx transport, trace with secrets redacted (logger ``passeur.http``), classify
every failure in one place and retry what is safe to retry (`RetryPolicy`: exponential
backoff with full jitter, or exactly the server's `Retry-After`). Money in answers is
`Decimal` from the moment it is read.

The exception tree (all under `passeur.errors.TransportError`)::

    TransportError
    ├── Retryable            temporary, the request was NOT applied: retried automatically
    │   │                    (5xx on reads, 503 on any call, refused connection, connect timeout)
    │   └── RateLimited      429; `retry_after` seconds from Retry-After (delta or HTTP-date)
    ├── AuthError            401/403: credentials missing or wrong
    ├── ValidationError      400/422: the document was refused; `problems` = FieldProblem(path,
    │   │                    message) from {"code": "error", "message": {field: [...]}}
    │   └── GraphQLError     GraphQL `errors` in a 200 answer (`graphql_call`, `graphql_data`)
    ├── NotFound             404
    ├── Conflict             409/412: already exists (If-None-Match: *) or changed meanwhile
    ├── Uncertain            a write whose outcome is unknown (timeout or lost connection after
    │                        sending, 5xx other than 503): NEVER retried automatically; look the
    │                        document up before trying again
    └── UnexpectedResponse   anything else (an odd status, a body that is not JSON)

Writes are non-idempotent unless the `Call` says otherwise: POST and PATCH are only retried
after failures that prove the server did not process them (429, 503, no connection). A
*guarded* write (`Call(guarded=True)`: `If-None-Match: *`, `oid_unique`) is also resent after
any 5xx, since the server would refuse a duplicate; if that resend is refused as a duplicate
the answer is `Uncertain` (the first attempt was probably applied), never "failed".
"""

from passeur.errors import TransportError
from passeur.http.answers import answer_id, answer_part
from passeur.http.auth import Auth, BasicAuth, BearerAuth, NoAuth, TokenAuth
from passeur.http.bulk import CREATED, FAILED, UNCERTAIN, Outcome, create_all, created_id_from
from passeur.http.call import Call, dumps_json, loads_json
from passeur.http.client import AsyncHttpClient, HttpClient, HttpSettings
from passeur.http.errors import (
    AuthError,
    Conflict,
    ErrorBody,
    ErrorReading,
    FieldProblem,
    NotFound,
    RateLimited,
    Retryable,
    Uncertain,
    UnexpectedResponse,
    ValidationError,
    classify_exception,
    classify_response,
    common_error_body,
    field_problems,
    nested_problems,
    parse_retry_after,
)
from passeur.http.graphql import GraphQLError, graphql_call, graphql_data, is_mutation
from passeur.http.live import DocumentClient, LiveClient
from passeur.http.pagination import aiter_pages, aiter_skip_top, iter_pages, iter_skip_top
from passeur.http.ratelimit import TokenBucket, budget_for, reset_budgets
from passeur.http.redact import MASK, Redactor
from passeur.http.retry import RetryPolicy

__all__ = [
    "CREATED",
    "FAILED",
    "MASK",
    "UNCERTAIN",
    "AsyncHttpClient",
    "Auth",
    "AuthError",
    "BasicAuth",
    "BearerAuth",
    "Call",
    "Conflict",
    "DocumentClient",
    "ErrorBody",
    "ErrorReading",
    "FieldProblem",
    "GraphQLError",
    "HttpClient",
    "HttpSettings",
    "LiveClient",
    "NoAuth",
    "NotFound",
    "Outcome",
    "RateLimited",
    "Redactor",
    "RetryPolicy",
    "Retryable",
    "TokenAuth",
    "TokenBucket",
    "TransportError",
    "Uncertain",
    "UnexpectedResponse",
    "ValidationError",
    "aiter_pages",
    "aiter_skip_top",
    "answer_id",
    "answer_part",
    "budget_for",
    "classify_exception",
    "classify_response",
    "common_error_body",
    "create_all",
    "created_id_from",
    "dumps_json",
    "field_problems",
    "graphql_call",
    "graphql_data",
    "is_mutation",
    "iter_pages",
    "iter_skip_top",
    "loads_json",
    "nested_problems",
    "parse_retry_after",
    "reset_budgets",
]
