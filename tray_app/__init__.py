"""awork Tray: a system-tray timer for awork."""

from tray_app.config import APP_NAME as APP_NAME

__version__ = "0.1.0"
