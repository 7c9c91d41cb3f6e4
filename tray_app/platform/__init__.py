"""Platform adapters (keychain, autostart, presence): the only code that talks to the desktop."""
