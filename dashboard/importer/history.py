"""The Imports page and the `quarantine` command, without streamlit: import an uploaded .zip, list past imports,
show and download their quarantined rows (interchange-v1 section 2). Every function checks `import.run`."""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from pathlib import Path, PurePath

import duckdb
import pandas as pd

from dashboard.core.authz import User, require
from dashboard.core.config import memory_limit
from dashboard.core.db import Database
from dashboard.core.errorlog import unexpected_sentence, write_error_log
from dashboard.importer import ImportInputError, ImportResult, import_path, list_quarantine, quarantine_csv

PERMISSION = "import.run"
UPLOAD_PREFIX = "injectwatch-upload-"
MAX_NAME = 120

# the reason codes of the quarantine in plain words (an unknown code is shown as itself)
REASON_LABELS = {
    "missing_required": "a required value is empty",
    "bad_type": "a value is not of the expected type",
    "unknown_code": "a code is not one of the allowed codes",
    "out_of_range": "a value is outside the possible range",
    "future_date": "a date lies in the future",
    "onset_before_treatment": "the event began before the treatment",
    "unknown_treatment": "the treatment is neither in the data set nor stored (or was itself quarantined)",
    "duplicate_in_file": "the same id appears more than once in the file",
    "conflicts_with_existing": "it contradicts a record already stored",
    "inconsistent": "two values of the row contradict each other",
    "malformed_row": "the line could not be read as a CSV row",
    "too_long": "a value is longer than its column allows",
    "bad_value": "a value holds a character that has no place in it",
}


class UnknownImportError(LookupError):
    """Raised when an import id names no import."""


def upload_name(filename: str) -> str:
    """Return a safe file name for an uploaded data set: its base name, plain characters only, ending in .zip."""
    base = PurePath(str(filename).replace("\\", "/")).name
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", base.removesuffix(".zip").removesuffix(".ZIP")).strip(" .") or "upload"
    return stem[:MAX_NAME] + ".zip"


def import_upload(db: Database, user: User, filename: str, data: bytes, *, encoding: str | None = None,
                  date_format: str | None = None) -> ImportResult:
    """Import an uploaded .zip data set as `user` (needs import.run) through the same import as the command.

    `encoding` and `date_format` are the command's --encoding and --date-format. Raises ImportInputError (nothing
    changed) when the upload is not a readable data set, the import ran out of memory, or something unexpected
    stopped it (the details then go to a log file the message names)."""
    require(user, PERMISSION)
    name = upload_name(filename)
    if not data or not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportInputError(f"{name} is not a .zip file; upload a .zip holding treatments.csv and injections.csv "
                               "(events.csv is optional)")
    with tempfile.TemporaryDirectory(prefix=UPLOAD_PREFIX) as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            return import_path(db, user, path, encoding=encoding, date_format=date_format)
        except duckdb.OutOfMemoryException as exc:  # the import's transaction was rolled back
            raise ImportInputError(
                f"{name} needed more working memory than this installation allows ({memory_limit()}, set by "
                "INJECTWATCH_MEMORY_LIMIT): import it in smaller parts, or ask whoever runs InjectWatch to raise "
                "the limit") from exc
        except ImportInputError:
            raise
        except Exception as exc:  # the page shows one sentence; the details go to a log file
            log = write_error_log(exc, "import", db.path)
            raise ImportInputError(unexpected_sentence("the import", log, nothing_changed=True).rstrip(".")) from exc


def source_label(source: str) -> str:
    """Return how an import's source is shown: 'name.zip (uploaded)' for uploads, the path for the command."""
    path = PurePath(source)
    if path.parent.name.startswith(UPLOAD_PREFIX):
        return f"{path.name} (uploaded)"
    return source


def list_imports(db: Database, user: User, limit: int | None = None) -> pd.DataFrame:
    """Return past imports newest first (id, times, source, who, row totals, summary); needs import.run."""
    require(user, PERMISSION)
    frame = db.query("imports_list", {"import_id": None, "limit": limit})
    return frame.assign(source_label=frame["source"].map(source_label))


def import_totals(db: Database, user: User) -> tuple[int, int]:
    """Return (imports run, rows quarantined in all); needs import.run."""
    require(user, PERMISSION)
    imports, quarantined = db.query_rows("imports_count")[0]
    return int(imports), int(quarantined)


def get_import(db: Database, user: User, import_id: int) -> dict[str, object]:
    """Return one import's row as a dict; raises UnknownImportError when there is none; needs import.run."""
    require(user, PERMISSION)
    frame = db.query("imports_list", {"import_id": int(import_id), "limit": 1})
    if frame.empty:
        raise UnknownImportError(f"there is no import {import_id}")
    row = frame.iloc[0].to_dict()
    row["source_label"] = source_label(str(row["source"]))
    return row


def reason_text(reasons: str) -> str:
    """Return comma-separated reason codes as plain words, '; '-separated."""
    codes = [c.strip() for c in str(reasons or "").split(",") if c.strip()]
    return "; ".join(REASON_LABELS.get(c, c) for c in codes)


def _sentence(text: object) -> str:
    value = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text).strip()
    return value if not value or value.endswith((".", "!", "?")) else value + "."


def raw_values(raw: object) -> list[tuple[str, str]]:
    """Return a quarantined row's raw cells (its JSON `raw`) as (column, value as in the file) pairs, empty as ''."""
    if not isinstance(raw, str) or not raw:
        return []
    try:
        values = json.loads(raw)
    except ValueError:
        return [("text of the line", raw)]
    if not isinstance(values, dict):
        return [("text of the line", raw)]
    return [("text of the line" if k == "line" else str(k), "" if v is None else str(v)) for k, v in values.items()]


def _raw_text(raw: object) -> str:
    return "; ".join(f"{k}: {v}" for k, v in raw_values(raw) if v != "")


def quarantine_rows(db: Database, user: User, import_id: int, limit: int | None = None) -> pd.DataFrame:
    """Return one import's quarantined rows for reading: file, line, what is wrong, reasons, raw values (as text
    and as the stored JSON).

    Needs import.run; the first `limit` rows by file and line (all when None)."""
    require(user, PERMISSION)
    frame = list_quarantine(db, int(import_id), limit)
    return pd.DataFrame({
        "file": frame["file"].astype(str),
        "line": frame["line"].astype(int),
        "problem": [_sentence(m) for m in frame["messages"]],
        "reasons": [reason_text(r) for r in frame["reasons"]],
        "codes": frame["reasons"].astype(str),
        "raw": [_raw_text(r) for r in frame["raw"]],
        "raw_json": frame["raw"].astype(str),
    })


def quarantine_file_name(import_id: int | None) -> str:
    """Return the download name of a quarantine CSV."""
    return "quarantine-all-imports.csv" if import_id is None else f"quarantine-import-{int(import_id)}.csv"


def quarantine_download(db: Database, user: User, import_id: int | None) -> tuple[bytes, int]:
    """Return (the quarantine CSV of one import, or of all when None; its row count) and audit the download.

    Needs import.run; raises UnknownImportError for an unknown import id (nothing is audited then)."""
    require(user, PERMISSION)
    if import_id is None:
        rows = import_totals(db, user)[1]
    else:
        rows = int(get_import(db, user, import_id)["quarantined"])  # raises for an unknown id
    data = quarantine_csv(db, None if import_id is None else int(import_id))
    detail = json.dumps({"import_id": import_id, "rows": rows})
    db.write(lambda cur: db.audit(cur, user.username, "quarantine.export", "import",
                                  None if import_id is None else str(import_id), detail))
    return data, rows
