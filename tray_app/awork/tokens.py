"""What a sign-in yields and where it is kept, as the awork client sees it.

The keychain itself is a platform adapter (:mod:`tray_app.platform.credentials`) that the
composition root hands in; the sign-in, renewal and sign-out code here only needs a store with
the shape of :class:`TokenStore`, so it never imports the keychain.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


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


class TokenStore(Protocol):
    """Keeps one person's sign-in per awork base URL (the keychain, or memory in tests)."""

    def client(self, base_url: str) -> ClientRegistration | None: ...

    def save_client(self, base_url: str, registration: ClientRegistration) -> None: ...

    def tokens(self, base_url: str, *, reload: bool = False) -> TokenSet | None: ...

    def save_tokens(self, base_url: str, tokens: TokenSet) -> None: ...

    def clear_tokens(self, base_url: str) -> None: ...

    def renewal_lock(self, base_url: str) -> AbstractContextManager[object]:
        """Held by a renewal: one at a time per base URL, across threads and processes."""
        ...
