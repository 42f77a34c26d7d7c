"""The quarantine: list rejected rows and download them as CSV, one column per raw value."""

from __future__ import annotations

import json

import pandas as pd

from dashboard.core.db import Database
from dashboard.core.spreadsheet import inert_frame
from dashboard.importer.spec import COLUMNS, FILES

BASE_COLUMNS = ["import_id", "file", "line", "reasons", "messages"]


def list_quarantine(db: Database, import_id: int | None = None, limit: int | None = None) -> pd.DataFrame:
    """Quarantined rows of one import (or of every import when None), by import, file and line; the first `limit`."""
    return db.query("import_list_quarantine", {"import_id": import_id, "limit": limit})


def _raw_columns() -> list[str]:
    names: list[str] = []
    for file in FILES:
        for column in COLUMNS[file]:
            if column.name not in names:
                names.append(column.name)
    return names + ["malformed_line"]


def quarantine_csv(db: Database, import_id: int | None = None) -> bytes:
    """The quarantine as UTF-8 CSV: import, file, line, reasons, messages, then the raw cell values."""
    df = list_quarantine(db, import_id)
    raw_rows = [json.loads(r) if r else {} for r in df["raw"]] if len(df) else []
    raw = pd.DataFrame(raw_rows, columns=None)
    if "line" in raw.columns:
        raw = raw.rename(columns={"line": "malformed_line"})
    used = [c for c in _raw_columns() if c in raw.columns]
    out = pd.concat([df[BASE_COLUMNS].reset_index(drop=True), raw[used].reset_index(drop=True)], axis=1)
    return inert_frame(out).to_csv(index=False).encode("utf-8")
