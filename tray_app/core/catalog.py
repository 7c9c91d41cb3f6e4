"""The task catalog: the one Qt-free service between awork and the task features.

The tray's task section, its find window and the ``tasks``/``start``/``today``/``note`` commands
all fetch through it, so they send the same requests and apply the same rules (``tasks.py``,
``task_match.py``, ``today.py``). Its calls block: the tray runs them on its worker pool, the
command line directly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tray_app.awork.errors import AworkError, MalformedAnswer, Refused
from tray_app.core.actions import local_timezone_name
from tray_app.core.task_match import search_term
from tray_app.core.tasks import (
    RECENT_DAYS,
    TaskChoice,
    TaskMenu,
    TaskSource,
    choice_of_task,
    choices_of_search,
    choose_type_of_work,
    task_menu,
)
from tray_app.core.timer import Clock, utc_now
from tray_app.core.today import TodayTotal, today_total

if TYPE_CHECKING:  # only annotations: importing the catalog loads no pydantic
    from tray_app.awork.client import AworkClient
    from tray_app.awork.models import TimeTracking
    from tray_app.awork.task_models import Task, TypeOfWork, UserCapacity

__all__ = ["CannotEdit", "NoTypeOfWork", "TaskCatalog", "TaskLists"]

log = logging.getLogger(__name__)


class NoTypeOfWork(AworkError):
    """Nothing was started: neither the task, its project nor the workspace has a usable type."""

    default_message = "No active type of work to start this task with; nothing started."


class CannotEdit(AworkError):
    """The entry lacks what awork needs to save it (a type of work, a time zone); nothing sent."""

    default_message = "This time entry cannot be edited here; nothing changed."


@dataclass(frozen=True)
class TaskLists:
    """What the task section and today's total are computed from, fetched together."""

    person_id: str
    entries: tuple[TimeTracking, ...]
    """The person's own entries of the last 14 days, newest first (``GET /timeentries``)."""
    assigned: tuple[Task, ...]
    """``GET /me/assignedtasks``, open ones."""
    known: tuple[Task, ...]
    """Favourites found in no list, read by id (``GET /tasks/{id}``)."""
    capacity: UserCapacity | None
    """``GET /users/{id}/capacity``; None when awork would not tell."""
    fetched_at: datetime
    """Aware UTC, from the catalog's clock: how old the lists are."""

    def menu(self, favourite_ids: Sequence[str], now: datetime) -> TaskMenu:
        """The task section: favourites, recent, assigned (see :func:`core.tasks.task_menu`)."""
        return task_menu(
            favourite_ids=favourite_ids,
            entries=self.entries,
            assigned=self.assigned,
            user_id=self.person_id,
            now=now,
            known=self.known,
        )

    def today(self, now: datetime, zone: tzinfo, current: TimeTracking | None) -> TodayTotal:
        """Today's total at ``now``, ``current`` (the poll's entry) counted live."""
        return today_total(
            self.entries,
            user_id=self.person_id,
            now=now,
            zone=zone,
            capacity=self.capacity,
            current=current,
        )


class TaskCatalog:
    """Fetches the task lists, searches, and starts or annotates work, for the signed-in person."""

    def __init__(
        self,
        client: AworkClient,
        *,
        clock: Clock = utc_now,
        timezone: Callable[[], str] = local_timezone_name,
    ) -> None:
        self._client = client
        self._clock = clock
        self._timezone = timezone
        self._person_id: str | None = None

    def person_id(self) -> str:
        """The signed-in person's id (``GET /me`` once; a person does not change under a token)."""
        if self._person_id is None:
            self._person_id = self._client.me().id
        return self._person_id

    def zone(self) -> tzinfo:
        """The machine's time zone, whose days today's total and "recent" are counted in."""
        name = self._timezone()
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("unknown time zone %r; counting days in UTC", name)
            return UTC

    # -- the lists ---------------------------------------------------------------------------

    def lists(self, favourite_ids: Sequence[str]) -> TaskLists:
        """The person's recent entries, assigned tasks, capacity and unlisted favourites."""
        person = self.person_id()
        now = self._clock()
        entries = self._entries(person, now)
        assigned = tuple(self._client.assigned_tasks())
        capacity = self._capacity(person)
        missing = task_menu(
            favourite_ids=favourite_ids,
            entries=entries,
            assigned=assigned,
            user_id=person,
            now=now,
        ).missing_favourites
        known = tuple(task for task in map(self._favourite, missing) if task is not None)
        return TaskLists(person, entries, assigned, known, capacity, now.astimezone(UTC))

    def _entries(self, person: str, now: datetime) -> tuple[TimeTracking, ...]:
        since = (now.astimezone(self.zone()) - timedelta(days=RECENT_DAYS)).date()
        entries = self._client.entries_since(person, since)
        return tuple(entry for entry in entries if entry.person_id == person)

    def _capacity(self, person: str) -> UserCapacity | None:
        """None when awork will not tell (a refusal, an answer it does not understand)."""
        try:
            return self._client.capacity(person)
        except (Refused, MalformedAnswer) as exc:
            log.info("no capacity for today's total: %s", exc.log_details() or exc)
            return None

    def _favourite(self, task_id: str) -> Task | None:
        """A pinned task read by id; None for one awork no longer has (it stays pinned)."""
        try:
            return self._client.task(task_id)
        except ValueError:
            log.warning("a favourite is not a task id; left out")
        except Refused as exc:
            log.info("favourite task not found: %s", exc.log_details())
        return None

    # -- search and types of work ------------------------------------------------------------

    def task(self, task_id: str) -> Task:
        """One task by id (``GET /tasks/{id}``), e.g. one a script names that is in no list."""
        return self._client.task(task_id)

    def search(self, text: str) -> list[TaskChoice]:
        """awork's open tasks matching ``text``; [] for under 2 characters (nothing sent)."""
        term = search_term(text)
        if term is None:
            return []
        return choices_of_search(self._client.search_tasks(term))

    def types_of_work(self, choice: TaskChoice) -> list[TypeOfWork]:
        """The active types the person may choose for ``choice``: its project's, else all."""
        return [kind for kind in self._offered_types(choice) if not kind.is_archived]

    def _offered_types(self, choice: TaskChoice) -> list[TypeOfWork]:
        if choice.project_id:
            return self._client.project_types_of_work(choice.project_id)
        return self._client.types_of_work()

    # -- starting and annotating -------------------------------------------------------------

    def start(
        self,
        choice: TaskChoice,
        *,
        note: str | None = None,
        type_of_work_id: str | None = None,
        lists: TaskLists | None = None,
    ) -> TimeTracking:
        """Start ``choice`` with one ``POST /me/timetracking/start``, stopping whatever runs.

        A search hit is read by id first (it carries no type of work, maybe no billing). The type
        is ``type_of_work_id`` when given, else :func:`core.tasks.choose_type_of_work`'s, with the
        project's types fetched only when that needs them. Raises :class:`NoTypeOfWork` when
        there is none to use, and awork's refusal as a typed error; either way nothing changed.
        """
        # A search hit carries no type of work (and maybe no billing): read the task first.
        unread = choice.source is TaskSource.SEARCH and choice.type_of_work_id is None
        if unread and (type_of_work_id is None or choice.billable is None):
            choice = choice_of_task(self._client.task(choice.id), TaskSource.SEARCH)
        chosen = type_of_work_id or self._type_of_work(choice, lists)
        form = choice.start_form(type_of_work_id=chosen, timezone=self._timezone(), note=note)
        entry = self._client.start(form)
        log.info("started task %s", choice.id)
        return entry

    def _type_of_work(self, choice: TaskChoice, lists: TaskLists | None) -> str:
        if choice.type_of_work_id:
            return choice.type_of_work_id
        if lists is not None:
            person, entries = lists.person_id, lists.entries
        elif choice.project_id:  # the type last used on the project needs the person's entries
            person = self.person_id()
            entries = self._entries(person, self._clock())
        else:
            person, entries = "", ()
        found = choose_type_of_work(choice, entries=entries, user_id=person)
        if found is None:
            found = choose_type_of_work(
                choice, entries=entries, user_id=person, project_types=self._offered_types(choice)
            )
        if found is None:
            log.warning("no active type of work for task %s", choice.id)
            raise NoTypeOfWork()
        return found

    def set_note(self, entry: TimeTracking, note: str) -> TimeTracking:
        """Set ``entry``'s note with a whole ``PUT /timeentries/{id}``; a refusal keeps the old."""
        from tray_app.awork.models import TimeTrackingPutForm  # pydantic once a note is set

        try:
            form = TimeTrackingPutForm.with_note(entry, note.strip() or None)
        except ValueError as exc:
            log.warning("entry %s not editable: %s", entry.id, exc)
            raise CannotEdit() from None
        return self._client.update_entry(entry.id, form)
