"""A small client of the service's function routes (``OKR_METRIC`` in xlwings uses it)."""

from __future__ import annotations

from collections.abc import Sequence

import requests

#: Seconds a function call may take before the cell shows an error.
TIMEOUT = 10.0


def call_function(url: str, token: str, name: str, args: Sequence[object]) -> object:
    """``POST {url}/api/v1/functions/{name}``; the result, or ``ValueError`` with the reason."""
    try:
        answer = requests.post(
            f"{url.rstrip('/')}/api/v1/functions/{name}",
            json={"args": list(args)},
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        )
    except requests.RequestException as exc:
        raise ValueError(f"the service at {url} cannot be reached ({type(exc).__name__})") from None
    try:
        body = answer.json()
    except ValueError:
        raise ValueError(f"the service at {url} answered {answer.status_code}, not JSON") from None
    if "error" in body:
        raise ValueError(body["error"].get("message", "the service refused the call"))
    return body.get("result")
