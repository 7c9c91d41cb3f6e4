"""What changed between two observations of the timer, so the tray can tell the person.

The tray polls awork's last entry; a change made elsewhere (the web app, a phone, awork's own
24-hour stop) shows up only as a different answer. :func:`changes_between` turns two snapshots
into the events worth a notification, and yields nothing for the same answer seen twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from tray_app.core.timer import Snapshot, TimerState, format_elapsed
from tray_app.core.translation import QT_TRANSLATE_NOOP, as_is, fill

__all__ = [
    "AUTO_STOP_AFTER",
    "AUTO_STOP_TOLERANCE",
    "Change",
    "ChangeKind",
    "changes_between",
    "is_auto_stop",
]

log = logging.getLogger(__name__)

AUTO_STOP_AFTER = timedelta(hours=24)
"""awork stops a timer by itself this long after it started (worked time plus breaks)."""

AUTO_STOP_TOLERANCE = timedelta(minutes=1)
"""How far from exactly 24 hours a stop may lie and still count as awork's own."""


# Any aware instant: the elapsed time of a stopped entry does not depend on the clock.
_ANY_INSTANT = datetime(2000, 1, 1, tzinfo=UTC)


class ChangeKind(StrEnum):
    """The kinds of change a person is told about."""

    STARTED = "started"
    PAUSED = "paused"
    RESUMED = "resumed"
    STOPPED = "stopped"
    AUTO_STOPPED = "auto_stopped"
    SWITCHED = "switched"
    TASK_CHANGED = "task_changed"


@dataclass(frozen=True)
class Change:
    """One event between two observations, with both snapshots so the text can name the task."""

    kind: ChangeKind
    before: Snapshot | None
    after: Snapshot

    def describe(self, translate: Callable[[str], str] = as_is) -> str:
        """One line for a notification or the log, naming the task the change is about.

        ``translate`` turns each English template into the person's language (the tray passes
        Qt's translation); ``%1``, ``%2`` in it stand for the task labels and times.
        """
        after = self.after
        label = after.label()
        before = self.before.label() if self.before is not None else label
        match self.kind:
            case ChangeKind.STARTED if after.state is TimerState.PAUSED:
                text, values = QT_TRANSLATE_NOOP("Change", "Timer started, now paused: %1"), [label]
            case ChangeKind.STARTED:
                text, values = QT_TRANSLATE_NOOP("Change", "Timer started: %1"), [label]
            case ChangeKind.SWITCHED:
                text = QT_TRANSLATE_NOOP("Change", "Timer switched to %1 (was %2)")
                values = [label, before]
            case ChangeKind.PAUSED:
                text, values = QT_TRANSLATE_NOOP("Change", "Timer paused: %1"), [label]
            case ChangeKind.RESUMED:
                text, values = QT_TRANSLATE_NOOP("Change", "Timer resumed: %1"), [label]
            case ChangeKind.STOPPED if self._same_entry() and after.state is TimerState.STOPPED:
                worked = format_elapsed(after.elapsed_seconds(_ANY_INSTANT))
                text, values = (
                    QT_TRANSLATE_NOOP("Change", "Timer stopped after %1: %2"),
                    [
                        worked,
                        label,
                    ],
                )
            case ChangeKind.STOPPED:
                text, values = QT_TRANSLATE_NOOP("Change", "Timer stopped: %1"), [before]
            case ChangeKind.AUTO_STOPPED:
                text = QT_TRANSLATE_NOOP("Change", "Timer stopped by awork after 24 hours: %1")
                values = [label]
            case ChangeKind.TASK_CHANGED:
                text, values = (
                    QT_TRANSLATE_NOOP("Change", "Timer task changed: %1 → %2"),
                    [
                        before,
                        label,
                    ],
                )
        return fill(translate(text), *values)

    def _same_entry(self) -> bool:
        return self.before is not None and self.before.entry_id == self.after.entry_id


def is_auto_stop(after: Snapshot) -> bool:
    """Whether a stopped entry ended where awork's 24-hour stop would have ended it.

    Precisely: the entry has a start and an end instant, and ``end - start`` (worked time plus
    breaks) lies within :data:`AUTO_STOP_TOLERANCE` of :data:`AUTO_STOP_AFTER`, both ends included.
    awork also stops a timer at the person's daily maximum; that cannot be told from the entry and
    is reported as a plain stop.
    """
    entry = after.entry
    if after.state is not TimerState.STOPPED or entry is None:
        return False
    start, end = entry.start_utc, entry.end_utc
    if start is None or end is None:
        return False
    return abs((end - start) - AUTO_STOP_AFTER) <= AUTO_STOP_TOLERANCE


def _task_changed(before: Snapshot, after: Snapshot) -> bool:
    if not (before.state.is_active or after.state.is_active):
        # Editing a finished record elsewhere is not news about the timer.
        return False
    return (before.task_id, before.project_id) != (after.task_id, after.project_id)


def _same_entry_changes(before: Snapshot, after: Snapshot) -> list[Change]:
    if before.is_newer_than(after) is True:
        # A late answer (e.g. a poll that overtook a pause) must not undo what was seen.
        log.debug("Ignoring a stale answer for entry %s", after.entry_id)
        return []
    changes: list[Change] = []
    old, new = before.state, after.state
    if old is TimerState.RUNNING and new is TimerState.PAUSED:
        changes.append(Change(ChangeKind.PAUSED, before, after))
    elif old is TimerState.PAUSED and new is TimerState.RUNNING:
        changes.append(Change(ChangeKind.RESUMED, before, after))
    elif old.is_active and new is TimerState.STOPPED:
        kind = ChangeKind.AUTO_STOPPED if is_auto_stop(after) else ChangeKind.STOPPED
        changes.append(Change(kind, before, after))
    elif not old.is_active and new.is_active:
        # awork does not restart a finished entry, but if an answer says so, it is a start.
        changes.append(Change(ChangeKind.STARTED, before, after))
    if _task_changed(before, after):
        changes.append(Change(ChangeKind.TASK_CHANGED, before, after))
    return changes


def changes_between(before: Snapshot | None, after: Snapshot) -> list[Change]:
    """The events that lead from one observation to the next, in the order to announce them.

    - ``before`` is ``None`` (the first poll): nothing; only changes after a first look count.
    - Same entry: running → paused is PAUSED, paused → running RESUMED, running or paused →
      stopped STOPPED (AUTO_STOPPED if :func:`is_auto_stop`), stopped → running or paused STARTED;
      a different task or project while either side is active adds TASK_CHANGED after the state
      change. An answer older than ``before`` (by :meth:`Snapshot.is_newer_than`) yields nothing.
    - A different entry that is running or paused: SWITCHED if the old one was running or paused
      (awork stopped it to start the new one), else STARTED.
    - A different entry that is stopped, or no entry at all: STOPPED if the old timer was running
      or paused (the tray no longer shows it running), else nothing, because a record logged
      elsewhere is not news about the timer.
    - The same answer twice yields nothing.
    """
    if before is None:
        return []
    if before.entry_id == after.entry_id:
        if after.entry_id is None:
            return []
        return _same_entry_changes(before, after)
    if after.state.is_active:
        kind = ChangeKind.SWITCHED if before.state.is_active else ChangeKind.STARTED
        return [Change(kind, before, after)]
    if before.state.is_active:
        return [Change(ChangeKind.STOPPED, before, after)]
    return []
