"""`python -m dashboard init`: create or migrate the database and load the reference data."""

from __future__ import annotations

import argparse
import sys

from dashboard.db import open_database
from dashboard.export.secret import ensure_secret


def run(args: argparse.Namespace) -> int:
    """Create or migrate the database (idempotent); optionally load the demo clinic on first start."""
    db = open_database(args.db)
    try:
        versions = db.applied_migrations()
        ensure_secret(db.path)  # the key of the export pseudonyms, beside the database (0600)
        print(f"database {db.path}: schema version {max(versions)}, reference data loaded", file=sys.stderr)
        if getattr(args, "demo_if_new", False):
            never_used = db.scalar("SELECT value FROM settings WHERE key = 'first_start_done'") is None
            empty = not db.scalar("SELECT count(*) FROM treatments")
            db.write(lambda cur: cur.execute(
                "INSERT INTO settings (key, value) SELECT 'first_start_done', 'yes' "
                "WHERE NOT EXISTS (SELECT 1 FROM settings WHERE key = 'first_start_done')"))
            if never_used and empty:
                from dashboard.demo.command import load_demo

                db.close()
                load_demo(args.db, treatments=20000, seed=1)
                print("first start: loaded the demo clinic (20,000 treatments, seed 1)", file=sys.stderr)
                return 0
    finally:
        db.close()
    return 0
