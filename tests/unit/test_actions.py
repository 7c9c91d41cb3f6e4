"""The action table: each action's state rule and the one awork call it makes."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tray_app.awork.models import StartForm, TimeTracking
from tray_app.core.actions import RULES, Action, applies, send, start_form
from tray_app.core.timer import Snapshot, TimerState


@dataclass
class RecordingCalls:
    """Stands in for the awork client; remembers which call was made, with which form."""

    made: list[str] = field(default_factory=list)
    forms: list[StartForm] = field(default_factory=list)

    def resume(self) -> TimeTracking | None:
        self.made.append("resume")
        return None

    def pause(self) -> TimeTracking | None:
        self.made.append("pause")
        return None

    def stop(self) -> TimeTracking | None:
        self.made.append("stop")
        return None

    def start(self, form: StartForm) -> TimeTracking:
        self.made.append("start")
        self.forms.append(form)
        return TimeTracking.model_validate({"id": "new", "startDateUtc": "2026-12-03T00:00:00Z"})


def stopped(type_of_work_id: str | None = "tow1") -> Snapshot:
    return Snapshot.of(
        TimeTracking.model_validate(
            {
                "id": "e1",
                "startDateUtc": "2026-12-03T00:00:00Z",
                "startTimeUtc": "08:00:00",
                "endTimeUtc": "09:00:00",
                "typeOfWorkId": type_of_work_id,
                "task": {"id": "t1", "name": "Write report"},
                "isBillable": True,
            }
        )
    )


@pytest.mark.parametrize(
    ("action", "call"),
    [(Action.RESUME, "resume"), (Action.PAUSE, "pause"), (Action.STOP, "stop")],
)
def test_each_action_makes_its_own_call_once(action: Action, call: str) -> None:
    calls = RecordingCalls()
    assert send(action, calls, stopped()) is None
    assert calls.made == [call]


def test_start_again_starts_the_last_task_in_the_local_timezone() -> None:
    calls = RecordingCalls()
    entry = send(Action.START_AGAIN, calls, stopped(), lambda: "Europe/Berlin")
    assert entry is not None and entry.id == "new"
    assert calls.made == ["start"]
    (form,) = calls.forms
    assert (form.timezone, form.type_of_work_id, form.task_id) == ("Europe/Berlin", "tow1", "t1")
    assert form.is_billable is True


def test_start_again_needs_a_type_of_work() -> None:
    last = stopped(type_of_work_id=None)
    assert last.state is TimerState.STOPPED
    assert start_form(last, "UTC") is None
    assert not applies(Action.START_AGAIN, last)
    calls = RecordingCalls()
    assert send(Action.START_AGAIN, calls, last, lambda: "UTC") is None
    assert calls.made == [], "nothing is sent that awork would refuse"


def test_an_action_applies_only_in_the_states_its_rule_names() -> None:
    assert applies(Action.START_AGAIN, stopped())
    assert not applies(Action.RESUME, stopped())
    assert not applies(Action.STOP, stopped())
    assert not applies(Action.RESUME, None)
    assert set(RULES) == set(Action), "every action has a rule and a call"
