"""What the sandbox, standing in for awork, now shows of the person's timer."""

from __future__ import annotations

from tray_app.sandbox import Sandbox


def timer_state(sandbox: Sandbox) -> str:
    """How awork now shows the timer: 'paused', 'running', 'stopped' or 'none'."""
    entry = sandbox.current_entry()
    if entry is None:
        return "none"
    if entry["endDateUtc"] is not None:
        return "stopped"
    breaks = entry["breaks"] or []
    return "paused" if breaks and breaks[-1]["endDate"] is None else "running"
