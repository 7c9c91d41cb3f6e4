"""Where the sign-in lives: the operating system's keychain, through ``keyring``.

Each awork base URL (one account and workspace) has its own entries under the service
``awork-tray``: the registered client, the refresh token, and the access token with its expiry.
They are separate entries because Windows Credential Manager caps one secret at 2560 bytes, and
so that the refresh token can be written on its own, first, after every refresh.

When there is no keychain (Linux without a Secret Service), or it is locked or failing, the store
says so once, in one line that tells the person what to do, and keeps the tokens in memory for
this run only. It never falls back to a file: a token on disk in plain text is worse than signing
in again.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import keyring
import keyring.backend
import keyring.errors

from tray_app import logs

log = logging.getLogger(__name__)

SERVICE = "awork-tray"
# What an access token of unknown age is worth: nothing, so the first request refreshes it.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)

# What went wrong and what to do, worded to follow "not signed in: " or to start a sentence.
NO_KEYCHAIN = (
    "no keychain available (install and unlock GNOME Keyring or KWallet, or set AWORK_TOKEN)"
    if sys.platform.startswith("linux")
    else "no keychain available (the system keychain could not be reached; or set AWORK_TOKEN)"
)
LOCKED_KEYCHAIN = "the keychain is locked (unlock it, then start awork Tray again)"
FAILING_KEYCHAIN = "the keychain failed ({kind}; start awork Tray again once it works)"
MEMORY_ONLY = "you will stay signed in only until awork Tray quits"

_CLIENT = "client"
_REFRESH = "refresh_token"
_ACCESS = "access_token"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keychain that lives in a dict and dies with the process: for the demo and the tests."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@dataclass(frozen=True)
class TokenSet:
    """What a sign-in yields: the access token, when it runs out, and the token that renews it."""

    access_token: str
    refresh_token: str | None
    expires_at: datetime

    def expires_within(self, margin: timedelta, now: datetime) -> bool:
        """Whether the access token is gone, or will be within ``margin`` of ``now``."""
        return not self.access_token or self.expires_at - now <= margin

    def __repr__(self) -> str:
        # Dataclasses print every field; a token must not reach a log through a repr.
        return f"TokenSet(expires_at={self.expires_at.isoformat()})"


@dataclass(frozen=True)
class ClientRegistration:
    """The client awork registered for us, valid for exactly this redirect URI."""

    client_id: str
    redirect_uri: str


def normalize_base_url(base_url: str) -> str:
    """One spelling per base URL, so ``…/api/v1/`` and ``…/api/v1`` share their entries."""
    return base_url.strip().rstrip("/")


class CredentialStore:
    """The keychain entries of every awork base URL, with an in-memory copy of what was read.

    The copy makes the per-request look-up free and lets this process's sign-in, refresh and
    sign-out see each other at once; ``reload=True`` reads the keychain again, for changes made by
    another process (the command line refreshing while the tray runs). Safe to use from several
    threads.
    """

    def __init__(
        self,
        *,
        service: str = SERVICE,
        backend: keyring.backend.KeyringBackend | None = None,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self._service = service
        self._backend = backend
        self._warn = warn
        self._lock = threading.RLock()
        self._tokens: dict[str, TokenSet | None] = {}
        self._clients: dict[str, ClientRegistration | None] = {}
        self._renewal_locks: dict[str, threading.Lock] = {}
        self.problem: str | None = None
        """Why the keychain cannot be used and what to do, lower case; None while it works."""

    @property
    def in_memory_only(self) -> bool:
        """True once the keychain failed: from then on nothing outlives this run."""
        return self.problem is not None

    @property
    def warning(self) -> str | None:
        """The one line to show when the keychain failed, e.g. in a notification."""
        if self.problem is None:
            return None
        return f"{self.problem[:1].upper()}{self.problem[1:]}; {MEMORY_ONLY}."

    # -- the registered client ------------------------------------------------------------------

    def client(self, base_url: str) -> ClientRegistration | None:
        base = normalize_base_url(base_url)
        with self._lock:
            if base not in self._clients:
                self._clients[base] = _client_from(self._read(base, _CLIENT))
            return self._clients[base]

    def save_client(self, base_url: str, registration: ClientRegistration) -> None:
        base = normalize_base_url(base_url)
        text = json.dumps(
            {"client_id": registration.client_id, "redirect_uri": registration.redirect_uri}
        )
        with self._lock:
            self._clients[base] = registration
            self._write(base, _CLIENT, text)

    # -- the tokens -----------------------------------------------------------------------------

    def tokens(self, base_url: str, *, reload: bool = False) -> TokenSet | None:
        """The stored tokens, or None when not signed in to ``base_url``."""
        base = normalize_base_url(base_url)
        with self._lock:
            if reload or base not in self._tokens:
                if self.in_memory_only:
                    return self._tokens.get(base)
                refresh = self._read(base, _REFRESH)
                access = self._read(base, _ACCESS)
                if self.in_memory_only:  # the keychain failed just now: keep what we had
                    return self._tokens.get(base)
                self._tokens[base] = _tokens_from(refresh, access)
            return self._tokens[base]

    def save_tokens(self, base_url: str, tokens: TokenSet) -> None:
        """Keep new tokens; the refresh token is written first.

        awork rotates refresh tokens: once it has answered a refresh, only the new refresh token
        works. Writing it before the access token (which is only a cache) means a crash between
        the two writes still leaves a sign-in that can renew itself.
        """
        base = normalize_base_url(base_url)
        logs.register_secret(tokens.access_token)
        logs.register_secret(tokens.refresh_token)
        with self._lock:
            if tokens.refresh_token:
                self._write(base, _REFRESH, tokens.refresh_token)
            else:
                self._delete(base, _REFRESH)
            self._write_access(base, tokens)
            self._tokens[base] = tokens

    def clear_tokens(self, base_url: str) -> None:
        """Forget the tokens of ``base_url``; the registered client is kept for the next sign-in."""
        base = normalize_base_url(base_url)
        with self._lock:
            self._tokens[base] = None
            self._delete(base, _REFRESH)
            self._delete(base, _ACCESS)

    def forget(self, base_url: str) -> None:
        """Forget everything about ``base_url``, the registered client included."""
        base = normalize_base_url(base_url)
        with self._lock:
            self.clear_tokens(base)
            self._clients[base] = None
            self._delete(base, _CLIENT)

    def renewal_lock(self, base_url: str) -> threading.Lock:
        """The lock every renewal of ``base_url``'s tokens in this process holds.

        awork rotates refresh tokens, so of two renewals running at once one would use a token
        the other just killed, and sign the person out.
        """
        base = normalize_base_url(base_url)
        with self._lock:
            return self._renewal_locks.setdefault(base, threading.Lock())

    # -- the keychain ---------------------------------------------------------------------------

    def _backend_now(self) -> keyring.backend.KeyringBackend:
        return self._backend or keyring.get_keyring()

    def _read(self, base: str, kind: str) -> str | None:
        if self.in_memory_only:
            return None
        try:
            value = self._backend_now().get_password(self._service, _entry(base, kind))
        except Exception as exc:  # any keychain failure means: memory only
            self._give_up(exc)
            return None
        logs.register_secret(value)
        return value

    def _write_access(self, base: str, tokens: TokenSet) -> None:
        """Keep the access token, which is only a cache: the refresh token can always renew it.

        A backend that refuses this one secret (Windows Credential Manager caps a secret at 2560
        bytes, and a long access token may not fit) costs a renewal at the next start, not the
        keychain for the whole run.
        """
        if self.in_memory_only:
            return
        text = json.dumps(
            {"access_token": tokens.access_token, "expires_at": tokens.expires_at.isoformat()}
        )
        try:
            self._backend_now().set_password(self._service, _entry(base, _ACCESS), text)
        except keyring.errors.PasswordSetError:
            log.warning("the keychain refused the access token; it is renewed at the next start")
            self._delete(base, _ACCESS)  # an older one must not outlive its refresh token
        except Exception as exc:
            self._give_up(exc)

    def _write(self, base: str, kind: str, value: str) -> None:
        if self.in_memory_only:
            return
        try:
            self._backend_now().set_password(self._service, _entry(base, kind), value)
        except Exception as exc:
            self._give_up(exc)

    def _delete(self, base: str, kind: str) -> None:
        if self.in_memory_only:
            return
        try:
            self._backend_now().delete_password(self._service, _entry(base, kind))
        except keyring.errors.PasswordDeleteError:
            pass  # there was nothing to delete
        except Exception as exc:
            self._give_up(exc)

    def _give_up(self, error: Exception) -> None:
        """Switch to memory-only for the rest of the run and say so, once."""
        if isinstance(error, keyring.errors.NoKeyringError):
            problem = NO_KEYCHAIN
        elif isinstance(error, keyring.errors.KeyringLocked):
            problem = LOCKED_KEYCHAIN
        else:
            problem = FAILING_KEYCHAIN.format(kind=type(error).__name__)
        self.problem = problem
        # Only the type: a backend's message is not ours to vouch for.
        log.warning("keychain unusable (%s): %s", type(error).__name__, self.warning)
        if self._warn is not None:
            self._warn(f"{self.warning}")


def _entry(base: str, kind: str) -> str:
    """The keychain's "user name" of one entry: the base URL, a space, and what it holds."""
    return f"{base} {kind}"


def _client_from(text: str | None) -> ClientRegistration | None:
    if not text:
        return None
    try:
        data = json.loads(text)
        return ClientRegistration(str(data["client_id"]), str(data["redirect_uri"]))
    except (ValueError, KeyError, TypeError):
        log.warning("the stored client registration is unreadable; registering again")
        return None


def _tokens_from(refresh: str | None, access_entry: str | None) -> TokenSet | None:
    access, expires_at = "", NEVER
    if access_entry:
        try:
            data = json.loads(access_entry)
            access = str(data["access_token"])
            expires_at = datetime.fromisoformat(str(data["expires_at"]))
            if expires_at.tzinfo is None:
                expires_at = expires_at.replace(tzinfo=UTC)
        except (ValueError, KeyError, TypeError):
            log.warning("the stored access token is unreadable; it will be renewed")
            access, expires_at = "", NEVER
    if not refresh and not access:
        return None
    return TokenSet(access_token=access, refresh_token=refresh or None, expires_at=expires_at)
