"""Finding a task by typed text: the find window's filter, its search term, the CLI's TASK.

One set of rules for the tray and the command line: every typed word must appear, in any order
and any case, in the task's name, identifier or project. No Qt, no HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable

from tray_app.core.tasks import TaskChoice

__all__ = [
    "SEARCH_MAX_CHARS",
    "SEARCH_MIN_CHARS",
    "filter_choices",
    "resolve_task",
    "search_term",
    "with_found",
]

SEARCH_MIN_CHARS = 2
SEARCH_MAX_CHARS = 50  # awork's limit on searchTerm


def _haystack(choice: TaskChoice) -> str:
    parts = (choice.name, choice.identifier, choice.project_name)
    return " ".join(part for part in parts if part).casefold()


def _words(text: str) -> list[str]:
    return text.casefold().split()


def filter_choices(choices: Iterable[TaskChoice], text: str) -> list[TaskChoice]:
    """The tasks whose name, identifier or project contain every typed word, in any order.

    Case does not matter; the order of ``choices`` is kept; no words keeps them all.
    """
    words = _words(text)
    return [c for c in choices if all(word in _haystack(c) for word in words)]


def search_term(text: str) -> str | None:
    """What to send awork's search for typed ``text``: None under 2 characters, cut to 50."""
    term = " ".join(text.split())
    if len(term) < SEARCH_MIN_CHARS:
        return None
    return term[:SEARCH_MAX_CHARS].rstrip()


def with_found(local: Iterable[TaskChoice], found: Iterable[TaskChoice]) -> list[TaskChoice]:
    """The local matches first, then the search's, each task once (the first listing wins)."""
    merged: dict[str, TaskChoice] = {}
    for choice in (*local, *found):
        merged.setdefault(choice.id, choice)
    return list(merged.values())


def resolve_task(text: str, candidates: Iterable[TaskChoice]) -> list[TaskChoice]:
    """The task(s) the command line's ``TASK`` names among ``candidates`` (in priority order).

    Tried in turn, the first rule that finds any wins: the task id; the task identifier
    (``web-12``); a name equal to the text; the tasks matching every word (as
    :func:`filter_choices`). Case is ignored throughout. One result is the task, several are
    the candidates to list, none is none. A task listed in several sources counts once.
    """
    unique = with_found(candidates, ())
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return []
    rules = (
        lambda c: c.id.casefold() == wanted,
        lambda c: c.identifier is not None and c.identifier.casefold() == wanted,
        lambda c: " ".join(c.name.split()).casefold() == wanted,
    )
    for rule in rules:
        matches = [c for c in unique if rule(c)]
        if matches:
            return matches
    return filter_choices(unique, wanted)
