"""The keychain store: one set of entries per base URL, memory only when there is no keychain.

Most tests run on the in-memory keychain of ``tests/conftest.py`` and look at its entries, as the
operating system would store them. One test runs against a real Secret Service (gnome-keyring
under its own D-Bus session); CI sets AWORK_TRAY_REQUIRE_E2E=1 so its tools cannot go missing
unnoticed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest

from tests.conftest import MemoryKeyring
from tray_app import logs
from tray_app.platform.credentials import (
    NEVER,
    SERVICE,
    ClientRegistration,
    CredentialStore,
    TokenSet,
)

BASE = "https://api.awork.com/api/v1"
OTHER_BASE = "http://127.0.0.1:8765/api/v1"
EXPIRES = datetime(2026, 8, 1, 12, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]


def token_set(suffix: str = "1") -> TokenSet:
    return TokenSet(f"access-token-{suffix}", f"refresh-token-{suffix}", EXPIRES)


class RecordingKeyring(MemoryKeyring):
    """The in-memory keychain, noting the order in which entries were written."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def set_password(self, service: str, username: str, password: str) -> None:
        self.writes.append(username)
        super().set_password(service, username, password)


class RaisingKeyring(keyring.backend.KeyringBackend):
    """A keychain that fails every call with one error, as a locked or broken one does."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error
        self.calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls += 1
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        self.calls += 1
        raise self.error


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


# --- storing, reading, deleting -------------------------------------------------------------


def test_tokens_survive_into_a_new_store(memory_keyring: MemoryKeyring) -> None:
    CredentialStore().save_tokens(BASE, token_set())

    assert CredentialStore().tokens(BASE) == token_set()


def test_each_piece_is_its_own_entry_under_the_app_s_service(
    memory_keyring: MemoryKeyring,
) -> None:
    store = CredentialStore()
    store.save_client(BASE, ClientRegistration("client-1", "http://127.0.0.1:47420/callback"))
    store.save_tokens(BASE, token_set())

    entries = {user: secret for (service, user), secret in memory_keyring.entries.items()}
    assert {service for service, _ in memory_keyring.entries} == {SERVICE}
    assert entries[f"{BASE} refresh_token"] == "refresh-token-1"
    # Windows caps one secret at 2560 bytes: the access token does not share the refresh token's.
    access = json.loads(entries[f"{BASE} access_token"])
    assert access == {"access_token": "access-token-1", "expires_at": EXPIRES.isoformat()}
    assert json.loads(entries[f"{BASE} client"])["client_id"] == "client-1"
    assert len(entries) == 3


def test_the_refresh_token_is_written_before_the_access_token() -> None:
    backend = RecordingKeyring()
    keyring.set_keyring(backend)

    CredentialStore().save_tokens(BASE, token_set())

    assert backend.writes == [f"{BASE} refresh_token", f"{BASE} access_token"]


def test_every_base_url_has_its_own_sign_in(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    store.save_tokens(BASE, token_set("a"))
    store.save_tokens(OTHER_BASE + "/", token_set("b"))

    fresh = CredentialStore()
    assert fresh.tokens(BASE + "/") == token_set("a")
    assert fresh.tokens(OTHER_BASE) == token_set("b")
    fresh.clear_tokens(OTHER_BASE)
    assert CredentialStore().tokens(OTHER_BASE) is None
    assert CredentialStore().tokens(BASE) == token_set("a")


def test_clearing_tokens_keeps_the_registered_client(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    registration = ClientRegistration("client-1", "http://127.0.0.1:47420/callback")
    store.save_client(BASE, registration)
    store.save_tokens(BASE, token_set())

    store.clear_tokens(BASE)

    assert store.tokens(BASE) is None
    assert CredentialStore().tokens(BASE) is None
    assert CredentialStore().client(BASE) == registration
    store.forget(BASE)
    assert CredentialStore().client(BASE) is None
    assert memory_keyring.entries == {}


def test_clearing_what_is_not_there_is_fine(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()

    store.clear_tokens(BASE)
    store.forget(BASE)

    assert store.problem is None


def test_reload_sees_what_another_process_wrote(memory_keyring: MemoryKeyring) -> None:
    store = CredentialStore()
    store.save_tokens(BASE, token_set("1"))

    CredentialStore().save_tokens(BASE, token_set("2"))  # as the command line would

    assert store.tokens(BASE) == token_set("1")  # the copy in memory, no keychain round trip
    assert store.tokens(BASE, reload=True) == token_set("2")


def test_a_missing_access_token_means_renew_first(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(SERVICE, f"{BASE} refresh_token", "refresh-token-1")

    tokens = CredentialStore().tokens(BASE)

    assert tokens == TokenSet("", "refresh-token-1", NEVER)
    assert tokens.expires_within(timedelta(minutes=2), EXPIRES)


@pytest.mark.expect_log(
    "WARNING",
    r"the stored access token is unreadable; it will be renewed",
    logger="tray_app.platform.credentials",
)
@pytest.mark.expect_log(
    "WARNING",
    r"the stored client registration is unreadable; registering again",
    logger="tray_app.platform.credentials",
)
def test_unreadable_entries_are_ignored_with_a_warning(
    memory_keyring: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    memory_keyring.set_password(SERVICE, f"{BASE} refresh_token", "refresh-token-1")
    memory_keyring.set_password(SERVICE, f"{BASE} access_token", "{not json")
    memory_keyring.set_password(SERVICE, f"{BASE} client", "[]")

    store = CredentialStore()

    assert store.tokens(BASE) == TokenSet("", "refresh-token-1", NEVER)
    assert store.client(BASE) is None
    assert "unreadable" in caplog.text
    assert "refresh-token-1" not in caplog.text


def test_what_the_keychain_holds_is_redacted_from_logs(memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(SERVICE, f"{BASE} refresh_token", "stored-refresh-7f3a9c")

    CredentialStore().tokens(BASE)

    assert logs.redact("sent stored-refresh-7f3a9c") == "sent ***"


def test_a_token_set_never_prints_its_tokens() -> None:
    text = f"{token_set()!r} {token_set()!s}"

    assert "access-token-1" not in text
    assert "refresh-token-1" not in text


def test_expiry_margin() -> None:
    tokens = token_set()
    margin = timedelta(minutes=2)

    assert not tokens.expires_within(margin, EXPIRES - timedelta(minutes=3))
    assert tokens.expires_within(margin, EXPIRES - timedelta(minutes=1))
    assert tokens.expires_within(margin, EXPIRES + timedelta(days=1))


# --- no keychain, a locked one, a failing one ------------------------------------------------


@pytest.fixture
def no_keychain() -> Iterator[None]:
    """What a Linux desktop without a Secret Service gives: every call raises NoKeyringError."""
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield


@pytest.mark.usefixtures("no_keychain")
@pytest.mark.expect_log(
    "WARNING",
    r"keychain unusable \(NoKeyringError\): No keychain available",
    logger="tray_app.platform.credentials",
)
def test_without_a_keychain_tokens_live_in_memory_for_this_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    warnings: list[str] = []
    store = CredentialStore(warn=warnings.append)

    assert store.tokens(BASE) is None
    store.save_client(BASE, ClientRegistration("client-1", "http://127.0.0.1:47420/callback"))
    store.save_tokens(BASE, token_set())

    assert store.tokens(BASE) == token_set()
    assert store.tokens(BASE, reload=True) == token_set()
    assert store.client(BASE) == ClientRegistration("client-1", "http://127.0.0.1:47420/callback")
    assert CredentialStore().tokens(BASE) is None  # nothing outlives the store
    assert warnings == [store.warning]  # said once, however often it failed
    assert warnings[0] == (
        "No keychain available (install and unlock GNOME Keyring or KWallet, or set "
        "AWORK_TOKEN); you will stay signed in only until awork Tray quits."
    )
    # Never a plain-text fallback: the test's private XDG folders hold no file at all.
    assert files_under(tmp_path) == []
    assert "access-token-1" not in caplog.text


@pytest.mark.usefixtures("no_keychain")
@pytest.mark.expect_log(
    "WARNING",
    r"keychain unusable \(NoKeyringError\): No keychain available",
    logger="tray_app.platform.credentials",
)
def test_without_a_keychain_sign_out_forgets_the_memory_copy() -> None:
    store = CredentialStore()
    store.save_tokens(BASE, token_set())

    store.clear_tokens(BASE)

    assert store.tokens(BASE) is None


@pytest.mark.expect_log(
    "WARNING",
    r"keychain unusable \(KeyringLocked\): The keychain is locked",
    logger="tray_app.platform.credentials",
)
def test_a_locked_keychain_says_to_unlock_it() -> None:
    backend = RaisingKeyring(keyring.errors.KeyringLocked("Failed to unlock the collection!"))
    keyring.set_keyring(backend)
    warnings: list[str] = []
    store = CredentialStore(warn=warnings.append)

    store.save_tokens(BASE, token_set())

    assert store.tokens(BASE) == token_set()
    assert store.problem == "the keychain is locked (unlock it, then start awork Tray again)"
    assert warnings == [
        "The keychain is locked (unlock it, then start awork Tray again); "
        "you will stay signed in only until awork Tray quits."
    ]
    assert backend.calls == 1  # asked once, then left alone for the rest of the run


@pytest.mark.parametrize(
    "error",
    [keyring.errors.InitError("Prompt dismissed"), keyring.errors.PasswordSetError("too long")],
)
@pytest.mark.expect_log(
    "WARNING",
    r"keychain unusable \((InitError|PasswordSetError)\)",
    logger="tray_app.platform.credentials",
)
def test_a_failing_keychain_names_the_failure_not_its_text(error: Exception) -> None:
    keyring.set_keyring(RaisingKeyring(error))
    store = CredentialStore()

    store.save_tokens(BASE, token_set())

    assert store.tokens(BASE) == token_set()
    assert store.problem == (
        f"the keychain failed ({type(error).__name__}; start awork Tray again once it works)"
    )
    assert str(error) not in (store.warning or "")


@pytest.mark.expect_log(
    "WARNING",
    r"the keychain refused the access token; it is renewed at the next start",
    logger="tray_app.platform.credentials",
)
def test_an_access_token_too_large_for_the_keychain_is_renewed_next_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Windows Credential Manager caps a secret at 2560 bytes; the refresh token is what counts."""

    class RefusesLargeSecrets(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            if len(password.encode("utf-16-le")) > 2560:
                raise keyring.errors.PasswordSetError("the secret is too large")
            super().set_password(service, username, password)

    backend = RefusesLargeSecrets()
    keyring.set_keyring(backend)
    store = CredentialStore()
    store.save_tokens(BASE, token_set("small"))
    large = TokenSet("a" * 1300, "refresh-token-2", EXPIRES)

    store.save_tokens(BASE, large)

    assert store.problem is None
    assert store.tokens(BASE) == large  # this run goes on with it
    # The next run renews first, with the new refresh token, and never pairs it with the old
    # access token.
    assert CredentialStore().tokens(BASE) == TokenSet("", "refresh-token-2", NEVER)
    assert "refused the access token" in caplog.text


@pytest.mark.expect_log(
    "WARNING",
    r"keychain unusable \(KeyringLocked\): The keychain is locked",
    logger="tray_app.platform.credentials",
)
def test_a_keychain_failing_half_way_keeps_the_whole_set_in_memory() -> None:
    class FailsOnAccess(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            if username.endswith("access_token"):
                raise keyring.errors.KeyringLocked("locked meanwhile")
            super().set_password(service, username, password)

    keyring.set_keyring(FailsOnAccess())
    store = CredentialStore()

    store.save_tokens(BASE, token_set())

    assert store.in_memory_only
    assert store.tokens(BASE, reload=True) == token_set()


# --- the real Secret Service ------------------------------------------------------------------

SECRET_SERVICE_SCRIPT = textwrap.dedent(
    """
    from datetime import UTC, datetime

    import keyring

    from tray_app.platform.credentials import ClientRegistration, CredentialStore, TokenSet

    base = "https://api.awork.com/api/v1"
    tokens = TokenSet("access-" + "x" * 1500, "refresh-token-e2e", datetime(2030, 1, 1, tzinfo=UTC))
    store = CredentialStore()
    store.save_client(base, ClientRegistration("client-e2e", "http://127.0.0.1:47420/callback"))
    store.save_tokens(base, tokens)

    again = CredentialStore()
    assert again.tokens(base) == tokens, "tokens read back differ"
    assert again.client(base).client_id == "client-e2e"
    again.clear_tokens(base)
    assert CredentialStore().tokens(base) is None, "tokens still there after clear"
    again.forget(base)
    assert CredentialStore().client(base) is None, "client still there after forget"
    assert store.problem is None and again.problem is None, (store.problem, again.problem)
    print("backend:", type(keyring.get_keyring()).__module__)
    """
)


@pytest.mark.e2e
def test_the_real_secret_service_stores_reads_and_deletes(tmp_path: Path) -> None:
    """gnome-keyring in a D-Bus session of its own, unlocked before anything asks it."""
    missing = [
        tool for tool in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(tool)
    ]
    if missing:
        message = (
            f"Secret Service tools missing: {', '.join(missing)} (Debian: dbus, gnome-keyring)"
        )
        if os.environ.get("AWORK_TRAY_REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)
    home = tmp_path / "home"
    home.mkdir()
    script = tmp_path / "secret_service_check.py"
    script.write_text(SECRET_SERVICE_SCRIPT, encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_RUNTIME_DIR": str(tmp_path),
        "PYTHONPATH": str(REPO),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring",
    }
    # Unlocking first matters: a daemon started on demand wants a prompt ("Prompt dismissed").
    shell = (
        "echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null"
        f' && exec "{sys.executable}" "{script}"'
    )

    done = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", shell],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "backend: keyring.backends.SecretService" in done.stdout
    # The secrets went into gnome-keyring's own store in this HOME, nowhere in plain text.
    keyrings = home / ".local" / "share" / "keyrings"
    assert any(keyrings.iterdir())
    for path in files_under(home):
        assert b"refresh-token-e2e" not in path.read_bytes()
