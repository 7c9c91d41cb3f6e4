"""The request bodies the routes accept, checked as strictly as awork checks them.

A client that sends a key awork does not know, or a body where none belongs, fails against awork;
the sandbox refuses the same requests so that such a client fails in our tests first. The OAuth
endpoints' parameters are checked here too, in RFC 6749's terms.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import parse_qsl

from tray_app.sandbox.errors import ApiError, OAuthError, validation_failed

_Check = Callable[[object], str | None]
_UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
MAX_JSON_DEPTH = 32
"""The deepest nesting of arrays and objects a body may have; awork's forms need two levels."""
# A whole JSON string (the brackets inside it are text) or one bracket.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]++|\\.)*+"|[][{}]')


@dataclass(frozen=True)
class StartForm:
    """A valid ``StartTimeTrackingForm``; ids are lower-case."""

    timezone: str
    type_of_work_id: str
    task_id: str | None = None
    project_id: str | None = None
    note: str | None = None
    is_billable: bool | None = None
    is_billed: bool | None = None


def _zone(value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return "must not be empty."
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "must be an IANA time zone such as 'Europe/Berlin'."
    return None


def _uuid(value: object) -> str | None:
    if value is None or (isinstance(value, str) and _UUID.match(value)):
        return None
    return "is not a valid id."


def _text(value: object) -> str | None:
    return None if value is None or isinstance(value, str) else "must be a string."


def _flag(value: object) -> str | None:
    return None if isinstance(value, bool) else "must be true or false."


START_FIELDS: dict[str, _Check] = {
    "timezone": _zone,
    "typeOfWorkId": _uuid,
    "taskId": _uuid,
    "projectId": _uuid,
    "note": _text,
    "isBillable": _flag,
    "isBilled": _flag,
}
_START_REQUIRED = ("timezone", "typeOfWorkId")


def property_name(key: str) -> str:
    """awork names properties in validation errors the .NET way: ``TypeOfWorkId``."""
    return key[:1].upper() + key[1:]


def _too_deep(text: str) -> bool:
    """Whether ``text`` nests deeper than :data:`MAX_JSON_DEPTH`, found without recursion.

    ``json.loads`` recurses once per level and raises RecursionError near a thousand, which
    would end the connection's thread without an answer; this scan counts instead.
    """
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        bracket = token[0]
        if bracket in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif bracket in "]}":
            depth -= 1
    return False


def json_object(body: bytes, content_type: str | None) -> dict[str, object]:
    """Decode a JSON object body; anything else is a refusal like ASP.NET's model binding."""
    if content_type is None or content_type.split(";")[0].strip().lower() != "application/json":
        raise ApiError(415, "unsupported-media-type", "The request body must be application/json.")
    try:
        text = body.decode(json.detect_encoding(body))
    except UnicodeDecodeError:
        raise validation_failed([("", "The request body is not valid JSON.")]) from None
    if _too_deep(text):
        message = f"The request body is nested deeper than {MAX_JSON_DEPTH}."
        raise validation_failed([("", message)])
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise validation_failed([("", "The request body is not valid JSON.")]) from None
    if not isinstance(data, dict):
        raise validation_failed([("", "The request body must be a JSON object.")])
    return data


def form_errors(
    data: Mapping[str, object],
    checks: Mapping[str, _Check],
    form: str,
    *,
    required: tuple[str, ...] = (),
    name: Callable[[str], str] = property_name,
) -> list[tuple[str, str]]:
    """Missing required keys, unknown keys and ill-typed values, as awork lists them."""
    errors = [
        (name(key), f"'{name(key)}' must not be empty.")
        for key in required
        if data.get(key) is None
    ]
    for key, value in data.items():
        check = checks.get(key)
        if check is None:
            errors.append((name(key), f"'{key}' is not a property of {form}."))
        elif value is not None or key not in required:
            problem = check(value)
            if problem:
                errors.append((name(key), f"'{name(key)}' {problem}"))
    return errors


def parse_start_form(body: bytes, content_type: str | None) -> StartForm:
    """The start form, or the 400 awork gives for a missing, unknown or malformed field."""
    if not body:
        raise validation_failed([("", "A request body is required.")])
    data = json_object(body, content_type)
    errors = form_errors(data, START_FIELDS, "StartTimeTrackingForm", required=_START_REQUIRED)
    if errors:
        raise validation_failed(errors)
    return StartForm(
        timezone=str(data["timezone"]),
        type_of_work_id=str(data["typeOfWorkId"]).lower(),
        task_id=_lower(data.get("taskId")),
        project_id=_lower(data.get("projectId")),
        note=_optional_text(data.get("note")),
        is_billable=_optional_flag(data.get("isBillable")),
        is_billed=_optional_flag(data.get("isBilled")),
    )


def _lower(value: object) -> str | None:
    return value.lower() if isinstance(value, str) else None


def _optional_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _optional_flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def check_stop_form(body: bytes, content_type: str | None) -> None:
    """Stop takes no body or ``StopTimeTrackingForm``, an object without properties: ``{}``."""
    if not body:
        return
    unknown = [
        (property_name(key), f"'{key}' is not a property of StopTimeTrackingForm.")
        for key in json_object(body, content_type)
    ]
    if unknown:
        raise validation_failed(unknown)


def check_no_body(body: bytes) -> None:
    """Pause and resume take no body; awork refuses one, even ``{}``."""
    if body:
        raise validation_failed([("", "This request does not take a request body.")])


def _texts(value: object) -> str | None:
    if value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        return None
    return "must be a list of strings."


@dataclass(frozen=True)
class RegistrationForm:
    """A ``DynamicClientRegistrationEndpointRequest`` (RFC 7591) with the right JSON types.

    Only the shapes are checked here; whether awork registers such a client is decided by
    :class:`~tray_app.sandbox.oauth.OAuthAuthority`. A missing field and ``null`` are both None.
    """

    redirect_uris: tuple[str, ...] | None = None
    client_name: str | None = None
    token_endpoint_auth_method: str | None = None
    grant_types: tuple[str, ...] | None = None
    response_types: tuple[str, ...] | None = None
    scope: str | None = None
    application_type: str | None = None
    contacts: tuple[str, ...] | None = None
    logo_uri: str | None = None
    client_uri: str | None = None
    policy_uri: str | None = None
    tos_uri: str | None = None
    software_id: str | None = None
    software_version: str | None = None


_REGISTRATION_LISTS = frozenset({"redirect_uris", "grant_types", "response_types", "contacts"})
_REGISTRATION_FIELDS: dict[str, _Check] = {
    item.name: _texts if item.name in _REGISTRATION_LISTS else _text
    for item in fields(RegistrationForm)
}


def parse_registration_form(body: bytes, content_type: str | None) -> RegistrationForm:
    """The registration request, or awork's 400 for an unknown key or a value of the wrong type.

    Its keys are RFC 7591's snake_case names, so validation errors name them as sent.
    """
    if not body:
        raise validation_failed([("", "A request body is required.")])
    data = json_object(body, content_type)
    form = "DynamicClientRegistrationEndpointRequest"
    errors = form_errors(data, _REGISTRATION_FIELDS, form, name=str)
    if errors:
        raise validation_failed(errors)
    values: dict[str, Any] = {
        key: tuple(value) if isinstance(value, list) else value for key, value in data.items()
    }
    return RegistrationForm(**values)


@dataclass(frozen=True)
class OAuthParams:
    """The parameters of an OAuth request; a blank one counts as missing (RFC 6749 section 3.1).

    ``repeated`` names the parameters sent more than once, which RFC 6749 forbids: their value
    here is the first one, and the endpoint decides how to refuse them.
    """

    values: Mapping[str, str]
    repeated: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, encoded: str) -> OAuthParams:
        values: dict[str, str] = {}
        repeated: set[str] = set()
        for key, value in parse_qsl(encoded, keep_blank_values=True):
            if not value:
                continue
            if key in values:
                repeated.add(key)
            else:
                values[key] = value
        return cls(values, frozenset(repeated))

    def get(self, key: str) -> str | None:
        return self.values.get(key)


_FORM_TYPE = "application/x-www-form-urlencoded"


def parse_token_form(body: bytes, content_type: str | None) -> OAuthParams:
    """The token endpoint's form (RFC 6749 section 4.1.3); anything else is ``invalid_request``."""
    if content_type is None or content_type.split(";")[0].strip().lower() != _FORM_TYPE:
        raise OAuthError("invalid_request", f"The request body must be {_FORM_TYPE}.")
    try:
        params = OAuthParams.parse(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise OAuthError("invalid_request", "The request body is not UTF-8.") from None
    if params.repeated:
        names = ", ".join(sorted(params.repeated))
        raise OAuthError("invalid_request", f"Parameters sent more than once: {names}.")
    return params
