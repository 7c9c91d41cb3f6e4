"""awork's routes, answered from the timer world and the OAuth authority.

Routing, the bearer check, 200 or 204, and the sign-in endpoints' HTTP shapes (a redirect, a
form, a token answer) are kept apart from sockets so that what awork answers is decided in one
place, and the HTTP server only moves bytes.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from tray_app.sandbox.answers import Answer, error_answer, json_answer, no_content, redirect
from tray_app.sandbox.errors import (
    NO_STORE,
    ApiError,
    invalid_operation,
    method_not_allowed,
    not_found,
    unauthorized,
)
from tray_app.sandbox.forms import (
    OAuthParams,
    check_no_body,
    check_stop_form,
    parse_registration_form,
    parse_start_form,
    parse_token_form,
)
from tray_app.sandbox.oauth import OAuthAuthority
from tray_app.sandbox.seed import Seed
from tray_app.sandbox.state import Entry, TimerWorld
from tray_app.sandbox.wire import (
    authorized_client_json,
    entry_json,
    me_json,
    registration_json,
    revocation_json,
    token_json,
)
from tray_app.sandbox.workspace import WorkspaceRoutes


@dataclass(frozen=True)
class Request:
    """What the routes need of a request; ``path`` is relative to ``/api/v1``, ``query`` raw."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    query: str = ""

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header (the scheme in any case), or None."""
    scheme, _, value = (authorization or "").partition(" ")
    token = value.strip()
    return token if scheme.lower() == "bearer" and token else None


class TokenGate:
    """The one static access token the sandbox accepts; revoking it makes a new one.

    It stands for a token the app got some other way (``AWORK_TOKEN``, the demo); tokens from
    the OAuth flow are checked by :class:`~tray_app.sandbox.oauth.OAuthAuthority`.
    """

    def __init__(self, token: str | None = None) -> None:
        self._lock = threading.Lock()
        self._token = token or secrets.token_urlsafe(32)

    @property
    def token(self) -> str:
        with self._lock:
            return self._token

    def accepts(self, token: str) -> bool:
        return secrets.compare_digest(token.encode(), self.token.encode())

    def rotate(self) -> str:
        """Stop accepting the current token, as awork does once it expires; return its successor."""
        with self._lock:
            self._token = secrets.token_urlsafe(32)
            return self._token


API_PREFIX = "/api/v1"
_Action = Callable[["AworkApi", Request, str | None], Answer]
_OWNER = r"/(?:me|users/(?P<user>[^/]+))"


def _route_path(path: str) -> str:
    """The path below ``/api/v1`` without query or end slash, in the case it was sent."""
    path = path.split("?", 1)[0]
    if path.lower().startswith(API_PREFIX):
        path = path[len(API_PREFIX) :]
    return "/" + path.strip("/")


def route_key(method: str, path: str) -> tuple[str, str]:
    """Method and path as awork routes them: without case, ``/api/v1``, query or end slash."""
    return method.upper(), _route_path(path).lower()


class AworkApi:
    """Answers a request the way awork would, for the seed's one person.

    Every route but the three sign-in endpoints needs a bearer token: the static one of the
    :class:`TokenGate` or a live one from the OAuth flow.
    """

    def __init__(
        self,
        seed: Seed,
        world: TimerWorld,
        tokens: TokenGate,
        oauth: OAuthAuthority,
        workspace: WorkspaceRoutes,
    ) -> None:
        self._seed = seed
        self._world = world
        self._tokens = tokens
        self._oauth = oauth
        self._workspace = workspace

    def answer(self, request: Request) -> Answer:
        try:
            found = _match(_route_path(request.path))
            if found is None or not found[0].anonymous:
                self._authenticate(request)
            if found is None:
                raise not_found()
            route, param = found
            handler = route.handlers.get(request.method.upper())
            if handler is None:
                raise method_not_allowed(sorted(route.handlers))
            return handler(self, request, param)
        except ApiError as error:
            return error_answer(error)

    def _authenticate(self, request: Request) -> None:
        token = bearer_token(request.headers.get("authorization"))
        if token is None or not (self._tokens.accepts(token) or self._oauth.accepts(token)):
            raise unauthorized()

    def _is_me(self, user: str | None) -> bool:
        return user is None or user.lower() == self._seed.user_id

    def _entry(self, entry: Entry | None) -> Answer:
        return no_content() if entry is None else json_answer(entry_json(entry, self._seed))

    def _get_me(self, request: Request, user: str | None) -> Answer:
        return json_answer(me_json(self._seed))

    def _get_last(self, request: Request, user: str | None) -> Answer:
        """Someone else's, or an unknown person's, last entry answers 204 (reported for awork)."""
        return self._entry(self._world.last() if self._is_me(user) else None)

    def _start(self, request: Request, user: str | None) -> Answer:
        form = parse_start_form(request.body, request.content_type)
        if not self._is_me(user):
            raise not_found(f"No user with the id '{user}' exists in this workspace.")
        return self._entry(self._world.start(form))

    def _pause(self, request: Request, user: str | None) -> Answer:
        check_no_body(request.body)
        if not self._is_me(user):
            raise invalid_operation("You can only pause your own time trackings")
        return self._entry(self._world.pause())

    def _resume(self, request: Request, user: str | None) -> Answer:
        check_no_body(request.body)
        if not self._is_me(user):
            raise invalid_operation("You can only resume your own time trackings")
        return self._entry(self._world.resume())

    def _stop(self, request: Request, user: str | None) -> Answer:
        """Nobody else has a timer in the sandbox, so stopping theirs finds nothing: 204."""
        check_stop_form(request.body, request.content_type)
        return self._entry(self._world.stop() if self._is_me(user) else None)

    # --- the workspace: tasks, types of work, search, capacity, entry lists and edits ------------

    def _assigned_tasks(self, request: Request, user: str | None) -> Answer:
        return self._workspace.assigned_tasks(request.query, user)

    def _project_tasks(self, request: Request, _: str | None) -> Answer:
        return self._workspace.project_tasks(request.query)

    def _private_tasks(self, request: Request, _: str | None) -> Answer:
        return self._workspace.private_tasks(request.query)

    def _all_available_tasks(self, request: Request, _: str | None) -> Answer:
        return self._workspace.all_available_tasks(request.query)

    def _task(self, request: Request, task_id: str | None) -> Answer:
        return self._workspace.task(task_id)

    def _types_of_work(self, request: Request, _: str | None) -> Answer:
        return self._workspace.types_of_work(request.query)

    def _project_types_of_work(self, request: Request, project_id: str | None) -> Answer:
        return self._workspace.project_types_of_work(project_id)

    def _capacity(self, request: Request, user: str | None) -> Answer:
        return self._workspace.capacity(user)

    def _search(self, request: Request, _: str | None) -> Answer:
        return self._workspace.search(request.query)

    def _time_entries(self, request: Request, _: str | None) -> Answer:
        return self._workspace.time_entries(request.query)

    def _time_entry(self, request: Request, entry_id: str | None) -> Answer:
        return self._workspace.time_entry(entry_id)

    def _edit_time_entry(self, request: Request, entry_id: str | None) -> Answer:
        return self._workspace.edit_time_entry(entry_id, request.body, request.content_type)

    def _settings(self, request: Request, _: str | None) -> Answer:
        return self._workspace.settings()

    # --- signing in -------------------------------------------------------------------------------

    def _register(self, request: Request, _: str | None) -> Answer:
        form = parse_registration_form(request.body, request.content_type)
        return json_answer(registration_json(self._oauth.register(form)), status=201)

    def _authorize(self, request: Request, _: str | None) -> Answer:
        """The browser's request: the person approves at once, so it ends in a redirect."""
        return redirect(self._oauth.authorize(OAuthParams.parse(request.query)))

    def _token(self, request: Request, _: str | None) -> Answer:
        tokens = self._oauth.token(parse_token_form(request.body, request.content_type))
        return json_answer(token_json(tokens), headers=NO_STORE)

    def _authorized_clients(self, request: Request, _: str | None) -> Answer:
        return json_answer([authorized_client_json(a) for a in self._oauth.authorizations])

    def _revoke_all(self, request: Request, _: str | None) -> Answer:
        return json_answer(revocation_json(self._oauth.revoke_all()))

    def _revoke(self, request: Request, client_id: str | None) -> Answer:
        return json_answer(revocation_json(self._oauth.revoke(client_id or "")))


@dataclass(frozen=True)
class _Route:
    """A path pattern and its handlers; ``anonymous`` routes serve clients without a token yet."""

    pattern: re.Pattern[str]
    handlers: Mapping[str, _Action]
    anonymous: bool = False


def _routes(*table: tuple[str, Mapping[str, _Action], bool]) -> tuple[_Route, ...]:
    return tuple(
        _Route(re.compile(f"^{pattern}$", re.IGNORECASE), handlers, anonymous)
        for pattern, handlers, anonymous in table
    )


_ROUTES = _routes(
    ("/me", {"GET": AworkApi._get_me}, False),
    (f"{_OWNER}/timeentries/last", {"GET": AworkApi._get_last}, False),
    (f"{_OWNER}/timetracking/start", {"POST": AworkApi._start}, False),
    (f"{_OWNER}/timetracking/pause", {"POST": AworkApi._pause}, False),
    (f"{_OWNER}/timetracking/resume", {"POST": AworkApi._resume}, False),
    (f"{_OWNER}/timetracking/stop", {"POST": AworkApi._stop}, False),
    (f"{_OWNER}/assignedtasks", {"GET": AworkApi._assigned_tasks}, False),
    ("/me/projecttasks", {"GET": AworkApi._project_tasks}, False),
    ("/me/privatetasks", {"GET": AworkApi._private_tasks}, False),
    ("/me/allavailabletasks", {"GET": AworkApi._all_available_tasks}, False),
    ("/tasks/(?P<task>[^/]+)", {"GET": AworkApi._task}, False),
    ("/typeofwork", {"GET": AworkApi._types_of_work}, False),
    ("/projects/(?P<project>[^/]+)/typeofwork", {"GET": AworkApi._project_types_of_work}, False),
    ("/users/(?P<user>[^/]+)/capacity", {"GET": AworkApi._capacity}, False),
    ("/search", {"GET": AworkApi._search}, False),
    ("/timeentries", {"GET": AworkApi._time_entries}, False),
    (
        "/timeentries/(?P<entry>[^/]+)",
        {"GET": AworkApi._time_entry, "PUT": AworkApi._edit_time_entry},
        False,
    ),
    ("/timetracking/settings", {"GET": AworkApi._settings}, False),
    ("/clientapplications/register", {"POST": AworkApi._register}, True),
    ("/accounts/authorize", {"GET": AworkApi._authorize}, True),
    ("/accounts/token", {"POST": AworkApi._token}, True),
    (
        "/accounts/me/authorizedclients",
        {"GET": AworkApi._authorized_clients, "DELETE": AworkApi._revoke_all},
        False,
    ),
    ("/accounts/me/authorizedclients/(?P<client>[^/]+)", {"DELETE": AworkApi._revoke}, False),
)


def _match(path: str) -> tuple[_Route, str | None] | None:
    """The route of ``path`` and its one parameter (``userId``, ``taskId``…; None for none)."""
    for route in _ROUTES:
        match = route.pattern.match(path)
        if match is not None:
            param = next((v for v in match.groupdict().values() if v is not None), None)
            return route, None if param is None else unquote(param)
    return None
