"""What a person sees between a click (or a change elsewhere) and awork's answer, in order."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QIcon
from pytestqt.qtbot import QtBot

from tray_app.app import TrayApplication
from tray_app.core.actions import Action
from tray_app.sandbox import Sandbox
from tray_app.ui.view_model import TimerDisplay


@dataclass(frozen=True)
class Render:
    """One display the tray was given: its header line and the Resume item as shown."""

    header: str
    resume_text: str
    resume_enabled: bool


def record_renders(app: TrayApplication) -> list[Render]:
    renders: list[Render] = []
    show_display = app.tray.show_display

    def record(display: TimerDisplay) -> None:
        resume = display.items[Action.RESUME]
        renders.append(Render(display.header, resume.text, resume.enabled))
        show_display(display)

    app.tray.show_display = record  # type: ignore[method-assign]
    return renders


def test_a_resume_click_renders_once_for_the_click_and_once_for_the_answer(
    qtbot: QtBot, tray_app: TrayApplication
) -> None:
    qtbot.waitUntil(lambda: "Paused at" in tray_app.tray.header.text(), timeout=5000)
    renders = record_renders(tray_app)

    tray_app.tray.actions[Action.RESUME].trigger()
    qtbot.waitUntil(lambda: any("Running" in r.header for r in renders), timeout=5000)

    until_running = renders[: next(i for i, r in enumerate(renders) if "Running" in r.header) + 1]
    clicked, answered = until_running  # exactly two: nothing rendered in between
    assert "Paused at" in clicked.header
    assert (clicked.resume_text, clicked.resume_enabled) == ("Resuming…", False)
    assert "Running" in answered.header and not answered.resume_enabled
    assert not [r for r in renders if "Paused at" in r.header and r.resume_enabled], (
        "the old state with Resume enabled again was never shown"
    )


def test_a_change_made_elsewhere_changes_the_icon_before_the_notification(
    qtbot: QtBot, tray_app: TrayApplication, sandbox: Sandbox
) -> None:
    qtbot.waitUntil(lambda: "Paused at" in tray_app.tray.header.text(), timeout=5000)
    shown: list[str] = []
    set_icon = tray_app.tray.tray.setIcon
    show_message = tray_app.tray.tray.showMessage

    def on_icon(icon: QIcon) -> None:
        shown.append("icon")
        set_icon(icon)

    def on_message(title: str, text: str, *rest: object) -> None:
        shown.append(f"notification: {text}")
        show_message(title, text, *rest)  # type: ignore[arg-type]

    tray_app.tray.tray.setIcon = on_icon  # type: ignore[method-assign]
    tray_app.tray.tray.showMessage = on_message  # type: ignore[method-assign]

    sandbox.other_client.resume()
    tray_app.tray.refresh.trigger()  # a poll finds it
    qtbot.waitUntil(lambda: len(shown) >= 2, timeout=5000)

    assert shown[0] == "icon"
    assert shown[1].startswith("notification: Timer resumed: ")
    assert "Running" in tray_app.tray.header.text()
