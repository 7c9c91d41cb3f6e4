"""A broken settings file never stops the app and never costs the other settings (issue 11, 10)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from tray_app.config import DEFAULT_BASE_URL
from tray_app.core.settings import NotificationSettings, Settings, load_settings, save_settings

OURS = "https://awork.example.com/api/v1"
SETTINGS_LOG = "tray_app.core.settings"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "awork-tray" / "settings.json"


def write(path: Path, content: bytes | str | object) -> bytes:
    """Put ``content`` in the settings file as the person left it; returns its bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    elif not isinstance(content, bytes):
        content = json.dumps(content).encode("utf-8")
    path.write_bytes(content)
    return content


KEPT_ASIDE = r"^the settings file as it was is kept in \S+/awork-tray/settings\.json\.bad$"


def kept_aside() -> pytest.MarkDecorator:
    """The warning that the file as it was is copied aside before anything is saved over it."""
    return pytest.mark.expect_log("WARNING", KEPT_ASIDE, logger=SETTINGS_LOG)


def ignoring(field: str, reason: str) -> pytest.MarkDecorator:
    """The warning that one setting is ignored, naming it and why, never its value."""
    return pytest.mark.expect_log(
        "WARNING",
        rf"^settings: ignoring {field} \({reason}\); using its default$",
        logger=SETTINGS_LOG,
    )


def unreadable(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.expect_log(
        "WARNING",
        rf"^settings file \S+/settings\.json cannot be read \({reason}\); using defaults$",
        logger=SETTINGS_LOG,
    )


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def aside(path: Path) -> Path:
    return path.with_name("settings.json.bad")


@kept_aside()
@ignoring(
    "poll_interval_seconds", "Input should be a valid integer, unable to parse string as an integer"
)
def test_one_bad_field_keeps_the_others_and_the_file_is_kept_aside(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    written = write(
        path,
        {
            "base_url": OURS,
            "poll_interval_seconds": "every now and then",
            "notifications": {"paused": False},
            "start_at_login": True,
        },
    )

    settings = load_settings(path)

    assert settings == Settings(
        base_url=OURS,
        notifications=NotificationSettings(paused=False),
        start_at_login=True,
    )
    assert settings.poll_interval_seconds == 30
    lines = warnings(caplog)
    assert any("poll_interval_seconds" in line for line in lines), lines
    assert not any("every now and then" in line for line in lines), "the value is never logged"
    assert aside(path).read_bytes() == written


@kept_aside()
@ignoring("poll_interval_seconds", "Input should be greater than or equal to 10")
def test_a_value_out_of_range_falls_back_alone(path: Path) -> None:
    write(path, {"base_url": OURS, "poll_interval_seconds": 1})

    assert load_settings(path) == Settings(base_url=OURS)


@kept_aside()
@ignoring(r"notifications\.stopped", "Input should be a valid boolean")
def test_one_bad_notification_keeps_the_other_notifications(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(path, {"notifications": {"paused": False, "stopped": [1], "started": False}})

    settings = load_settings(path)

    assert settings.notifications == NotificationSettings(paused=False, started=False)
    assert any("notifications.stopped" in line for line in warnings(caplog))
    # The section itself is kept: no line may say it was dropped.
    assert not any(
        line.startswith("settings: ignoring notifications (") for line in warnings(caplog)
    )


@kept_aside()
@ignoring(
    "base_url",
    r"https is required for awork\.example\.com: plain http is only for this machine "
    r"\(127\.0\.0\.1, ::1, localhost\)",
)
def test_plain_http_to_another_host_falls_back_to_awork_s_address(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(path, {"base_url": "http://awork.example.com/api/v1", "poll_interval_seconds": 45})

    settings = load_settings(path)

    assert settings.base_url == DEFAULT_BASE_URL
    assert settings.poll_interval_seconds == 45
    assert any("base_url" in line and "https is required" in line for line in warnings(caplog))


def test_plain_http_on_this_machine_is_kept(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(path, {"base_url": "http://127.0.0.1:8765/api/v1"})

    assert load_settings(path).base_url == "http://127.0.0.1:8765/api/v1"
    assert warnings(caplog) == []
    assert not aside(path).exists()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            b'{"base_url": "https://awork.example.com/api/v1", "x": "\xff\xfe"}',
            marks=unreadable("it is not UTF-8 text"),
            id="not-utf-8",
        ),
        pytest.param(
            "[" * 100_000 + "]" * 100_000,
            marks=unreadable("it is nested too deeply"),
            id="nested-100000-deep",
        ),
        pytest.param(
            '{"poll_interval_seconds": 45',
            marks=unreadable(
                r"it is not JSON: Expecting ',' delimiter: line 1 column 29 \(char 28\)"
            ),
            id="cut-off",
        ),
        pytest.param(
            '["not", "an", "object"]', marks=unreadable("it does not hold an object"), id="a-list"
        ),
    ],
)
@kept_aside()
def test_an_unreadable_file_gives_the_defaults_and_is_kept_aside(
    path: Path, caplog: pytest.LogCaptureFixture, content: bytes | str
) -> None:
    written = write(path, content)

    assert load_settings(path) == Settings()
    lines = warnings(caplog)
    assert any(str(path) in line and "using defaults" in line for line in lines), lines
    assert all("\n" not in line for line in lines)
    assert aside(path).read_bytes() == written


@kept_aside()
@ignoring(
    "poll_interval_seconds", "Input should be a valid integer, unable to parse string as an integer"
)
def test_saving_after_a_bad_file_keeps_what_the_person_wrote(path: Path) -> None:
    written = write(path, {"base_url": OURS, "poll_interval_seconds": "often"})

    save_settings(load_settings(path).model_copy(update={"poll_interval_seconds": 60}), path)

    assert aside(path).read_bytes() == written
    assert load_settings(path) == Settings(base_url=OURS, poll_interval_seconds=60)


def test_a_good_file_is_read_whole_and_nothing_is_kept_aside(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    stored = Settings(base_url=OURS, poll_interval_seconds=90, start_at_login=True)
    save_settings(stored, path)

    assert load_settings(path) == stored
    assert warnings(caplog) == []
    assert not aside(path).exists()


@kept_aside()
@ignoring("base_url", "not an http\\(s\\) URL: …")
def test_a_refused_address_is_not_repeated_in_the_log(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An address that does not parse may still hold a password the person pasted into it."""
    write(path, {"base_url": "https://me:hunter2-secret@[awork.example.com/api/v1"})

    assert load_settings(path).base_url == DEFAULT_BASE_URL
    lines = warnings(caplog)
    assert any("base_url" in line and "not an http(s) URL" in line for line in lines), lines
    assert "hunter2" not in caplog.text


def test_favourites_survive_a_save_and_a_load(path: Path) -> None:
    pinned = ["1be464a0-5eb3-5a4f-9fc3-70c37dd2c5a7", "e16c863a-e449-5e66-91dd-1df55f40295e"]

    save_settings(Settings(favourites=pinned), path)

    assert load_settings(path).favourites == pinned
    assert json.loads(path.read_text(encoding="utf-8"))["favourites"] == pinned


@kept_aside()
@ignoring("favourites", "Input should be a valid list")
def test_favourites_that_are_no_list_of_ids_fall_back_alone(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(path, {"base_url": OURS, "favourites": "WEB-12, WEB-13"})

    settings = load_settings(path)

    assert (settings.base_url, settings.favourites) == (OURS, [])
    assert any("favourites" in line for line in warnings(caplog))
    assert not any("WEB-12" in line for line in warnings(caplog))


@pytest.mark.expect_log("WARNING", r"after_minutes 'ten' is not valid")
def test_away_and_reminders_are_read_key_by_key(path: Path) -> None:
    write(
        path,
        {
            "poll_interval_seconds": 45,
            "away": {"when_locked": "pause", "after_minutes": "ten", "resume_when_back": True},
            "reminders": {"work_hours": ["08:30", "17:00"], "work_days": ["mon", "sat"]},
        },
    )
    settings = load_settings(path)
    assert settings.poll_interval_seconds == 45
    assert settings.away.when_locked.value == "pause"
    assert settings.away.resume_when_back is True
    assert settings.away.after_minutes == 10
    assert [day.value for day in settings.reminders.work_days] == ["mon", "sat"]


def test_away_and_reminders_are_saved_as_the_readme_writes_them(path: Path) -> None:
    write(path, {"away": {"when_idle": "nothing"}, "reminders": {"work_hours": ["08:30", "17:00"]}})
    save_settings(load_settings(path), path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["away"] == {
        "after_minutes": 10,
        "when_locked": "ask",
        "when_idle": "nothing",
        "resume_when_back": False,
    }
    assert saved["reminders"] == {
        "not_tracking_after_minutes": 15,
        "work_days": ["mon", "tue", "wed", "thu", "fri"],
        "work_hours": ["08:30", "17:00"],
        "running_over_hours": 10,
    }
    assert load_settings(path) == load_settings(path)
