"""awork's ``filterby`` and ``orderby`` dialect: parsed for real, so a client's filter is tested.

A client that builds a filter awork cannot read fails against awork with a 400; the sandbox must
refuse the same filters, and answer the ones it can read with exactly the matching items. The
parser is a tokenizer and a recursive descent over the flat filters a client sends (comparisons,
``and``/``or``/``not``, parentheses, ``substringof``/``startswith``/``endswith``/``tolower``),
with a depth limit so that no filter can exhaust the stack. Items are matched as their JSON on
the wire, so field names are awork's (``taskStatus/type``, ``project/name``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

logger = logging.getLogger(__name__)

MAX_DEPTH = 32
"""How deeply parentheses and ``not`` may nest; awork asks for flat filters anyway."""
MAX_LENGTH = 4000
"""A filter longer than this is refused before it is parsed."""

Item = Mapping[str, Any]
Predicate = Callable[[Item], bool]


class FilterError(ValueError):
    """A filter or order the sandbox cannot read, in words for the 400's validation error."""


@dataclass(frozen=True)
class FilterContext:
    """What the dialect's keywords mean for this caller: ``me.id``, ``today``, ``now``.

    ``today`` is midnight of the caller's day in their time zone, without a zone, as the
    ``*Local`` dates are written; ``now`` is the instant in UTC.
    """

    me_id: str
    now: datetime
    today: datetime


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<guid>guid'[^']*')
  | (?P<datetime>datetime'[^']*')
  | (?P<string>'(?:[^']|'')*')
  | (?P<keyword>(?:today|now|sow)(?:[+-]\d+d)?(?![\w./]))
  | (?P<number>-?\d+(?:\.\d+)?(?![\w.]))
  | (?P<name>[A-Za-z_]\w*(?:[./][A-Za-z_]\w*)*)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<comma>,)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_COMPARISONS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})
_RESERVED = _COMPARISONS | {"and", "or", "not", "null", "true", "false"}
_TEXT_TESTS = frozenset({"substringof", "startswith", "endswith"})
_TEXT_MAPS = frozenset({"tolower", "toupper"})
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def tokenize(text: str) -> list[_Token]:
    """The filter's tokens; an unterminated string or a stray character is a FilterError."""
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise FilterError(f"Unexpected character {text[position]!r} at position {position}.")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), position))
        position = match.end()
    return tokens


# A compiled expression: a function of the item, and whether it gives a truth value.
_Eval = Callable[[Item], Any]


@dataclass(frozen=True)
class _Node:
    evaluate: _Eval
    is_test: bool


class _Parser:
    """Recursive descent: or > and > not > comparison > operand; one parser per filter."""

    def __init__(self, text: str, fields: Collection[str], context: FilterContext) -> None:
        self._tokens = tokenize(text)
        self._index = 0
        self._fields = fields
        self._context = context
        self._depth = 0

    def parse(self) -> Predicate:
        if not self._tokens:
            raise FilterError("The filter is empty.")
        node = self._or()
        if self._index < len(self._tokens):
            token = self._tokens[self._index]
            raise FilterError(f"Unexpected {token.text!r} at position {token.position}.")
        test = self._as_test(node)
        return lambda item: test(item) is True

    def _peek(self) -> _Token | None:
        return self._tokens[self._index] if self._index < len(self._tokens) else None

    def _word(self) -> str:
        token = self._peek()
        return token.text.lower() if token is not None and token.kind == "name" else ""

    def _take(self, kind: str) -> _Token:
        token = self._peek()
        if token is None:
            raise FilterError(f"The filter ends where {kind!r} was expected.")
        if token.kind != kind:
            raise FilterError(
                f"Expected {kind!r} at position {token.position}, not {token.text!r}."
            )
        self._index += 1
        return token

    def _nested(self) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise FilterError(f"The filter nests deeper than {MAX_DEPTH} levels.")

    def _or(self) -> _Node:
        node = self._and()
        while self._word() == "or":
            self._index += 1
            node = _Node(_either(self._as_test(node), self._as_test(self._and())), True)
        return node

    def _and(self) -> _Node:
        node = self._unary()
        while self._word() == "and":
            self._index += 1
            node = _Node(_both(self._as_test(node), self._as_test(self._unary())), True)
        return node

    def _unary(self) -> _Node:
        if self._word() != "not":
            return self._comparison()
        self._index += 1
        self._nested()
        inner = self._as_test(self._unary())
        self._depth -= 1
        return _Node(lambda item: not inner(item), True)

    def _comparison(self) -> _Node:
        left = self._operand()
        operator = self._word()
        if operator not in _COMPARISONS:
            return left
        self._index += 1
        right = self._operand()
        if left.is_test or right.is_test:
            raise FilterError(f"'{operator}' compares values, not conditions.")
        a, b = left.evaluate, right.evaluate
        return _Node(lambda item: compare(operator, a(item), b(item)), True)

    def _operand(self) -> _Node:
        token = self._peek()
        if token is None:
            raise FilterError("The filter ends where a value was expected.")
        if token.kind == "open":
            self._index += 1
            self._nested()
            node = self._or()
            self._take("close")
            self._depth -= 1
            return node
        self._index += 1
        if token.kind == "name":
            return self._name(token)
        return _constant(_literal(token, self._context))

    def _name(self, token: _Token) -> _Node:
        word = token.text.lower()
        nxt = self._peek()
        if nxt is not None and nxt.kind == "open":
            return self._function(word, token)
        constants = {"null": None, "true": True, "false": False, "me.id": self._context.me_id}
        if word in constants:
            return _constant(constants[word])
        if word in _RESERVED:
            raise FilterError(f"Unexpected {token.text!r} at position {token.position}.")
        if word not in self._fields:
            raise FilterError(f"'{token.text}' is not a field that can be filtered on.")
        path = word.split("/")
        return _Node(lambda item: field_value(item, path), False)

    def _function(self, name: str, token: _Token) -> _Node:
        if name not in _TEXT_TESTS | _TEXT_MAPS:
            raise FilterError(f"'{token.text}' is not a function of the filter.")
        self._take("open")
        self._nested()
        args = [self._or()]
        while self._peek() is not None and self._peek().kind == "comma":  # type: ignore[union-attr]
            self._index += 1
            args.append(self._or())
        self._take("close")
        self._depth -= 1
        if any(arg.is_test for arg in args):
            raise FilterError(f"'{name}' takes values, not conditions.")
        wanted = 1 if name in _TEXT_MAPS else 2
        if len(args) != wanted:
            raise FilterError(f"'{name}' takes {wanted} argument(s), not {len(args)}.")
        values = [arg.evaluate for arg in args]
        if name in _TEXT_MAPS:
            return _Node(lambda item: _text_map(name, values[0](item)), False)
        return _Node(lambda item: _text_test(name, values[0](item), values[1](item)), True)

    def _as_test(self, node: _Node) -> _Eval:
        """A condition; a bare field counts as one when it holds true or false (``isBillable``)."""
        if node.is_test:
            return node.evaluate
        value = node.evaluate

        def test(item: Item) -> bool:
            result = value(item)
            if result is not None and not isinstance(result, bool):
                raise FilterError("A value stands where a condition was expected.")
            return result is True

        return test


def _either(left: _Eval, right: _Eval) -> _Eval:
    return lambda item: bool(left(item)) or bool(right(item))


def _both(left: _Eval, right: _Eval) -> _Eval:
    return lambda item: bool(left(item)) and bool(right(item))


def _constant(value: object) -> _Node:
    return _Node(lambda item: value, False)


def _unquote(text: str) -> str:
    return text[1:-1].replace("''", "'")


def _literal(token: _Token, context: FilterContext) -> object:
    if token.kind == "string":
        return _unquote(token.text)
    if token.kind == "guid":
        value = _unquote(token.text[4:])
        if not _GUID.match(value):
            raise FilterError(f"{token.text} is not a valid guid.")
        return value.lower()
    if token.kind == "datetime":
        return parse_datetime(_unquote(token.text[8:]), token.text)
    if token.kind == "number":
        return float(token.text) if "." in token.text else int(token.text)
    if token.kind == "keyword":
        return _keyword(token.text.lower(), context)
    raise FilterError(f"Unexpected {token.text!r} at position {token.position}.")


def _keyword(text: str, context: FilterContext) -> datetime:
    """``today``, ``now``, ``sow`` (start of week, Monday), each with an optional ``±Nd``."""
    match = re.fullmatch(r"(today|now|sow)(?:([+-])(\d+)d)?", text)
    if match is None:  # pragma: no cover - the tokenizer only lets these through
        raise FilterError(f"'{text}' is not a date keyword.")
    base = {
        "today": context.today,
        "now": context.now.astimezone(UTC).replace(tzinfo=None),
        "sow": context.today - timedelta(days=context.today.weekday()),
    }[match[1]]
    days = int(match[3] or 0) * (-1 if match[2] == "-" else 1)
    return base + timedelta(days=days)


def parse_datetime(text: str, shown: str | None = None) -> datetime:
    """A date-time as awork writes it, naive UTC when it carries a zone (``Z``, ``+01:00``)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FilterError(f"{shown or text!r} is not a valid date-time.") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def field_value(item: Item, path: Sequence[str]) -> object:
    """The value at ``path`` (lower-case segments); a missing or null object on the way is null."""
    value: object = item
    for segment in path:
        if not isinstance(value, Mapping):
            return None
        value = next((v for k, v in value.items() if k.lower() == segment), None)
    return value


def _comparable(left: object, right: object) -> tuple[Any, Any]:
    """Both sides as one type: a date-time or guid literal reads a string field as the same."""
    if isinstance(left, datetime) and isinstance(right, str):
        right = parse_datetime(right)
    elif isinstance(right, datetime) and isinstance(left, str):
        left = parse_datetime(left)
    if (
        isinstance(left, str)
        and isinstance(right, str)
        and _GUID.match(left)
        and _GUID.match(right)
    ):
        return left.lower(), right.lower()
    numbers = (int, float)
    same = (
        (isinstance(left, numbers) and isinstance(right, numbers))
        and not isinstance(left, bool)
        and not isinstance(right, bool)
    ) or type(left) is type(right)
    if not same or isinstance(left, (Mapping, list)):
        raise FilterError(f"Cannot compare {_kind(left)} with {_kind(right)}.")
    return left, right


def _kind(value: object) -> str:
    return {str: "text", bool: "true/false", datetime: "a date-time"}.get(
        type(value), "an object" if isinstance(value, (Mapping, list)) else "a number"
    )


def compare(operator: str, left: object, right: object) -> bool:
    """SQL's rules for null: only ``eq null``/``ne null`` hold; ordering with null is false."""
    if left is None or right is None:
        if operator == "eq":
            return left is right
        if operator == "ne":
            return left is not right
        return False
    a, b = _comparable(left, right)
    results = {"eq": a == b, "ne": a != b}
    if operator in results:
        return bool(results[operator])
    if isinstance(a, bool):
        raise FilterError(f"'{operator}' does not apply to true/false.")
    return bool({"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}[operator])


def _text_map(name: str, value: object) -> object:
    if value is None:
        return None
    if not isinstance(value, str):
        raise FilterError(f"'{name}' takes text, not {_kind(value)}.")
    return value.lower() if name == "tolower" else value.upper()


def _text_test(name: str, first: object, second: object) -> bool:
    """``substringof(needle, text)``; ``startswith(text, prefix)``, ``endswith(text, suffix)``."""
    if first is None or second is None:
        return False
    if not isinstance(first, str) or not isinstance(second, str):
        raise FilterError(f"'{name}' takes text.")
    if name == "substringof":
        return first in second
    return first.startswith(second) if name == "startswith" else first.endswith(second)


def compile_filter(text: str, fields: Collection[str], context: FilterContext) -> Predicate:
    """A predicate over items' JSON for a ``filterby`` value; FilterError when it is not valid.

    ``fields`` are the lower-case paths the items have (``userid``, ``taskstatus/type``).
    """
    if len(text) > MAX_LENGTH:
        raise FilterError(f"The filter is longer than {MAX_LENGTH} characters.")
    return _Parser(text, fields, context).parse()


def matching(items: Sequence[Item], predicate: Predicate) -> list[Item]:
    """The items the predicate holds for; a value of the wrong kind on any item is a FilterError."""
    return [item for item in items if predicate(item)]


def field_paths(items: Sequence[Item]) -> frozenset[str]:
    """Every lower-case path of nested objects in ``items`` (lists are leaves)."""
    paths: set[str] = set()

    def walk(value: Mapping[str, Any], prefix: str) -> None:
        for key, inner in value.items():
            path = f"{prefix}{key.lower()}"
            paths.add(path)
            if isinstance(inner, Mapping):
                walk(inner, path + "/")

    for item in items:
        walk(item, "")
    return frozenset(paths)


@dataclass(frozen=True)
class OrderKey:
    path: tuple[str, ...]
    descending: bool


def parse_order(text: str, fields: Collection[str]) -> list[OrderKey]:
    """``field [asc|desc]``, comma-separated; an unknown field or direction is a FilterError."""
    keys = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2:
            raise FilterError(f"'{part.strip()}' is not 'field [asc|desc]'.")
        name = words[0].lower()
        direction = words[1].lower() if len(words) == 2 else "asc"
        if name not in fields:
            raise FilterError(f"'{words[0]}' is not a field that can be ordered by.")
        if direction not in ("asc", "desc"):
            raise FilterError(f"'{words[1]}' is not asc or desc.")
        keys.append(OrderKey(tuple(name.split("/")), direction == "desc"))
    return keys


def _sort_value(value: object) -> tuple[int, Any]:
    """Nulls first (as SQL Server sorts them ascending), text without regard to case."""
    if value is None:
        return (0, 0)
    if isinstance(value, str):
        return (2, value.casefold())
    if isinstance(value, (Mapping, list)):
        return (3, 0)
    return (1, value)


def ordered(items: Sequence[Item], keys: Sequence[OrderKey]) -> list[Item]:
    """The items sorted by ``keys``, the first key first; stable for equal keys."""
    result = list(items)
    for key in reversed(keys):
        result.sort(
            key=lambda item: _sort_value(field_value(item, key.path)), reverse=key.descending
        )
    return result
