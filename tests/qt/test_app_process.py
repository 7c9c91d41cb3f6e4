"""The tray process as a person starts it: no display, quitting, the colour scheme."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QStyleHints
from pytestqt.qtbot import QtBot

from tests.qt.conftest import Seen, make_app
from tray_app import logs
from tray_app.app import TrayApplication
from tray_app.awork.client import AworkClient
from tray_app.core.actions import Action
from tray_app.core.settings import NotificationSettings, Settings, load_settings
from tray_app.core.timer import utc_now
from tray_app.platform.autostart import autostart_path, is_start_at_login
from tray_app.sandbox import Fault, Sandbox
from tray_app.ui.icons import INK_ON_ANY, INK_ON_DARK, IconSet, variant_for
from tray_app.ui.settings_dialog import SettingsDialog
from tray_app.ui.tray import TrayIcon
from tray_app.ui.view_model import Connection, present


def test_without_a_display_the_tray_says_so_in_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    done = subprocess.run(
        [sys.executable, "-m", "tray_app"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 5
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no display found" in lines[0]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_logout_or_ctrl_c_ends_the_tray_at_once_and_cleanly(
    tmp_path: Path, signum: signal.Signals
) -> None:
    """Exit code 0 and no traceback: the handlers are in place, woken through their pipe."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "AWORK_TOKEN": "token-for-nobody",
    }
    tray = subprocess.Popen(
        # Nothing listens on port 9: the tray is offline and waits before it asks again.
        [sys.executable, "-m", "tray_app", "--base-url", "http://127.0.0.1:9"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        log_file = tmp_path / "state" / "awork-tray" / "log" / "awork-tray.log"
        deadline = time.monotonic() + 20
        while "poll failed" not in (log_file.read_text() if log_file.exists() else ""):
            assert time.monotonic() < deadline, "the tray did not try awork"
            assert tray.poll() is None, tray.communicate()
            time.sleep(0.05)
        sent = time.monotonic()
        tray.send_signal(signum)
        _, stderr = tray.communicate(timeout=10)
        took = time.monotonic() - sent
    finally:
        if tray.poll() is None:
            tray.kill()
            tray.communicate()
    assert tray.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert took < 2.5, f"quit {took:.1f} s after the signal, not at once"


def test_quit_waits_for_an_action_under_way(
    qtbot: QtBot, tray_app: TrayApplication, sandbox: Sandbox
) -> None:
    qtbot.waitUntil(lambda: "Paused at" in tray_app.tray.header.text(), timeout=5000)
    sandbox.inject("POST", "/me/timetracking/resume", Fault.delay(0.7))
    tray_app.tray.actions[Action.RESUME].trigger()
    tray_app.shutdown()
    resumes = [r for r in sandbox.requests if r.path.endswith("/timetracking/resume")]
    assert [r.status for r in resumes] == [200], "the resume must be answered, not cut off"
    polls_after = [r for r in sandbox.requests if r.path.endswith("/timeentries/last")]
    count = len(polls_after)
    qtbot.wait(300)
    assert len([r for r in sandbox.requests if r.path.endswith("/timeentries/last")]) == count


def test_the_icon_follows_the_panels_colour_scheme(
    qtbot: QtBot, tray_app: TrayApplication, sandbox: Sandbox
) -> None:
    qtbot.waitUntil(lambda: "Paused at" in tray_app.tray.header.text(), timeout=5000)
    sandbox.other_client.stop()
    tray_app.tray.refresh.trigger()
    qtbot.waitUntil(lambda: "Stopped at" in tray_app.tray.header.text(), timeout=5000)

    def ink() -> str:
        return tray_app.tray.icon().pixmap(64, 64).toImage().pixelColor(32, 6).name()

    tray_app.on_style_hints_color_scheme_changed(Qt.ColorScheme.Dark)
    assert ink() == QColor(INK_ON_DARK).name()
    tray_app.on_style_hints_color_scheme_changed(Qt.ColorScheme.Light)
    assert ink() == QColor(INK_ON_ANY).name()


def test_the_first_icon_takes_the_panels_colour_scheme_once_the_app_is_built(
    qtbot: QtBot, client: AworkClient, seen: Seen, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The start shows the connecting icon without asking for the scheme (it costs ~15 ms)."""
    icons = IconSet(variant_for(None, macos=False))
    tray = TrayIcon(icons)
    tray.show_display(present(None, Connection.CONNECTING, frozenset(), utc_now()))

    def ink() -> str:
        return tray.tray.icon().pixmap(64, 64).toImage().pixelColor(32, 6).name()

    assert ink() == QColor(INK_ON_ANY).name(), "not asked yet: the grey for any panel"
    monkeypatch.setattr(QStyleHints, "colorScheme", lambda _: Qt.ColorScheme.Dark)
    tray_app = make_app(client, seen, tray=tray, icons=icons)
    try:
        assert tray_app.tray is tray
        assert ink() == QColor(INK_ON_DARK).name()
    finally:
        tray_app.shutdown()


def test_settings_from_the_menu_are_saved_and_applied(
    qtbot: QtBot, tray_app: TrayApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited = tray_app.settings.model_copy(
        update={
            "poll_interval_seconds": 120,
            "notifications": NotificationSettings(paused=False),
        }
    )
    shown: list[Settings] = []

    def edit(cls: type[SettingsDialog], settings: Settings, parent: object = None) -> Settings:
        shown.append(settings)
        return edited

    monkeypatch.setattr(SettingsDialog, "edit", classmethod(edit))
    tray_app.tray.settings.trigger()
    assert shown == [Settings()]
    assert not is_start_at_login()
    assert load_settings() == edited
    assert tray_app.controller.poll_interval_s == 120
    assert tray_app.notifier.settings.paused is False


def test_the_settings_dialog_edits_every_setting(qtbot: QtBot) -> None:
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.poll_interval.setValue(45)
    dialog.notifications["stopped"].setChecked(False)
    dialog.start_at_login.setChecked(True)
    dialog.base_url.setText(" http://127.0.0.1:9/api/v1 ")
    result = dialog.result_settings()
    assert result.poll_interval_seconds == 45
    assert result.notifications.stopped is False and result.notifications.paused is True
    assert result.start_at_login is True
    assert result.base_url == "http://127.0.0.1:9/api/v1"


@pytest.mark.expect_log("CRITICAL", r"unexpected error", logger="tray_app.app")
def test_an_unexpected_error_is_logged_and_shown_once(
    qtbot: QtBot, tray_app: TrayApplication, seen: Seen, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(2):
        try:
            raise ValueError("a bug")
        except ValueError as error:
            tray_app.report_unexpected(error)
    assert [title for title, _ in seen.notifications] == ["awork Tray hit a problem"]
    errors = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert len(errors) == 2 and errors[0].exc_info is not None
    # And the app goes on: the menu still works.
    qtbot.waitUntil(lambda: "Paused at" in tray_app.tray.header.text(), timeout=5000)
    caplog.clear()


def test_open_log_folder_opens_the_log_folder(tray_app: TrayApplication, seen: Seen) -> None:
    tray_app.tray.log_folder.trigger()
    if os.name == "posix":  # it names the person and their tasks: only they may enter it
        opened = QUrl(seen.opened[0]).toLocalFile()
        assert os.stat(opened).st_mode & 0o777 == 0o700, "before anything else touches it"
    assert seen.opened == [QUrl.fromLocalFile(str(logs.log_dir())).toString()]
    assert logs.log_dir().is_dir()


def test_start_at_login_from_the_settings_writes_the_autostart_entry(
    tray_app: TrayApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    def turn_on(cls: type[SettingsDialog], settings: Settings, parent: object = None) -> Settings:
        return settings.model_copy(update={"start_at_login": True})

    monkeypatch.setattr(SettingsDialog, "edit", classmethod(turn_on))
    tray_app.tray.settings.trigger()
    assert is_start_at_login()
    assert "awork-tray" in autostart_path().read_text(encoding="utf-8")
    assert load_settings().start_at_login is True

    def turn_off(cls: type[SettingsDialog], settings: Settings, parent: object = None) -> Settings:
        assert settings.start_at_login is True, "the dialog shows what the system has"
        return settings.model_copy(update={"start_at_login": False})

    monkeypatch.setattr(SettingsDialog, "edit", classmethod(turn_off))
    tray_app.tray.settings.trigger()
    assert not is_start_at_login()
    assert not autostart_path().exists()
