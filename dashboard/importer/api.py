"""Entry points of the import: a data set on disk (folder or .zip) or a dict of DataFrames (the demo's bulk path)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.core.authz import User, require
from dashboard.core.config import DATE_FORMATS
from dashboard.core.db import Database
from dashboard.importer.pipeline import run_import
from dashboard.importer.progress import Progress
from dashboard.importer.result import ImportResult
from dashboard.importer.sources import dataset_files
from dashboard.importer.spec import FILES
from dashboard.importer.staging import ImportInputError, Staged, stage_csv, stage_empty, stage_frame
from dashboard.importer.textfile import encoding_name, prepare
from dashboard.trends.refresh import refresh

BIG_INPUT_BYTES = 2_000_000
PERMISSION = "import.run"


def import_path(db: Database, user: User | None, path: str | Path, *, progress: bool | Progress = False,
                encoding: str | None = None, date_format: str | None = None) -> ImportResult:
    """Import the data set in a folder or .zip as `user` (needs import.run); raises ImportInputError (nothing
    changed) when unreadable.

    `encoding` names the encoding of files that are not UTF-8 (spec 7.4); `date_format` (DD/MM/YYYY or
    MM/DD/YYYY) also reads date-times written that way."""
    actor = require(user, PERMISSION).username
    check_date_format(date_format)
    if encoding:
        encoding_name(encoding)  # an unknown name is refused before anything is read
    with dataset_files(path) as files, tempfile.TemporaryDirectory(prefix="injectwatch-prepare-") as tmp:
        # the bytes are checked (and, when needed, a UTF-8 or LF-only copy written) before the transaction starts
        ready = {file: prepare(csv_path, file, Path(tmp), encoding) for file, csv_path in files.items()}
        sizes = {f: float(p.stat().st_size) for f, p in files.items()}
        if isinstance(progress, Progress):
            bar = progress
        else:
            weights: dict[str, float] = {}
            for f, size in sizes.items():
                weights[f"read {f}"] = size
                weights[f] = size
            weights["store"] = sum(sizes.values())
            bar = Progress(weights, enabled=bool(progress) and sum(sizes.values()) >= BIG_INPUT_BYTES)

        def stage(cur: duckdb.DuckDBPyConnection, tz: str, bar: Progress) -> list[Staged]:
            staged = []
            for file in FILES:
                if file in ready:
                    bar.step(f"reading {file}.csv", f"read {file}")
                    staged.append(stage_csv(cur, file, ready[file]))
                else:
                    staged.append(stage_empty(cur, file))
            return staged

        result = run_import(db, stage, str(path), actor, bar, date_format=date_format)
    refresh(db, actor=actor)  # one write path: trends cells and signal rows follow the import
    return result


def check_date_format(date_format: str | None) -> None:
    """Raise ImportInputError unless date_format is None, DD/MM/YYYY or MM/DD/YYYY."""
    if date_format is not None and date_format not in DATE_FORMATS:
        raise ImportInputError(f"the date format '{date_format}' is not one the import reads; use "
                               f"{' or '.join(DATE_FORMATS)}")


def refresh_trends(db: Database, user: User | None) -> str:
    """Bring the Trends pre-aggregates up to date (needs import.run). Imports already do this after their write;
    this is for a database written by something else (e.g. an older version)."""
    return refresh(db, actor=require(user, PERMISSION).username).mode


def import_frames(db: Database, frames: dict[str, pd.DataFrame], source: str, actor: str) -> ImportResult:
    """Import DataFrames keyed treatments/injections/events (spec column names, text or typed values).

    The engine's bulk path, run without a user by the demo loader and the calibration tooling (trusted callers
    that name their actor); people import through import_path, which checks import.run."""
    unknown = set(frames) - set(FILES)
    if unknown:
        raise ImportInputError(f"unknown frame(s) {', '.join(sorted(unknown))}; expected {', '.join(FILES)}")
    if "treatments" not in frames:
        raise ImportInputError("a data set needs treatments")

    def stage(cur: duckdb.DuckDBPyConnection, tz: str, bar: Progress) -> list[Staged]:
        return [stage_frame(cur, f, frames[f], tz) if f in frames else stage_empty(cur, f) for f in FILES]

    result = run_import(db, stage, source, actor)
    refresh(db, actor=actor)  # one write path: trends cells and signal rows follow the import
    return result
