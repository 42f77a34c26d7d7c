"""`python -m dashboard export --quarter YYYYQn [--out DIR] [--identified]` (interchange-v1 sections 3 and 5)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from dashboard.core.authz import User, system_user
from dashboard.core.config import db_path
from dashboard.core.db import open_database
from dashboard.export.bundle import ExportError, write_bundle
from dashboard.export.quarter import BadQuarterError, parse_quarter
from dashboard.export.secret import SecretError

EXIT_OK, EXIT_USAGE = 0, 2


def _actor(args: argparse.Namespace) -> str:
    if getattr(args, "actor", None):
        return str(args.actor)
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _user(args: argparse.Namespace) -> User:
    """The command line exports as its actor in the manager role, the only role that may export."""
    return system_user(_actor(args), "manager")


def run(args: argparse.Namespace) -> int:
    """Write the quarterly export bundle and its zip; exit 2 on a bad quarter, a missing database or bad --out."""
    try:
        quarter = parse_quarter(args.quarter)
    except BadQuarterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    path = db_path(args.db)
    if str(path) != ":memory:" and not path.is_file():
        print(f"error: no database at {path}; run `python -m dashboard init` or pass --db", file=sys.stderr)
        return EXIT_USAGE
    out = Path(getattr(args, "out", None) or ".")
    if not out.is_dir():
        print(f"error: --out {out} is not an existing folder", file=sys.stderr)
        return EXIT_USAGE
    db = open_database(path)
    try:
        result = write_bundle(db, _user(args), quarter, out, identified=bool(args.identified))
    except (ExportError, SecretError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        db.close()
    print(result.summary(), file=sys.stderr)
    print(result.manifest["note"], file=sys.stderr)
    if result.identified:
        print("This export is IDENTIFIED (patient refs, free text, reporters); it is recorded in the audit trail. "
              "Store and send it only as your data-protection rules allow.", file=sys.stderr)
    return EXIT_OK
