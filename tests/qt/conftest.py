"""Fixtures for the Qt tests: the real tray application against the sandbox, offscreen."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from PySide6.QtWidgets import QSystemTrayIcon

from tray_app.app import TrayApplication
from tray_app.awork.client import AworkClient, BearerToken
from tray_app.core.settings import Settings
from tray_app.sandbox import Sandbox


@pytest.fixture(autouse=True)
def _collect_garbage_in_the_gui_thread() -> Iterator[None]:
    """Free a test's Qt objects in the GUI thread, never in a worker or sandbox thread.

    Python's cycle collector runs in whichever thread happens to allocate. When it frees a
    finished test's tray (kept alive by reference cycles) in a pool thread, Qt deletes the objects
    there while the GUI thread deletes their menu: Qt's object mutex and the GIL deadlock, and
    the run hangs. So no automatic collection during a Qt test, and a full one after it, here.
    """
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()


@dataclass
class Seen:
    """What the person was shown besides the tray: notifications and opened web pages."""

    notifications: list[tuple[str, str]] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as server:
        yield server


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[AworkClient]:
    with AworkClient(sandbox.url, auth=BearerToken(sandbox.token), timeout=10) as awork:
        yield awork


@pytest.fixture
def tray_available(monkeypatch: pytest.MonkeyPatch) -> None:
    """Offscreen Qt has no tray; pretend a panel is there so the tray path is the one taken."""
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))


def make_app(client: AworkClient, seen: Seen, **kwargs: object) -> TrayApplication:
    settings = Settings()
    app = TrayApplication(client, settings, open_url=seen.opened.append, **kwargs)  # type: ignore[arg-type]
    show_message = app.tray.tray.showMessage

    def record(title: str, text: str, *args: object) -> None:
        seen.notifications.append((title, text))
        show_message(title, text, *args)

    app.tray.tray.showMessage = record  # type: ignore[method-assign]
    return app


@pytest.fixture
def seen() -> Seen:
    return Seen()


@pytest.fixture
def tray_app(client: AworkClient, seen: Seen, tray_available: None) -> Iterator[TrayApplication]:
    app = make_app(client, seen)
    app.start()
    yield app
    app.shutdown()
