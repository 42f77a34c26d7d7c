"""`python -m dashboard signals [--from DATE] [--to DATE] [--format json|table]`: print the current signals."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from dashboard.core.db import open_database
from dashboard.signals.detect import run_signals

EXIT_OK, EXIT_USAGE = 0, 2
TABLE_COLUMNS = (("level", 5), ("kind", 14), ("term", 26), ("who / what", 24), ("obs", 5), ("exp", 7),
                 ("ratio", 6), ("q", 8))


def _date(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{flag} must be a date like 2026-03-31, not {text!r}") from exc


def _cell(value: object, width: int) -> str:
    text = "" if value is None else str(value)
    return text[: width - 1] + "~" if len(text) > width else text.ljust(width)


def format_table(result: dict) -> str:
    """Return the signals as a fixed-width table followed by each summary sentence."""
    lines = [f"Signals {result['from']} to {result['to']} ({len(result['signals'])} found)", ""]
    lines.append("  ".join(_cell(name, w) for name, w in TABLE_COLUMNS))
    for s in result["signals"]:
        who = s["injector"] or s["lot"] or s["factor"] or s["clinic"] or s["area"] or ""
        q = "" if s["q_value"] is None else f"{s['q_value']:.2g}"
        values = (s["level"], s["kind"], s["term"], who, s["observed"], f"{s['expected']:.1f}",
                  f"{s['rate_ratio']:.2f}" if s["rate_ratio"] is not None else "", q)
        lines.append("  ".join(_cell(v, w) for v, (_, w) in zip(values, TABLE_COLUMNS, strict=True)))
    lines.append("")
    for i, s in enumerate(result["signals"], 1):
        lines.append(f"{i}. [{s['level']}] {s['summary']}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run the signal detection and print JSON (spec §6) or a table; exit 2 on bad dates."""
    try:
        date_from = _date(args.date_from, "--from")
        date_to = _date(args.date_to, "--to")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if date_from and date_to and date_from > date_to:
        print("error: --from is after --to", file=sys.stderr)
        return EXIT_USAGE
    db = open_database(args.db)
    try:
        result = run_signals(db, date_from, date_to)
    finally:
        db.close()
    if args.format == "table":
        print(format_table(result))
    else:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"{len(result['signals'])} signals", file=sys.stderr)
    return EXIT_OK
