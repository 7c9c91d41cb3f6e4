"""Logging set up once at start-up: a rotating file in the platform's log folder, secrets redacted.

Every module logs through ``logging.getLogger(__name__)``; only this module attaches handlers.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import threading
from collections import OrderedDict
from io import TextIOWrapper
from pathlib import Path
from urllib.parse import quote, quote_plus

import platformdirs

APP_DIR_NAME = "awork-tray"
LOG_FILE_NAME = "awork-tray.log"
_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"
# The log names the person, their workspace and their tasks: only they may read it.
_FOLDER_MODE = 0o700
_FILE_MODE = 0o600

# Shapes of secrets that may slip into a message even though no code puts them there on purpose.
# A value may be percent-encoded (``%2F``), and so may the ``=`` or ``:`` before it (``%3D``).
_SECRET_PATTERNS = (
    re.compile(r"(?i)(bearer(?:\s|%20|\+)+)[A-Za-z0-9._~+/=%-]+"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|code_verifier|client_secret|token)"
        r"(?:[\"']|%22)?\s*(?:[=:]|%3D|%3A)\s*(?:[\"']|%22)?)[A-Za-z0-9._~+/=%-]+"
    ),
    # An OAuth authorization code is a parameter of a URL or a form: after ``?`` or ``&`` (or
    # first in a form), or followed by another parameter. awork's error codes
    # (``code=invalid-operation`` in our own lines, ``"code": "not-found"`` in its bodies) are
    # neither, and they are what a person reading the log needs.
    re.compile(r"(?i)((?:^|(?<=[?&])|(?<=%26)|(?<=%3F))code(?:=|%3D))[A-Za-z0-9._~+/=%-]+"),
    re.compile(r"(?i)(\bcode(?:=|%3D))[A-Za-z0-9._~+/=%-]+(?=&|%26)"),
)
# A tray running for months registers a new token at every renewal; the old ones have expired
# and may be forgotten, so only the most recent are kept.
_KNOWN_AT_MOST = 64


def _spellings(secret: str) -> set[str]:
    """``secret`` as it is, percent-encoded (as in a URL or a form) and base64url-encoded."""
    spellings = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}
    # Other encoders write the escapes in lower case (%2f).
    spellings |= {re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), s) for s in spellings}
    raw = secret.encode()
    for encoded in (base64.urlsafe_b64encode(raw), base64.b64encode(raw)):
        spellings |= {encoded.decode(), encoded.rstrip(b"=").decode()}
    return spellings


class _KnownSecrets:
    """The most recent secrets, each with every spelling it may take in a log line."""

    def __init__(self, at_most: int) -> None:
        self._at_most = at_most
        self._secrets: OrderedDict[str, set[str]] = OrderedDict()
        self._spellings: tuple[str, ...] = ()  # of them all, longest first
        self._lock = threading.Lock()

    def add(self, secret: str) -> None:
        with self._lock:
            if secret in self._secrets:
                self._secrets.move_to_end(secret)
                return
            self._secrets[secret] = _spellings(secret)
            while len(self._secrets) > self._at_most:
                self._secrets.popitem(last=False)
            # The longest first, so that none is left half replaced by a shorter one.
            spellings = set().union(*self._secrets.values())
            self._spellings = tuple(sorted(spellings, key=len, reverse=True))

    def redact(self, text: str) -> str:
        with self._lock:
            spellings = self._spellings
        for spelling in spellings:
            text = text.replace(spelling, "***")
        return text


_known = _KnownSecrets(_KNOWN_AT_MOST)


def register_secret(secret: str | None) -> None:
    """Make sure ``secret`` is redacted wherever it would appear in a log line from now on.

    Only the last :data:`_KNOWN_AT_MOST` are kept (registering one again makes it recent).
    """
    if secret and len(secret) >= 6:
        _known.add(secret)


def redact(text: str) -> str:
    """``text`` with every known secret and every token-shaped value replaced by ``***``."""
    text = _known.redact(text)
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
        if record.stack_info:  # the source lines of every frame: literals, URLs, arguments
            record.stack_info = redact(record.stack_info)
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
    """The log folder, created (or tightened) so only the person can enter it.

    Whoever asks for the folder is about to write or open it (the tray's "Open log folder" too),
    so it is made private here, once for all of them. A folder that cannot be made stays as it
    is, with a warning: the caller's own attempt then says why.
    """
    folder = platformdirs.user_log_path(APP_DIR_NAME, appauthor=False)
    try:
        folder.mkdir(mode=_FOLDER_MODE, parents=True, exist_ok=True)
        _make_private(folder, _FOLDER_MODE)
    except OSError as exc:
        logging.getLogger(__name__).warning("cannot make the log folder private: %s", exc)
    return folder


def _make_private(path: Path, mode: int) -> None:
    """Take away what others may do with ``path`` (Windows keeps a person's folders private)."""
    if os.name == "posix" and path.stat().st_mode & 0o777 != mode:
        path.chmod(mode)


def _open_private(path: str, encoding: str | None, errors: str | None) -> TextIOWrapper:
    """``path`` opened for appending, created 0600 and tightened if an older one was looser."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)  # Windows: no CRLF
    fd = os.open(path, flags, _FILE_MODE)
    try:
        if os.name == "posix":
            os.fchmod(fd, _FILE_MODE)
        return open(fd, "a", encoding=encoding, errors=errors)
    except BaseException:
        os.close(fd)
        raise


def _private_file_handler(path: Path) -> logging.Handler:
    """A rotating log file whose every file, the first and each one after a rollover, is 0600.

    The umask cannot promise that (the person's may be 022), and the handler opens a new file on
    each rollover. The class is made here, not at import: logging.handlers costs some 10 ms that
    the icon need not wait for (see :func:`hold`).
    """
    import logging.handlers

    class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
        def _open(self) -> TextIOWrapper:
            return _open_private(self.baseFilename, self.encoding, self.errors)

    for old in path.parent.glob(LOG_FILE_NAME + "*"):  # backups written by an older version
        _make_private(old, _FILE_MODE)
    return PrivateRotatingFileHandler(path, maxBytes=_MAX_BYTES, backupCount=3, encoding="utf-8")


_MAX_BYTES = 1_000_000


def configure(
    *, verbose: bool = False, to_file: bool = True, to_stderr: bool = False
) -> Path | None:
    """Attach the handlers; returns the log file's path when one is written.

    Records kept by :func:`hold` go to the new handlers first.
    """
    root = logging.getLogger()
    previous = [h for h in root.handlers if getattr(h, "_awork_tray", False)]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    handlers: list[logging.Handler] = []
    path: Path | None = None
    if to_file:
        path = log_dir() / LOG_FILE_NAME
        try:
            handlers.append(_private_file_handler(path))
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
