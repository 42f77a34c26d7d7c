"""`python -m dashboard quarantine [--import ID] [--out FILE.csv]`: write the quarantined rows as CSV (spec section 2).

The CSV (every import, or one) goes to the file or to stdout; the summary goes to stderr. Exit 0, or 2 for an
unknown import id, a missing database or an unwritable --out (nothing is written then). The download is audited.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import sys
from pathlib import Path

from dashboard.core.authz import SYSTEM
from dashboard.core.config import db_path
from dashboard.core.db import open_database
from dashboard.importer.history import UnknownImportError, import_totals, list_imports, quarantine_download

EXIT_OK, EXIT_USAGE = 0, 2


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _check_out(out: Path) -> str | None:
    if out.is_dir():
        return f"--out {out} is a folder; give a file name such as {out / 'quarantine.csv'}"
    if not out.parent.is_dir():
        return f"--out {out}: the folder {out.parent} does not exist"
    return None


def run(args: argparse.Namespace) -> int:
    """Write the quarantine CSV of one import (or all) to --out or stdout and return the exit code."""
    path = db_path(args.db)
    if str(path) != ":memory:" and not path.is_file():
        print(f"error: no database at {path}; run `python -m dashboard init` or pass --db", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out) if getattr(args, "out", None) else None
    if out is not None and (problem := _check_out(out)):
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    import_id = getattr(args, "import_id", None)
    user = dataclasses.replace(SYSTEM, username=_actor())
    db = open_database(path)
    try:
        try:
            data, rows = quarantine_download(db, user, import_id)
        except UnknownImportError:
            latest = list_imports(db, user, limit=5)["import_id"].tolist()
            known = f"the newest: {', '.join(map(str, latest))}" if latest else "no import has been run yet"
            print(f"error: there is no import {import_id} ({known}). Nothing was written.", file=sys.stderr)
            return EXIT_USAGE
        imports = import_totals(db, user)[0]
    finally:
        db.close()
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        where = "stdout"
    else:
        try:
            out.write_bytes(data)
        except OSError as exc:
            print(f"error: cannot write {out}: {exc}", file=sys.stderr)
            return EXIT_USAGE
        where = str(out)
    if import_id is not None:
        scope = f"import {import_id}"
    else:
        scope = "any import (none has been run yet)" if imports == 0 else \
            f"the {imports:,} import{'s' if imports != 1 else ''} so far"
    if rows:
        print(f"Wrote {rows:,} quarantined row{'s' if rows != 1 else ''} of {scope} to {where} "
              "(file, line, reasons, what is wrong, then the raw values).", file=sys.stderr)
    else:
        print(f"No quarantined rows in {scope}; wrote only the header row to {where}.", file=sys.stderr)
    return EXIT_OK
