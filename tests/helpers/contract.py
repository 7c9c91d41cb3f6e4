"""Checks requests and answers against awork's official OpenAPI document (v1, the tray's paths).

The document is OpenAPI 3.0; it is turned into JSON Schema 2020-12 (``nullable: true`` becomes a
``"null"`` type) and checked with strict formats (``date-time`` per RFC 3339, ``uuid``, the ranges
of ``int32``/``int64``). Answers get exactly the document's three known quirks (see
``shared/awork-api/README.md``) and nothing more:

1. unknown fields: ``additionalProperties: false`` is dropped, for answers only;
2. ``*Local`` date-times may lack a zone (``"2022-03-01T00:00:00"``), for answers only;
3. ``int64`` above 2^53: integers are compared as Python ints, never as floats, so
   ``resourceVersion`` passes while an ``int64`` out of range still fails. An integer must be
   written as one: ``6.3e+17`` has gone through a float and lost digits, so it fails.

Requests get no excuse: a body where the operation takes none (pause, resume), an unknown key in a
form, a missing bearer token, an unknown query parameter are all violations.

Usage::

    from tests.helpers.contract import validate_request, validate_response
    validate_response("POST", "/api/v1/me/timetracking/resume", 200, body, headers)
    validate_request("POST", "/api/v1/me/timetracking/resume", headers=headers, body=b"")

The document is vendored in ``tests/awork-api/`` (its README says where it comes from), so a
clone on its own runs these checks.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from jsonschema import Draft202012Validator, FormatChecker, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_FILE = "openapi-v1-tray.json"
SPEC_DIR = Path(__file__).resolve().parents[1] / "awork-api"
API_PREFIX = "/api/v1"
ERROR_SCHEMA = "#/components/schemas/ErrorResponse"
_LOCAL_DATE_TIME = "awork-local-date-time"
_ANSWER_URI = "urn:awork:openapi-v1:answer"
_REQUEST_URI = "urn:awork:openapi-v1:request"


class ContractViolation(AssertionError):
    """A request or answer that awork's document does not allow."""


def spec_dir() -> Path:
    """Where the official document lives: vendored beside this module, inside the repository."""
    if not (SPEC_DIR / SPEC_FILE).is_file():
        raise FileNotFoundError(f"awork's OpenAPI document {SPEC_FILE} is missing from {SPEC_DIR}.")
    return SPEC_DIR


@functools.cache
def load_spec() -> dict[str, Any]:
    """The OpenAPI document as published (cut down to the paths a tray timer uses)."""
    with (spec_dir() / SPEC_FILE).open(encoding="utf-8") as file:
        spec: dict[str, Any] = json.load(file)
    return spec


# --- OpenAPI 3.0 -> JSON Schema -------------------------------------------------------------


def to_json_schema(node: Any, *, answer: bool) -> Any:
    """Translate one OpenAPI 3.0 schema (recursively) into JSON Schema 2020-12.

    ``answer=True`` applies the two quirks a schema carries (unknown fields, zone-less ``*Local``).
    """
    if isinstance(node, list):
        return [to_json_schema(item, answer=answer) for item in node]
    if not isinstance(node, dict):
        return node
    schema: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            schema[key] = {name: _property(name, prop, answer) for name, prop in value.items()}
        elif key not in ("nullable", "example"):
            schema[key] = to_json_schema(value, answer=answer)
    if node.get("nullable") is True:
        schema = _nullable(schema)
    if answer and schema.get("additionalProperties") is False:
        del schema["additionalProperties"]  # quirk 1: answers carry more fields than listed
    return schema


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        schema["type"] = [*types, "null"]
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    return schema


def _property(name: str, prop: Any, answer: bool) -> Any:
    """One property's schema; in answers, quirk 2: awork's ``*Local`` date-times carry no zone."""
    schema = to_json_schema(prop, answer=answer)
    local = answer and name.endswith("Local") and isinstance(schema, dict)
    if local and schema.get("format") == "date-time":
        return {**schema, "format": _LOCAL_DATE_TIME}
    return schema


# --- formats ----------------------------------------------------------------------------------

FORMATS = FormatChecker(formats=())
_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?P<zone>[Zz]|[+-]\d{2}:\d{2})?$"
)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def _date_time_parts(value: str, *, zone_required: bool) -> bool:
    match = _DATE_TIME.match(value)
    if match is None or (zone_required and match["zone"] is None):
        return False
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    try:
        datetime(year, month, day, hour, minute, min(second, 59))
    except ValueError:
        return False
    return second <= 60


@FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    """RFC 3339 ``date-time``: the zone is required."""
    return not isinstance(value, str) or _date_time_parts(value, zone_required=True)


@FORMATS.checks(_LOCAL_DATE_TIME)
def _is_local_date_time(value: object) -> bool:
    return not isinstance(value, str) or _date_time_parts(value, zone_required=False)


@FORMATS.checks("uuid")
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or _UUID.match(value) is not None


@FORMATS.checks("int32")
def _is_int32(value: object) -> bool:
    return not isinstance(value, int) or -(2**31) <= value < 2**31


@FORMATS.checks("int64")
def _is_int64(value: object) -> bool:
    """Quirk 3 needs nothing more: Python ints are exact, 6.4e17 is simply in range."""
    return not isinstance(value, int) or -(2**63) <= value < 2**63


def _is_integer_literal(checker: Any, instance: object) -> bool:
    """An integer written as one: ``6.3e+17`` parses to a float, which has lost digits already."""
    return isinstance(instance, int) and not isinstance(instance, bool)


_Validator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer_literal),
)


# --- the document as schemas --------------------------------------------------------------------


@functools.cache
def _registry() -> Registry[Any]:
    """Both translations of the document, so ``$ref`` resolves inside the right one."""
    spec = load_spec()
    resources = [
        (uri, Resource.from_contents(to_json_schema(spec, answer=answer), DRAFT202012))
        for uri, answer in ((_ANSWER_URI, True), (_REQUEST_URI, False))
    ]
    return Registry().with_resources(resources)


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def _check(pointer: str, data: Any, *, answer: bool, what: str) -> None:
    """Validate ``data`` against the schema at ``pointer`` inside the document."""
    uri = _ANSWER_URI if answer else _REQUEST_URI
    validator = _Validator({"$ref": uri + pointer}, registry=_registry(), format_checker=FORMATS)
    problems = sorted(validator.iter_errors(data), key=lambda error: list(error.absolute_path))
    if problems:
        lines = [f"{_where(error.absolute_path)}: {error.message}" for error in problems]
        raise ContractViolation(f"{what} breaks the contract:\n  " + "\n  ".join(lines))


def _where(path: Iterable[Any]) -> str:
    return "/".join(str(part) for part in path) or "<body>"


@dataclass(frozen=True)
class Operation:
    """One operation of the document, matched from a concrete method and path."""

    method: str
    template: str
    params: Mapping[str, str]

    @property
    def raw(self) -> dict[str, Any]:
        operation: dict[str, Any] = load_spec()["paths"][self.template][self.method.lower()]
        return operation

    @property
    def pointer(self) -> tuple[str, str, str]:
        return ("paths", self.template, self.method.lower())

    def __str__(self) -> str:
        return f"{self.method} {self.template} ({self.raw.get('operationId')})"


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join(
        f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part) for part in parts
    )
    return re.compile(f"^{regex}$", re.IGNORECASE)


def _relative_path(path: str) -> str:
    path = urlsplit(path).path
    if path.startswith(API_PREFIX):
        path = path[len(API_PREFIX) :]
    return "/" + path.strip("/")


def find_operation(method: str, path: str) -> Operation:
    """The operation for ``method`` and a concrete path (with or without ``/api/v1`` and query).

    A literal path wins over a template (``/webhooks/eventtypes`` over ``/webhooks/{webhookId}``).
    """
    relative = _relative_path(path)
    templates = sorted(load_spec()["paths"], key=lambda template: template.count("{"))
    for template in templates:
        match = _template_pattern(template).match(relative)
        if match and method.lower() in load_spec()["paths"][template]:
            return Operation(method.upper(), template, match.groupdict())
    raise ContractViolation(f"awork's document has no operation {method.upper()} {relative}")


# --- answers ------------------------------------------------------------------------------------


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value
    return None


def _json_body(body: bytes, headers: Mapping[str, str] | None, what: str) -> Any:
    content_type = _header(headers, "content-type")
    if headers is not None and (content_type or "").split(";")[0].strip() != "application/json":
        raise ContractViolation(f"{what} should be application/json, not {content_type!r}")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ContractViolation(f"{what} is not JSON ({error}): {body[:80]!r}") from None


def _response_schema(operation: Operation, status: int) -> tuple[str, dict[str, Any] | None]:
    """The pointer to the schema documented for ``status``, and its content (None: no body).

    A status the operation does not list is allowed for errors only: awork documents its error
    body once for 400, 401, 404 and the rest, so any 4xx/5xx must be an ErrorResponse.
    """
    responses: dict[str, Any] = operation.raw["responses"]
    key = str(status) if str(status) in responses else "default"
    if key in responses:
        content = responses[key].get("content")
        pointer = _pointer(*operation.pointer, "responses", key, "content", "application/json")
        return pointer + "/schema", content
    if status >= 400:
        return ERROR_SCHEMA, {"application/json": {}}
    raise ContractViolation(f"{operation} does not document status {status}")


def validate_response(
    method: str,
    path: str,
    status: int,
    body: bytes,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Check an answer against the operation's documented response (with the quirks allowed).

    ``headers``, when given, must declare JSON for a JSON body.
    """
    operation = find_operation(method, path)
    pointer, content = _response_schema(operation, status)
    what = f"the {status} answer of {operation}"
    if not content:
        if body:
            raise ContractViolation(f"{what} must have no body, got {body[:80]!r}")
        return
    if "application/json" not in content:
        raise ContractViolation(f"{what}: the document gives no JSON schema for it")
    _check(pointer, _json_body(body, headers, what), answer=True, what=what)


def validate_error_body(body: bytes) -> None:
    """Check awork's error body on its own (for answers outside any operation, e.g. 404 routes)."""
    _check(ERROR_SCHEMA, _json_body(body, None, "the error body"), answer=True, what="error body")


# --- requests -----------------------------------------------------------------------------------

_BEARER = re.compile(r"^Bearer [^\s]+$")


def _resolved(node: dict[str, Any]) -> dict[str, Any]:
    """A parameter given as ``$ref`` (``#/components/parameters/page``) read where it points."""
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node
    target: Any = load_spec()
    for part in ref.removeprefix("#/").split("/"):
        target = target[part.replace("~1", "/").replace("~0", "~")]
    resolved: dict[str, Any] = target
    return resolved


def _parameter_errors(operation: Operation, query: Mapping[str, str]) -> list[str]:
    """Path and query parameters: known, present when required, of the documented format."""
    documented: dict[tuple[str, str], dict[str, Any]] = {
        (param["in"], param["name"]): param
        for param in map(_resolved, operation.raw.get("parameters", []))
    }
    errors = [
        f"unknown query parameter {name!r}" for name in query if ("query", name) not in documented
    ]
    errors += [
        f"missing required {place} parameter {name!r}"
        for (place, name), param in documented.items()
        if param.get("required") and place == "query" and name not in query
    ]
    values = {("path", name): value for name, value in operation.params.items()}
    values |= {("query", name): value for name, value in query.items()}
    for (place, name), value in values.items():
        schema = documented.get((place, name), {}).get("schema", {})
        if schema.get("format") and not FORMATS.conforms(value, schema["format"]):
            errors.append(f"{place} parameter {name}={value!r} is not a {schema['format']}")
    return errors


def _body_errors(operation: Operation, headers: Mapping[str, str], body: bytes) -> list[str]:
    request_body: dict[str, Any] | None = operation.raw.get("requestBody")
    if request_body is None:
        return [f"takes no request body, got {body[:80]!r}"] if body else []
    if not body:
        return ["requires a request body"] if request_body.get("required") else []
    data = _json_body(body, headers, f"the request body of {operation}")
    pointer = _pointer(*operation.pointer, "requestBody", "content", "application/json")
    try:
        _check(pointer + "/schema", data, answer=False, what="the request body")
    except ContractViolation as violation:
        return [str(violation)]
    return []


def validate_request(
    method: str,
    path: str,
    *,
    headers: Mapping[str, str],
    body: bytes = b"",
    query: Mapping[str, str] | None = None,
) -> None:
    """Check a request exactly: bearer token, parameters, and the body the operation takes.

    ``path`` may carry the query string; ``query`` adds parameters given separately.
    """
    operation = find_operation(method, path)
    all_query = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True)) | dict(query or {})
    errors = [] if _BEARER.match(_header(headers, "authorization") or "") else ["no bearer token"]
    errors += _parameter_errors(operation, all_query)
    errors += _body_errors(operation, headers, body)
    if errors:
        raise ContractViolation(
            f"the request {operation} breaks the contract: " + "; ".join(errors)
        )


# --- httpx adapters -----------------------------------------------------------------------------


def validate_httpx_request(request: httpx.Request) -> None:
    """:func:`validate_request` for a request httpx sent (e.g. from an event hook)."""
    validate_request(
        request.method,
        request.url.path,
        headers=dict(request.headers),
        body=request.read(),
        query=dict(request.url.params),
    )


def validate_httpx_response(response: httpx.Response) -> None:
    """:func:`validate_response` for an answer httpx received; reads the body."""
    validate_response(
        response.request.method,
        response.request.url.path,
        response.status_code,
        response.read(),
        dict(response.headers),
    )
