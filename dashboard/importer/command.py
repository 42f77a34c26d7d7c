"""`python -m dashboard import PATH`: import a data set (folder or .zip) per spec sections 2 and 3.

Exit 0 when everything was imported or already stored, 2 when the input cannot be read (nothing changed),
3 when the import finished but quarantined rows. The summary goes to stderr; big files show a progress bar.
"""

from __future__ import annotations

import argparse
import sys

from dashboard.db import open_database
from dashboard.importer.api import import_path
from dashboard.importer.staging import ImportInputError

EXIT_USAGE = 2
IMPORT_MEMORY_LIMIT = "1GB"


def run(args: argparse.Namespace) -> int:
    """Import args.path into the database at args.db and return the exit code."""
    db = open_database(args.db)
    try:
        db.scalar(f"SET memory_limit = '{IMPORT_MEMORY_LIMIT}'")
        try:
            result = import_path(db, args.path, actor=getattr(args, "actor", None) or "import", progress=True)
        except ImportInputError as exc:
            print(f"import: {exc}. Nothing was changed.", file=sys.stderr)
            return EXIT_USAGE
    finally:
        db.close()
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(result.summary(), file=sys.stderr)
    for file, c in result.files.items():
        if c.rows_read:
            extra = f", {c.new_versions:,} follow-up versions" if c.new_versions else ""
            print(f"  {file}.csv: {c.rows_read:,} read, {c.imported:,} imported{extra}, "
                  f"{c.quarantined:,} quarantined, {c.unchanged:,} unchanged", file=sys.stderr)
    if result.quarantined:
        print(f"Quarantined rows keep their line, values and reasons: see Data import in the app "
              f"(import {result.import_id}).", file=sys.stderr)
    return result.exit_code
