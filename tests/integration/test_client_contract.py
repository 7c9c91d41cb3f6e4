"""Every request the client sends is one awork's official OpenAPI document allows, exactly.

The requests are taken from what the sandbox received over real HTTP, so they are the bytes
awork would get: method, path, bearer token and body (none on pause and resume).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers.contract import (
    ContractViolation,
    find_operation,
    validate_httpx_request,
    validate_httpx_response,
    validate_request,
)
from tray_app.awork.client import AworkClient, BearerToken
from tray_app.awork.models import StartForm, TimeTracking, TimeTrackingPutForm
from tray_app.sandbox import RecordedRequest, Sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


def check(request: RecordedRequest) -> None:
    validate_request(
        request.method,
        request.path,
        headers=request.headers,
        body=request.body,
        query=request.query,
    )


def minimal_form(sandbox: Sandbox) -> StartForm:
    return StartForm(timezone="Europe/Berlin", type_of_work_id=sandbox.seed.types_of_work[0].id)


def full_form(sandbox: Sandbox) -> StartForm:
    task = sandbox.seed.tasks[1]
    return StartForm(
        timezone="Europe/London",
        type_of_work_id=task.type_of_work_id,
        task_id=task.id,
        project_id=task.project_id,
        note="Sitemap, first draft",
        is_billable=True,
        is_billed=False,
    )


CALLS: dict[str, Callable[[AworkClient, Sandbox], object]] = {
    "current": lambda client, sb: client.current(),
    "resume": lambda client, sb: client.resume(),
    "pause": lambda client, sb: client.pause(),
    "stop": lambda client, sb: client.stop(),
    "start minimal": lambda client, sb: client.start(minimal_form(sb)),
    "start full": lambda client, sb: client.start(full_form(sb)),
    "me": lambda client, sb: client.me(),
    "assigned tasks": lambda client, sb: client.assigned_tasks(),
    "task": lambda client, sb: client.task(sb.seed.tasks[5].id),
    "entries since": lambda client, sb: client.entries_since(
        sb.user_id, date.today() - timedelta(days=14)
    ),
    "search": lambda client, sb: client.search_tasks("web"),
    "project types of work": lambda client, sb: client.project_types_of_work(
        sb.seed.projects[1].id
    ),
    "types of work": lambda client, sb: client.types_of_work(),
    "capacity": lambda client, sb: client.capacity(sb.user_id),
    "time tracking settings": lambda client, sb: client.timetracking_settings(),
    "update entry": lambda client, sb: client.update_entry(
        last_entry(sb).id, TimeTrackingPutForm.with_note(last_entry(sb), "Checked")
    ),
}
EXPECTED_OPERATION = {
    ("current", False): "GetMyLastTimeEntries",
    ("current", True): "GetLastTimeEntriesByUserId",
    ("resume", False): "PostResumeMyTimeTracking",
    ("resume", True): "PostResumeTimeTrackingByUserId",
    ("pause", False): "PostPauseMyTimeTracking",
    ("pause", True): "PostPauseTimeTrackingByUserId",
    ("stop", False): "PostStopMyTimeTracking",
    ("stop", True): "PostStopTimeTrackingByUserId",
    ("start minimal", False): "PostStartMyTimeTracking",
    ("start minimal", True): "PostStartTimeTrackingByUserId",
    ("start full", False): "PostStartMyTimeTracking",
    ("start full", True): "PostStartTimeTrackingByUserId",
    ("me", False): "GetMe",
    ("me", True): "GetMe",
    ("assigned tasks", False): "GetMeAssignedTasks",
    ("assigned tasks", True): "GetUserAssignedTasksByUserId",
}
# The task feature's other calls take the same route whoever the client acts for.
for _call, _operation in {
    "task": "GetTaskById",
    "entries since": "GetTimeEntries",
    "search": "GetSearch",
    "project types of work": "GetProjectTypesOfWorkByProjectId",
    "types of work": "GetTypesOfWork",
    "capacity": "GetUserCapacityByUserId",
    "time tracking settings": "GetTimeTrackingSettings",
    "update entry": "PutTimeEntryById",
}.items():
    EXPECTED_OPERATION[(_call, False)] = EXPECTED_OPERATION[(_call, True)] = _operation


def last_entry(sandbox: Sandbox) -> TimeTracking:
    """The person's newest entry as awork shows it (read from the sandbox, not over HTTP)."""
    return TimeTracking.model_validate(sandbox.current_entry())


class ValidatingTransport(httpx.BaseTransport):
    """Real HTTP, with every request and every answer checked against awork's document."""

    def __init__(self) -> None:
        self._http = httpx.HTTPTransport()
        self.checked = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        validate_httpx_request(request)
        response = self._http.handle_request(request)
        response.request = request
        response.read()
        validate_httpx_response(response)
        self.checked += 1
        return response

    def close(self) -> None:
        self._http.close()


@pytest.mark.parametrize("for_user", [False, True], ids=["me", "users"])
@pytest.mark.parametrize("call", list(CALLS))
def test_each_request_is_the_documented_operation_exactly(
    sandbox: Sandbox, call: str, for_user: bool
) -> None:
    sandbox.clear_requests()
    user_id = sandbox.user_id if for_user else None
    with AworkClient(
        sandbox.url, auth=BearerToken(sandbox.token), user_id=user_id, timeout=5
    ) as client:
        CALLS[call](client, sandbox)

    (request,) = sandbox.requests
    assert request.status in {200, 204}
    operation = find_operation(request.method, request.path)
    assert operation.raw["operationId"] == EXPECTED_OPERATION[(call, for_user)]
    check(request)


@pytest.mark.parametrize("call", list(CALLS))
def test_each_answer_the_client_reads_is_the_documented_one(sandbox: Sandbox, call: str) -> None:
    """The answers too: the client is read against what awork's document promises."""
    transport = ValidatingTransport()
    with AworkClient(
        sandbox.url, auth=BearerToken(sandbox.token), timeout=5, transport=transport
    ) as client:
        CALLS[call](client, sandbox)

    assert transport.checked == 1


def test_the_whole_timer_cycle_stays_within_the_contract(sandbox: Sandbox) -> None:
    """A person's day: look, resume, pause, stop, start again, on both route forms."""
    sandbox.clear_requests()
    for user_id in (None, sandbox.user_id):
        with AworkClient(
            sandbox.url, auth=BearerToken(sandbox.token), user_id=user_id, timeout=5
        ) as client:
            client.current()
            client.start(minimal_form(sandbox))
            client.pause()
            client.pause()
            client.resume()
            client.resume()
            client.stop()
            client.stop()
            client.me()

    sent = sandbox.requests
    assert len(sent) == 18
    for request in sent:
        check(request)


def test_the_checker_would_catch_a_body_on_pause(sandbox: Sandbox) -> None:
    """The contract check above can fail: the request the client must never send is caught."""
    headers = {"authorization": f"Bearer {sandbox.token}", "content-type": "application/json"}

    with pytest.raises(ContractViolation, match="no request body"):
        validate_request("POST", "/api/v1/me/timetracking/pause", headers=headers, body=b"{}")
    with pytest.raises(ContractViolation, match="bearer"):
        validate_request("POST", "/api/v1/me/timetracking/resume", headers={})


UUIDS = st.uuids().map(str)
START_FORMS = st.fixed_dictionaries(
    {
        "timezone": st.sampled_from(["Europe/Berlin", "Europe/London", "America/New_York", "UTC"]),
        "type_of_work_id": UUIDS,
    },
    optional={
        "task_id": st.none() | UUIDS,
        "project_id": st.none() | UUIDS,
        "note": st.none() | st.text(max_size=40),
        "is_billable": st.none() | st.booleans(),
        "is_billed": st.none() | st.booleans(),
    },
).map(StartForm.model_validate)


@settings(max_examples=60, deadline=None)
@given(START_FORMS)
def test_any_start_form_serialises_to_a_body_the_document_accepts(form: StartForm) -> None:
    body = json.dumps(form.to_json()).encode()

    validate_request(
        "POST",
        "/api/v1/me/timetracking/start",
        headers={"authorization": "Bearer t", "content-type": "application/json"},
        body=body,
    )
