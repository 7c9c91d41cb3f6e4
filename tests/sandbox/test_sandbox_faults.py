"""Injected faults: each kind as a client meets it, and none of them changes the timer."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tray_app.sandbox import DROPPED, Fault, Sandbox

RESUME = "/me/timetracking/resume"
LAST = "/me/timeentries/last"


def client_for(sandbox: Sandbox) -> httpx.Client:
    headers = {"Authorization": f"Bearer {sandbox.token}"}
    return httpx.Client(base_url=sandbox.url, headers=headers, timeout=5)


def timed_get(sandbox: Sandbox, path: str) -> tuple[int, float]:
    """Status and seconds taken, on a connection of its own."""
    with client_for(sandbox) as client:
        started = time.monotonic()
        status = client.get(path).status_code
        return status, time.monotonic() - started


def test_a_delay_answers_normally_and_blocks_no_other_request(sandbox: Sandbox) -> None:
    sandbox.inject("GET", "/me/timeentries/last", Fault.delay(0.4), times=2)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: timed_get(sandbox, "/me/timeentries/last"), range(2)))
    total = time.monotonic() - started

    assert [status for status, _ in results] == [200, 200]
    assert all(took >= 0.4 for _, took in results)
    assert total < 0.75, "two delayed requests were served one after the other"


def test_a_delay_on_one_route_leaves_the_others_fast(sandbox: Sandbox) -> None:
    sandbox.inject("GET", "/me/timeentries/last", Fault.delay(0.4))

    with ThreadPoolExecutor(max_workers=1) as pool:
        slow = pool.submit(timed_get, sandbox, "/me/timeentries/last")
        status, took = timed_get(sandbox, "/me")
        assert (status, took < 0.3) == (200, True)
        assert slow.result()[0] == 200


def test_a_delayed_change_happens(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject("POST", RESUME, Fault.delay(0.05))

    assert api.post(RESUME).status_code == 200
    assert sandbox.current_entry()["breaks"][-1]["endDate"] is not None  # type: ignore[index]


def test_a_late_answer_is_decided_at_arrival_and_overtaken_by_a_later_change(
    sandbox: Sandbox,
) -> None:
    """The tray's ordering case: a poll sent before a resume answers "paused", after it."""
    sandbox.inject("GET", LAST, Fault.late(0.5))

    def poll() -> tuple[dict[str, Any], float]:
        with client_for(sandbox) as client:
            entry = client.get(LAST).json()
            return entry, time.monotonic()

    with ThreadPoolExecutor(max_workers=1) as pool, client_for(sandbox) as client:
        polled = pool.submit(poll)
        deadline = time.monotonic() + 5
        while not sandbox.requests and time.monotonic() < deadline:
            time.sleep(0.01)  # the record is the only sign that the poll's answer is decided
        time.sleep(0.1)  # the resume leaves 0.1 s after the poll, well inside its 0.5 s
        resumed = client.post(RESUME)
        resumed_at = time.monotonic()
        entry, polled_at = polled.result()

    assert resumed.status_code == 200
    assert resumed.json()["breaks"][-1]["endDate"] is not None, "the resume ran"
    assert entry["breaks"][-1]["endDate"] is None, "the poll shows the pause it saw at arrival"
    assert entry["resourceVersion"] < resumed.json()["resourceVersion"]
    assert polled_at > resumed_at, "the older answer arrived last"
    assert [(r.method, r.status) for r in sandbox.requests] == [("GET", 200), ("POST", 200)]


def test_a_late_answer_blocks_no_other_request(sandbox: Sandbox) -> None:
    sandbox.inject("GET", LAST, Fault.late(0.4), times=2)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=3) as pool:
        late = [pool.submit(timed_get, sandbox, LAST) for _ in range(2)]
        status, took = timed_get(sandbox, "/me")
        results = [future.result() for future in late]
    total = time.monotonic() - started

    assert (status, took < 0.3) == (200, True)
    assert [status for status, _ in results] == [200, 200]
    assert all(took >= 0.4 for _, took in results)
    assert total < 0.75, "two late answers were sent one after the other"


def test_a_late_answer_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="before"):
        Fault.late(-0.1)


def test_a_status_fault_answers_awork_error_body_and_changes_nothing(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    before = sandbox.current_entry()
    sandbox.inject("POST", RESUME, Fault.status(503, "maintenance", "awork is being updated."))

    response = api.post(RESUME)

    assert response.status_code == 503
    body = response.json()
    assert (body["code"], body["description"]) == ("maintenance", "awork is being updated.")
    assert body["link"] and body["traceId"]
    assert sandbox.current_entry() == before
    assert api.post(RESUME).status_code == 200, "the fault was used up"


def test_a_status_fault_has_defaults_from_the_status() -> None:
    fault = Fault.status(500)

    assert (fault.error_code, fault.description) == (
        "internal-server-error",
        "Internal Server Error.",
    )


def test_rate_limited_answers_429_with_awork_headers(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject("GET", "/me/timeentries/last", Fault.rate_limited(reset=17))

    response = api.get("/me/timeentries/last")

    assert response.status_code == 429
    assert response.headers["ratelimit-remaining"] == "0"
    assert response.headers["ratelimit-reset"] == "17"
    assert int(response.headers["ratelimit-limit"]) > 0
    assert response.json()["code"] == "too-many-requests"


@pytest.mark.parametrize(
    ("fault", "content_type", "body"),
    [
        (Fault.malformed(), "text/html", b"<html>oops"),
        (Fault.malformed(b'{"id": "cut', "application/json"), "application/json", b'{"id": "cut'),
    ],
)
def test_malformed_answers_200_with_that_body(
    api: httpx.Client, sandbox: Sandbox, fault: Fault, content_type: str, body: bytes
) -> None:
    before = sandbox.current_entry()
    sandbox.inject("POST", RESUME, fault)

    response = api.post(RESUME)

    assert (response.status_code, response.content) == (200, body)
    assert response.headers["content-type"] == content_type
    assert sandbox.current_entry() == before


@pytest.mark.parametrize("code", [403, 404, 408])
def test_a_page_answers_its_status_with_a_foreign_body(
    api: httpx.Client, sandbox: Sandbox, code: int
) -> None:
    before = sandbox.current_entry()
    sandbox.inject("POST", RESUME, Fault.page(code))

    response = api.post(RESUME)

    assert response.status_code == code
    assert response.headers["content-type"] == "text/html"
    assert b"Access denied" in response.content
    assert sandbox.current_entry() == before


def test_a_redirect_points_elsewhere(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject("POST", RESUME, Fault.redirect("https://portal.example/login"))

    response = api.post(RESUME)

    assert response.status_code == 302
    assert response.headers["location"] == "https://portal.example/login"
    assert api.post(RESUME).status_code == 200, "only one request is redirected"


def test_drop_closes_the_connection_without_an_answer(api: httpx.Client, sandbox: Sandbox) -> None:
    before = sandbox.current_entry()
    api.get("/me")  # a kept-alive connection the drop has to cut
    sandbox.inject("POST", RESUME, Fault.drop())

    with pytest.raises(httpx.RemoteProtocolError):
        api.post(RESUME)

    assert sandbox.current_entry() == before
    assert sandbox.requests[-1].status == DROPPED
    assert api.post(RESUME).status_code == 200, "the next request gets through"


def test_expired_token_answers_401_like_awork(api: httpx.Client, sandbox: Sandbox) -> None:
    before = sandbox.current_entry()
    sandbox.inject("POST", RESUME, Fault.expired_token())

    response = api.post(RESUME)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert sandbox.current_entry() == before


def test_a_fault_is_used_up_after_times(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject("GET", "/me", Fault.status(502), times=2)

    assert [api.get("/me").status_code for _ in range(3)] == [502, 502, 200]


def test_a_fault_without_times_stays_until_cleared(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject("GET", "/me", Fault.status(500), times=None)

    assert [api.get("/me").status_code for _ in range(3)] == [500, 500, 500]
    sandbox.clear_faults()
    assert api.get("/me").status_code == 200


def test_faults_queue_up_in_order(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject("GET", "/me", Fault.status(500))
    sandbox.inject("GET", "/me", Fault.rate_limited())

    assert [api.get("/me").status_code for _ in range(3)] == [500, 429, 200]


def test_a_fault_matches_method_and_path_only(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.inject("post", "/api/v1/ME/timetracking/resume/", Fault.status(500), times=None)

    assert api.get(RESUME).status_code == 405
    assert api.post("/me/timetracking/pause").status_code == 204
    assert api.post(f"/users/{sandbox.user_id}/timetracking/resume").status_code == 200
    assert api.post(RESUME + "?userId=x").status_code == 500


@pytest.mark.parametrize("times", [0, -1])
def test_times_must_be_positive(sandbox: Sandbox, times: int) -> None:
    with pytest.raises(ValueError, match="times"):
        sandbox.inject("GET", "/me", Fault.drop(), times=times)


def test_a_delay_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        Fault.delay(-1)


@pytest.mark.parametrize("fault", [Fault.delay(30), Fault.late(30)], ids=["delay", "late"])
def test_stop_does_not_wait_for_a_delayed_answer(
    caplog: pytest.LogCaptureFixture, fault: Fault
) -> None:
    caplog.set_level(logging.DEBUG, logger="tray_app.sandbox")
    sandbox = Sandbox().start()
    sandbox.inject("GET", "/me", fault)
    failures: list[BaseException] = []

    def call() -> None:
        with client_for(sandbox) as client:
            try:
                client.get("/me")
            except httpx.HTTPError as error:
                failures.append(error)

    thread = threading.Thread(target=call)
    thread.start()
    deadline = time.monotonic() + 5
    while "injected" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.01)  # the log line is the only sign that the request waits in the server
    started = time.monotonic()
    sandbox.stop()
    thread.join(5)

    assert time.monotonic() - started < 2
    assert not thread.is_alive()
    assert failures
