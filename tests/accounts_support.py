"""Test helper: cheap argon2 parameters so tests that hash many passwords stay fast (same code paths)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from dashboard.accounts import passwords


@pytest.fixture
def fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use argon2id with t=1, m=1 MiB, p=1 instead of the production t=3, m=64 MiB, p=4."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_HASHER", cheap)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", cheap.hash("dummy password"))
