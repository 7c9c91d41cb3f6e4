"""Every answer the sandbox gives matches awork's official OpenAPI document, quirks aside.

The first half drives the sandbox through the scenarios of the other tests and checks each answer
(and, where the test meant to send a good one, each request). The second half checks the checker:
it must allow exactly the document's three known quirks in answers, and nothing in requests.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers.contract import (
    ContractViolation,
    find_operation,
    load_spec,
    spec_dir,
    to_json_schema,
    validate_error_body,
    validate_httpx_request,
    validate_httpx_response,
    validate_request,
    validate_response,
)
from tray_app.sandbox import Fault, ManualClock, Sandbox
from tray_app.sandbox.oauth import s256

Scenario = Callable[[Sandbox, httpx.Client, ManualClock], list[httpx.Response]]
SOMEONE_ELSE = str(uuid.uuid4())


def form(sandbox: Sandbox, **extra: object) -> dict[str, object]:
    return {"timezone": "Europe/Berlin", "typeOfWorkId": sandbox.seed.types_of_work[0].id, **extra}


def reads(sandbox: Sandbox, api: httpx.Client, clock: ManualClock) -> list[httpx.Response]:
    return [
        api.get("/me"),
        api.get("/me/timeentries/last"),
        api.get(f"/users/{sandbox.user_id}/timeentries/last"),
        api.get(f"/users/{SOMEONE_ELSE}/timeentries/last"),
    ]


def timer_cycle(sandbox: Sandbox, api: httpx.Client, clock: ManualClock) -> list[httpx.Response]:
    """Paused, running, paused, stopped: 200s and 204s on every action."""
    responses = []
    for action in ("pause", "resume", "resume", "pause", "pause", "stop", "stop", "resume"):
        clock.advance(timedelta(minutes=3))
        responses.append(api.post(f"/me/timetracking/{action}"))
    responses.append(api.get("/me/timeentries/last"))
    responses.append(api.post("/me/timetracking/stop", json={}))
    return responses


def starts(sandbox: Sandbox, api: httpx.Client, clock: ManualClock) -> list[httpx.Response]:
    task, project = sandbox.seed.tasks[2], sandbox.seed.projects[2]
    full = form(sandbox, taskId=task.id, note="Notes", isBillable=True, isBilled=False)
    return [
        api.post("/me/timetracking/start", json=form(sandbox)),
        api.post("/me/timetracking/start", json=full),
        api.post("/me/timetracking/start", json=form(sandbox, projectId=project.id)),
        api.post(f"/users/{sandbox.user_id}/timetracking/start", json=form(sandbox, note=None)),
        api.post(f"/users/{sandbox.user_id}/timetracking/pause"),
        api.post(f"/users/{sandbox.user_id}/timetracking/resume"),
        api.post(f"/users/{sandbox.user_id}/timetracking/stop"),
    ]


def other_client_and_auto_stop(
    sandbox: Sandbox, api: httpx.Client, clock: ManualClock
) -> list[httpx.Response]:
    sandbox.other_client.start(task_id=sandbox.seed.tasks[4].id)
    clock.advance(timedelta(hours=2))
    sandbox.other_client.pause()
    first = api.get("/me/timeentries/last")
    clock.advance(timedelta(hours=23))
    return [first, api.get("/me/timeentries/last"), api.post("/me/timetracking/resume")]


def refusals(sandbox: Sandbox, api: httpx.Client, clock: ManualClock) -> list[httpx.Response]:
    """awork's error answers: bad forms, unknown ids, someone else's timer, bad tokens."""
    wrong = {"Authorization": "Bearer not-the-token"}
    return [
        api.post("/me/timetracking/start", json=form(sandbox, foo=1)),
        api.post("/me/timetracking/start", json={"timezone": "Nowhere/Special"}),
        api.post("/me/timetracking/start", json=form(sandbox, typeOfWorkId=str(uuid.uuid4()))),
        api.post("/me/timetracking/start", content=b"{}", headers={"Content-Type": "text/plain"}),
        api.post(f"/users/{SOMEONE_ELSE}/timetracking/start", json=form(sandbox)),
        api.post("/me/timetracking/pause", json={}),
        api.post("/me/timetracking/resume", json={}),
        api.post("/me/timetracking/stop", json={"stopReason": "manual"}),
        api.post(f"/users/{SOMEONE_ELSE}/timetracking/pause"),
        api.post(f"/users/{SOMEONE_ELSE}/timetracking/resume"),
        api.post(f"/users/{SOMEONE_ELSE}/timetracking/stop"),
        api.get("/me", headers=wrong),
        api.post("/me/timetracking/resume", headers=wrong),
    ]


def injected(sandbox: Sandbox, api: httpx.Client, clock: ManualClock) -> list[httpx.Response]:
    """Faults that still answer the way awork can: error bodies, a 204, a late answer."""
    faults = [
        Fault.status(503),
        Fault.status(500, "internal-error", "Something broke."),
        Fault.rate_limited(),
        Fault.expired_token(),
        Fault.status(204),
        Fault.delay(0.01),
        Fault.late(0.01),
    ]
    for fault in faults:
        sandbox.inject("POST", "/me/timetracking/resume", fault)
    return [api.post("/me/timetracking/resume") for _ in faults]


REGISTRATION = {  # the body the API notes show for a public native client
    "client_name": "awork Tray",
    "redirect_uris": ["http://127.0.0.1:47420/callback"],
    "token_endpoint_auth_method": "none",
    "application_type": "native",
    "grant_types": ["authorization_code", "refresh_token"],
    "response_types": ["code"],
    "scope": "full_access offline_access",
}


def signed_in_client(web: httpx.Client) -> str:
    """Register and sign in once (authorize and token are outside the document); the client id."""
    client_id: str = web.post("/clientapplications/register", json=REGISTRATION).json()["client_id"]
    verifier = "v" * 43
    redirect = REGISTRATION["redirect_uris"][0]
    approved = web.get(
        "/accounts/authorize",
        params={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect,
            "scope": REGISTRATION["scope"],
            "code_challenge": s256(verifier),
            "code_challenge_method": "S256",
        },
    )
    code = httpx.URL(approved.headers["location"]).params["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect}
    web.post("/accounts/token", data={**form, "client_id": client_id, "code_verifier": verifier})
    return client_id


def client_applications(
    sandbox: Sandbox, api: httpx.Client, clock: ManualClock
) -> list[httpx.Response]:
    """Registration (anonymous), the list of authorized clients, revocation of one and of all."""
    with httpx.Client(base_url=sandbox.url, timeout=5) as web:
        registered = web.post("/clientapplications/register", json=REGISTRATION)
        refused = web.post("/clientapplications/register", json={**REGISTRATION, "scope": 1})
        first = signed_in_client(web)
        signed_in_client(web)  # a second one, left for "revoke all"
        anonymous = web.delete(f"/accounts/me/authorizedclients/{first}")
    return [
        registered,
        refused,
        anonymous,
        api.get("/accounts/me/authorizedclients"),
        api.delete(f"/accounts/me/authorizedclients/{first}"),
        api.delete(f"/accounts/me/authorizedclients/{first}"),
        api.delete("/accounts/me/authorizedclients/dcr_nobody"),
        api.delete("/accounts/me/authorizedclients"),
        api.get("/accounts/me/authorizedclients"),
    ]


def workspace(sandbox: Sandbox, api: httpx.Client, clock: ManualClock) -> list[httpx.Response]:
    """Every workspace route once, as the tray's task menu, find window and note editor use them."""
    seed, me = sandbox.seed, sandbox.user_id
    entries = {"filterby": f"userId eq guid'{me}' and startDateLocal ge today-14d", "pageSize": 200}
    responses = [
        api.get("/me/assignedtasks", params={"inProgress": "true", "pageSize": 10}),
        api.get(f"/users/{me}/assignedtasks", params={"filterby": "taskStatus/type ne 'done'"}),
        api.get("/me/projecttasks", params={"page": 2, "pageSize": 5, "orderby": "name desc"}),
        api.get("/me/privatetasks"),
        api.get("/me/allavailabletasks", params={"pageSize": 1000}),
        api.get(f"/tasks/{seed.tasks[5].id}"),
        api.get(f"/projects/{seed.projects[1].id}/typeofwork"),
        api.get("/typeofwork", params={"showArchived": "true"}),
        api.get(f"/users/{me}/capacity"),
        api.get("/timetracking/settings"),
        api.get("/search", params={"searchTerm": "web", "searchTypes": "task", "top": 20}),
        api.get("/timeentries", params={**entries, "orderby": "startDateUtc desc"}),
    ]
    last = sandbox.current_entry() or {}
    responses.append(api.get(f"/timeentries/{last['id']}"))
    keys = ("timezone", "typeOfWorkId", "taskId", "projectId", "isBillable", "isBilled")
    form = {key: last[key] for key in keys} | {"note": "Edited", "duration": 0}
    responses.append(api.put(f"/timeentries/{last['id']}", json=form))
    return responses


def workspace_refusals(
    sandbox: Sandbox, api: httpx.Client, clock: ManualClock
) -> list[httpx.Response]:
    seed = sandbox.seed
    closed = next(task for task in seed.tasks if task.task_identifier == "BRD-2")
    return [
        api.get("/me/allavailabletasks", params={"filterby": "colour eq 'red'"}),
        api.get("/me/allavailabletasks", params={"pageSize": 1001}),
        api.get(f"/tasks/{SOMEONE_ELSE}"),
        api.get(f"/projects/{SOMEONE_ELSE}/typeofwork"),
        api.get(f"/users/{SOMEONE_ELSE}/capacity"),
        api.get("/search", params={"searchTerm": "x" * 51}),
        api.get(f"/timeentries/{SOMEONE_ELSE}"),
        api.put(f"/timeentries/{SOMEONE_ELSE}", json=form(sandbox)),
        api.post("/me/timetracking/start", json=form(sandbox, taskId=closed.id)),
    ]


WELL_FORMED_REQUESTS: list[Scenario] = [
    reads,
    timer_cycle,
    starts,
    other_client_and_auto_stop,
    workspace,
]
SCENARIOS: list[Scenario] = [
    *WELL_FORMED_REQUESTS,
    refusals,
    injected,
    client_applications,
    workspace_refusals,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
def test_every_answer_matches_the_document(
    sandbox: Sandbox, api: httpx.Client, clock: ManualClock, scenario: Scenario
) -> None:
    responses = scenario(sandbox, api, clock)

    for response in responses:
        validate_httpx_response(response)
    assert {r.status_code for r in responses} - {200, 204} or scenario in WELL_FORMED_REQUESTS


@pytest.mark.parametrize("scenario", WELL_FORMED_REQUESTS, ids=lambda scenario: scenario.__name__)
def test_the_tests_own_good_requests_match_the_document_exactly(
    sandbox: Sandbox, api: httpx.Client, clock: ManualClock, scenario: Scenario
) -> None:
    for response in scenario(sandbox, api, clock):
        validate_httpx_request(response.request)


def test_client_applications_answer_every_status_the_document_lists(
    sandbox: Sandbox, api: httpx.Client, clock: ManualClock
) -> None:
    responses = client_applications(sandbox, api, clock)

    assert [r.status_code for r in responses] == [201, 400, 401, 200, 200, 200, 404, 200, 200]
    assert [len(responses[3].json()), len(responses[8].json())] == [2, 0]
    assert responses[4].json() == {"revokedClientCount": 1, "revokedRefreshTokenCount": 1}
    assert responses[7].json()["revokedClientCount"] == 1, "the second client"
    for response in responses[3:]:
        validate_httpx_request(response.request)


def test_the_registration_body_of_the_api_notes_matches_the_document() -> None:
    # tests/helpers/contract.py asks every request for a bearer token, even this anonymous operation
    # (``x-access: anonymous``); what is checked here is the body.
    headers = {"Authorization": "Bearer unused", "Content-Type": "application/json"}
    body = json.dumps(REGISTRATION).encode()

    validate_request("POST", "/clientapplications/register", headers=headers, body=body)
    with pytest.raises(ContractViolation, match="client_secret"):
        bad = json.dumps({**REGISTRATION, "client_secret": "x"}).encode()
        validate_request("POST", "/clientapplications/register", headers=headers, body=bad)


def test_answers_without_an_operation_carry_awork_error_body(api: httpx.Client) -> None:
    for response in (api.get("/nothing"), api.get("/me/timetracking/resume")):
        assert response.status_code in (404, 405)
        validate_error_body(response.content)


def test_the_answer_of_a_person_without_entries_matches() -> None:
    with Sandbox(paused_timer=False) as sandbox:
        headers = {"Authorization": f"Bearer {sandbox.token}"}
        with httpx.Client(base_url=sandbox.url, headers=headers, timeout=5) as api:
            responses = [api.get("/me/timeentries/last"), api.post("/me/timetracking/stop")]

    for response in responses:
        assert response.status_code == 204
        validate_httpx_response(response)


# --- the checker itself ------------------------------------------------------------------------

JSON = {"Content-Type": "application/json; charset=utf-8"}
LAST = "/api/v1/me/timeentries/last"


@pytest.fixture
def entry(sandbox: Sandbox) -> dict[str, Any]:
    current = sandbox.current_entry()
    assert current is not None
    return current


def check_entry(entry: dict[str, Any]) -> None:
    validate_response("GET", LAST, 200, json.dumps(entry).encode(), JSON)


@pytest.mark.parametrize(
    "change",
    [
        {"somethingNew": {"nested": True}},  # quirk 1, top level
        {"task": {"id": str(uuid.uuid4()), "assignees": []}},  # quirk 1, nested
        {"startDateLocal": "2026-11-30T00:00:00"},  # quirk 2
        {"endDateLocal": "2026-11-30T00:00:00.1234567"},  # quirk 2
        {"resourceVersion": 639_316_000_000_000_000},  # quirk 3
        {"note": None, "breaks": None, "duration": None},  # nullable in the document
    ],
    ids=repr,
)
def test_the_documented_quirks_pass_in_answers(
    entry: dict[str, Any], change: dict[str, Any]
) -> None:
    check_entry({**entry, **change})


@pytest.mark.parametrize(
    "change",
    [
        {"startDateUtc": "2026-11-30T00:00:00"},  # a UTC date needs its zone
        {"createdOn": "2026-11-30 13:00:00Z"},
        {"startDateLocal": "30.11.2026"},
        {"endDateLocal": "2026-13-01T00:00:00"},
        {"id": "not-a-uuid"},
        {"timezone": ""},
        {"timezone": None},
        {"duration": "12"},
        {"duration": 2**31},  # int32
        {"resourceVersion": 2**63},  # int64
        {"resourceVersion": 6.3e17},  # a float is not an integer
        {"typeOfWork": None},  # not nullable
        {"breaks": [{"startDate": "2026-11-30T13:00:00Z", "duration": 1.5}]},
        {"isBillable": "yes"},
    ],
    ids=repr,
)
def test_anything_else_fails_in_answers(entry: dict[str, Any], change: dict[str, Any]) -> None:
    with pytest.raises(ContractViolation):
        check_entry({**entry, **change})


def test_a_required_field_missing_fails(entry: dict[str, Any]) -> None:
    del entry["typeOfWorkId"]

    with pytest.raises(ContractViolation, match="typeOfWorkId"):
        check_entry(entry)


@pytest.mark.parametrize(
    ("method", "path", "status", "body", "headers"),
    [
        ("POST", "/me/timetracking/pause", 204, b"{}", None),  # 204 carries no body
        ("POST", "/me/timetracking/start", 204, b"", None),  # start never answers 204
        ("GET", LAST, 200, b"<html>oops", {"Content-Type": "text/html"}),
        ("GET", LAST, 200, b'{"id": ', JSON),
        ("GET", LAST, 500, b'{"code": "x"}', JSON),  # an error body needs description and link
        ("GET", "/me", 201, b"{}", JSON),
    ],
)
def test_answers_with_the_wrong_shape_fail(
    method: str, path: str, status: int, body: bytes, headers: dict[str, str] | None
) -> None:
    with pytest.raises(ContractViolation):
        validate_response(method, path, status, body, headers)


GOOD = {"Authorization": "Bearer abc.def", "Content-Type": "application/json"}
START = {"timezone": "Europe/Berlin", "typeOfWorkId": str(uuid.uuid4())}


@pytest.mark.parametrize(
    ("method", "path", "headers", "body"),
    [
        ("POST", "/me/timetracking/pause", GOOD, b""),
        ("POST", "/me/timetracking/stop", GOOD, b""),
        ("POST", "/me/timetracking/stop", GOOD, b"{}"),
        ("POST", "/me/timetracking/start", GOOD, json.dumps(START).encode()),
        ("POST", f"/users/{uuid.uuid4()}/timetracking/resume", GOOD, b""),
        ("GET", f"/me/timeentries/last?userId={uuid.uuid4()}", GOOD, b""),
        # paging parameters are $refs to components/parameters in the document
        ("GET", "/timeentries?page=2&pageSize=200&orderby=duration&filterby=x", GOOD, b""),
        ("GET", "/me/assignedtasks?inProgress=true&pageSize=10", GOOD, b""),
        ("GET", "/search?searchTerm=web&searchTypes=task&top=20", GOOD, b""),
    ],
)
def test_good_requests_pass(method: str, path: str, headers: dict[str, str], body: bytes) -> None:
    validate_request(method, path, headers=headers, body=body)


@pytest.mark.parametrize(
    ("method", "path", "headers", "body"),
    [
        ("POST", "/me/timetracking/pause", GOOD, b"{}"),  # no body on pause
        ("POST", "/me/timetracking/resume", GOOD, b"{}"),  # nor on resume
        ("POST", "/me/timetracking/resume", {}, b""),  # no bearer token
        ("POST", "/me/timetracking/resume", {"Authorization": "Basic abc"}, b""),
        ("POST", "/me/timetracking/stop", GOOD, b'{"stopReason": "manual"}'),
        ("POST", "/me/timetracking/start", GOOD, b""),  # the form is required
        ("POST", "/me/timetracking/start", GOOD, json.dumps({**START, "foo": 1}).encode()),
        ("POST", "/me/timetracking/start", GOOD, json.dumps({**START, "timezone": ""}).encode()),
        ("POST", "/me/timetracking/start", GOOD, json.dumps({"timezone": "UTC"}).encode()),
        (
            "POST",
            "/me/timetracking/start",
            GOOD,
            json.dumps({**START, "isBillable": None}).encode(),
        ),
        ("POST", "/me/timetracking/start", GOOD, json.dumps({**START, "taskId": "x"}).encode()),
        (
            "POST",
            "/me/timetracking/start",
            {**GOOD, "Content-Type": "text/plain"},
            json.dumps(START).encode(),
        ),
        ("POST", "/users/ada/timetracking/resume", GOOD, b""),  # userId is a uuid
        ("GET", "/me/timeentries/last?userId=ada", GOOD, b""),
        ("GET", "/me/timeentries/last?verbose=1", GOOD, b""),  # unknown parameter
        ("GET", "/timeentries?pageSize=200&limit=5", GOOD, b""),
        ("GET", "/me/projecttasks?inProgress=true", GOOD, b""),  # only assigned tasks take it
        ("GET", "/tasks/WEB-12", GOOD, b""),  # a task id is a uuid
        ("PUT", f"/timeentries/{uuid.uuid4()}", GOOD, json.dumps({"note": "x"}).encode()),
    ],
)
def test_requests_get_no_excuse(
    method: str, path: str, headers: dict[str, str], body: bytes
) -> None:
    with pytest.raises(ContractViolation):
        validate_request(method, path, headers=headers, body=body)


def test_nullable_becomes_a_null_type() -> None:
    openapi = {
        "type": "object",
        "properties": {"note": {"type": "string", "nullable": True, "example": "x"}},
        "additionalProperties": False,
    }

    assert to_json_schema(openapi, answer=False) == {
        "type": "object",
        "properties": {"note": {"type": ["string", "null"]}},
        "additionalProperties": False,
    }
    assert "additionalProperties" not in to_json_schema(openapi, answer=True)


def test_operations_are_found_by_concrete_path() -> None:
    user = str(uuid.uuid4())

    operation = find_operation("post", f"/api/v1/users/{user}/timetracking/resume?x=1")

    assert operation.template == "/users/{userId}/timetracking/resume"
    assert operation.params == {"userId": user}
    assert find_operation("GET", "/webhooks/eventtypes").template == "/webhooks/eventtypes"
    with pytest.raises(ContractViolation, match="no operation"):
        find_operation("GET", "/me/timetracking/resume")


def test_the_document_is_inside_the_repository() -> None:
    repo = Path(__file__).resolve().parents[2]

    assert spec_dir().is_relative_to(repo)
    assert len(load_spec()["paths"]) == 32
