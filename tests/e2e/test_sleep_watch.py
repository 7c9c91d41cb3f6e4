"""Waking from suspend: logind's PrepareForSleep(false) makes the tray poll awork at once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.e2e

# Runs inside its own D-Bus session; the session bus stands in for the system bus and
# `dbus-send` for logind (so the service filter is left empty).
SCRIPT = textwrap.dedent(
    """
    import subprocess, time
    from PySide6.QtCore import QCoreApplication, QTimer
    from PySide6.QtDBus import QDBusConnection
    from tray_app.awork.client import AworkClient, BearerToken
    from tray_app.sandbox import Sandbox
    from tray_app.ui.controller import TimerController
    from tray_app.platform.sleep_watch import SleepWatch

    app = QCoreApplication([])
    with Sandbox() as sandbox, AworkClient(sandbox.url, auth=BearerToken(sandbox.token)) as client:
        controller = TimerController(client, poll_interval_s=600)
        watch = SleepWatch()
        watch.woke.connect(controller.on_system_woke)
        assert watch.start(QDBusConnection.sessionBus(), service="")
        controller.start()

        def polls():
            return sum(r.path.endswith("/timeentries/last") for r in sandbox.requests)

        def wake():
            print("polls before waking", polls(), flush=True)
            subprocess.run(["dbus-send", "--session", "--type=signal", "/org/freedesktop/login1",
                            "org.freedesktop.login1.Manager.PrepareForSleep", "boolean:false"],
                           check=True)

        QTimer.singleShot(500, wake)
        QTimer.singleShot(1500, app.quit)
        app.exec()
        print("polls after waking", polls(), flush=True)
        controller.shutdown()
    """
)


def test_waking_up_polls_at_once() -> None:
    if shutil.which("dbus-run-session") is None or shutil.which("dbus-send") is None:
        message = "dbus-run-session and dbus-send are needed (Debian package dbus)"
        if os.environ.get("AWORK_TRAY_REQUIRE_E2E") == "1":
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        ["dbus-run-session", "--", sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    assert "polls before waking 1" in done.stdout
    assert "polls after waking 2" in done.stdout
