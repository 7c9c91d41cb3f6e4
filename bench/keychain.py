"""A keychain as a desktop session has one: a D-Bus session bus with gnome-keyring, unlocked.

Scripts start awork Tray with ``AWORK_TOKEN``; a person starts it signed in, with the tokens in
the keychain. The keychain phase of the benchmark signs in once through the real OAuth flow of
a sandbox (``awork-tray sign-in``, the sandbox approving by itself) and then times starts that
read their tokens from gnome-keyring over D-Bus.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import httpx

from bench.procs import BenchError, Workdir, awork_tray_command

TOOLS = ("dbus-daemon", "dbus-send", "gnome-keyring-daemon")
INSTALL_HINT = "apt-get install -y --no-install-recommends dbus gnome-keyring"
SECRET_SERVICE = "org.freedesktop.secrets"


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


class Keychain:
    """The bus and the keyring daemon; ``env`` is what a process needs to use them."""

    def __init__(self, workdir: Workdir, base_env: dict[str, str]) -> None:
        self._base, _ = workdir.private_env(base_env, "keychain")
        self._bus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            env=self._base,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self._bus.stdout is not None
        address = self._bus.stdout.readline().strip()
        if not address:
            self.stop()
            raise BenchError("dbus-daemon did not start")
        self.env = {
            "DBUS_SESSION_BUS_ADDRESS": address,
            "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring",
        }
        # Unlocked from the start, as after a desktop log-in (else it would want a prompt).
        self._keyring = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            env={**self._base, **self.env},
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert self._keyring.stdin is not None
        self._keyring.stdin.write(b"bench")
        self._keyring.stdin.close()
        self._wait_for_secret_service()

    def _wait_for_secret_service(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            asked = subprocess.run(
                [
                    "dbus-send",
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    f"string:{SECRET_SERVICE}",
                ],
                env={**self._base, **self.env},
                capture_output=True,
                text=True,
                check=False,
            )
            if "boolean true" in asked.stdout:
                return
            time.sleep(0.05)
        self.stop()
        raise BenchError("gnome-keyring did not offer the Secret Service")

    def sign_in(self, base_url: str, timeout: float = 30.0) -> None:
        """``awork-tray sign-in`` against ``base_url``; the benchmark plays the browser."""
        process = subprocess.Popen(
            [*awork_tray_command(), "sign-in", "--no-browser", "--base-url", base_url],
            env={**self._base, **self.env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        try:
            address = ""
            while not address:
                line = process.stdout.readline()
                if not line:
                    raise BenchError(f"sign-in printed no address: {process.communicate()[1]}")
                if line.startswith("http"):
                    address = line.strip()
            with httpx.Client(follow_redirects=True, timeout=10) as browser:
                browser.get(address).raise_for_status()
            out, err = process.communicate(timeout=timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        if process.returncode != 0 or "Signed in as" not in out:
            raise BenchError(f"sign-in failed ({process.returncode}): {out} {err}")

    def stop(self) -> None:
        for process in (getattr(self, "_keyring", None), self._bus):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if self._bus.stdout is not None:
            self._bus.stdout.close()
