"""Keyed pseudonyms (HMAC-SHA256) and 10-year birth bands for the de-identified export.

The SQL in sql/queries/export_*_deidentified.sql computes the same HMAC set-wise inside DuckDB from the two
padded keys below; `pseudonym()` is the Python reference the tests compare it with.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "px-"
HEX_CHARS = 20  # 80 bits: collisions are negligible for any clinic chain, and the letters keep it text in Excel
_BLOCK = 64  # SHA-256 block size in bytes


def hmac_pads(secret: bytes) -> dict[str, bytes]:
    """The inner and outer HMAC keys ($hmac_ikey, $hmac_okey) bound into the export queries."""
    key = hashlib.sha256(secret).digest() if len(secret) > _BLOCK else secret
    key = key.ljust(_BLOCK, b"\0")
    return {
        "hmac_ikey": bytes(b ^ 0x36 for b in key),
        "hmac_okey": bytes(b ^ 0x5C for b in key),
    }


def pseudonym(secret: bytes, patient_ref: str) -> str:
    """The pseudonym of a patient ref: 'px-' + the first 20 hex digits of HMAC-SHA256(secret, ref)."""
    digest = hmac.new(secret, patient_ref.encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:HEX_CHARS]


def birth_band(year: int | None) -> str | None:
    """The 10-year band of a birth year, e.g. 1987 -> '1980-1989' (None stays None)."""
    if year is None:
        return None
    low = year // 10 * 10
    return f"{low}-{low + 9}"
