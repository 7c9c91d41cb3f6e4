"""Marking words for translation without Qt, so the Qt-free core can still speak German.

Qt's ``lupdate`` collects every ``QT_TRANSLATE_NOOP("Context", "text")`` call by its name; the
tray then translates those texts with Qt. ``%1``, ``%2``… in a text are filled in afterwards, so
a translation may put them in another order.
"""

from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802  # the name lupdate looks for
    """Mark ``text`` for translation in ``context``; returns it unchanged."""
    return text


def fill(template: str, *values: str) -> str:
    """``template`` with ``%1``, ``%2``… replaced by ``values``, as Qt's ``arg()`` does."""
    for number, value in reversed(list(enumerate(values, start=1))):
        template = template.replace(f"%{number}", value)
    return template


def as_is(text: str) -> str:
    """The translation that keeps English: for the log and the command line."""
    return text
