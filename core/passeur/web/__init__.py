"""passeur.web: the local monitoring page of `passeur serve` (an ASGI app on starlette)."""
