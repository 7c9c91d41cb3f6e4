"""Platform adapters (keychain, start at login, logind): the composition root injects them."""
