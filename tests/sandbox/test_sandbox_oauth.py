"""Signing in to the sandbox over HTTP, as a client and its person's browser do.

Registration and revocation are in awork's OpenAPI document (see test_contract.py); authorize and
token are not, so their answers are checked here against RFC 6749 by hand.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.helpers.contract import validate_error_body
from tray_app.sandbox import ManualClock, Sandbox
from tray_app.sandbox.oauth import s256

REDIRECT = "http://127.0.0.1:47420/callback"
SCOPE = "full_access offline_access"
REGISTRATION = {
    "client_name": "awork Tray",
    "redirect_uris": [REDIRECT],
    "token_endpoint_auth_method": "none",
    "application_type": "native",
    "grant_types": ["authorization_code", "refresh_token"],
    "response_types": ["code"],
    "scope": SCOPE,
}
# RFC 6749 sections 4.1.2.1 and 5.2: the only error codes an answer may carry.
AUTHORIZE_ERRORS = {
    "invalid_request",
    "unauthorized_client",
    "access_denied",
    "unsupported_response_type",
    "invalid_scope",
    "server_error",
    "temporarily_unavailable",
}
TOKEN_ERRORS = {
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
}


@pytest.fixture
def web(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """A client without a token, as a client before sign-in and the person's browser are."""
    with httpx.Client(base_url=sandbox.url, timeout=5) as client:
        yield client


@pytest.fixture
def client_id(web: httpx.Client) -> str:
    response = web.post("/clientapplications/register", json=REGISTRATION)
    assert response.status_code == 201, response.text
    value: str = response.json()["client_id"]
    return value


class Browser:
    """Follows the authorize URL like the person's browser, stopping at the redirect."""

    def __init__(self, web: httpx.Client, client_id: str) -> None:
        self.web = web
        self.client_id = client_id
        self.verifier = secrets.token_urlsafe(64)
        self.state = secrets.token_urlsafe(16)

    def authorize(self, **changes: str) -> httpx.Response:
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": REDIRECT,
            "scope": SCOPE,
            "state": self.state,
            "code_challenge": s256(self.verifier),
            "code_challenge_method": "S256",
            **changes,
        }
        return self.web.get("/accounts/authorize", params=query)

    def callback(self, **changes: str) -> dict[str, str]:
        """The query the client's loopback listener receives."""
        response = self.authorize(**changes)
        assert response.status_code == 302, response.text
        location = response.headers["location"]
        assert location.startswith(REDIRECT + "?")
        assert response.headers["cache-control"] == "no-store"
        return {key: value[0] for key, value in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def browser(web: httpx.Client, client_id: str) -> Browser:
    return Browser(web, client_id)


def token_request(web: httpx.Client, **form: str) -> httpx.Response:
    return web.post("/accounts/token", data=form)


def exchange(web: httpx.Client, browser: Browser, **changes: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": browser.callback()["code"],
        "redirect_uri": REDIRECT,
        "client_id": browser.client_id,
        "code_verifier": browser.verifier,
        **changes,
    }
    return token_request(web, **form)


def refresh(web: httpx.Client, client_id: str, refresh_token: str) -> httpx.Response:
    return token_request(
        web, grant_type="refresh_token", refresh_token=refresh_token, client_id=client_id
    )


def tokens_of(response: httpx.Response) -> dict[str, Any]:
    """A successful token answer, checked against RFC 6749 section 5.1 and awork's example."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    body: dict[str, Any] = response.json()
    assert list(body) == ["access_token", "token_type", "resource", "expires_in", "refresh_token"]
    assert (body["token_type"], body["resource"]) == ("Bearer", "awork.com")
    assert isinstance(body["expires_in"], int) and body["expires_in"] > 0
    assert all(isinstance(body[key], str) for key in ("access_token", "refresh_token"))
    return body


def sign_in(web: httpx.Client, browser: Browser) -> dict[str, Any]:
    return tokens_of(exchange(web, browser))


def assert_token_error(response: httpx.Response, error: str) -> None:
    """A refusal of the token endpoint in RFC 6749 section 5.2's shape, not awork's."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] == error and error in TOKEN_ERRORS
    assert body["error_description"].isprintable() and '"' not in body["error_description"]


def assert_awork_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    validate_error_body(response.content)
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- the whole flow -------------------------------------------------------------------------------


def test_a_client_registers_signs_in_and_tracks_time_as_the_person(
    sandbox: Sandbox, web: httpx.Client, browser: Browser
) -> None:
    callback = browser.callback()
    assert callback["state"] == browser.state

    tokens = tokens_of(
        token_request(
            web,
            grant_type="authorization_code",
            code=callback["code"],
            redirect_uri=REDIRECT,
            client_id=browser.client_id,
            code_verifier=browser.verifier,
        )
    )

    assert tokens["expires_in"] == 86400
    headers = bearer(tokens["access_token"])
    assert web.get("/me", headers=headers).json()["id"] == sandbox.user_id
    assert web.get("/me/timeentries/last", headers=headers).status_code == 200
    assert web.post("/me/timetracking/resume", headers=headers).status_code == 200
    user_route = f"/users/{sandbox.user_id}/timetracking/pause"
    assert web.post(user_route, headers=headers).status_code == 200
    assert (sandbox.oauth.codes_issued, sandbox.oauth.tokens_issued) == (1, 1)
    assert [c.client_id for c in sandbox.oauth.clients] == [browser.client_id]


def test_sign_in_needs_no_token_but_everything_else_does(
    web: httpx.Client, browser: Browser
) -> None:
    tokens = sign_in(web, browser)

    assert_awork_error(web.get("/me"), 401, "unauthorized")
    assert_awork_error(web.get("/accounts/me/authorizedclients"), 401, "unauthorized")
    path = f"/accounts/me/authorizedclients/{browser.client_id}"
    assert_awork_error(web.delete(path), 401, "unauthorized")
    assert web.get("/me", headers=bearer(tokens["access_token"])).status_code == 200


def test_the_static_token_and_oauth_tokens_work_side_by_side(
    sandbox: Sandbox, api: httpx.Client, web: httpx.Client, browser: Browser
) -> None:
    tokens = sign_in(web, browser)

    assert api.get("/me").status_code == 200
    assert sandbox.expire_access_tokens() == 1
    assert api.get("/me").status_code == 200, "sb.token does not expire"
    assert_awork_error(web.get("/me", headers=bearer(tokens["access_token"])), 401, "unauthorized")


# --- registration ---------------------------------------------------------------------------------


def test_registration_echoes_the_client_and_issues_no_secret(
    sandbox: Sandbox, web: httpx.Client, clock: ManualClock
) -> None:
    response = web.post("/clientapplications/register", json=REGISTRATION)

    assert response.status_code == 201
    body = response.json()
    assert body == {
        **REGISTRATION,
        "client_id": body["client_id"],
        "client_id_issued_at": int(clock().timestamp()),
        "client_secret_expires_at": 0,
    }
    assert "client_secret" not in body


@pytest.mark.parametrize(
    "change",
    [
        {"redirect_uris": []},
        {"redirect_uris": None},
        {"redirect_uris": ["https://example.com/callback"]},
        {"token_endpoint_auth_method": "client_secret_post"},
        {"redirect_uris": REDIRECT},  # a string, not a list
        {"client_secret": "s3cret"},  # not a property of the form
    ],
    ids=repr,
)
def test_registration_refusals_are_awork_400(
    sandbox: Sandbox, web: httpx.Client, change: dict[str, object]
) -> None:
    response = web.post("/clientapplications/register", json={**REGISTRATION, **change})

    body = assert_awork_error(response, 400, "validation-failed")
    assert {error["property"] for error in body["validationErrors"]} == set(change)
    assert sandbox.oauth.clients == ()


def test_registration_wants_json(web: httpx.Client) -> None:
    response = web.post("/clientapplications/register", data={"client_name": "x"})

    assert_awork_error(response, 415, "unsupported-media-type")


# --- authorize ------------------------------------------------------------------------------------


def test_authorize_redirects_with_a_code_and_records_the_request(
    sandbox: Sandbox, browser: Browser
) -> None:
    callback = browser.callback()

    assert set(callback) == {"code", "state"}
    recorded = sandbox.requests[-1]
    assert (recorded.path, recorded.status) == ("/api/v1/accounts/authorize", 302)
    assert recorded.query["code_challenge"] == s256(browser.verifier)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"client_id": "dcr_unknown"}, "invalid-client"),
        ({"redirect_uri": "http://127.0.0.1:47421/callback"}, "invalid-redirect-uri"),
        ({"redirect_uri": "https://attacker.example/callback"}, "invalid-redirect-uri"),
    ],
)
def test_authorize_shows_awork_error_instead_of_redirecting_to_a_stranger(
    browser: Browser, changes: dict[str, str], code: str
) -> None:
    response = browser.authorize(**changes)

    assert_awork_error(response, 400, code)
    assert "location" not in response.headers


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"scope": "offline_access"}, "invalid_scope"),
    ],
)
def test_authorize_errors_go_back_to_the_client(
    browser: Browser, changes: dict[str, str], error: str
) -> None:
    callback = browser.callback(**changes)

    assert callback["error"] == error and error in AUTHORIZE_ERRORS
    assert callback["state"] == browser.state
    assert "code" not in callback


def test_a_declining_person_is_access_denied(sandbox: Sandbox, browser: Browser) -> None:
    sandbox.oauth.deny_next()

    response = browser.authorize(state="s t")

    assert response.headers["location"] == (
        f"{REDIRECT}?error=access_denied&error_description=The+person+declined&state=s+t"
    )
    assert "code" in browser.callback(), "only the next request is declined"


def test_authorize_takes_get_only(web: httpx.Client, client_id: str) -> None:
    response = web.post("/accounts/authorize", data={"client_id": client_id})

    assert_awork_error(response, 405, "method-not-allowed")


# --- token ----------------------------------------------------------------------------------------


def test_a_wrong_verifier_is_invalid_grant(web: httpx.Client, browser: Browser) -> None:
    response = exchange(web, browser, code_verifier=secrets.token_urlsafe(64))

    assert_token_error(response, "invalid_grant")


def test_a_code_works_once_over_http(web: httpx.Client, browser: Browser) -> None:
    code = browser.callback()["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": browser.client_id,
        "code_verifier": browser.verifier,
    }

    tokens_of(token_request(web, **form))
    assert_token_error(token_request(web, **form), "invalid_grant")


def test_a_code_expires_after_a_minute_on_the_sandbox_clock(
    web: httpx.Client, browser: Browser, clock: ManualClock
) -> None:
    code = browser.callback()["code"]
    clock.advance(timedelta(seconds=60))

    response = token_request(
        web,
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        client_id=browser.client_id,
        code_verifier=browser.verifier,
    )

    assert_token_error(response, "invalid_grant")


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({}, "invalid_request"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({"grant_type": "refresh_token", "client_id": "dcr_x"}, "invalid_request"),
        (
            {"grant_type": "refresh_token", "client_id": "dcr_x", "refresh_token": "x"},
            "invalid_client",
        ),
    ],
    ids=repr,
)
def test_token_refusals_use_rfc_6749_bodies(
    web: httpx.Client, form: dict[str, str], error: str
) -> None:
    assert_token_error(token_request(web, **form), error)


def test_the_token_endpoint_wants_a_form(web: httpx.Client, client_id: str) -> None:
    form = {"grant_type": "refresh_token", "client_id": client_id, "refresh_token": "x"}

    assert_token_error(web.post("/accounts/token", json=form), "invalid_request")
    repeated = "grant_type=refresh_token&grant_type=refresh_token"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert_token_error(
        web.post("/accounts/token", content=repeated, headers=headers), "invalid_request"
    )


def test_a_refresh_rotates_over_http(sandbox: Sandbox, web: httpx.Client, browser: Browser) -> None:
    first = sign_in(web, browser)

    second = tokens_of(refresh(web, browser.client_id, first["refresh_token"]))

    assert second["refresh_token"] != first["refresh_token"]
    assert web.get("/me", headers=bearer(second["access_token"])).status_code == 200
    assert_token_error(refresh(web, browser.client_id, first["refresh_token"]), "invalid_grant")
    assert sandbox.oauth.refreshes == 1


def test_an_access_token_expires_on_the_sandbox_clock(clock: ManualClock) -> None:
    with (
        Sandbox(clock=clock, token_lifetime=120) as sandbox,
        httpx.Client(base_url=sandbox.url, timeout=5) as web,
    ):
        client_id = web.post("/clientapplications/register", json=REGISTRATION).json()["client_id"]
        tokens = sign_in(web, Browser(web, client_id))
        assert tokens["expires_in"] == 120
        clock.advance(timedelta(seconds=119))
        assert web.get("/me", headers=bearer(tokens["access_token"])).status_code == 200

        clock.advance(timedelta(seconds=1))

        response = web.get("/me", headers=bearer(tokens["access_token"]))
        assert_awork_error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert tokens_of(refresh(web, client_id, tokens["refresh_token"]))


# --- revocation -----------------------------------------------------------------------------------


def test_sign_out_revokes_the_clients_tokens(
    sandbox: Sandbox, web: httpx.Client, browser: Browser
) -> None:
    tokens = sign_in(web, browser)
    headers = bearer(tokens["access_token"])

    response = web.delete(f"/accounts/me/authorizedclients/{browser.client_id}", headers=headers)

    assert response.status_code == 200
    assert response.json() == {"revokedClientCount": 1, "revokedRefreshTokenCount": 1}
    assert_awork_error(web.get("/me", headers=headers), 401, "unauthorized")
    assert_token_error(refresh(web, browser.client_id, tokens["refresh_token"]), "invalid_grant")
    assert sandbox.oauth.authorizations == ()


def test_revoking_an_unknown_client_is_404(api: httpx.Client) -> None:
    assert_awork_error(api.delete("/accounts/me/authorizedclients/dcr_nobody"), 404, "not-found")


def test_the_authorized_clients_are_listed_and_can_all_be_revoked(
    api: httpx.Client, web: httpx.Client, browser: Browser, clock: ManualClock
) -> None:
    tokens = sign_in(web, browser)

    listed = api.get("/accounts/me/authorizedclients")
    revoked = api.delete("/accounts/me/authorizedclients")

    assert listed.json() == [
        {
            "clientId": browser.client_id,
            "displayName": "awork Tray",
            "scopes": ["full_access", "offline_access"],
            "authorizedOn": clock().strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        }
    ]
    assert revoked.json() == {"revokedClientCount": 1, "revokedRefreshTokenCount": 1}
    assert api.get("/accounts/me/authorizedclients").json() == []
    assert_awork_error(web.get("/me", headers=bearer(tokens["access_token"])), 401, "unauthorized")


def test_no_token_code_or_verifier_reaches_the_sandbox_log(
    sandbox: Sandbox, web: httpx.Client, browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="tray_app.sandbox")
    callback = browser.callback()
    tokens = tokens_of(
        token_request(
            web,
            grant_type="authorization_code",
            code=callback["code"],
            redirect_uri=REDIRECT,
            client_id=browser.client_id,
            code_verifier=browser.verifier,
        )
    )
    renewed = tokens_of(refresh(web, browser.client_id, tokens["refresh_token"]))
    web.delete(
        f"/accounts/me/authorizedclients/{browser.client_id}",
        headers=bearer(renewed["access_token"]),
    )

    secret = [callback["code"], browser.verifier]
    secret += [t[key] for t in (tokens, renewed) for key in ("access_token", "refresh_token")]
    assert "POST /api/v1/accounts/token -> 200" in caplog.text
    assert [value for value in secret if value in caplog.text] == []
