"""What the tray, its menu and the fallback window show, as plain values (no Qt here).

Both views render the same :class:`TimerDisplay`, so the menu and the window never disagree, and
the wording is tested without a display.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tray_app import APP_NAME
from tray_app.core.actions import Action, can
from tray_app.core.timer import Snapshot, TimerState, format_elapsed
from tray_app.ui.icons import IconKind


class Connection(StrEnum):
    """How the last exchange with awork went, beside the timer's own state."""

    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"
    SIGNED_OUT = "signed-out"
    ERROR = "error"


@dataclass(frozen=True)
class ItemDisplay:
    text: str
    enabled: bool


@dataclass(frozen=True)
class TimerDisplay:
    icon: IconKind
    tooltip: str
    header: str
    status: str
    items: dict[Action, ItemDisplay]


_LABELS = {
    Action.RESUME: ("&Resume", "Resuming…"),
    Action.PAUSE: ("&Pause", "Pausing…"),
    Action.STOP: ("&Stop", "Stopping…"),
    Action.START_AGAIN: ("Start &again", "Starting…"),
}
_STATE_ICONS = {
    TimerState.RUNNING: IconKind.RUNNING,
    TimerState.PAUSED: IconKind.PAUSED,
    TimerState.STOPPED: IconKind.STOPPED,
    TimerState.NONE: IconKind.STOPPED,
}
_CONNECTION_ICONS = {
    Connection.OFFLINE: IconKind.OFFLINE,
    Connection.SIGNED_OUT: IconKind.SIGNED_OUT,
    Connection.ERROR: IconKind.ERROR,
}
_CONNECTION_WORDS = {
    Connection.CONNECTING: "Connecting to awork…",
    Connection.OFFLINE: "awork cannot be reached",
    Connection.SIGNED_OUT: "Signed out of awork",
    Connection.ERROR: "awork answered with an error",
}


def timer_line(snapshot: Snapshot | None, now: datetime) -> str:
    """The timer's state in a few words, with the elapsed time where there is one."""
    if snapshot is None:
        return "Timer state not known yet"
    if snapshot.state is TimerState.NONE:
        return "No timer"
    elapsed = format_elapsed(snapshot.elapsed_seconds(now))
    return {
        TimerState.RUNNING: f"Running {elapsed}",
        TimerState.PAUSED: f"Paused at {elapsed}",
        TimerState.STOPPED: f"Stopped at {elapsed}",
    }[snapshot.state]


def present(
    snapshot: Snapshot | None,
    connection: Connection,
    pending: frozenset[Action],
    now: datetime,
    *,
    detail: str | None = None,
    last_answer: datetime | None = None,
) -> TimerDisplay:
    """Everything a view needs at ``now``; cheap enough to call on every tick."""
    state = snapshot.state if snapshot is not None else TimerState.NONE
    icon = _CONNECTION_ICONS.get(connection, _STATE_ICONS[state])
    line = timer_line(snapshot, now)
    if connection is Connection.OFFLINE and snapshot is not None:
        # The clock goes on from what awork last said, but awork has not confirmed it since.
        line = f"{line} (unconfirmed)"
    label = snapshot.label() if snapshot is not None and snapshot.entry_id else None
    header = f"{label} — {line}" if label else line
    status = _CONNECTION_WORDS.get(connection, "")
    if connection is Connection.OFFLINE and last_answer is not None:
        status = f"{status} since {last_answer.astimezone():%H:%M}"
    elif detail and connection is not Connection.ONLINE:
        status = f"{status}: {detail}" if status else detail
    tooltip_lines = [APP_NAME, line if not label else f"{line} · {label}"]
    if status:
        tooltip_lines.append(status)
    # Offline, a click still goes to the controller, which answers it at once (never queues it).
    usable = connection is not Connection.SIGNED_OUT and snapshot is not None
    items = {}
    for action, (idle_text, busy_text) in _LABELS.items():
        if action in pending:
            items[action] = ItemDisplay(busy_text, enabled=False)
        else:
            enabled = usable and not pending and can(action, state)
            if action is Action.START_AGAIN and (snapshot is None or not snapshot.type_of_work_id):
                enabled = False
            items[action] = ItemDisplay(idle_text, enabled)
    return TimerDisplay(
        icon=icon,
        tooltip="\n".join(tooltip_lines),
        header=header,
        status=status,
        items=items,
    )
