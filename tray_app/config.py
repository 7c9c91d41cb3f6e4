"""The app's configuration in one place: its id, environment variables, defaults and ports.

The command line imports this before the tray shows its icon, so it uses the standard library
only; the check of awork's address (:mod:`tray_app.urls`) loads when a URL is chosen.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, MutableMapping

log = logging.getLogger(__name__)

APP_ID = "awork-tray"
"""The command's name, the folder name of settings, logs and the keychain, the desktop file's."""
APP_NAME = "awork Tray"

TOKEN_ENV = "AWORK_TOKEN"
BASE_URL_ENV = "AWORK_BASE_URL"
BENCH_MARKS_ENV = "AWORK_TRAY_BENCH_MARKS"

DEFAULT_BASE_URL = "https://api.awork.com/api/v1"
# The sign-in listener's fixed port on 127.0.0.1: awork needs the redirect address registered
# beforehand. 47420 is unassigned by IANA and far from the ports developers usually occupy.
SIGN_IN_PORT = 47420
HTTP_READ_TIMEOUT_S = 15.0
HTTP_CONNECT_TIMEOUT_S = 5.0


def choose_base_url(
    flag: str | None,
    environ: MutableMapping[str, str],
    from_settings: Callable[[], str | None],
) -> str | None:
    """The ``--base-url`` flag, else ``AWORK_BASE_URL``, else the settings' address (which is
    awork's own unless the person chose another).

    ``from_settings`` is only called when needed: the settings load pydantic (~70 ms). The flag
    and the settings come checked; the environment's is checked here and raises
    :class:`~tray_app.urls.InsecureBaseUrl`, since sending to it would leak the token.
    """
    if flag:
        return flag
    from tray_app.urls import check_base_url

    from_env = environ.get(BASE_URL_ENV, "").strip()
    if from_env:
        return check_base_url(from_env)
    return from_settings()


def take_token(environ: MutableMapping[str, str] | None = None) -> str | None:
    """``AWORK_TOKEN``, removed from the environment so no browser or child process inherits it.

    Read once, at the start; None when unset or blank.
    """
    environ = os.environ if environ is None else environ
    token = environ.pop(TOKEN_ENV, None)
    if token is not None:
        log.debug("took the access token from %s out of the environment", TOKEN_ENV)
    return token.strip() or None if token is not None else None
