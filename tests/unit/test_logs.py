"""The log file: written where the platform keeps logs, with secrets redacted on every handler."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tray_app import logs


@pytest.fixture
def log_file() -> Iterator[Path]:
    path = logs.configure(to_stderr=False)
    assert path is not None
    yield path
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "_awork_tray", False):
            logging.getLogger().removeHandler(handler)
            handler.close()


def read(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def test_the_log_lives_in_the_platform_log_folder(log_file: Path, tmp_path: Path) -> None:
    assert log_file.is_relative_to(tmp_path), "tests point the platform folders at tmp_path"
    assert log_file.parent == logs.log_dir()
    logging.getLogger("tray_app.test").info("hello from the test")
    assert "hello from the test" in read(log_file)


@pytest.mark.expect_log(
    "WARNING",
    r"token answer \{'access_token': '\*\*\*', 'refresh_token': '\*\*\*'\}",
    logger="tray_app.test",
)
@pytest.mark.expect_log("WARNING", r"callback with", logger="tray_app.test")
@pytest.mark.expect_log("WARNING", r"sent Authorization: Bearer \*\*\*", logger="tray_app.test")
def test_bearer_tokens_and_token_fields_never_reach_the_file(log_file: Path) -> None:
    log = logging.getLogger("tray_app.test")
    log.warning("sent Authorization: Bearer eyJhbGciOi.secret-part.sig")
    log.warning("token answer %s", {"access_token": "at-123456789", "refresh_token": "rt-987654"})
    log.warning("callback with code=abc123def456&state=xyz")
    text = read(log_file)
    for secret in ("eyJhbGciOi", "at-123456789", "rt-987654", "abc123def456"):
        assert secret not in text
    assert text.count("***") >= 4


@pytest.mark.expect_log("ERROR", r"it broke", logger="tray_app.test")
def test_a_registered_secret_is_redacted_anywhere_even_in_a_traceback(log_file: Path) -> None:
    logs.register_secret("s3cr3t-token-value")
    log = logging.getLogger("tray_app.test")
    log.info("plain mention: s3cr3t-token-value")
    try:
        raise RuntimeError("failed with s3cr3t-token-value inside")
    except RuntimeError:
        log.exception("it broke")
    text = read(log_file)
    assert "s3cr3t-token-value" not in text
    assert "RuntimeError: failed with *** inside" in text


@pytest.mark.expect_log("WARNING", r"before the icon: Bearer \*\*\*", logger="tray_app.test")
def test_what_is_logged_before_the_file_is_attached_reaches_it_in_order_and_redacted() -> None:
    """The tray holds its records until the icon shows; none of them may get lost."""
    logs.hold()
    log = logging.getLogger("tray_app.test")
    log.info("before the icon: language de")
    log.warning("before the icon: Bearer held-token-123456")
    path = logs.configure(to_stderr=False)
    assert path is not None
    log.info("after the file is attached")  # once: nothing holds or forwards it any more
    try:
        text = read(path)
        ours = [line for line in text.splitlines() if "tray_app.test" in line]
        assert [line.split(": ", 1)[1] for line in ours] == [
            "before the icon: language de",
            "before the icon: Bearer ***",
            "after the file is attached",
        ]
        assert "held-token" not in text
    finally:
        for handler in list(logging.getLogger().handlers):
            if getattr(handler, "_awork_tray", False):
                logging.getLogger().removeHandler(handler)
                handler.close()
