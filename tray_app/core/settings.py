"""The person's settings: a typed model kept as JSON in the platform's config folder.

A missing, corrupt or foreign file never stops the app: it is logged, and the defaults are used.
No secret is ever stored here; tokens live in the keychain.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

log = logging.getLogger(__name__)

APP_DIR_NAME = "awork-tray"
SETTINGS_FILE_NAME = "settings.json"


class NotificationSettings(BaseModel):
    """Which changes made elsewhere get a desktop notification."""

    model_config = ConfigDict(extra="ignore")

    started: bool = True
    paused: bool = True
    resumed: bool = True
    stopped: bool = True
    auto_stopped: bool = True
    switched: bool = True
    task_changed: bool = True
    action_failed: bool = True
    connection: bool = True


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    base_url: str = "https://api.awork.com/api/v1"
    # awork's rate limit is shared by the whole workspace: 30 s keeps one person at 120 per hour.
    poll_interval_seconds: int = Field(default=30, ge=10, le=3600)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    start_at_login: bool = False


def settings_path() -> Path:
    return platformdirs.user_config_path(APP_DIR_NAME, appauthor=False) / SETTINGS_FILE_NAME


def load_settings(path: Path | None = None) -> Settings:
    """The stored settings, or the defaults when there are none or they cannot be read."""
    path = path or settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        log.warning("cannot read settings %s (%s); using defaults", path, exc.strerror)
        return Settings()
    try:
        return Settings.model_validate(json.loads(text))
    except (ValueError, ValidationError) as exc:
        log.warning("settings file %s is not valid (%s); using defaults", path, _short(exc))
        return Settings()


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write atomically, so a crash mid-write never leaves a half file behind."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(settings.model_dump_json(indent=2), encoding="utf-8")
    os.replace(temporary, path)


def _short(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return f"{error.error_count()} invalid value(s)"
    return str(error).splitlines()[0]
