"""Which awork addresses the app talks to: https anywhere, plain http only on this machine.

Every call carries a bearer token, and sign-in sends codes, verifiers and refresh tokens: over
plain http to another host anyone on the way could read them. The sandbox runs on 127.0.0.1, so
loopback addresses (127.0.0.0/8, ``::1``, ``localhost``) may use http. Only the standard library
is used: the command line checks its ``--base-url`` before the tray shows its icon.
"""

from __future__ import annotations

from urllib.parse import urlsplit


class InsecureBaseUrl(ValueError):
    """A base URL this app refuses; ``str()`` is the one line to show the person."""


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` names this machine: 127.0.0.0/8, ``::1`` (also IPv4-mapped) or localhost."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    import ipaddress  # only for hosts that are not the usual names (a few ms)

    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def check_base_url(url: str) -> str:
    """``url`` without surrounding blanks and trailing slashes, if the app may use it.

    Raises InsecureBaseUrl for anything but an https URL with a host, or an http one whose host
    is this machine.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port  # a port that is no number, or above 65535, raises here
    except ValueError:
        raise InsecureBaseUrl(f"not an http(s) URL: {text!r}") from None
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        raise InsecureBaseUrl(f"not an http(s) URL: {text!r}")
    if port == 0:
        raise InsecureBaseUrl(f"no such port in {text!r}")
    if parts.username is not None or parts.password is not None:
        raise InsecureBaseUrl("an awork address must not carry a user name or password")
    if parts.scheme == "http" and not is_loopback_host(host):
        raise InsecureBaseUrl(
            f"https is required for {host}: plain http is only for this machine "
            "(127.0.0.1, ::1, localhost)"
        )
    return text.rstrip("/")
