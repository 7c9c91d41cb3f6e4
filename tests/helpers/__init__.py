"""Helpers the tests share (ports, the sandbox seen from a test, a file keyring, e2e tools)."""
