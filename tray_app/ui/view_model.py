"""What the tray, its menu and the fallback window show, as plain values.

Both views render the same :class:`TimerDisplay`, so the menu and the window never disagree, and
the wording is tested without a display. The words go through Qt's translation system (context
``TimerDisplay``); nothing else of Qt is used here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QCoreApplication

from tray_app import APP_NAME
from tray_app.core.actions import Action, applies
from tray_app.core.sync import Connection
from tray_app.core.timer import Snapshot, TimerState, state_line
from tray_app.core.translation import QT_TRANSLATE_NOOP, fill
from tray_app.ui.icons import IconKind

__all__ = ["Connection", "ItemDisplay", "TimerDisplay", "present", "timer_line"]


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


_CONTEXT = "TimerDisplay"
_LABELS = {
    Action.RESUME: (
        QT_TRANSLATE_NOOP("TimerDisplay", "&Resume"),
        QT_TRANSLATE_NOOP("TimerDisplay", "Resuming…"),
    ),
    Action.PAUSE: (
        QT_TRANSLATE_NOOP("TimerDisplay", "&Pause"),
        QT_TRANSLATE_NOOP("TimerDisplay", "Pausing…"),
    ),
    Action.STOP: (
        QT_TRANSLATE_NOOP("TimerDisplay", "&Stop"),
        QT_TRANSLATE_NOOP("TimerDisplay", "Stopping…"),
    ),
    Action.START_AGAIN: (
        QT_TRANSLATE_NOOP("TimerDisplay", "Start &again"),
        QT_TRANSLATE_NOOP("TimerDisplay", "Starting…"),
    ),
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
    Connection.CONNECTING: QT_TRANSLATE_NOOP("TimerDisplay", "Connecting to awork…"),
    Connection.OFFLINE: QT_TRANSLATE_NOOP("TimerDisplay", "awork cannot be reached"),
    Connection.SIGNED_OUT: QT_TRANSLATE_NOOP("TimerDisplay", "Signed out of awork"),
    Connection.ERROR: QT_TRANSLATE_NOOP("TimerDisplay", "awork answered with an error"),
}


def _tr(text: str, *values: str) -> str:
    """``text`` in the person's language, with ``%1``, ``%2``… replaced by ``values``."""
    return fill(_translate(text), *values)


def timer_line(snapshot: Snapshot | None, now: datetime) -> str:
    """The timer's state in a few words, with the elapsed time where there is one."""
    return state_line(snapshot, now, _translate)


def _translate(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


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
        line = _tr(QT_TRANSLATE_NOOP("TimerDisplay", "%1 (unconfirmed)"), line)
    label = snapshot.label() if snapshot is not None and snapshot.entry_id else None
    header = f"{label} — {line}" if label else line
    status = _tr(_CONNECTION_WORDS[connection]) if connection in _CONNECTION_WORDS else ""
    if connection is Connection.OFFLINE and last_answer is not None:
        since = QT_TRANSLATE_NOOP("TimerDisplay", "%1 since %2")
        status = _tr(since, status, f"{last_answer.astimezone():%H:%M}")
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
            items[action] = ItemDisplay(_tr(busy_text), enabled=False)
        else:
            enabled = usable and not pending and applies(action, snapshot)
            items[action] = ItemDisplay(_tr(idle_text), enabled)
    return TimerDisplay(
        icon=icon,
        tooltip="\n".join(tooltip_lines),
        header=header,
        status=status,
        items=items,
    )
