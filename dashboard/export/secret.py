"""The per-installation secret that keys the export pseudonyms.

It is 32 random bytes, written hex-encoded to `config.secret_path(database)`: a file beside the database
(never inside the database file a user might share, never inside an export), readable by its owner only (0600).
Whoever holds it can recompute which pseudonym belongs to which patient; nobody else can.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from dashboard.core.config import secret_path

SECRET_BYTES = 32


class SecretError(RuntimeError):
    """Raised when the secret file exists but cannot be used."""


def _path_for(database: Path) -> Path:
    if str(database) == ":memory:" and "INJECTWATCH_SECRET_FILE" not in os.environ:
        raise SecretError("an in-memory database has no place for a secret; set INJECTWATCH_SECRET_FILE")
    return secret_path(Path(database))


def ensure_secret(database: Path) -> tuple[Path, bool]:
    """Create the secret beside the database if it does not exist yet; return (path, created)."""
    path = _path_for(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path, False
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_hex(SECRET_BYTES) + "\n")
    os.chmod(path, 0o600)
    return path, True


def load_secret(database: Path) -> bytes:
    """Read the secret (creating it on first use); tighten its permissions to 0600 if they are looser."""
    path, _ = ensure_secret(database)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        os.chmod(path, 0o600)
    text = path.read_text(encoding="ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError as exc:
        raise SecretError(f"{path} is not a hex-encoded secret; restore it from your backup") from exc
    if len(key) < 16:
        raise SecretError(f"{path} holds a secret shorter than 16 bytes; restore it from your backup")
    return key
