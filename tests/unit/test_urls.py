"""Plain http only for this machine: what the app accepts as awork's address."""

from __future__ import annotations

import pytest

from tray_app.urls import InsecureBaseUrl, check_base_url, is_loopback_host


@pytest.mark.parametrize(
    "url",
    [
        "https://api.awork.com/api/v1",
        "https://awork.example:8443/api/v1/",
        "http://127.0.0.1:8765/api/v1",
        "http://127.9.9.9/api/v1",
        "http://[::1]:8765/api/v1",
        "http://[::ffff:127.0.0.1]:8765/api/v1",
        "http://localhost:8765/api/v1",
        "http://LOCALHOST./api/v1",
    ],
)
def test_https_anywhere_and_http_on_this_machine_are_accepted(url: str) -> None:
    assert check_base_url(f"  {url}  ") == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://api.awork.com/api/v1",
        "http://192.168.1.20:8765/api/v1",
        "http://10.0.0.1/api/v1",
        "http://[::ffff:10.0.0.1]/api/v1",
        "http://localhost.evil.example/api/v1",
        "http://127.0.0.1.evil.example/api/v1",
    ],
)
def test_plain_http_to_another_host_is_refused_with_one_line(url: str) -> None:
    with pytest.raises(InsecureBaseUrl) as refused:
        check_base_url(url)

    line = str(refused.value)
    assert line.startswith("https is required for ")
    assert "\n" not in line


@pytest.mark.parametrize(
    "url",
    ["ftp://api.awork.com", "api.awork.com/api/v1", "https://", "https://[::1", "https://h:99999"],
)
def test_what_is_no_http_url_is_refused(url: str) -> None:
    with pytest.raises(InsecureBaseUrl, match="not an http"):
        check_base_url(url)


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(InsecureBaseUrl, match="user name or password"):
        check_base_url("https://me:secret@api.awork.com/api/v1")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("128.0.0.1", False),
        ("example.com", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback
