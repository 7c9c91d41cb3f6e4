"""The HTTP layer refuses to send a token over plain http to another host (defence in depth)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tray_app.awork.client import AworkClient, BearerToken
from tray_app.awork.errors import Unreachable
from tray_app.awork.oauth import refresh_tokens

TOKEN = "plain-http-token-0123456789"
NOW = datetime(2026, 12, 3, tzinfo=UTC)


def refusing_transport(sent: list[httpx.Request]) -> httpx.MockTransport:
    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    return httpx.MockTransport(record)


NOT_SENT = (
    r"^{request} not sent: https is required for {host}: "
    r"plain http is only for this machine \(127\.0\.0\.1, ::1, localhost\)$"
)


def _not_sent(base: str, host: str) -> Any:
    """The address, and the one warning that says the call to it was not sent."""
    pattern = NOT_SENT.format(
        request=re.escape("GET /api/v1/me/timeentries/last"), host=re.escape(host)
    )
    mark = pytest.mark.expect_log("WARNING", pattern, logger="tray_app.awork.http")
    return pytest.param(base, marks=mark, id=base)


@pytest.mark.parametrize(
    "base",
    [
        _not_sent("http://awork.example/api/v1", "awork.example"),
        _not_sent("http://10.0.0.7:8080/api/v1", "10.0.0.7"),
    ],
)
def test_the_client_sends_nothing_over_plain_http_to_another_host(base: str) -> None:
    sent: list[httpx.Request] = []
    with (
        AworkClient(base, auth=BearerToken(TOKEN), transport=refusing_transport(sent)) as client,
        pytest.raises(Unreachable) as caught,
    ):
        client.current()

    assert sent == []
    assert "https is required" in str(caught.value)
    assert TOKEN not in str(caught.value)


@pytest.mark.expect_log(
    "WARNING",
    NOT_SENT.format(request=re.escape("POST /api/v1/accounts/token"), host=r"awork\.example"),
    logger="tray_app.awork.http",
)
def test_a_refresh_token_is_not_sent_over_plain_http_to_another_host() -> None:
    sent: list[httpx.Request] = []
    with httpx.Client(transport=refusing_transport(sent)) as http, pytest.raises(Unreachable):
        refresh_tokens(
            http, "http://awork.example/api/v1", client_id="c", refresh_token=TOKEN, now=NOW
        )

    assert sent == []


def test_loopback_over_plain_http_is_sent() -> None:
    sent: list[httpx.Request] = []
    with AworkClient(
        "http://127.0.0.1:9/api/v1", auth=BearerToken(TOKEN), transport=refusing_transport(sent)
    ) as client:
        client.current()

    assert [str(r.url) for r in sent] == ["http://127.0.0.1:9/api/v1/me/timeentries/last"]
