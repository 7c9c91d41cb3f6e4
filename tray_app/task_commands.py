"""The ``tasks``, ``start``, ``today`` and ``note`` commands: what they offer, name and print.

The command line's half of the task feature, kept out of ``cli.py`` (which parses, maps exit
codes and prints the timer's status): the same lists and rules as the tray's menu and find
window, through :class:`tray_app.core.catalog.TaskCatalog`, so a terminal and the tray never
disagree. awork's failures pass through as its typed errors; :class:`NothingDone` is the
command's own "nothing to act on" (exit 1).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from tray_app.core.task_match import filter_choices, resolve_task, search_term, with_found
from tray_app.core.tasks import TaskChoice, TaskSource, choice_of_task
from tray_app.core.timer import Snapshot

if TYPE_CHECKING:  # the parsers load with the command line, before the tray's icon
    from tray_app.awork.client import AworkClient
    from tray_app.awork.models import TimeTracking
    from tray_app.core.catalog import TaskCatalog, TaskLists

log = logging.getLogger(__name__)


class NothingDone(Exception):
    """Nothing to act on: ``TASK`` names no task or several (``candidates``), or no timer is on."""

    def __init__(self, message: str, candidates: Sequence[TaskChoice] = ()) -> None:
        super().__init__(message)
        self.candidates = tuple(candidates)


@dataclass(frozen=True)
class Offer:
    """The tasks offered, in the menu's order, and the lists they came from."""

    lists: TaskLists
    choices: tuple[TaskChoice, ...]


def offered(catalog: TaskCatalog, favourites: Sequence[str], search: str | None = None) -> Offer:
    """What the tray would offer: favourites, recent, assigned; ``search`` filters them and adds
    awork's search results (as the find window does)."""
    lists = catalog.lists(favourites)
    choices = list(lists.menu(favourites, lists.fetched_at).all())
    if search is not None:
        choices = with_found(filter_choices(choices, search), catalog.search(search))
    return Offer(lists, tuple(choices))


def named_task(catalog: TaskCatalog, text: str, favourites: Sequence[str]) -> Offer:
    """The one task ``text`` names, as the only choice of the offer; NoSuchTask otherwise.

    An id or identifier among the lists settles it without a search; anything else is looked
    for among the lists and awork's search results together, so a second task of the same
    words elsewhere in the workspace makes it ambiguous rather than a guess.
    """
    offer = offered(catalog, favourites)
    wanted = " ".join(text.split()).casefold()
    local = resolve_task(text, offer.choices)
    if len(local) == 1 and wanted in (
        local[0].id.casefold(),
        (local[0].identifier or "").casefold(),
    ):
        return Offer(offer.lists, (local[0],))
    found = catalog.search(text) if search_term(text) is not None else []
    matches = resolve_task(text, with_found(offer.choices, found))
    if not matches and _is_id(wanted):
        matches = _read_by_id(catalog, wanted)
    if len(matches) == 1:
        return Offer(offer.lists, (matches[0],))
    shown = " ".join(text.split())
    if not matches:
        raise NothingDone(f"no task matches '{shown}'; nothing started.")
    raise NothingDone(
        f"'{shown}' matches {len(matches)} tasks; nothing started. Name one of them:", matches
    )


def _is_id(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _read_by_id(catalog: TaskCatalog, task_id: str) -> list[TaskChoice]:
    """A task in no list, named by its id (e.g. by a script): read it, if awork has it."""
    from tray_app.awork.errors import Refused

    try:
        task = catalog.task(task_id)
    except Refused as exc:
        log.info("no task %s: %s", task_id, exc.log_details())
        return []
    return [choice_of_task(task, TaskSource.SEARCH)]


# --- the commands -------------------------------------------------------------------------------


def print_tasks(
    out: TextIO,
    as_json: bool,
    catalog: TaskCatalog,
    favourites: Sequence[str],
    search: str | None,
) -> None:
    """``tasks [--search TEXT]``: what the tray would offer."""
    print_choices(out, as_json, offered(catalog, favourites, search).choices)


def print_choices(out: TextIO, as_json: bool, choices: Sequence[TaskChoice]) -> None:
    """Tasks one a line (``source  label  [id]``), or the JSON list ``tasks --json`` prints."""
    if as_json:
        print(json.dumps([choice.as_json() for choice in choices]), file=out)
        return
    for choice in choices:
        print(f"{choice.source.value:<9}  {choice.label()}  [{choice.id}]", file=out)


def start(
    catalog: TaskCatalog, text: str, favourites: Sequence[str], note: str | None
) -> TimeTracking:
    """``start TASK [--note TEXT]``: one start on the one task ``text`` names."""
    offer = named_task(catalog, text, favourites)
    (choice,) = offer.choices
    return catalog.start(choice, note=note, lists=offer.lists)


def print_today(
    out: TextIO,
    as_json: bool,
    catalog: TaskCatalog,
    client: AworkClient,
    now: Callable[[], datetime],
) -> None:
    """``today``: the person's own total, the timer as awork has it now counted in."""
    lists = catalog.lists(())
    total = lists.today(now(), catalog.zone(), client.current())
    print(json.dumps(total.as_json()) if as_json else total.line(), file=out)


def set_note(catalog: TaskCatalog, client: AworkClient, text: str) -> TimeTracking:
    """``note TEXT``: the running or paused timer's new note; NothingDone when none is on."""
    entry = client.current()
    if entry is None or not Snapshot.of(entry).state.is_active:
        raise NothingDone("No running or paused timer to set a note on.")
    return catalog.set_note(entry, text)
