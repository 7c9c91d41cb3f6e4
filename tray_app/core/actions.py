"""The timer actions a person can ask for: when each makes sense, its words, and its awork call.

One table, :data:`RULES`, carries all of it: the tray enables its menu items from it, the
controller and the command line send through it, and the notifier words failures from it, so
none of them disagree about what "Resume" means or dispatch on an action's name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from tray_app.core.timer import Snapshot, TimerState

if TYPE_CHECKING:  # only annotations: the tray's first screen (its menu) loads no pydantic
    from tray_app.awork.models import StartForm, TimeTracking

log = logging.getLogger(__name__)


class Action(StrEnum):
    RESUME = "resume"
    PAUSE = "pause"
    STOP = "stop"
    START_AGAIN = "start-again"


class TimerCalls(Protocol):
    """The awork calls the actions need (the awork client has them)."""

    def resume(self) -> TimeTracking | None: ...
    def pause(self) -> TimeTracking | None: ...
    def stop(self) -> TimeTracking | None: ...
    def start(self, form: StartForm) -> TimeTracking: ...


Timezone = Callable[[], str]
Send = Callable[[TimerCalls, Snapshot, Timezone], "TimeTracking | None"]


@dataclass(frozen=True)
class ActionRule:
    """When an action acts, when its goal already holds, the words for each outcome, and the
    awork call that carries it out (given the timer as shown when it was clicked)."""

    acts_on: frozenset[TimerState]
    already: dict[TimerState, str]
    done: str
    nothing: str
    send: Send


def local_timezone_name() -> str:
    """The machine's IANA timezone, as awork's start form wants it."""
    try:
        import tzlocal

        return tzlocal.get_localzone_name() or "UTC"
    except Exception:  # tzlocal raises several kinds on odd set-ups; UTC is always accepted
        log.warning("could not tell the local timezone; starting timers in UTC")
        return "UTC"


def start_form(last: Snapshot, timezone: str) -> StartForm | None:
    """The form that starts ``last``'s task again, or None when awork would need more."""
    if not last.type_of_work_id:
        return None
    from tray_app.awork.models import StartForm  # sent long after the first screen

    return StartForm(
        timezone=timezone,
        type_of_work_id=last.type_of_work_id,
        task_id=last.task_id,
        project_id=last.project_id,
        is_billable=last.entry.is_billable if last.entry else None,
    )


def _start_again(client: TimerCalls, last: Snapshot, timezone: Timezone) -> TimeTracking | None:
    form = start_form(last, timezone())
    return client.start(form) if form is not None else None


RULES: dict[Action, ActionRule] = {
    Action.RESUME: ActionRule(
        acts_on=frozenset({TimerState.PAUSED}),
        already={TimerState.RUNNING: "Already running"},
        done="Resumed",
        nothing="Nothing to resume: no paused timer",
        send=lambda client, _last, _timezone: client.resume(),
    ),
    Action.PAUSE: ActionRule(
        acts_on=frozenset({TimerState.RUNNING}),
        already={TimerState.PAUSED: "Already paused"},
        done="Paused",
        nothing="Nothing to pause: no running timer",
        send=lambda client, _last, _timezone: client.pause(),
    ),
    Action.STOP: ActionRule(
        acts_on=frozenset({TimerState.RUNNING, TimerState.PAUSED}),
        already={},
        done="Stopped",
        nothing="Nothing to stop: no running or paused timer",
        send=lambda client, _last, _timezone: client.stop(),
    ),
    Action.START_AGAIN: ActionRule(
        acts_on=frozenset({TimerState.STOPPED}),
        already={},
        done="Started",
        nothing="Nothing to start again: no earlier entry",
        send=_start_again,
    ),
}


def can(action: Action, state: TimerState) -> bool:
    """Whether ``action`` would change anything for a timer in ``state``."""
    return state in RULES[action].acts_on


def applies(action: Action, snapshot: Snapshot | None) -> bool:
    """Whether ``action`` can be sent for the timer shown: its state, and what it needs."""
    if snapshot is None or not can(action, snapshot.state):
        return False
    return action is not Action.START_AGAIN or bool(snapshot.type_of_work_id)


def send(
    action: Action,
    client: TimerCalls,
    last: Snapshot,
    timezone: Timezone = local_timezone_name,
) -> TimeTracking | None:
    """Carry ``action`` out on awork for the timer shown as ``last`` (blocks: off the GUI)."""
    return RULES[action].send(client, last, timezone)
