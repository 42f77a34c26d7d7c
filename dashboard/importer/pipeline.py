"""The import pipeline: stage, check and classify in DuckDB, then store accepted rows set-wise in one transaction.

Steps (every one a named SQL file in sql/queries/import_*.sql):
1. stage each file into a temporary all-text table (staging.py);
2. classify treatments, then injections and events against them and against the stored data;
3. open the imports row first; after each file is classified, gather its rejected rows and drop its staged
   copy (memory); store the rejected rows no earlier import has quarantined with the same raw values and reasons
   (a repeated import changes nothing, spec section 2); then create clinics/injectors/patients/lots, insert treatments, injections, events and event
   versions in key order (index appends in order are several times cheaper), audit follow-ups, close the imports
   row, append one audit row.
All of it runs inside one `db.write` transaction: a crash leaves either the whole import or none of it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import duckdb

from dashboard.core.db import Database
from dashboard.core.sqlfiles import load_sql
from dashboard.importer.parsing import install_macros, installation_timezone, local_now
from dashboard.importer.progress import Progress
from dashboard.importer.result import FileCounts, ImportResult
from dashboard.importer.spec import FILES, FIXED_CODES
from dashboard.importer.staging import ImportInputError, Staged

Stager = Callable[[duckdb.DuckDBPyConnection, str, Progress], list[Staged]]
_PARAM = re.compile(r"\$([a-z_]+)")
TEMP_TABLES = ("iw_raw_treatments", "iw_raw_injections", "iw_raw_events", "iw_cls_treatments",
               "iw_cls_injections", "iw_cls_events", "iw_rejects", "iw_quarantine", "iw_lines_treatments", "iw_lines_injections",
               "iw_lines_events")


def _exec(cur: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any]) -> duckdb.DuckDBPyConnection:
    """Run sql/queries/<name>.sql with exactly the parameters it names."""
    sql = load_sql(name)
    wanted = set(_PARAM.findall(sql))
    return cur.execute(sql, {k: v for k, v in params.items() if k in wanted})


def _code_lists(cur: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {k: list(v) for k, v in FIXED_CODES.items()}
    lists["product"] = [r[0] for r in cur.execute("SELECT code FROM ref_products ORDER BY code").fetchall()]
    lists["area"] = [r[0] for r in cur.execute("SELECT code FROM ref_areas ORDER BY code").fetchall()]
    lists["term"] = [r[0] for r in cur.execute("SELECT code FROM ref_terms ORDER BY code").fetchall()]
    params: dict[str, list[str]] = {}
    for key, codes in lists.items():
        params[key] = codes
        params[f"{key}_l"] = [c.lower() for c in codes]
    return params


def _drop_temp(cur: duckdb.DuckDBPyConnection) -> None:
    for table in TEMP_TABLES:
        cur.execute(f"DROP TABLE IF EXISTS {table}")


def run_import(db: Database, stage: Stager, source: str, actor: str, progress: Progress | None = None, *,
               date_format: str | None = None) -> ImportResult:
    """Run one import through `stage` (which fills the iw_raw_* tables) and return what it did.

    `date_format` (DD/MM/YYYY or MM/DD/YYYY) also reads date-times written that way."""
    progress = progress or Progress(enabled=False)
    started = time.monotonic()

    def work(cur: duckdb.DuckDBPyConnection) -> ImportResult:
        _drop_temp(cur)
        install_macros(cur)
        try:
            tz = installation_timezone(cur)
        except ValueError as exc:
            raise ImportInputError(f"the installation time zone is not usable: {exc}") from exc
        created_at = datetime.now().replace(microsecond=0)
        params: dict[str, Any] = {"tz": tz, "now": local_now(tz), "actor": actor, "source": source,
                                  "created_at": created_at, "started_at": created_at, "date_format": date_format}
        params.update(_code_lists(cur))
        _exec(cur, "import_create_rejects", params)
        _exec(cur, "import_create_quarantine", params)
        staged = {s.file: s for s in stage(cur, tz, progress)}
        result = ImportResult(import_id=None, source=source)
        for s in staged.values():
            result.warnings.extend(s.warnings)
        import_id = int(_exec(cur, "import_insert_import", params).fetchone()[0])
        params["import_id"] = import_id
        result.import_id = import_id
        _exec(cur, "import_quarantine_rejects", params)
        for file in FILES:
            progress.step(f"checking {file}.csv", file)
            _exec(cur, f"import_classify_{file}", {**params, "nul": staged[file].has_nul,
                                                   "decimal_comma": staged[file].decimal_comma})
            # a raw row is needed only to quarantine it: drop each staged file as soon as it is checked
            _exec(cur, f"import_quarantine_{file}", params)
            cur.execute(f"DROP TABLE iw_raw_{file}")
        _exec(cur, "import_mark_known_quarantine", params)
        _exec(cur, "import_store_quarantine", params)
        progress.step("storing", "store")
        # staging needed file order for line numbers; the set-wise inserts do not, and run faster without it
        cur.execute("SET SESSION preserve_insertion_order = false")
        for name in ("import_insert_clinics", "import_insert_injectors",
                     "import_insert_patients", "import_insert_lots", "import_insert_treatments",
                     "import_insert_injections", "import_insert_events", "import_insert_event_versions",
                     "import_audit_followups"):
            _exec(cur, name, params)
        _count(cur, result)
        result.seconds = round(time.monotonic() - started, 3)
        _exec(cur, "import_finish_import", {
            **params, "finished_at": datetime.now().replace(microsecond=0), "rows_read": result.rows_read,
            "imported": result.imported, "quarantined": result.quarantined,
            # rows quarantined by an earlier import changed nothing either
            "unchanged": result.unchanged + result.already_quarantined,
            "summary": result.summary()})
        db.audit(cur, actor, "import", "import", str(import_id), json.dumps(result.as_dict()))
        _drop_temp(cur)
        return result

    result = db.write(work, retries=0)  # the session setting above dies with the write's cursor
    progress.done()
    return result


def _count(cur: duckdb.DuckDBPyConnection, result: ImportResult) -> None:
    counts = {f: FileCounts() for f in FILES}
    known: set[int] = set()
    for file, status, n, imports in _exec(cur, "import_counts", {}).fetchall():
        c = counts[file]
        c.rows_read += n
        if status == "known":
            c.already_quarantined += n
            known.update(imports)
        elif status == "quarantine":
            c.quarantined += n
        elif status == "unchanged":
            c.unchanged += n
        else:
            c.imported += n
            if status == "followup":
                c.new_versions += n
    result.files = counts
    result.known_imports = sorted(known)
