"""The timer actions a person can ask for, and in which states each makes sense.

The tray enables its menu items from this table and the command line decides from it whether to
send anything at all, so the two never disagree about what "Resume" means.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tray_app.core.timer import TimerState


class Action(StrEnum):
    RESUME = "resume"
    PAUSE = "pause"
    STOP = "stop"
    START_AGAIN = "start-again"


@dataclass(frozen=True)
class ActionRule:
    """When an action acts, when its goal already holds, and the words for each outcome."""

    acts_on: frozenset[TimerState]
    already: dict[TimerState, str]
    done: str
    nothing: str


RULES: dict[Action, ActionRule] = {
    Action.RESUME: ActionRule(
        acts_on=frozenset({TimerState.PAUSED}),
        already={TimerState.RUNNING: "Already running"},
        done="Resumed",
        nothing="Nothing to resume: no paused timer",
    ),
    Action.PAUSE: ActionRule(
        acts_on=frozenset({TimerState.RUNNING}),
        already={TimerState.PAUSED: "Already paused"},
        done="Paused",
        nothing="Nothing to pause: no running timer",
    ),
    Action.STOP: ActionRule(
        acts_on=frozenset({TimerState.RUNNING, TimerState.PAUSED}),
        already={},
        done="Stopped",
        nothing="Nothing to stop: no running or paused timer",
    ),
    Action.START_AGAIN: ActionRule(
        acts_on=frozenset({TimerState.STOPPED}),
        already={},
        done="Started",
        nothing="Nothing to start again: no earlier entry",
    ),
}


def can(action: Action, state: TimerState) -> bool:
    """Whether ``action`` would change anything for a timer in ``state``."""
    return state in RULES[action].acts_on
