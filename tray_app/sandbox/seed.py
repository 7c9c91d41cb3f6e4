"""The people, projects, tasks and types of work the sandbox starts with.

Ids are fixed (uuid5 of a name), so a demo, a test and a person reading a log see the same ids
every run; every object is frozen, so the whole seed can be shared between threads without a lock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TypeVar

_NAMESPACE = uuid.UUID("5b1e7c2a-3f4d-4e8a-9c6b-2d7f0a1b3c4e")


def _id(name: str) -> str:
    """A stable uuid for a seed object, so ids never change between runs."""
    return str(uuid.uuid5(_NAMESPACE, name))


@dataclass(frozen=True)
class SeedUser:
    """A person of the workspace: the signed-in one or a colleague."""

    id: str
    first_name: str
    last_name: str


@dataclass(frozen=True)
class SeedTypeOfWork:
    """A type of work; an archived one is listed with ``showArchived`` but cannot be tracked on."""

    id: str
    name: str
    icon: str
    archived: bool = False


@dataclass(frozen=True)
class SeedCompany:
    id: str
    name: str


@dataclass(frozen=True)
class SeedProject:
    id: str
    name: str
    key: str
    company: SeedCompany | None
    billable_by_default: bool
    status: str = "progress"
    """``projectStatus.type``: ``not-started``, ``progress``, ``stuck`` or ``closed``."""
    type_of_work_ids: tuple[str, ...] = ()
    """The types of work the project offers (``GET /projects/{id}/typeofwork``), first first."""

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"


@dataclass(frozen=True)
class SeedTask:
    """A task; a private one has no project and no identifier, and some have no type of work."""

    id: str
    name: str
    task_identifier: str | None
    project_id: str | None
    type_of_work_id: str | None
    status: str = "todo"
    """``taskStatus.type``: ``todo``, ``progress``, ``review``, ``stuck`` or ``done``."""
    assignee_ids: tuple[str, ...] = ()
    number: int | None = None

    @property
    def base_type(self) -> str:
        return "projecttask" if self.project_id else "private"

    @property
    def is_done(self) -> bool:
        return self.status == "done"


@dataclass(frozen=True)
class Seed:
    """Everything the sandbox knows besides time entries, for tests to pick ids from.

    ``types_of_work``, ``projects`` and ``tasks`` are tuples of frozen items with ``id`` and
    ``name``; a task names its ``project_id`` and ``type_of_work_id``. ``tasks[0]`` carries the
    seeded paused timer. The lookups take an id in any case and give None for an unknown one.
    """

    user_id: str
    first_name: str
    last_name: str
    workspace_id: str
    workspace_name: str
    workspace_url: str
    timezone: str
    types_of_work: tuple[SeedTypeOfWork, ...]
    projects: tuple[SeedProject, ...]
    tasks: tuple[SeedTask, ...]
    colleagues: tuple[SeedUser, ...] = ()
    weekly_capacity: tuple[int, ...] = (28800, 28800, 28800, 28800, 28800, 0, 0)
    """Seconds per weekday, Monday first (``UserWeeklyCapacity``)."""
    timetracking_settings: tuple[tuple[str, bool, int | None], ...] = ()
    """``GET /timetracking/settings``: ``(type, enabled, dayCount)``."""

    @property
    def users(self) -> tuple[SeedUser, ...]:
        """Everyone in the workspace, the signed-in person first."""
        me = SeedUser(self.user_id, self.first_name, self.last_name)
        return (me, *self.colleagues)

    def user(self, user_id: str) -> SeedUser | None:
        return _find(self.users, user_id)

    def setting(self, setting_type: str) -> bool:
        """Whether the workspace has the time-tracking rule ``setting_type`` switched on."""
        return any(kind == setting_type and on for kind, on, _ in self.timetracking_settings)

    def project_types_of_work(self, project: SeedProject) -> tuple[SeedTypeOfWork, ...]:
        """The project's types of work; a project that names none offers every one."""
        ids = project.type_of_work_ids or tuple(item.id for item in self.types_of_work)
        return tuple(item for item in self.types_of_work if item.id in ids)

    def type_of_work(self, type_id: str) -> SeedTypeOfWork | None:
        return _find(self.types_of_work, type_id)

    def project(self, project_id: str) -> SeedProject | None:
        return _find(self.projects, project_id)

    def task(self, task_id: str) -> SeedTask | None:
        return _find(self.tasks, task_id)


_Item = TypeVar("_Item", SeedTypeOfWork, SeedProject, SeedTask, SeedUser)


def _find(items: tuple[_Item, ...], wanted: str) -> _Item | None:
    """Look an id up the way awork compares uuids: without regard to case."""
    wanted = wanted.lower()
    return next((item for item in items if item.id == wanted), None)


_TaskRow = tuple[str, str, SeedProject | None, SeedTypeOfWork | None, str, tuple[str, ...]]
"""key, name, project, type of work, status, assignees: one line of the seed's task table."""


def _task(row: _TaskRow) -> SeedTask:
    """A task from its row; a project task's identifier is its key, e.g. ``WEB-12``."""
    key, name, project, kind, status, assignees = row
    return SeedTask(
        _id(f"task:{key}"),
        name,
        key.upper() if project else None,
        project.id if project else None,
        kind.id if kind else None,
        status=status,
        assignee_ids=assignees,
        number=int(key.rsplit("-", 1)[1]) if project else None,
    )


PREVENT_ON_DONE_PROJECTS = "prevent-on-done-projects"
"""The workspace rule that refuses a start on a task of a closed project."""


def default_seed() -> Seed:
    """Ada Lovelace of Sandbox GmbH and a colleague, five projects (one closed), many tasks.

    The first five tasks and three projects keep their places: tests and the demo pick them by
    index (``tasks[0]`` carries the paused timer).
    """
    ada, grace = _id("user:ada"), _id("user:grace")
    design = SeedTypeOfWork(_id("type:design"), "Design", "brush")
    development = SeedTypeOfWork(_id("type:development"), "Development", "code")
    meeting = SeedTypeOfWork(_id("type:meeting"), "Meeting", "people")
    management = SeedTypeOfWork(_id("type:management"), "Project management", "clipboard")
    consulting = SeedTypeOfWork(_id("type:consulting"), "Consulting (old)", "chat", archived=True)
    acme = SeedCompany(_id("company:acme"), "Acme Corp")
    globex = SeedCompany(_id("company:globex"), "Globex")
    initech = SeedCompany(_id("company:initech"), "Initech")
    website = SeedProject(
        _id("project:website"),
        "Website Relaunch",
        "WEB",
        acme,
        True,
        type_of_work_ids=(design.id, development.id, meeting.id),
    )
    app = SeedProject(
        _id("project:app"),
        "Mobile App",
        "APP",
        globex,
        True,
        type_of_work_ids=(development.id, design.id, consulting.id),
    )
    internal = SeedProject(_id("project:internal"), "Internal", "INT", None, False)
    brand = SeedProject(
        _id("project:brand"),
        "Brand Refresh 2025",
        "BRD",
        initech,
        True,
        status="closed",
        type_of_work_ids=(design.id,),
    )
    shop = SeedProject(
        _id("project:shop"),
        "Online Shop",
        "SHOP",
        acme,
        False,
        status="not-started",
        type_of_work_ids=(consulting.id, management.id),
    )
    me, both, her = (ada,), (ada, grace), (grace,)

    rows: tuple[_TaskRow, ...] = (
        ("web-1", "Design the landing page", website, design, "progress", me),
        ("web-2", "Write the sitemap", website, design, "todo", me),
        ("app-1", "Fix the login screen", app, development, "progress", both),
        ("app-2", "Release version 2.0", app, development, "review", me),
        ("int-1", "Team meeting", internal, design, "progress", both),
        ("web-12", "Build the contact form", website, None, "progress", me),
        ("web-13", "Cookie banner", website, development, "done", me),
        ("web-14", "Accessibility review", website, None, "todo", her),
        ("web-15", "Image optimisation", website, development, "stuck", ()),
        ("app-3", "Push notifications", app, None, "todo", both),
        ("app-4", "Crash on Android 15", app, development, "done", me),
        ("app-5", "Dark mode", app, design, "todo", her),
        ("int-2", "Quarterly planning", internal, management, "todo", me),
        ("int-3", "Onboarding Grace", internal, meeting, "done", both),
        ("brd-1", "New logo", brand, design, "done", me),
        ("brd-2", "Style guide", brand, design, "progress", me),
        ("shop-1", "Requirements workshop", shop, None, "todo", both),
        ("private-1", "Expense report", None, None, "todo", me),
        ("private-2", "Read the API docs", None, development, "done", me),
    )
    tasks = tuple(_task(row) for row in rows)
    return Seed(
        user_id=ada,
        first_name="Ada",
        last_name="Lovelace",
        workspace_id=_id("workspace:sandbox"),
        workspace_name="Sandbox GmbH",
        workspace_url="https://sandbox-gmbh.awork.com",
        timezone="Europe/Berlin",
        types_of_work=(design, development, meeting, management, consulting),
        projects=(website, app, internal, brand, shop),
        tasks=tasks,
        colleagues=(SeedUser(grace, "Grace", "Hopper"),),
        timetracking_settings=(
            (PREVENT_ON_DONE_PROJECTS, True, None),
            ("prevent-overlapping", False, None),
            ("prevent-past-entries", False, 30),
        ),
    )
