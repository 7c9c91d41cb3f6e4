"""The one place of configuration: how the base URL is chosen and AWORK_TOKEN is taken."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tray_app.config import BASE_URL_ENV, TOKEN_ENV, choose_base_url, take_token
from tray_app.urls import InsecureBaseUrl


def no_settings() -> str:
    raise AssertionError("the settings must not be read when the flag or environment decides")


def test_the_flag_comes_first() -> None:
    environ = {BASE_URL_ENV: "https://env.example.com/api/v1"}

    assert choose_base_url("https://flag.example.com", environ, no_settings) == (
        "https://flag.example.com"
    )


def test_then_the_environment_checked() -> None:
    environ = {BASE_URL_ENV: " https://env.example.com/api/v1/ "}

    assert choose_base_url(None, environ, no_settings) == "https://env.example.com/api/v1"
    with pytest.raises(InsecureBaseUrl, match=r"https is required for env\.example\.com"):
        choose_base_url(None, {BASE_URL_ENV: "http://env.example.com"}, no_settings)


def test_then_the_settings() -> None:
    assert choose_base_url(None, {BASE_URL_ENV: ""}, lambda: "https://set.example.com") == (
        "https://set.example.com"
    )


def test_the_token_is_taken_out_of_the_environment() -> None:
    environ = {TOKEN_ENV: " abc-123456\n", "HOME": "/home/someone"}

    assert take_token(environ) == "abc-123456"
    assert environ == {"HOME": "/home/someone"}
    assert take_token(environ) is None  # once only


def test_a_blank_token_is_none_and_still_taken() -> None:
    environ = {TOKEN_ENV: "  "}

    assert take_token(environ) is None
    assert environ == {}


def test_the_configuration_is_cheap_to_import() -> None:
    """The command line imports it before the tray shows its icon: the standard library only."""
    code = (
        "import json, sys\n"
        "before = set(sys.modules)\n"
        "import tray_app.config\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in set(sys.modules) - before})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout)) - sys.stdlib_module_names
    assert loaded == {"tray_app"}, loaded
