"""The OAuth authority without HTTP: registration, consent, PKCE, codes, rotation, revocation."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from tray_app.sandbox import ApiError, ManualClock
from tray_app.sandbox.errors import OAuthError
from tray_app.sandbox.forms import OAuthParams, RegistrationForm
from tray_app.sandbox.oauth import (
    CODE_LIFETIME,
    REFRESH_TOKEN_LIFETIME,
    IssuedTokens,
    OAuthAuthority,
    OAuthClient,
    is_loopback_redirect,
    s256,
)

REDIRECT = "http://127.0.0.1:47420/callback"
SCOPE = "full_access offline_access"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 appendix B
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
FORM = RegistrationForm(
    client_name="awork Tray",
    redirect_uris=(REDIRECT,),
    token_endpoint_auth_method="none",
    application_type="native",
    grant_types=("authorization_code", "refresh_token"),
    response_types=("code",),
    scope=SCOPE,
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def authority(clock: ManualClock) -> OAuthAuthority:
    return OAuthAuthority(clock, token_lifetime=3600)


@pytest.fixture
def client(authority: OAuthAuthority) -> OAuthClient:
    return authority.register(FORM)


def params(**values: str) -> OAuthParams:
    return OAuthParams(values)


def authorize(authority: OAuthAuthority, client: OAuthClient, **changes: str) -> dict[str, str]:
    """The query of the redirect for a request like awork Tray's, changed by ``changes``."""
    request = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": REDIRECT,
        "scope": SCOPE,
        "state": "xyz",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        **changes,
    }
    location = authority.authorize(params(**{k: v for k, v in request.items() if v}))
    assert location.startswith(REDIRECT + "?")
    return {key: value[0] for key, value in parse_qs(urlsplit(location).query).items()}


def exchange(
    authority: OAuthAuthority, client: OAuthClient, code: str, /, **changes: str
) -> IssuedTokens:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": client.client_id,
        "code_verifier": VERIFIER,
        **changes,
    }
    return authority.token(params(**{k: v for k, v in form.items() if v}))


def refresh(authority: OAuthAuthority, client: OAuthClient, token: str | None) -> IssuedTokens:
    assert token is not None
    form = {"grant_type": "refresh_token", "refresh_token": token, "client_id": client.client_id}
    return authority.token(params(**form))


def sign_in(authority: OAuthAuthority, client: OAuthClient, **changes: str) -> IssuedTokens:
    return exchange(authority, client, authorize(authority, client, **changes)["code"])


def assert_oauth_error(raised: pytest.ExceptionInfo[OAuthError], error: str) -> None:
    assert raised.value.error == error
    assert raised.value.status == 400
    assert raised.value.body() == {"error": error, "error_description": raised.value.description}


# --- registration ---------------------------------------------------------------------------------


def test_registration_gives_each_client_its_own_id_and_keeps_its_metadata(
    authority: OAuthAuthority, clock: ManualClock
) -> None:
    first = authority.register(FORM)
    second = authority.register(replace(FORM, client_name="another"))

    assert first.client_id != second.client_id
    assert first.registration == FORM
    assert first.issued_at == clock()
    assert authority.clients == (first, second)


def test_registration_fills_in_rfc_7591_defaults(authority: OAuthAuthority) -> None:
    client = authority.register(replace(FORM, grant_types=None, response_types=None))

    assert client.grant_types == ("authorization_code",)
    assert client.registration.response_types == ("code",)


@pytest.mark.parametrize(
    "uri",
    [
        "http://127.0.0.1:47420/callback",
        "http://127.0.0.1/callback",
        "http://localhost:8400/oauth/callback",
        "http://LOCALHOST:8400/oauth/callback",
        "http://[::1]:8400/callback?from=tray",
    ],
)
def test_loopback_redirects_are_accepted(uri: str) -> None:
    assert is_loopback_redirect(uri)


@pytest.mark.parametrize(
    "uri",
    [
        "https://127.0.0.1/callback",  # a loopback listener has no certificate
        "http://example.com/callback",
        "http://127.0.0.2/callback",
        "http://localhost.example.com/callback",
        "http://127.0.0.1:99999/callback",
        "http://127.0.0.1:port/callback",
        "http://evil.example@127.0.0.1/callback",
        "http://127.0.0.1/callback#fragment",
        "com.example.app:/callback",
        "",
    ],
)
def test_other_redirects_are_not_loopback(uri: str) -> None:
    assert not is_loopback_redirect(uri)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"redirect_uris": None}, "redirect_uris"),
        ({"redirect_uris": ()}, "redirect_uris"),
        ({"redirect_uris": (REDIRECT, "https://example.com/cb")}, "redirect_uris"),
        ({"token_endpoint_auth_method": None}, "token_endpoint_auth_method"),
        ({"token_endpoint_auth_method": "client_secret_basic"}, "token_endpoint_auth_method"),
        ({"grant_types": ("client_credentials",)}, "grant_types"),
        ({"response_types": ("token",)}, "response_types"),
        ({"scope": "full_access admin"}, "scope"),
    ],
    ids=repr,
)
def test_registration_refuses_what_a_public_loopback_client_cannot_be(
    authority: OAuthAuthority, change: dict[str, object], field: str
) -> None:
    with pytest.raises(ApiError) as raised:
        authority.register(replace(FORM, **change))  # type: ignore[arg-type]

    assert (raised.value.status, raised.value.code) == (400, "validation-failed")
    assert field in [prop for prop, _ in raised.value.validation_errors]
    assert authority.clients == ()


# --- authorize ------------------------------------------------------------------------------------


def test_authorize_approves_at_once_with_a_code_and_the_state(
    authority: OAuthAuthority, client: OAuthClient, clock: ManualClock
) -> None:
    answer = authorize(authority, client)

    assert set(answer) == {"code", "state"}
    assert answer["state"] == "xyz"
    assert authority.codes_issued == 1
    (consent,) = authority.authorizations
    assert (consent.client_id, consent.client_name) == (client.client_id, "awork Tray")
    assert (consent.scopes, consent.authorized_on) == (("full_access", "offline_access"), clock())


def test_authorize_without_state_sends_none_back(
    authority: OAuthAuthority, client: OAuthClient
) -> None:
    assert set(authorize(authority, client, state="")) == {"code"}


def test_authorize_keeps_the_redirect_uris_own_query_and_encodes_the_state(
    authority: OAuthAuthority,
) -> None:
    redirect = "http://localhost:8400/cb?tab=a%20b&x="
    client = authority.register(replace(FORM, redirect_uris=(redirect,)))
    state = "a b&c=d/é+"

    location = authority.authorize(
        params(
            response_type="code",
            client_id=client.client_id,
            redirect_uri=redirect,
            scope=SCOPE,
            state=state,
            code_challenge=CHALLENGE,
            code_challenge_method="S256",
        )
    )

    assert location.startswith(redirect + "&code=")
    query = parse_qs(urlsplit(location).query, keep_blank_values=True)
    assert query["state"] == [state]
    assert query["tab"] == ["a b"] and query["x"] == [""]


@pytest.mark.parametrize(
    ("client_id", "redirect_uri", "code"),
    [
        ("dcr_unknown", REDIRECT, "invalid-client"),
        ("", REDIRECT, "invalid-client"),
        (None, "", "invalid-redirect-uri"),
        (None, "http://127.0.0.1:47421/callback", "invalid-redirect-uri"),  # another port
        (None, REDIRECT + "/", "invalid-redirect-uri"),
        (None, "http://localhost:47420/callback", "invalid-redirect-uri"),
    ],
)
def test_authorize_never_redirects_to_an_unknown_client_or_uri(
    authority: OAuthAuthority,
    client: OAuthClient,
    client_id: str | None,
    redirect_uri: str,
    code: str,
) -> None:
    with pytest.raises(ApiError) as raised:
        authorize(
            authority,
            client,
            client_id=client.client_id if client_id is None else client_id,
            redirect_uri=redirect_uri,
        )

    assert (raised.value.status, raised.value.code) == (400, code)
    assert authority.codes_issued == 0


def test_a_repeated_client_id_or_redirect_uri_is_not_trusted(
    authority: OAuthAuthority, client: OAuthClient
) -> None:
    for repeated in ("client_id", "redirect_uri"):
        request = OAuthParams(
            {"client_id": client.client_id, "redirect_uri": REDIRECT}, frozenset({repeated})
        )
        with pytest.raises(ApiError):
            authority.authorize(request)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"response_type": ""}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"code_challenge_method": ""}, "invalid_request"),  # RFC 7636's default is plain
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
        ({"code_challenge": CHALLENGE + "!"}, "invalid_request"),
        ({"scope": ""}, "invalid_scope"),
        ({"scope": "offline_access"}, "invalid_scope"),
        ({"scope": "full_access admin"}, "invalid_scope"),
    ],
    ids=repr,
)
def test_a_bad_request_is_redirected_with_the_error_and_the_state(
    authority: OAuthAuthority, client: OAuthClient, changes: dict[str, str], error: str
) -> None:
    answer = authorize(authority, client, **changes)

    assert answer["error"] == error
    assert answer["error_description"]
    assert answer["state"] == "xyz"
    assert "code" not in answer
    assert authority.codes_issued == 0
    assert authority.authorizations == ()


def test_a_repeated_parameter_is_an_invalid_request(
    authority: OAuthAuthority, client: OAuthClient
) -> None:
    request = OAuthParams.parse(
        f"client_id={client.client_id}&redirect_uri={REDIRECT}&response_type=code&state=a&state=b"
    )

    location = authority.authorize(request)

    assert parse_qs(urlsplit(location).query)["error"] == ["invalid_request"]


def test_a_scope_beyond_the_registered_one_is_refused(authority: OAuthAuthority) -> None:
    client = authority.register(replace(FORM, scope="full_access"))

    assert authorize(authority, client)["error"] == "invalid_scope"
    assert "code" in authorize(authority, client, scope="full_access")


def test_deny_next_declines_one_valid_request(
    authority: OAuthAuthority, client: OAuthClient
) -> None:
    authority.deny_next()

    assert authorize(authority, client, code_challenge_method="plain")["error"] == (
        "invalid_request"
    ), "a request refused before consent leaves the denial waiting"
    assert authorize(authority, client) == {
        "error": "access_denied",
        "error_description": "The person declined",
        "state": "xyz",
    }
    assert "code" in authorize(authority, client)
    assert authority.codes_issued == 1


# --- the code exchange ----------------------------------------------------------------------------


def test_the_code_and_verifier_give_tokens_that_the_api_accepts(
    authority: OAuthAuthority, client: OAuthClient
) -> None:
    tokens = sign_in(authority, client)

    assert tokens.expires_in == 3600
    assert tokens.refresh_token is not None
    assert tokens.access_token != tokens.refresh_token
    assert authority.accepts(tokens.access_token)
    assert not authority.accepts(tokens.refresh_token)
    assert (authority.tokens_issued, authority.refreshes) == (1, 0)


def test_s256_is_rfc_7636s() -> None:
    assert s256(VERIFIER) == CHALLENGE


def test_no_refresh_token_without_offline_access(
    authority: OAuthAuthority, client: OAuthClient
) -> None:
    assert sign_in(authority, client, scope="full_access").refresh_token is None


def test_no_refresh_token_for_a_client_that_did_not_register_the_grant(
    authority: OAuthAuthority,
) -> None:
    client = authority.register(replace(FORM, grant_types=("authorization_code",)))

    assert sign_in(authority, client).refresh_token is None


def test_a_wrong_verifier_is_refused_and_uses_the_code_up(
    authority: OAuthAuthority, client: OAuthClient
) -> None:
    code = authorize(authority, client)["code"]

    with pytest.raises(OAuthError, match="code_verifier") as raised:
        exchange(authority, client, code, code_verifier="x" * 43)
    assert_oauth_error(raised, "invalid_grant")
    with pytest.raises(OAuthError, match="used") as raised:
        exchange(authority, client, code)
    assert_oauth_error(raised, "invalid_grant")
    assert authority.tokens_issued == 0


def test_a_code_works_once(authority: OAuthAuthority, client: OAuthClient) -> None:
    code = authorize(authority, client)["code"]
    exchange(authority, client, code)

    with pytest.raises(OAuthError) as raised:
        exchange(authority, client, code)

    assert_oauth_error(raised, "invalid_grant")


def test_a_code_expires_a_minute_after_it_was_issued(
    authority: OAuthAuthority, client: OAuthClient, clock: ManualClock
) -> None:
    in_time, too_late = authorize(authority, client)["code"], authorize(authority, client)["code"]
    clock.advance(CODE_LIFETIME - timedelta(microseconds=1))
    exchange(authority, client, in_time)
    clock.advance(timedelta(microseconds=1))

    with pytest.raises(OAuthError) as raised:
        exchange(authority, client, too_late)

    assert_oauth_error(raised, "invalid_grant")


@pytest.mark.parametrize("field", ["client_id", "redirect_uri"])
def test_a_code_is_bound_to_its_client_and_redirect_uri(
    authority: OAuthAuthority, client: OAuthClient, field: str
) -> None:
    other_redirect = "http://127.0.0.1:47421/callback"
    other = authority.register(replace(FORM, redirect_uris=(REDIRECT, other_redirect)))
    code = authorize(authority, client)["code"]
    change = {"client_id": other.client_id, "redirect_uri": other_redirect}[field]

    with pytest.raises(OAuthError) as raised:
        exchange(authority, client, code, **{field: change})

    assert_oauth_error(raised, "invalid_grant")


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"grant_type": ""}, "invalid_request"),
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"code": ""}, "invalid_request"),
        ({"code_verifier": ""}, "invalid_request"),
        ({"redirect_uri": ""}, "invalid_request"),
        ({"client_id": ""}, "invalid_request"),
        ({"client_id": "dcr_unknown"}, "invalid_client"),
    ],
    ids=repr,
)
def test_token_requests_are_refused_in_rfc_6749s_words(
    authority: OAuthAuthority, client: OAuthClient, changes: dict[str, str], error: str
) -> None:
    code = authorize(authority, client)["code"]

    with pytest.raises(OAuthError) as raised:
        exchange(authority, client, code, **changes)

    assert_oauth_error(raised, error)


# --- refresh, expiry, revocation ------------------------------------------------------------------


def test_a_refresh_rotates_the_refresh_token(
    authority: OAuthAuthority, client: OAuthClient
) -> None:
    first = sign_in(authority, client)

    second = refresh(authority, client, first.refresh_token)

    assert second.refresh_token not in (None, first.refresh_token)
    assert second.access_token != first.access_token
    assert authority.accepts(second.access_token)
    with pytest.raises(OAuthError) as raised:
        refresh(authority, client, first.refresh_token)
    assert_oauth_error(raised, "invalid_grant")
    assert refresh(authority, client, second.refresh_token).refresh_token
    assert (authority.tokens_issued, authority.refreshes) == (3, 2)


def test_racing_refreshes_with_one_token_let_exactly_one_through(
    authority: OAuthAuthority, client: OAuthClient
) -> None:
    token = sign_in(authority, client).refresh_token
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def race() -> None:
        start.wait()
        try:
            refresh(authority, client, token)
            outcomes.append("new tokens")
        except OAuthError as error:
            outcomes.append(error.error)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)

    assert sorted(outcomes) == ["invalid_grant"] * 7 + ["new tokens"]


def test_a_refresh_token_expires_after_30_days_from_its_own_issue(
    authority: OAuthAuthority, client: OAuthClient, clock: ManualClock
) -> None:
    tokens = sign_in(authority, client)
    clock.advance(REFRESH_TOKEN_LIFETIME - timedelta(seconds=1))
    renewed = refresh(authority, client, tokens.refresh_token)
    clock.advance(REFRESH_TOKEN_LIFETIME - timedelta(seconds=1))
    again = refresh(authority, client, renewed.refresh_token)
    clock.advance(REFRESH_TOKEN_LIFETIME)

    with pytest.raises(OAuthError) as raised:
        refresh(authority, client, again.refresh_token)

    assert_oauth_error(raised, "invalid_grant")


def test_a_refresh_token_belongs_to_its_client(
    authority: OAuthAuthority, client: OAuthClient
) -> None:
    tokens = sign_in(authority, client)
    other = authority.register(FORM)

    with pytest.raises(OAuthError) as raised:
        refresh(authority, other, tokens.refresh_token)

    assert_oauth_error(raised, "invalid_grant")
    assert refresh(authority, client, tokens.refresh_token), "a stranger did not use it up"


def test_a_refresh_may_narrow_the_scope_but_not_widen_it(
    authority: OAuthAuthority, client: OAuthClient
) -> None:
    tokens = sign_in(authority, client)
    form = {"grant_type": "refresh_token", "client_id": client.client_id}

    with pytest.raises(OAuthError) as raised:
        authority.token(params(**form, refresh_token=tokens.refresh_token or "", scope="admin"))
    assert_oauth_error(raised, "invalid_scope")

    narrowed = authority.token(
        params(**form, refresh_token=tokens.refresh_token or "", scope="full_access")
    )
    assert narrowed.refresh_token is None, "offline_access was given up"


def test_an_access_token_expires_after_its_lifetime(
    authority: OAuthAuthority, client: OAuthClient, clock: ManualClock
) -> None:
    tokens = sign_in(authority, client)
    clock.advance(timedelta(seconds=3599))
    assert authority.accepts(tokens.access_token)

    clock.advance(timedelta(seconds=1))

    assert not authority.accepts(tokens.access_token)
    assert refresh(authority, client, tokens.refresh_token)


def test_expire_access_tokens_ends_them_now_but_keeps_refresh_tokens(
    authority: OAuthAuthority, client: OAuthClient
) -> None:
    first, second = sign_in(authority, client), sign_in(authority, client)

    assert authority.expire_access_tokens() == 2
    assert authority.expire_access_tokens() == 0
    assert not authority.accepts(first.access_token)
    assert not authority.accepts(second.access_token)
    assert authority.accepts(refresh(authority, client, first.refresh_token).access_token)


def test_revoking_a_client_ends_its_consent_codes_and_tokens_only(
    authority: OAuthAuthority, client: OAuthClient
) -> None:
    other = authority.register(FORM)
    tokens, kept = sign_in(authority, client), sign_in(authority, other)
    sign_in(authority, client)
    pending = authorize(authority, client)["code"]

    revocation = authority.revoke(client.client_id)

    assert (revocation.client_count, revocation.refresh_token_count) == (1, 2)
    assert not authority.accepts(tokens.access_token)
    with pytest.raises(OAuthError):
        refresh(authority, client, tokens.refresh_token)
    with pytest.raises(OAuthError):
        exchange(authority, client, pending)
    assert authority.accepts(kept.access_token)
    assert [a.client_id for a in authority.authorizations] == [other.client_id]
    again = authority.revoke(client.client_id)
    assert (again.client_count, again.refresh_token_count) == (0, 0)
    assert "code" in authorize(authority, client), "the client may ask again"


def test_an_expired_refresh_token_is_not_counted_as_revoked(
    authority: OAuthAuthority, client: OAuthClient, clock: ManualClock
) -> None:
    sign_in(authority, client)
    clock.advance(REFRESH_TOKEN_LIFETIME)

    assert authority.revoke(client.client_id).refresh_token_count == 0


def test_revoking_an_unknown_client_is_awork_404(authority: OAuthAuthority) -> None:
    with pytest.raises(ApiError) as raised:
        authority.revoke("dcr_unknown")

    assert (raised.value.status, raised.value.code) == (404, "not-found")


def test_revoke_all_ends_every_client(authority: OAuthAuthority, client: OAuthClient) -> None:
    other = authority.register(FORM)
    never_approved = authority.register(FORM)
    tokens = [sign_in(authority, client), sign_in(authority, other)]

    revocation = authority.revoke_all()

    assert (revocation.client_count, revocation.refresh_token_count) == (2, 2)
    assert not any(authority.accepts(t.access_token) for t in tokens)
    assert authority.authorizations == ()
    assert never_approved in authority.clients, "registrations stay"


def test_a_consent_keeps_its_first_date_and_gathers_scopes(
    authority: OAuthAuthority, client: OAuthClient, clock: ManualClock
) -> None:
    first = clock()
    sign_in(authority, client, scope="full_access")
    clock.advance(timedelta(hours=1))
    sign_in(authority, client)

    (consent,) = authority.authorizations
    assert (consent.authorized_on, consent.scopes) == (first, ("full_access", "offline_access"))


def test_the_token_lifetime_must_be_positive(clock: ManualClock) -> None:
    with pytest.raises(ValueError, match="positive"):
        OAuthAuthority(clock, token_lifetime=0)


def test_no_secret_reaches_a_log_line_or_a_repr(
    authority: OAuthAuthority, client: OAuthClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="tray_app.sandbox")
    code = authorize(authority, client)["code"]
    tokens = exchange(authority, client, code)
    renewed = refresh(authority, client, tokens.refresh_token)
    with pytest.raises(OAuthError):
        refresh(authority, client, tokens.refresh_token)
    authority.revoke(client.client_id)

    secrets = [code, VERIFIER, tokens.access_token, tokens.refresh_token, renewed.access_token]
    shown = caplog.text + repr(tokens) + repr(renewed)
    assert client.client_id in caplog.text, "the log names the client"
    assert not [secret for secret in secrets if secret and secret in shown]
