"""Logging set up once at start-up: a rotating file in the platform's log folder, secrets redacted.

Every module logs through ``logging.getLogger(__name__)``; only this module attaches handlers.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import platformdirs

APP_DIR_NAME = "awork-tray"
LOG_FILE_NAME = "awork-tray.log"
_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"

# Shapes of secrets that may slip into a message even though no code puts them there on purpose.
_SECRET_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|code_verifier|client_secret|code|token)"
        r"[\"']?\s*[=:]\s*[\"']?)[A-Za-z0-9._~+/=-]+"
    ),
)
_known_secrets: set[str] = set()
_known_lock = threading.Lock()


def register_secret(secret: str | None) -> None:
    """Make sure ``secret`` is redacted wherever it would appear in a log line from now on."""
    if secret and len(secret) >= 6:
        with _known_lock:
            _known_secrets.add(secret)


def redact(text: str) -> str:
    """``text`` with every known secret and every token-shaped value replaced by ``***``."""
    with _known_lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, "***")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text


class RedactingFilter(logging.Filter):
    """Rewrites each record's final text so no handler can ever write a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks are formatted later by the handler; keep their text clean as well.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


class _Held(logging.Handler):
    """Keeps the records logged before :func:`configure` and hands them on once it runs."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.handed_to: list[logging.Handler] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.handed_to is None:
            if len(self.records) < _HOLD_AT_MOST:
                self.records.append(record)
            return
        for handler in self.handed_to:  # logged while configure() swaps the handlers
            if record.levelno >= handler.level:
                handler.handle(record)

    def hand_to(self, handlers: list[logging.Handler]) -> None:
        self.acquire()  # handle() takes this lock too: no record slips between the two lists
        try:
            self.handed_to = handlers
            held, self.records = self.records, []
            for record in held:
                self.emit(record)
        finally:
            self.release()


_HOLD_AT_MOST = 1000


def hold(*, verbose: bool = False) -> None:
    """Keep log records in memory until :func:`configure` attaches the real handlers.

    The tray attaches its log file on a thread once its icon shows: the rotating file handler's
    imports (pickle, queue, socket...) cost some 10 ms that the icon need not wait for.
    """
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    held = _Held()
    held._awork_tray = True  # type: ignore[attr-defined]
    root.addHandler(held)


def log_dir() -> Path:
    return platformdirs.user_log_path(APP_DIR_NAME, appauthor=False)


def configure(
    *, verbose: bool = False, to_file: bool = True, to_stderr: bool = False
) -> Path | None:
    """Attach the handlers; returns the log file's path when one is written.

    Records kept by :func:`hold` go to the new handlers first.
    """
    import logging.handlers

    root = logging.getLogger()
    previous = [h for h in root.handlers if getattr(h, "_awork_tray", False)]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    handlers: list[logging.Handler] = []
    path: Path | None = None
    if to_file:
        path = log_dir() / LOG_FILE_NAME
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handlers.append(
                logging.handlers.RotatingFileHandler(
                    path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
                )
            )
        except OSError:
            path = None
    if to_stderr:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(RedactingFilter())
        handler._awork_tray = True  # type: ignore[attr-defined]
    for old in previous:
        if isinstance(old, _Held):
            old.hand_to(handlers)
    for handler in handlers:
        root.addHandler(handler)
    for old in previous:
        root.removeHandler(old)
        old.close()
    # httpx logs every request URL at INFO; ours are enough, and quieter.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
