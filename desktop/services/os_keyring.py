"""The OS keyring (Secret Service, KWallet, Keychain, Windows Credential Locker): where the
mail and calendar passwords go, never into a file. One place decides whether there is one."""

from __future__ import annotations

from typing import Any


def keyring() -> Any:
    """The `keyring` module, imported when a password is first needed (its backends are slow
    to load, and most commands never touch a password)."""
    import keyring as module

    return module


def available() -> bool:
    """False when only keyring's "fail" backend is there (a headless Linux, typically), or
    the backend configuration is broken: to the user, the same as no keyring."""
    try:
        backend = keyring().get_keyring()
    except Exception:
        return False
    priority = float(getattr(backend, "priority", 0) or 0)
    return priority > 0 and "fail" not in type(backend).__module__.split(".")
