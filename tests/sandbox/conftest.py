"""Fixtures of the sandbox tests: a sandbox on a manual clock, a client signed in to it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tray_app.sandbox import ManualClock, Sandbox


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[Sandbox]:
    with Sandbox(clock=clock) as sb:
        yield sb


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """A client sending the sandbox's token, as the app does after sign-in."""
    headers = {"Authorization": f"Bearer {sandbox.token}"}
    with httpx.Client(base_url=sandbox.url, headers=headers, timeout=5) as client:
        yield client


@pytest.fixture
def start_form(sandbox: Sandbox) -> dict[str, object]:
    """The smallest start form awork accepts: time zone and type of work."""
    return {"timezone": "Europe/Berlin", "typeOfWorkId": sandbox.seed.types_of_work[0].id}
