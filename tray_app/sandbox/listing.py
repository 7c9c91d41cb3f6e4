"""awork's list answers: ``filterby``, ``orderby``, paging and the ``aw-*`` headers.

Every list route of awork pages the same way, so one function does it for all: filter, order,
cut out the page, and say in the headers which page it is and how many items there are in all.
Whatever it cannot read is awork's ``validation-failed`` 400, naming the parameter.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import parse_qsl

from tray_app.sandbox.errors import validation_failed
from tray_app.sandbox.filters import (
    FilterContext,
    FilterError,
    Item,
    compile_filter,
    field_paths,
    matching,
    ordered,
    parse_order,
)

logger = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 10
"""The document's default: a client that wants more must say so."""
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class Page:
    """One page of a list and the headers awork sends with it."""

    items: list[Item]
    headers: tuple[tuple[str, str], ...]


def query_params(query: str) -> dict[str, str]:
    """The query's parameters by lower-case name (awork binds them without regard to case)."""
    return {key.lower(): value for key, value in parse_qsl(query, keep_blank_values=True)}


def _whole_number(params: dict[str, str], name: str, default: int, top: int | None) -> int:
    raw = params.get(name.lower())
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1 or (top is not None and value > top):
        limit = f" and {top}" if top is not None else ""
        raise validation_failed([(name, f"'{name}' must be a whole number between 1{limit}.")])
    return value


def page_of(
    items: Sequence[Item],
    query: str,
    context: FilterContext,
    *,
    fields: frozenset[str] | None = None,
) -> Page:
    """Filter, order and page ``items`` (their JSON) as the query asks.

    ``fields`` are the paths a filter may name; by default every path the items have.
    """
    params = query_params(query)
    page = _whole_number(params, "page", 1, None)
    size = _whole_number(params, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    known = fields if fields is not None else field_paths(items)
    selected = list(items)
    if params.get("filterby"):
        with _refused_as("filterby"):
            selected = matching(selected, compile_filter(params["filterby"], known, context))
    if params.get("orderby"):
        with _refused_as("orderby"):
            selected = ordered(selected, parse_order(params["orderby"], known))
    chunk = selected[(page - 1) * size : page * size]
    headers = (
        ("aw-page", str(page)),
        ("aw-pagesize", str(size)),
        ("aw-items", str(len(chunk))),
        ("aw-totalitems", str(len(selected))),
    )
    return Page(chunk, headers)


@contextmanager
def _refused_as(name: str) -> Iterator[None]:
    """Turn the dialect's FilterError into awork's 400 naming the parameter, and log it."""
    try:
        yield
    except FilterError as error:
        logger.info("sandbox refused %s: %s", name, error)
        raise validation_failed([(name, str(error))]) from None
