"""Discarding the time away: stop, then move the end back, and one line saying what happened.

The awork calls are a fake that keeps one entry and checks every body against awork's OpenAPI
document, so a test asserts what awork would have received and what the person reads.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.helpers.contract import validate_request
from tests.unit.awork_json import entry_json, split_utc, task_json
from tray_app.awork.errors import AworkError, Refused, Unreachable
from tray_app.awork.models import StartForm, TimeTracking, TimeTrackingPutForm
from tray_app.core.away import AskAboutAway
from tray_app.core.away_discard import AwayCalls, AwayChoice, discard_time_away
from tray_app.core.presence import AwayReason

BERLIN = ZoneInfo("Europe/Berlin")
STARTED = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
LEFT = datetime(2026, 12, 7, 10, 2, tzinfo=UTC)  # 11:02
BACK = datetime(2026, 12, 7, 10, 45, tzinfo=UTC)  # 11:45
TASK = task_json("logo", "Draw the logo")
HEADERS = {"Authorization": "Bearer test-token", "Content-Type": "application/json"}


class FakeAwork:
    """One person's timer as awork keeps it; ``fail`` makes a call raise once."""

    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry
        self.sent: list[tuple[str, str, dict[str, Any] | None]] = []
        self.fail: dict[str, AworkError] = {}
        self.stop_answers_204 = False

    def calls(self) -> AwayCalls:
        return AwayCalls(current=self.current, stop=self.stop, put=self.put, start=self.start)

    def _maybe_fail(self, name: str) -> None:
        error = self.fail.pop(name, None)
        if error is not None:
            raise error

    def current(self) -> TimeTracking | None:
        self.sent.append(("GET", "/me/timeentries/last", None))
        self._maybe_fail("current")
        return TimeTracking.model_validate(self.entry)

    def stop(self) -> TimeTracking | None:
        self.sent.append(("POST", "/me/timetracking/stop", None))
        self._maybe_fail("stop")
        self.entry["endDateUtc"], self.entry["endTimeUtc"] = split_utc(BACK)
        return None if self.stop_answers_204 else TimeTracking.model_validate(self.entry)

    def put(self, entry_id: str, form: TimeTrackingPutForm) -> TimeTracking:
        body = form.model_dump(by_alias=True, mode="json")
        path = f"/timeentries/{entry_id}"
        validate_request("PUT", f"/api/v1{path}", headers=HEADERS, body=json.dumps(body).encode())
        self.sent.append(("PUT", path, body))
        self._maybe_fail("put")
        self.entry["endDateUtc"], self.entry["endTimeUtc"] = body["endDateUtc"], body["endTimeUtc"]
        return TimeTracking.model_validate(self.entry)

    def start(self, form: StartForm) -> TimeTracking:
        body = form.to_json()
        path = "/me/timetracking/start"
        validate_request("POST", f"/api/v1{path}", headers=HEADERS, body=json.dumps(body).encode())
        self.sent.append(("POST", path, body))
        self._maybe_fail("start")
        return TimeTracking.model_validate(entry_json("again", BACK, task=TASK))

    def sent_paths(self) -> list[str]:
        return [f"{method} {path}" for method, path, _ in self.sent]

    def end(self) -> datetime | None:
        return TimeTracking.model_validate(self.entry).end_utc


ASK = AskAboutAway(
    start=LEFT,
    end=BACK,
    entry_id=entry_json("e1", STARTED)["id"],
    reason=AwayReason.LOCKED,
)


def discard(awork: FakeAwork, choice: AwayChoice) -> Any:
    return discard_time_away(
        ASK, choice, awork.calls(), timezone="Europe/Berlin", zone=BERLIN, clock=lambda: BACK
    )


@pytest.fixture
def awork() -> FakeAwork:
    return FakeAwork(entry_json("e1", STARTED, task=TASK))


def test_keep_sends_nothing(awork: FakeAwork) -> None:
    assert discard(awork, AwayChoice.KEEP) is None
    assert awork.sent == []


@pytest.mark.parametrize("answers_204", [False, True], ids=["stop answers 200", "stop answers 204"])
def test_discard_stops_then_moves_the_end_to_when_the_person_left(
    awork: FakeAwork, answers_204: bool
) -> None:
    awork.stop_answers_204 = answers_204
    outcome = discard(awork, AwayChoice.DISCARD)
    assert outcome.text == "Discarded 0:43 away: the entry now ends at 11:02"
    assert (outcome.stopped, outcome.end_moved, outcome.started_again) == (True, True, False)
    assert [p for p in awork.sent_paths() if not p.startswith("GET")] == [
        "POST /me/timetracking/stop",
        f"PUT /timeentries/{ASK.entry_id}",
    ]
    assert awork.end() == LEFT


def test_discard_and_continue_then_starts_the_same_task_again(awork: FakeAwork) -> None:
    outcome = discard(awork, AwayChoice.DISCARD_AND_CONTINUE)
    assert outcome.text == "Discarded 0:43 away; started again"
    assert outcome.started_again
    method, path, body = awork.sent[-1]
    assert (method, path) == ("POST", "/me/timetracking/start")
    assert body is not None
    assert (body["taskId"], body["typeOfWorkId"], body["timezone"]) == (
        TASK["id"],
        TASK["typeOfWorkId"],
        "Europe/Berlin",
    )
    assert awork.end() == LEFT


@pytest.mark.expect_log(
    "WARNING",
    r"^away: stopped, but the end was not moved: status=400 code=invalid-operation$",
    logger="tray_app.core.away_discard",
)
def test_a_failing_put_says_exactly_what_happened_and_is_not_retried(awork: FakeAwork) -> None:
    awork.fail["put"] = Refused(
        status=400, code="invalid-operation", description="The entry is locked for editing."
    )
    outcome = discard(awork, AwayChoice.DISCARD_AND_CONTINUE)
    assert outcome.text == (
        "Stopped at 11:45; could not move the end to 11:02: The entry is locked for editing"
    )
    assert (outcome.stopped, outcome.end_moved, outcome.started_again) == (True, False, False)
    assert [p for p in awork.sent_paths() if p.startswith("PUT")] == [
        f"PUT /timeentries/{ASK.entry_id}"
    ]
    assert "POST /me/timetracking/start" not in awork.sent_paths()  # no continue after a failure
    assert awork.end() == BACK


@pytest.mark.expect_log(
    "WARNING", r"^away: the stop failed: Unreachable$", logger="tray_app.core.away_discard"
)
def test_a_failing_stop_sends_no_put(awork: FakeAwork) -> None:
    awork.fail["stop"] = Unreachable()
    outcome = discard(awork, AwayChoice.DISCARD)
    assert outcome.text == "Could not stop the timer: Could not reach awork; nothing changed"
    assert not outcome.stopped
    assert awork.sent_paths() == ["GET /me/timeentries/last", "POST /me/timetracking/stop"]


def test_a_timer_changed_since_the_question_is_left_alone(awork: FakeAwork) -> None:
    awork.entry = entry_json("other", BACK - timedelta(minutes=1), task=TASK)
    outcome = discard(awork, AwayChoice.DISCARD)
    assert outcome.text == "Nothing discarded: the timer was changed meanwhile"
    assert awork.sent_paths() == ["GET /me/timeentries/last"]


@pytest.mark.expect_log(
    "WARNING",
    r"^away: discarded, but could not start again: The project is closed$",
    logger="tray_app.core.away_discard",
)
def test_a_failing_start_after_the_discard_says_so(awork: FakeAwork) -> None:
    awork.fail["start"] = Refused(status=400, description="The project is closed.")
    outcome = discard(awork, AwayChoice.DISCARD_AND_CONTINUE)
    assert outcome.text == "Discarded 0:43 away; could not start again: The project is closed"
    assert (outcome.stopped, outcome.end_moved, outcome.started_again) == (True, True, False)
    assert awork.end() == LEFT
