"""`python -m dashboard import PATH`: import a data set (folder or .zip) per spec sections 2 and 3.

`--encoding NAME` reads files that are not UTF-8 (spec 7.4); `--date-format DD/MM/YYYY|MM/DD/YYYY` also reads
date-times written that way. Exit 0 when every row was imported, already stored or already quarantined by an earlier import (a repeated import
changes nothing), 2 when the input cannot be read (nothing changed), 3 when this import quarantined rows.
The summary goes to stderr; big files show a progress bar.
After rows were added the Trends pre-aggregates are brought up to date (own transaction), so the first Trends
view after an import does not have to do it.
"""

from __future__ import annotations

import argparse
import sys

from dashboard.core.authz import system_user
from dashboard.core.config import db_path
from dashboard.core.db import open_database
from dashboard.importer.api import check_date_format, import_path
from dashboard.importer.quarantine import list_quarantine
from dashboard.importer.sources import check_dataset
from dashboard.importer.staging import ImportInputError

EXIT_USAGE = 2
SHOW_QUARANTINED = 10


def run(args: argparse.Namespace) -> int:
    """Import args.path into the database at args.db and return the exit code."""
    encoding, date_format = getattr(args, "encoding", None), getattr(args, "date_format", None)
    if not db_path(args.db).exists():  # check the input before creating a database: a bad one leaves nothing behind
        try:
            check_date_format(date_format)
            check_dataset(args.path, encoding)
        except ImportInputError as exc:
            print(f"import: {exc}. Nothing was changed.", file=sys.stderr)
            return EXIT_USAGE
    db = open_database(args.db)
    try:
        user = system_user(getattr(args, "actor", None) or "import")  # audited as "import", as before
        try:
            result = import_path(db, user, args.path, progress=True, encoding=encoding, date_format=date_format)
        except ImportInputError as exc:
            print(f"import: {exc}. Nothing was changed.", file=sys.stderr)
            return EXIT_USAGE
        shown = list_quarantine(db, result.import_id).head(SHOW_QUARANTINED) if result.quarantined else None
    finally:
        db.close()
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(result.summary(), file=sys.stderr)
    for file, c in result.files.items():
        if c.rows_read:
            extra = f", {c.new_versions:,} follow-up versions" if c.new_versions else ""
            known = f", {c.already_quarantined:,} already quarantined" if c.already_quarantined else ""
            print(f"  {file}.csv: {c.rows_read:,} read, {c.imported:,} imported{extra}, "
                  f"{c.quarantined:,} quarantined, {c.unchanged:,} unchanged{known}", file=sys.stderr)
    if shown is not None:
        print("Quarantined rows (file:line reasons - what is wrong):", file=sys.stderr)
        for row in shown.itertuples():
            print(f"  {row.file}:{row.line} {row.reasons} - {row.messages}", file=sys.stderr)
        if result.quarantined > len(shown):
            print(f"  ... and {result.quarantined - len(shown):,} more.", file=sys.stderr)
        print(f"Every quarantined row is kept with its raw values under import {result.import_id}.", file=sys.stderr)
    return result.exit_code
