"""TEST ONLY: a keychain in a JSON file, so a sign-in made by one test process reaches the next.

A subprocess picks it with ``PYTHON_KEYRING_BACKEND=tests.helpers.keyring_file.Keyring`` and
finds its file in ``AWORK_TRAY_TEST_KEYRING_FILE``. It stores secrets in plain text: it exists for
the tests' own temporary folders and must never be importable from the app.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend
import keyring.errors

FILE_ENV = "AWORK_TRAY_TEST_KEYRING_FILE"


class Keyring(keyring.backend.KeyringBackend):
    """Entries as ``{"service user": secret}`` in the file named by AWORK_TRAY_TEST_KEYRING_FILE."""

    priority = 1  # type: ignore[assignment]

    @property
    def _path(self) -> Path:
        name = os.environ.get(FILE_ENV)
        if not name:
            raise keyring.errors.InitError(f"{FILE_ENV} is not set (this backend is test-only)")
        return Path(name)

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {str(key): str(value) for key, value in data.items()}

    def _save(self, entries: dict[str, str]) -> None:
        self._path.write_text(json.dumps(entries, indent=1), encoding="utf-8")

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service} {username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._load()
        entries[f"{service} {username}"] = password
        self._save(entries)

    def delete_password(self, service: str, username: str) -> None:
        entries = self._load()
        if entries.pop(f"{service} {username}", None) is None:
            raise keyring.errors.PasswordDeleteError(username)
        self._save(entries)
