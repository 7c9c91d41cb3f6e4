"""A stand-in awork server on 127.0.0.1 for the demo and the tests (standard library only).

``Sandbox`` serves the timer routes of awork's API v1 under ``/api/v1`` (``/me``,
``/me/timeentries/last``, ``/me/timetracking/start|pause|resume|stop`` and their
``/users/{userId}/...`` forms) with awork's 200/204 rules, breaks, formats and error bodies, seeded
with one person, a colleague, two weeks of entries and a paused timer; and the workspace around it:
task lists, ``/tasks/{id}``, types of work, ``/search``, capacity, ``/timetracking/settings``,
``/timeentries`` with awork's ``filterby``/``orderby``/paging, and ``PUT /timeentries/{id}``. It
signs clients in the way awork does: dynamic client registration, authorize with PKCE (the person
approves at once), token with refresh rotation, and revocation (``Sandbox.oauth`` is the
:class:`OAuthAuthority` behind them). ``Fault`` describes a misbehaviour to inject on one route.
``ManualClock`` lets a test move time (awork's 24-hour stop, token expiry); ``serve_forever`` runs
the sandbox in the foreground for ``awork-tray sandbox``.
"""

from tray_app.sandbox.api import API_PREFIX
from tray_app.sandbox.errors import ApiError, OAuthError
from tray_app.sandbox.faults import Fault, FaultKind
from tray_app.sandbox.oauth import (
    CODE_LIFETIME,
    REFRESH_TOKEN_LIFETIME,
    Authorization,
    OAuthAuthority,
    OAuthClient,
)
from tray_app.sandbox.sandbox import OtherClient, Sandbox, serve_forever
from tray_app.sandbox.seed import Seed, SeedCompany, SeedProject, SeedTask, SeedTypeOfWork
from tray_app.sandbox.server import DROPPED, RecordedRequest
from tray_app.sandbox.state import AUTO_STOP_AFTER, ManualClock

__all__ = [
    "API_PREFIX",
    "AUTO_STOP_AFTER",
    "CODE_LIFETIME",
    "DROPPED",
    "REFRESH_TOKEN_LIFETIME",
    "ApiError",
    "Authorization",
    "Fault",
    "FaultKind",
    "ManualClock",
    "OAuthAuthority",
    "OAuthClient",
    "OAuthError",
    "OtherClient",
    "RecordedRequest",
    "Sandbox",
    "Seed",
    "SeedCompany",
    "SeedProject",
    "SeedTask",
    "SeedTypeOfWork",
    "serve_forever",
]
