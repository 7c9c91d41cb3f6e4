"""Routing, the bearer token, the /users/{userId} forms and the bodies each route accepts."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from tray_app.sandbox import Sandbox

ROUTES = [
    ("GET", "/me"),
    ("GET", "/me/timeentries/last"),
    ("POST", "/me/timetracking/start"),
    ("POST", "/me/timetracking/pause"),
    ("POST", "/me/timetracking/resume"),
    ("POST", "/me/timetracking/stop"),
    ("GET", "/users/{user}/timeentries/last"),
    ("POST", "/users/{user}/timetracking/start"),
    ("POST", "/users/{user}/timetracking/pause"),
    ("POST", "/users/{user}/timetracking/resume"),
    ("POST", "/users/{user}/timetracking/stop"),
]
SOMEONE_ELSE = str(uuid.uuid4())


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    """awork's error body: code, description, link and a fresh trace id."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, object] = response.json()
    assert body["code"] == code
    assert body["description"]
    assert body["link"] == "https://developers.awork.com/#response-types"
    assert re.fullmatch(r"[0-9a-f]{32}", str(body["traceId"]))
    return body


def test_me_is_the_person_and_the_workspace(api: httpx.Client, sandbox: Sandbox) -> None:
    body = api.get("/me").json()

    assert body["id"] == sandbox.user_id
    assert (body["firstName"], body["lastName"]) == ("Ada", "Lovelace")
    assert body["workspace"]["id"] == sandbox.seed.workspace_id
    assert body["workspace"]["name"] == "Sandbox GmbH"


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token", "Basic {token}", "bearer"], ids=repr
)
def test_every_route_needs_the_bearer_token(
    sandbox: Sandbox, method: str, path: str, authorization: str | None
) -> None:
    headers = (
        {}
        if authorization is None
        else {"Authorization": authorization.format(token=sandbox.token)}
    )
    before = sandbox.current_entry()

    with httpx.Client(base_url=sandbox.url, timeout=5) as client:
        response = client.request(method, path.format(user=sandbox.user_id), headers=headers)

    assert_error(response, 401, "unauthorized")
    assert sandbox.current_entry() == before


def test_the_bearer_scheme_is_case_insensitive(sandbox: Sandbox) -> None:
    with httpx.Client(base_url=sandbox.url, timeout=5) as client:
        response = client.get("/me", headers={"Authorization": f"bearer {sandbox.token}"})

    assert response.status_code == 200


def test_a_revoked_token_is_refused_and_its_successor_works(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    old = sandbox.token

    new = sandbox.revoke_token()

    assert new != old and sandbox.token == new
    assert_error(api.get("/me"), 401, "unauthorized")
    assert api.get("/me", headers={"Authorization": f"Bearer {new}"}).status_code == 200


def test_a_fixed_token_can_be_chosen() -> None:
    with Sandbox(token="demo-token") as sandbox, httpx.Client(base_url=sandbox.url) as client:
        response = client.get("/me", headers={"Authorization": "Bearer demo-token"})

    assert sandbox.token == "demo-token"
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/nothing/here", "/me/timetracking", "/users/x/timeentries"])
def test_an_unknown_route_answers_404(api: httpx.Client, path: str) -> None:
    assert_error(api.get(path), 404, "not-found")


def test_a_path_outside_the_api_answers_404(api: httpx.Client, sandbox: Sandbox) -> None:
    response = api.get(sandbox.url.removesuffix("/api/v1") + "/index.html")

    assert_error(response, 404, "not-found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/me/timetracking/resume", "POST"),
        ("DELETE", "/me", "GET"),
        ("PUT", "/me/timeentries/last", "GET"),
    ],
)
def test_a_wrong_method_answers_405(
    api: httpx.Client, method: str, path: str, allowed: str
) -> None:
    response = api.request(method, path)

    assert_error(response, 405, "method-not-allowed")
    assert response.headers["allow"] == allowed


def test_routes_ignore_case_and_a_trailing_slash(api: httpx.Client) -> None:
    assert api.get("/ME/TimeEntries/Last/").status_code == 200


def test_users_routes_act_on_the_signed_in_person(api: httpx.Client, sandbox: Sandbox) -> None:
    user = sandbox.user_id.upper()  # awork compares ids without regard to case

    assert api.get(f"/users/{user}/timeentries/last").json()["userId"] == sandbox.user_id
    assert api.post(f"/users/{user}/timetracking/resume").status_code == 200
    assert api.post(f"/users/{user}/timetracking/pause").status_code == 200
    assert api.post(f"/users/{user}/timetracking/stop").status_code == 200


def test_the_last_entry_of_someone_else_answers_204(api: httpx.Client) -> None:
    assert api.get(f"/users/{SOMEONE_ELSE}/timeentries/last").status_code == 204


@pytest.mark.parametrize("action", ["pause", "resume"])
def test_pausing_or_resuming_someone_elses_timer_is_refused(
    api: httpx.Client, sandbox: Sandbox, action: str
) -> None:
    sandbox.other_client.resume()
    before = sandbox.current_entry()

    response = api.post(f"/users/{SOMEONE_ELSE}/timetracking/{action}")

    body = assert_error(response, 400, "invalid-operation")
    assert body["description"] == f"You can only {action} your own time trackings"
    assert sandbox.current_entry() == before


def test_stopping_someone_elses_timer_finds_nothing(api: httpx.Client, sandbox: Sandbox) -> None:
    before = sandbox.current_entry()

    assert api.post(f"/users/{SOMEONE_ELSE}/timetracking/stop").status_code == 204
    assert sandbox.current_entry() == before


def test_starting_for_an_unknown_person_answers_404(
    api: httpx.Client, start_form: dict[str, object]
) -> None:
    response = api.post(f"/users/{SOMEONE_ELSE}/timetracking/start", json=start_form)

    assert_error(response, 404, "not-found")


@pytest.mark.parametrize("action", ["pause", "resume"])
@pytest.mark.parametrize("body", [b"{}", b"null", b" "])
def test_a_body_on_pause_or_resume_is_refused(
    api: httpx.Client, sandbox: Sandbox, action: str, body: bytes
) -> None:
    sandbox.other_client.resume() if action == "pause" else None
    before = sandbox.current_entry()

    response = api.post(
        f"/me/timetracking/{action}", content=body, headers={"Content-Type": "application/json"}
    )

    assert_error(response, 400, "validation-failed")
    assert sandbox.current_entry() == before


def test_stop_refuses_a_key_its_form_does_not_have(api: httpx.Client, sandbox: Sandbox) -> None:
    before = sandbox.current_entry()

    response = api.post("/me/timetracking/stop", json={"stopReason": "manual"})

    assert_error(response, 400, "validation-failed")
    assert sandbox.current_entry() == before


@pytest.mark.parametrize(
    ("change", "prop"),
    [
        ({"foo": 1}, "Foo"),
        ({"timezone": None}, "Timezone"),
        ({"timezone": ""}, "Timezone"),
        ({"timezone": "Mars/Olympus_Mons"}, "Timezone"),
        ({"timezone": "../../etc/passwd"}, "Timezone"),
        ({"typeOfWorkId": None}, "TypeOfWorkId"),
        ({"typeOfWorkId": "design"}, "TypeOfWorkId"),
        ({"taskId": 42}, "TaskId"),
        ({"note": ["x"]}, "Note"),
        ({"isBillable": None}, "IsBillable"),
        ({"isBilled": "yes"}, "IsBilled"),
    ],
    ids=repr,
)
def test_start_refuses_a_form_awork_would_refuse(
    api: httpx.Client,
    sandbox: Sandbox,
    start_form: dict[str, object],
    change: dict[str, object],
    prop: str,
) -> None:
    before = sandbox.current_entry()

    response = api.post("/me/timetracking/start", json={**start_form, **change})

    body = assert_error(response, 400, "validation-failed")
    assert prop in [error["property"] for error in body["validationErrors"]]  # type: ignore[attr-defined]
    assert sandbox.current_entry() == before


@pytest.mark.parametrize("missing", ["timezone", "typeOfWorkId"])
def test_start_needs_time_zone_and_type_of_work(
    api: httpx.Client, start_form: dict[str, object], missing: str
) -> None:
    form = {key: value for key, value in start_form.items() if key != missing}

    assert_error(api.post("/me/timetracking/start", json=form), 400, "validation-failed")


@pytest.mark.parametrize("content", [b"", b"[1]", b'{"timezone": ', b"\xff"])
def test_start_needs_a_json_object(api: httpx.Client, content: bytes) -> None:
    response = api.post(
        "/me/timetracking/start", content=content, headers={"Content-Type": "application/json"}
    )

    assert_error(response, 400, "validation-failed")


def test_start_needs_the_json_content_type(
    api: httpx.Client, start_form: dict[str, object]
) -> None:
    response = api.post(
        "/me/timetracking/start",
        content=str(start_form).encode(),
        headers={"Content-Type": "text/plain"},
    )

    assert_error(response, 415, "unsupported-media-type")


@pytest.mark.parametrize("field", ["typeOfWorkId", "taskId", "projectId"])
def test_start_answers_404_for_an_unknown_id(
    api: httpx.Client, start_form: dict[str, object], field: str
) -> None:
    form = {**start_form, field: str(uuid.uuid4())}

    assert_error(api.post("/me/timetracking/start", json=form), 404, "not-found")


def test_start_refuses_a_task_of_another_project(
    api: httpx.Client, sandbox: Sandbox, start_form: dict[str, object]
) -> None:
    task, other_project = sandbox.seed.tasks[0], sandbox.seed.projects[1]
    form = {**start_form, "taskId": task.id, "projectId": other_project.id}

    assert_error(api.post("/me/timetracking/start", json=form), 400, "invalid-operation")
