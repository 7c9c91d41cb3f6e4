"""awork's ``filterby``/``orderby`` dialect on its own: what it matches, what it refuses."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tray_app.sandbox.filters import (
    MAX_DEPTH,
    FilterContext,
    FilterError,
    compile_filter,
    field_paths,
    matching,
    ordered,
    parse_order,
)

ME = "5a1b2c3d-0000-4000-8000-00000000000a"
OTHER = "5a1b2c3d-0000-4000-8000-00000000000b"
CONTEXT = FilterContext(
    me_id=ME,
    now=datetime(2026, 12, 2, 13, 0, tzinfo=UTC),
    today=datetime(2026, 12, 2),
)
ITEMS = [
    {
        "id": "a",
        "userId": ME,
        "name": "Design the landing page",
        "duration": 3600,
        "isBillable": True,
        "startDateLocal": "2026-12-02T00:00:00",
        "startDateUtc": "2026-12-02T00:00:00Z",
        "note": None,
        "taskStatus": {"type": "progress"},
        "project": {"name": "Website Relaunch"},
    },
    {
        "id": "b",
        "userId": OTHER.upper(),
        "name": "O'Brien's review",
        "duration": 1800,
        "isBillable": False,
        "startDateLocal": "2026-11-20T00:00:00",
        "startDateUtc": "2026-11-19T00:00:00Z",
        "note": "Call",
        "taskStatus": {"type": "done"},
        "project": None,
    },
    {
        "id": "c",
        "userId": ME,
        "name": "fix the login screen",
        "duration": 5400,
        "isBillable": True,
        "startDateLocal": "2026-11-10T00:00:00",
        "startDateUtc": "2026-11-10T00:00:00Z",
        "note": "Retro",
        "taskStatus": {"type": "todo"},
        "project": {"name": "Mobile App"},
    },
]
FIELDS = field_paths(ITEMS)


def ids(text: str) -> list[str]:
    return [str(item["id"]) for item in matching(ITEMS, compile_filter(text, FIELDS, CONTEXT))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"userId eq guid'{ME}'", ["a", "c"]),
        (f"userId eq guid'{OTHER}'", ["b"]),  # guids compare without regard to case
        ("userId eq me.id", ["a", "c"]),
        ("userId ne me.id", ["b"]),
        ("startDateLocal ge datetime'2026-11-18T00:00'", ["a", "b"]),
        ("startDateLocal eq today", ["a"]),
        ("startDateLocal ge today-14d", ["a", "b"]),
        ("startDateLocal lt today-14d", ["c"]),
        ("startDateUtc lt datetime'2026-11-20T00:00:00Z'", ["b", "c"]),
        ("taskStatus/type ne 'done'", ["a", "c"]),
        ("project/name eq 'Mobile App'", ["c"]),
        ("project/name eq null", ["b"]),
        ("note ne null", ["b", "c"]),
        ("duration gt 1800 and duration le 3600", ["a"]),
        ("duration lt 2000 or duration ge 5400", ["b", "c"]),
        ("not (duration lt 2000 or duration ge 5400)", ["a"]),
        ("isBillable eq false", ["b"]),
        ("isBillable", ["a", "c"]),
        ("name eq 'O''Brien''s review'", ["b"]),
        ("substringof('the', name)", ["a", "c"]),
        ("substringof('design', tolower(name))", ["a"]),
        ("startswith(name,'fix')", ["c"]),
        ("endswith(name, 'page')", ["a"]),
        ("tolower(project/name) eq 'mobile app'", ["c"]),
        ("(userId eq me.id) and (not (taskStatus/type eq 'done'))", ["a", "c"]),
        ("USERID EQ ME.ID AND Duration Gt 4000", ["c"]),
        ("duration ge 1.5", ["a", "b", "c"]),
    ],
)
def test_a_filter_matches_what_it_says(text: str, expected: list[str]) -> None:
    assert ids(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("colour eq 'red'", "not a field"),
        ("name eq", "ends"),
        ("name eq 'open", "Unexpected character"),
        ("name eq 'a' and", "ends"),
        ("(name eq 'a'", "ends where 'close'"),
        ("name eq 'a')", "Unexpected ')'"),
        ("name eq 'a' name eq 'b'", "Unexpected 'name'"),
        ("name contains 'a'", "Unexpected 'contains'"),
        ("userId eq guid'not-a-guid'", "not a valid guid"),
        ("startDateLocal ge datetime'yesterday'", "not a valid date-time"),
        ("length(name) eq 3", "not a function"),
        ("substringof('a')", "takes 2 argument"),
        ("substringof('a', name eq 'b')", "takes values"),
        ("(name eq 'a') eq true", "compares values"),
        ("name", "where a condition"),
        ("isBillable gt true", "does not apply"),
        ("and eq 1", "Unexpected 'and'"),
        ("name eq 1", "Cannot compare"),
        ("project eq 'x'", "Cannot compare"),
        ("name eq 'a' & duration eq 1", "Unexpected character '&'"),
    ],
)
def test_a_filter_it_cannot_read_is_refused(text: str, why: str) -> None:
    with pytest.raises(FilterError, match=re.escape(why)):
        ids(text)


def test_nesting_is_limited_so_no_filter_exhausts_the_stack() -> None:
    shallow = "(" * MAX_DEPTH + "duration gt 0" + ")" * MAX_DEPTH
    deep = "(" * (MAX_DEPTH + 1) + "duration gt 0" + ")" * (MAX_DEPTH + 1)
    assert ids(shallow) == ["a", "b", "c"]
    with pytest.raises(FilterError, match="nests deeper"):
        ids(deep)
    with pytest.raises(FilterError, match="nests deeper"):
        ids("not " * 900 + "isBillable")  # under the length limit


def test_orderby_sorts_by_each_field_in_turn() -> None:
    keys = parse_order("isBillable desc, duration", FIELDS)
    assert [item["id"] for item in ordered(ITEMS, keys)] == ["a", "c", "b"]
    keys = parse_order("project/name asc,name desc", FIELDS)
    assert [item["id"] for item in ordered(ITEMS, keys)] == ["b", "c", "a"]  # null first


@pytest.mark.parametrize("text", ["colour", "name sideways", "name asc desc", "name,", ""])
def test_orderby_refuses_unknown_fields_and_directions(text: str) -> None:
    with pytest.raises(FilterError):
        parse_order(text, FIELDS)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_either_a_filter_or_a_filter_error(text: str) -> None:
    """Nothing a client sends makes the parser fail any other way (the route answers 400)."""
    with contextlib.suppress(FilterError):
        ids(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_any_string_literal_round_trips_through_quoting(value: str) -> None:
    items = [{"id": "x", "note": value}, {"id": "y", "note": value + "!"}]
    quoted = "'" + value.replace("'", "''") + "'"
    predicate = compile_filter(f"note eq {quoted}", field_paths(items), CONTEXT)
    assert [item["id"] for item in matching(items, predicate)] == ["x"]


_COMPARISONS = st.sampled_from(
    [
        "duration gt 2000",
        "duration le 3600",
        "isBillable eq true",
        "taskStatus/type eq 'done'",
        "note eq null",
        "userId eq me.id",
        "startDateLocal ge today-14d",
        "substringof('e', name)",
    ]
)


@settings(max_examples=200, deadline=None)
@given(_COMPARISONS, _COMPARISONS, st.sampled_from(["and", "or"]))
def test_and_or_not_combine_as_sets(left: str, right: str, joiner: str) -> None:
    a, b = set(ids(left)), set(ids(right))
    combined = set(ids(f"{left} {joiner} ({right})"))
    assert combined == (a & b if joiner == "and" else a | b)
    assert set(ids(f"not ({left})")) == {"a", "b", "c"} - a
