"""The log file: written where the platform keeps logs, with secrets redacted on every handler."""

from __future__ import annotations

import base64
import logging
import os
import stat
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, quote_plus

import platformdirs
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


posix_only = pytest.mark.skipif(
    os.name != "posix", reason="Windows keeps a person's folders private"
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual umask, 022, which would leave every new file readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@posix_only
def test_only_the_person_can_read_the_log_also_after_a_rollover(
    loose_umask: None, log_file: Path
) -> None:
    """The log names the person and their tasks; a new file after a rollover is private too."""
    log = logging.getLogger("tray_app.test")
    for number in range(1100):  # a little over the 1 MB the file may grow to
        log.info("task %d %s", number, "x" * 1000)
    rotated = log_file.with_name(log_file.name + ".1")
    assert rotated.exists(), "the file rolled over"
    assert "task 1099 " in read(log_file)
    assert mode(log_file.parent) == 0o700
    assert mode(log_file) == 0o600
    assert mode(rotated) == 0o600


@posix_only
def test_a_log_folder_left_open_by_an_older_version_is_closed(loose_umask: None) -> None:
    folder = platformdirs.user_log_path("awork-tray", appauthor=False)
    folder.mkdir(parents=True)
    older = [folder / "awork-tray.log", folder / "awork-tray.log.2"]
    for path in older:
        path.write_text("written by an older version\n", encoding="utf-8")
        path.chmod(0o644)
    folder.chmod(0o755)
    path = logs.configure(to_stderr=False)
    try:
        assert path == older[0]
        assert mode(folder) == 0o700
        assert [mode(path) for path in older] == [0o600, 0o600]
    finally:
        logs.configure(to_file=False)


@posix_only
def test_the_log_folder_is_private_from_its_first_use(loose_umask: None) -> None:
    """The tray's "Open log folder" may be what creates it, before anything is logged."""
    folder = logs.log_dir()
    assert folder.is_dir()
    assert mode(folder) == 0o700


@pytest.mark.expect_log(
    "WARNING",
    r"^redirected to https://example\.invalid/cb\?next=\*\*\*&page=2$",
    logger="tray_app.test",
)
@pytest.mark.expect_log(
    "WARNING",
    r"^a form sent: grant_type=refresh_token&refresh_token%3D\*\*\*$",
    logger="tray_app.test",
)
def test_a_secret_is_redacted_also_percent_encoded_or_in_base64(log_file: Path) -> None:
    secret = "rt/9f+Kq=Zx_41-lm.w~"  # a refresh token with characters a URL must escape
    logs.register_secret(secret)
    spellings = [
        quote(secret, safe=""),
        "rt%2f9f%2bKq%3dZx_41-lm.w~",  # lower-case escapes, as some encoders write them
        quote_plus(secret),
        base64.urlsafe_b64encode(secret.encode()).decode().rstrip("="),
    ]
    log = logging.getLogger("tray_app.test")
    for spelling in spellings:
        log.warning("redirected to https://example.invalid/cb?next=%s&page=2", spelling)
    log.warning("a form sent: grant_type=refresh_token&refresh_token%3Dab%2Fcd%2Bef")
    text = read(log_file)
    for spelling in spellings:
        assert spelling not in text
    assert text.count("next=***&page=2") == len(spellings)
    assert "refresh_token%3D***" in text
    assert "%2Fcd" not in text


def test_a_secret_in_the_stack_of_a_record_is_redacted(log_file: Path) -> None:
    logs.register_secret("stack-secret-9d8c7b")
    log = logging.getLogger("tray_app.test")
    log.info("where is this logged from? %s", "stack-secret-9d8c7b", stack_info=True)
    text = read(log_file)
    assert "Stack (most recent call last)" in text
    assert "test_a_secret_in_the_stack_of_a_record_is_redacted" in text
    assert "stack-secret-9d8c7b" not in text


def test_the_secrets_it_looks_for_do_not_grow_for_ever(log_file: Path) -> None:
    """A tray running for months gets a new token at every renewal; the latest stay redacted."""
    tracemalloc.start()
    try:
        for number in range(200):
            logs.register_secret(f"warm-up-token-{number:06d}")
        before, _ = tracemalloc.get_traced_memory()
        for number in range(20_000):
            logs.register_secret(f"renewed-token-{number:06d}")
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after - before < 100_000, f"{after - before} bytes more for 20,000 old tokens"
    recent = [f"renewed-token-{number:06d}" for number in range(19_970, 20_000)]
    log = logging.getLogger("tray_app.test")
    for token in recent:
        log.info("renewed: %s", token)
    text = read(log_file)
    assert not any(token in text for token in recent)
    assert text.count("renewed: ***") == len(recent)


@pytest.mark.expect_log(
    "WARNING", r"refused: status=400 code=invalid-operation traceId=", logger="tray_app.test"
)
@pytest.mark.expect_log("WARNING", r"awork answered", logger="tray_app.test")
def test_awork_s_error_codes_stay_readable_in_the_log(log_file: Path) -> None:
    """awork's ``code`` names what went wrong; it is no secret and the reader needs it."""
    log = logging.getLogger("tray_app.test")
    log.warning(
        "POST /api/v1/me/timetracking/resume refused: status=400 code=invalid-operation "
        "traceId=0f3e"
    )
    log.warning('awork answered {"code": "not-found", "description": "No such user"}')
    text = read(log_file)
    assert "status=400 code=invalid-operation traceId=0f3e" in text
    assert '"code": "not-found"' in text


@pytest.mark.expect_log("WARNING", r"callback GET /cb\?", logger="tray_app.test")
@pytest.mark.expect_log("WARNING", r"a form sent: ", logger="tray_app.test")
def test_an_authorization_code_in_a_url_or_a_form_is_redacted(log_file: Path) -> None:
    codes = ["Qz7-callback-9x", "Pf4-form-2k", "Mn8-first-5t", "Rw2-encoded-6y"]
    log = logging.getLogger("tray_app.test")
    log.warning("callback GET /cb?code=%s&state=st4te", codes[0])
    log.warning("a form sent: grant_type=authorization_code&code=%s&redirect_uri=x", codes[1])
    log.warning("a form sent: code=%s&grant_type=authorization_code", codes[2])
    log.warning("a form sent: grant_type%%3Dauthorization_code%%26code%%3D%s", codes[3])
    text = read(log_file)
    for code in codes:
        assert code not in text
    assert "/cb?code=***&state=st4te" in text
    assert "grant_type=authorization_code&code=***&redirect_uri=x" in text
