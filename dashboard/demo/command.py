"""`python -m dashboard demo [--treatments N] [--seed S]`: fill the database with the synthetic demo chain."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from dashboard.db import open_database
from dashboard.demo.catalog import INJECTORS
from dashboard.demo.generator import generate

EXIT_OK, EXIT_USAGE, EXIT_QUARANTINE = 0, 2, 3
MAX_TREATMENTS = 5_000_000


def load_demo(db_path: str | Path | None, treatments: int, seed: int) -> Any:
    """Generate the demo chain and write it through the importer's bulk path; returns the ImportResult."""
    from dashboard.importer import import_frames

    frames = generate(treatments, seed)
    db = open_database(db_path)
    try:
        return import_frames(db, frames, source=f"demo seed {seed}", actor="demo")
    finally:
        db.close()


def _create_accounts(db_path: str | Path | None) -> list[tuple[str, str, str]]:
    from dashboard.accounts import create_demo_accounts

    db = open_database(db_path)
    try:
        names = [inj.name for inj in INJECTORS]
        return create_demo_accounts(db, names)
    finally:
        db.close()


def _count(result: Any, name: str) -> int:
    value = getattr(result, name, None)
    if value is None and isinstance(result, dict):
        value = result.get(name)
    return int(value or 0)


def run(args: argparse.Namespace) -> int:
    """Generate and load the demo chain, create the demo accounts and print them to stderr."""
    n, seed = int(args.treatments), int(args.seed)
    if not 1 <= n <= MAX_TREATMENTS:
        print(f"error: --treatments must be between 1 and {MAX_TREATMENTS:,} (got {n})", file=sys.stderr)
        return EXIT_USAGE
    start = time.perf_counter()
    print(f"demo: generating {n:,} treatments (seed {seed}) ...", file=sys.stderr)
    result = load_demo(args.db, n, seed)
    took = time.perf_counter() - start
    quarantined = _count(result, "quarantined")
    print(f"demo: loaded in {took:.1f} s: {result}", file=sys.stderr)
    accounts = _create_accounts(args.db)
    print("demo accounts (username / password / role) - write these down, they are shown only once:",
          file=sys.stderr)
    for username, password, role in accounts:
        print(f"  {username:<16} {password:<24} {role}", file=sys.stderr)
    return EXIT_QUARANTINE if quarantined else EXIT_OK
