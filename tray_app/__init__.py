"""awork Tray: a system-tray timer for awork."""

__version__ = "0.1.0"
APP_NAME = "awork Tray"
