"""Password hashing (argon2id via argon2-cffi), the password policy and random password generation."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

# argon2-cffi's defaults (argon2id, RFC 9106 low-memory profile: t=3, m=64 MiB, p=4)
_HASHER = PasswordHasher()
# verified against when the username is unknown, so an unknown name costs the same time as a wrong password
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password (salted; a different string every call)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Return True when the password matches the hash; False for a mismatch or an unusable hash."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Return True when the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(password_hash)


def password_problem(password: str, again: str | None = None) -> str | None:
    """Return why a new password is not acceptable (None when it is)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password needs at least {MIN_PASSWORD_LENGTH} characters (it has {len(password)})."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"The password may have at most {MAX_PASSWORD_LENGTH} characters."
    if password.strip() == "":
        return "The password cannot be only spaces."
    if again is not None and again != password:
        return "The two passwords differ; type the same password twice."
    return None


def generate_password(length: int = 16) -> str:
    """Return a random password of letters and digits (easy to read out, hard to guess: ~95 bits at 16)."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))
