"""The plan behind "Discard" and "Discard and continue" in the return window, and its one line.

awork cannot give a running entry an end, so discarding the time away takes two calls: stop the
timer, then ``PUT`` the stopped entry with its end moved back to when the person left. Either may
fail, and the person must read exactly what happened ("Stopped at 11:45; could not move the end
to 11:02: <awork's reason>"). Nothing is retried on its own, and nothing is sent when the timer
is no longer the one the window asked about. The calls are injected (the tray passes its awork
client's methods, run on its worker thread), so this stays Qt-free and HTTP-free.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from enum import StrEnum
from typing import TYPE_CHECKING

from tray_app.awork.errors import AworkError
from tray_app.core.away import AskAboutAway, format_away, local_hhmm, shown_minutes_between
from tray_app.core.timer import Clock, TimerState, state_of
from tray_app.core.translation import QT_TRANSLATE_NOOP, as_is, fill

if TYPE_CHECKING:
    from tray_app.awork.models import StartForm, TimeTracking, TimeTrackingPutForm

__all__ = ["AwayCalls", "AwayChoice", "DiscardOutcome", "discard_time_away"]

_log = logging.getLogger(__name__)


class AwayChoice(StrEnum):
    """The return window's three buttons; Escape is Keep."""

    KEEP = "keep"
    DISCARD = "discard"
    DISCARD_AND_CONTINUE = "discard-and-continue"


@dataclass(frozen=True)
class AwayCalls:
    """The awork calls a discard needs; each raises an ``AworkError`` when it fails."""

    current: Callable[[], TimeTracking | None]
    stop: Callable[[], TimeTracking | None]
    put: Callable[[str, TimeTrackingPutForm], TimeTracking]
    start: Callable[[StartForm], TimeTracking]


@dataclass(frozen=True)
class DiscardOutcome:
    """What was done, and the one line that says so (the notification or the window's text)."""

    stopped: bool
    end_moved: bool
    started_again: bool
    text: str


_CHANGED = QT_TRANSLATE_NOOP("AwayWindow", "Nothing discarded: the timer was changed meanwhile")
_NOT_STOPPED = QT_TRANSLATE_NOOP("AwayWindow", "Could not stop the timer: %1")
_NOT_MOVED = QT_TRANSLATE_NOOP("AwayWindow", "Stopped at %1; could not move the end to %2: %3")
_DISCARDED = QT_TRANSLATE_NOOP("AwayWindow", "Discarded %1 away: the entry now ends at %2")
_CONTINUED = QT_TRANSLATE_NOOP("AwayWindow", "Discarded %1 away; started again")
_NOT_CONTINUED = QT_TRANSLATE_NOOP("AwayWindow", "Discarded %1 away; could not start again: %2")


def _details(error: AworkError) -> str:
    """What the log says of a failed call: awork's status, code and trace, else what kind of
    failure it was (no network has no status), so the line never ends in nothing."""
    return error.log_details() or type(error).__name__


def _reason(error: Exception) -> str:
    text = str(error).strip()
    return text.removesuffix(".") if text else "no reason given"


def discard_time_away(
    ask: AskAboutAway,
    choice: AwayChoice,
    calls: AwayCalls,
    *,
    timezone: str,
    zone: tzinfo,
    clock: Clock,
    translate: Callable[[str], str] = as_is,
) -> DiscardOutcome | None:
    """Carry out the person's choice; None for Keep, which sends nothing.

    Reads the timer first and acts only if the entry asked about still runs. Then stop, then the
    PUT with the end at ``ask.start``; for "Discard and continue", a start of the same task,
    type of work and note in ``timezone`` (the machine's IANA zone). Meant for a worker thread:
    it blocks on each call in turn, and stops at the first failure.
    """
    if choice is AwayChoice.KEEP:
        _log.info("away: the person keeps the time away")
        return None
    from tray_app.awork.models import TimeTrackingPutForm

    away = format_away(shown_minutes_between(ask.start, ask.end))
    left = local_hhmm(ask.start, zone)
    try:
        entry = calls.current()
    except AworkError as error:
        _log.warning("away: could not read the timer before discarding: %s", _details(error))
        return DiscardOutcome(False, False, False, fill(translate(_NOT_STOPPED), _reason(error)))
    if entry is None or entry.id != ask.entry_id or state_of(entry) is not TimerState.RUNNING:
        _log.info("away: the timer changed before the discard; nothing sent")
        return DiscardOutcome(False, False, False, translate(_CHANGED))
    try:
        stopped = calls.stop() or calls.current()
    except AworkError as error:
        _log.warning("away: the stop failed: %s", _details(error))
        return DiscardOutcome(False, False, False, fill(translate(_NOT_STOPPED), _reason(error)))
    if stopped is None or stopped.id != ask.entry_id:
        # The stop answered 204 and the re-read failed to show it: say it as awork did.
        stopped = entry
    stopped_at = (stopped.end_utc if stopped.end_utc else clock()).astimezone(zone)
    try:
        form = TimeTrackingPutForm.with_end(stopped, ask.start)
        calls.put(stopped.id, form)
    except (AworkError, ValueError) as error:
        details = _details(error) if isinstance(error, AworkError) else str(error)
        _log.warning("away: stopped, but the end was not moved: %s", details)
        text = fill(translate(_NOT_MOVED), stopped_at.strftime("%H:%M"), left, _reason(error))
        return DiscardOutcome(True, False, False, text)
    _log.info("away: discarded %s away from entry %s", away, stopped.id)
    if choice is AwayChoice.DISCARD:
        return DiscardOutcome(True, True, False, fill(translate(_DISCARDED), away, left))
    return _start_again(stopped, away, calls, timezone, translate)


def _start_again(
    entry: TimeTracking,
    away: str,
    calls: AwayCalls,
    timezone: str,
    translate: Callable[[str], str],
) -> DiscardOutcome:
    from tray_app.awork.models import StartForm

    type_of_work = entry.type_of_work_id or (entry.type_of_work.id if entry.type_of_work else None)
    try:
        if not type_of_work:
            raise ValueError("the entry has no type of work to start again with")
        form = StartForm(
            timezone=timezone,
            type_of_work_id=type_of_work,
            task_id=entry.task_id or (entry.task.id if entry.task else None),
            project_id=entry.project_id or (entry.project.id if entry.project else None),
            note=entry.note,
            is_billable=entry.is_billable,
        )
        calls.start(form)
    except (AworkError, ValueError) as error:
        _log.warning("away: discarded, but could not start again: %s", _reason(error))
        return DiscardOutcome(
            True, True, False, fill(translate(_NOT_CONTINUED), away, _reason(error))
        )
    return DiscardOutcome(True, True, True, fill(translate(_CONTINUED), away))
