"""The person's settings: a typed model kept as JSON in the platform's config folder.

A missing, corrupt or foreign file never stops the app, and one bad value never costs the
others: each field is read on its own, a bad one is logged and falls back to its default, and the
file is copied aside (``settings.json.bad``) before a save could overwrite what the person wrote.
No secret is ever stored here; tokens live in the keychain.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_serializer,
    field_validator,
)

from tray_app.config import APP_ID, DEFAULT_BASE_URL
from tray_app.core.away_settings import AwaySettings, ReminderSettings
from tray_app.urls import check_base_url

log = logging.getLogger(__name__)

SETTINGS_FILE_NAME = "settings.json"
BAD_SUFFIX = ".bad"


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

    base_url: str = DEFAULT_BASE_URL
    # awork's rate limit is shared by the whole workspace: 30 s keeps one person at 120 per hour.
    poll_interval_seconds: int = Field(default=30, ge=10, le=3600)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    start_at_login: bool = False
    # Pinned task ids, in the order the person pinned them (the tray's and the CLI's favourites).
    favourites: list[str] = Field(default_factory=list)
    # Away from the desk (issue 14): what a lock or idle time does, and the two reminders.
    away: AwaySettings = Field(default_factory=AwaySettings)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)

    @field_serializer("reminders")
    def _reminders_as_written(self, reminders: ReminderSettings) -> dict[str, Any]:
        """Kept as the README documents it (``"09:00"``, ``"mon"``), not pydantic's ``09:00:00``."""
        return reminders.to_json()

    @field_validator("base_url")
    @classmethod
    def _secure_base_url(cls, value: str) -> str:
        """Plain http to another host would carry the person's token in clear."""
        return check_base_url(value)


def settings_path() -> Path:
    return platformdirs.user_config_path(APP_ID, appauthor=False) / SETTINGS_FILE_NAME


def load_settings(path: Path | None = None) -> Settings:
    """The stored settings, field by field: the defaults stand in for what cannot be read."""
    path = path or settings_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        log.warning("cannot read settings %s (%s); using defaults", path, exc.strerror)
        return Settings()
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return _unreadable(path, "it is not UTF-8 text")
    except RecursionError:
        return _unreadable(path, "it is nested too deeply")
    except ValueError as exc:
        return _unreadable(path, f"it is not JSON: {str(exc).splitlines()[0]}")
    if not isinstance(data, dict):
        return _unreadable(path, "it does not hold an object")
    bad: list[str] = []
    notifications = data.get("notifications")
    # A section that is an object is read member by member below; checked whole here, one bad
    # member would also warn that the whole section was dropped, which it is not.
    # The away and reminder sections are read key by key below as well.
    top = {
        key: value
        for key, value in data.items()
        if key not in ("away", "reminders")
        and (key != "notifications" or not isinstance(value, dict))
    }
    fields = _valid_fields(Settings, top, bad, prefix="")
    if isinstance(notifications, dict):
        fields["notifications"] = NotificationSettings(
            **_valid_fields(NotificationSettings, notifications, bad, prefix="notifications.")
        )
    # Each key of these two sections is read on its own too: a bad one costs only itself.
    fields["away"] = AwaySettings.of(data.get("away"))
    fields["reminders"] = ReminderSettings.of(data.get("reminders"))
    if bad:
        _keep_aside(path)
    return Settings(**fields)


def _valid_fields(
    model: type[BaseModel], data: dict[str, Any], bad: list[str], *, prefix: str
) -> dict[str, Any]:
    """The fields of ``data`` that ``model`` accepts, each on its own; warns about the others."""
    valid: dict[str, Any] = {}
    for name in model.model_fields:
        if name not in data:
            continue
        try:
            checked = model.model_validate({name: data[name]})
        except ValidationError as exc:
            # Never the value itself: a person may have pasted anything into the file.
            reason = exc.errors(include_input=False, include_url=False)[0]["msg"]
            reason = _without_value(reason.removeprefix("Value error, "), data[name])
            log.warning("settings: ignoring %s%s (%s); using its default", prefix, name, reason)
            bad.append(prefix + name)
            continue
        valid[name] = getattr(checked, name)
    return valid


def _without_value(reason: str, value: object) -> str:
    """``reason`` with the value it may quote (an address's check does) cut out."""
    if isinstance(value, str) and value.strip():
        reason = reason.replace(repr(value.strip()), "…").replace(value.strip(), "…")
    return reason


def _unreadable(path: Path, reason: str) -> Settings:
    log.warning("settings file %s cannot be read (%s); using defaults", path, reason)
    _keep_aside(path)
    return Settings()


def _keep_aside(path: Path) -> None:
    """Copy what the person wrote to ``settings.json.bad``, so a later save loses nothing."""
    aside = path.with_name(path.name + BAD_SUFFIX)
    try:
        shutil.copyfile(path, aside)
    except OSError as exc:
        log.warning("could not copy the settings file aside to %s (%s)", aside, exc.strerror)
        return
    log.warning("the settings file as it was is kept in %s", aside)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write atomically, so a crash mid-write never leaves a half file behind."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(settings.model_dump_json(indent=2), encoding="utf-8")
    os.replace(temporary, path)
