"""Build the quarterly export bundle of interchange-v1 section 5: a folder of CSV files, a manifest and a zip.

All rows are read inside one read transaction (one consistent snapshot) and written by DuckDB `COPY`; Python only
adds the byte-order mark, computes checksums, writes manifest.json and the zip. Every export is audited.

Each file's SELECT lives in sql/queries/export_*.sql with bound parameters ($start, $end, the HMAC keys); `_copy`
wraps it in `COPY (...) TO $path (...)`. The only identifiers written into that statement are the FORCE_QUOTE column
names, taken from the query's own result and accepted only when the data dictionary (the allow-list) names them;
the same names select the text columns that are made inert against spreadsheet formulas (spec 7.6).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard.core.authz import User, require
from dashboard.core.db import Database
from dashboard.core.spreadsheet import inert_sql
from dashboard.core.sqlfiles import load_sql
from dashboard.export.dictionary import BOM, FORMAT, dictionary_rows
from dashboard.export.pseudonym import HEX_CHARS, PREFIX, hmac_pads
from dashboard.export.quarter import Quarter
from dashboard.export.secret import load_secret

UTF8_BOM = b"\xef\xbb\xbf"
MANIFEST = "manifest.json"
DATA_FILES = ("treatments.csv", "injections.csv", "events.csv", "event_versions.csv", "summary.csv")
DICTIONARY_FILE = "data_dictionary.csv"
CSV_FILES = (*DATA_FILES, DICTIONARY_FILE)

# file -> (query when identified, query when de-identified)
_QUERIES: dict[str, tuple[str, str]] = {
    "treatments.csv": ("export_treatments", "export_treatments_deidentified"),
    "injections.csv": ("export_injections", "export_injections"),
    "events.csv": ("export_events", "export_events_deidentified"),
    "event_versions.csv": ("export_event_versions", "export_event_versions_deidentified"),
    "summary.csv": ("export_summary", "export_summary"),
    DICTIONARY_FILE: ("export_data_dictionary", "export_data_dictionary"),
}
_TEXT_TYPES = {"text", "code"}  # always quoted, so spreadsheets can keep ids as text
_COPY_OPTIONS = (
    "FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"', "
    "DATEFORMAT '%Y-%m-%d', TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S'"
)
_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


class ExportError(RuntimeError):
    """Raised when the bundle cannot be written (the message says what to do)."""


@dataclass(frozen=True)
class ExportPreview:
    """What an export of a quarter will hold, counted before anything is written."""

    quarter: Quarter
    treatments: int
    treatments_from_earlier_quarters: int
    injections: int
    events: int
    event_versions: int
    summary_rows: int

    @property
    def empty(self) -> bool:
        """True when the quarter has no treatments and no events."""
        return self.treatments == 0 and self.events == 0

    def rows(self, identified: bool = False) -> dict[str, int]:
        """Data rows per CSV file (header excluded)."""
        return {
            "treatments.csv": self.treatments,
            "injections.csv": self.injections,
            "events.csv": self.events,
            "event_versions.csv": self.event_versions,
            "summary.csv": self.summary_rows,
            DICTIONARY_FILE: len(dictionary_rows(identified)),
        }


@dataclass(frozen=True)
class ExportResult:
    """A written bundle: where it is and what its manifest says."""

    quarter: Quarter
    identified: bool
    folder: Path
    zip_path: Path
    manifest: dict[str, Any] = field(repr=False)

    @property
    def rows(self) -> dict[str, int]:
        """Data rows per CSV file."""
        return dict(self.manifest["rows"])

    def summary(self) -> str:
        """One human sentence about the export."""
        r = self.rows
        kind = "identified" if self.identified else "de-identified"
        return (f"{kind} export of {self.quarter} ({self.quarter.describe()}): {_count(r['treatments.csv'], 'treatment')}"
                f", {_count(r['injections.csv'], 'injection row')}, {_count(r['events.csv'], 'event')} "
                f"({_count(r['event_versions.csv'], 'version')}), {_count(r['summary.csv'], 'summary row')} "
                f"-> {self.folder} and {self.zip_path}")


def bundle_name(quarter: Quarter) -> str:
    """The folder (and zip stem) of a quarter's bundle, e.g. injectwatch-2026Q3."""
    return f"injectwatch-{quarter.label}"


# ---------------------------------------------------------------------------------------------------- reading
def _params(sql: str, available: dict[str, Any]) -> dict[str, Any]:
    """The subset of available parameters that the statement uses (DuckDB refuses unused named parameters)."""
    return {name: available[name] for name in sorted(set(_PARAM.findall(sql)))}


def _quoted_columns(file: str, names: list[str], identified: bool) -> list[str]:
    """The columns of a file to quote: its text and code columns, checked against the data dictionary."""
    described = {c.column: c.type for c in dictionary_rows(identified) if c.file == file}
    missing = [n for n in names if n not in described]
    if missing:
        raise ExportError(f"{file}: columns {missing} are not in the data dictionary")
    if file == DICTIONARY_FILE:
        return list(names)
    return [n for n in names if described[n] in _TEXT_TYPES]


def _copy(cur: duckdb.DuckDBPyConnection, file: str, query: str, path: Path, available: dict[str, Any],
          identified: bool) -> int:
    """COPY one query to one CSV file and return the number of data rows written."""
    select = load_sql(query).strip().rstrip(";")
    params = _params(select, available)
    names = [d[0] for d in cur.execute(f"SELECT * FROM ({select}) AS q LIMIT 0", params).description]
    text = {'"' + n + '"' for n in _quoted_columns(file, names, identified)}
    quoted = ", ".join(sorted(text))
    # text cells that a spreadsheet would run as a formula get a leading apostrophe (spec 7.6); numbers never do
    cells = ", ".join(f"{inert_sql(q)} AS {q}" if q in text else q for q in ('"' + n + '"' for n in names))
    params = {**params, "path": str(path)}
    row = cur.execute(f"COPY (SELECT {cells} FROM ({select}) AS q) TO $path ({_COPY_OPTIONS}, FORCE_QUOTE ({quoted}))",
                      params).fetchone()
    return int(row[0]) if row else 0


def _may_export(user: User | None, identified: bool) -> User:
    """Check export.run, and export.identified for an identified export."""
    checked = require(user, "export.run")
    if identified:
        require(checked, "export.identified")
    return checked


def preview(db: Database, user: User | None, quarter: Quarter) -> ExportPreview:
    """Count what an export of the quarter will hold (identical for identified and de-identified exports)."""
    require(user, "export.run")
    p = quarter.params()
    counts = db.query_rows("export_counts", p)[0]
    summary_sql = load_sql("export_summary").strip().rstrip(";")
    summary_rows = db.scalar(f"SELECT count(*) FROM ({summary_sql}) AS s", _params(summary_sql, p))
    return ExportPreview(quarter, *(int(c) for c in counts), int(summary_rows))


@dataclass(frozen=True)
class QuarterChoice:
    """A quarter that holds data: treatments given and events that began in it."""

    quarter: Quarter
    treatments: int
    events: int


def quarters_with_data(db: Database, user: User | None) -> list[QuarterChoice]:
    """Quarters holding treatments or event onsets, newest first (needs export.run)."""
    require(user, "export.run")
    return [QuarterChoice(Quarter(int(y), int(n)), int(t), int(e)) for y, n, t, e in db.query_rows("export_quarters")]


def recent_exports(db: Database, user: User | None, limit: int = 10) -> pd.DataFrame:
    """The latest exports recorded in the audit trail (when, who, quarter, identified; needs export.run)."""
    require(user, "export.run")
    return db.query("export_recent", {"limit": limit})


def _write_csvs(db: Database, quarter: Quarter, folder: Path, identified: bool) -> tuple[dict[str, int], int]:
    """Write every CSV of the bundle from one snapshot; return rows per file and earlier-quarter treatments."""
    available: dict[str, Any] = dict(quarter.params())
    if not identified:
        available.update(hmac_pads(load_secret(db.path)))
        available.update({"pseudonym_prefix": PREFIX, "pseudonym_chars": HEX_CHARS})
    dictionary = pd.DataFrame([vars(c) for c in dictionary_rows(identified)],
                              columns=["file", "column", "type", "required", "meaning"])
    rows: dict[str, int] = {}
    with db.cursor() as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            earlier = int(cur.execute(load_sql("export_counts"), quarter.params()).fetchone()[1])
            cur.register("export_dictionary", dictionary)
            for file, (named, anonymous) in _QUERIES.items():
                rows[file] = _copy(cur, file, named if identified else anonymous, folder / file, available,
                                   identified)
            cur.unregister("export_dictionary")
        finally:
            cur.execute("ROLLBACK")  # read-only: nothing to commit
    return rows, earlier


def _prepend_bom(path: Path) -> None:
    """Rewrite a file with the UTF-8 byte-order mark in front (streamed, not loaded whole)."""
    tmp = path.with_name(path.name + ".bom")
    with open(path, "rb") as src, open(tmp, "wb") as dst:
        dst.write(UTF8_BOM)
        shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(tmp, path)


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, hex."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _manifest(quarter: Quarter, identified: bool, actor: str, now: datetime, folder: Path,
              rows: dict[str, int], earlier: int) -> dict[str, Any]:
    data_rows = {f: rows[f] for f in CSV_FILES}
    empty = rows["treatments.csv"] == 0 and rows["events.csv"] == 0
    kind = "Identified" if identified else "De-identified"
    if empty:
        note = (f"{kind} export of {quarter} ({quarter.describe()}): no treatments and no adverse events in this "
                "quarter, so the CSV files hold only their header rows.")
    else:
        given = rows["treatments.csv"] - earlier
        note = (f"{kind} export of {quarter} ({quarter.describe()}): {_count(given, 'treatment')} given in the "
                f"quarter, {_count(earlier, 'earlier treatment')} that the quarter's events follow, "
                f"{_count(rows['events.csv'], 'adverse event')} with onset in the quarter (latest version of each; "
                "every version in event_versions.csv).")
    return {
        "format": FORMAT,
        "format_version": 1,
        "interchange": "interchange-v1",
        "quarter": quarter.label,
        "period": {"first_day": quarter.first_day.isoformat(), "last_day": quarter.last_day.isoformat(),
                   "time_basis": "clinic-local calendar quarter (stored wall times)"},
        "exported_at": (now if now.tzinfo else now.astimezone()).isoformat(timespec="seconds"),
        "exported_by": actor,
        "identified": identified,
        "empty": empty,
        "note": note,
        "encoding": {"charset": "utf-8", "bom": BOM},
        "rows": data_rows,
        "sha256": {f: sha256_file(folder / f) for f in CSV_FILES},
    }


def verify_bundle(folder: Path) -> list[str]:
    """Check a bundle folder against its manifest; return the problems found (empty list = intact)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{MANIFEST}: cannot be read ({exc})"]
    problems = []
    for name, digest in manifest.get("sha256", {}).items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif sha256_file(path) != digest:
            problems.append(f"{name}: SHA-256 does not match the manifest")
    extra = {p.name for p in folder.iterdir()} - set(manifest.get("sha256", {})) - {MANIFEST}
    problems += [f"{name}: not listed in the manifest" for name in sorted(extra)]
    return problems


def _write_zip(folder: Path, target: Path, name: str, now: datetime) -> None:
    stamp = now.timetuple()[:6]
    tmp = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for file in (*CSV_FILES, MANIFEST):
            info = zipfile.ZipInfo(f"{name}/{file}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with open(folder / file, "rb") as src, z.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(tmp, target)


def _audit(db: Database, actor: str, quarter: Quarter, identified: bool, rows: dict[str, int],
           destination: str) -> None:
    detail = json.dumps({"quarter": quarter.label, "identified": identified, "rows": rows,
                         "destination": destination}, sort_keys=True)
    action = "export.identified" if identified else "export"
    db.write(lambda cur: db.audit(cur, actor, action, "export", quarter.label, detail))


# ---------------------------------------------------------------------------------------------------- writing
def write_bundle(db: Database, user: User | None, quarter: Quarter, out_dir: Path, *, identified: bool = False,
                 now: datetime | None = None, destination: str | None = None) -> ExportResult:
    """Write <out_dir>/injectwatch-YYYYQn/ and its .zip (replacing an earlier bundle of that quarter); audit it.

    Needs export.run (and export.identified for an identified export); the manifest's exported_by and the audit
    row name the user."""
    actor = _may_export(user, identified).username
    now = now or datetime.now().replace(microsecond=0)
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise ExportError(f"--out {out_dir} is not an existing folder")
    name = bundle_name(quarter)
    folder, zip_path = out_dir / name, out_dir / f"{name}.zip"
    if folder.exists() and not (folder / MANIFEST).is_file():
        raise ExportError(f"{folder} exists and is not an InjectWatch export; move it or choose another --out")
    work = Path(tempfile.mkdtemp(prefix=f".{name}.partial-", dir=out_dir))
    try:
        rows, earlier = _write_csvs(db, quarter, work, identified)
        for file in CSV_FILES:
            _prepend_bom(work / file)
        manifest = _manifest(quarter, identified, actor, now, work, rows, earlier)
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _audit(db, actor, quarter, identified, manifest["rows"], destination or str(folder.resolve()))
        _write_zip(work, zip_path, name, now)
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(work, folder)
        if not identified:  # an identified bundle keeps the owner-only permissions of its working folder
            os.chmod(folder, 0o755 & ~_umask())
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return ExportResult(quarter, identified, folder, zip_path, manifest)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def export_zip_for(db: Database, user: User, quarter: Quarter, *, identified: bool = False,
                   now: datetime | None = None) -> tuple[str, bytes, ExportResult]:
    """Build the bundle for a signed-in user (checks permissions) and return (zip file name, zip bytes, result).

    The bundle is built in a temporary folder that is removed afterwards: only the bytes and the manifest remain.
    """
    _may_export(user, identified)
    with tempfile.TemporaryDirectory(prefix="injectwatch-export-") as tmp:
        result = write_bundle(db, user, quarter, Path(tmp), identified=identified, now=now,
                              destination="download from the Export page")
        data = result.zip_path.read_bytes()
    return result.zip_path.name, data, result
