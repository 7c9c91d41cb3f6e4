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
class SeedTypeOfWork:
    id: str
    name: str
    icon: str


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


@dataclass(frozen=True)
class SeedTask:
    id: str
    name: str
    task_identifier: str
    project_id: str
    type_of_work_id: str


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

    def type_of_work(self, type_id: str) -> SeedTypeOfWork | None:
        return _find(self.types_of_work, type_id)

    def project(self, project_id: str) -> SeedProject | None:
        return _find(self.projects, project_id)

    def task(self, task_id: str) -> SeedTask | None:
        return _find(self.tasks, task_id)


_Item = TypeVar("_Item", SeedTypeOfWork, SeedProject, SeedTask)


def _find(items: tuple[_Item, ...], wanted: str) -> _Item | None:
    """Look an id up the way awork compares uuids: without regard to case."""
    wanted = wanted.lower()
    return next((item for item in items if item.id == wanted), None)


def default_seed() -> Seed:
    """Ada Lovelace of Sandbox GmbH, three projects, five tasks, two types of work."""
    design = SeedTypeOfWork(_id("type:design"), "Design", "brush")
    development = SeedTypeOfWork(_id("type:development"), "Development", "code")
    acme = SeedCompany(_id("company:acme"), "Acme Corp")
    globex = SeedCompany(_id("company:globex"), "Globex")
    website = SeedProject(_id("project:website"), "Website Relaunch", "WEB", acme, True)
    app = SeedProject(_id("project:app"), "Mobile App", "APP", globex, True)
    internal = SeedProject(_id("project:internal"), "Internal", "INT", None, False)
    tasks = (
        SeedTask(_id("task:web-1"), "Design the landing page", "WEB-1", website.id, design.id),
        SeedTask(_id("task:web-2"), "Write the sitemap", "WEB-2", website.id, design.id),
        SeedTask(_id("task:app-1"), "Fix the login screen", "APP-1", app.id, development.id),
        SeedTask(_id("task:app-2"), "Release version 2.0", "APP-2", app.id, development.id),
        SeedTask(_id("task:int-1"), "Team meeting", "INT-1", internal.id, design.id),
    )
    return Seed(
        user_id=_id("user:ada"),
        first_name="Ada",
        last_name="Lovelace",
        workspace_id=_id("workspace:sandbox"),
        workspace_name="Sandbox GmbH",
        workspace_url="https://sandbox-gmbh.awork.com",
        timezone="Europe/Berlin",
        types_of_work=(design, development),
        projects=(website, app, internal),
        tasks=tasks,
    )
