"""`python -m dashboard patient-link TREATMENT_ID [--base-url URL]` prints a patient's self-report link (for mail
merges and tests); `python -m dashboard followups [--due|--overdue|--urgent] [--format json|table]` lists the
follow-ups. Both act as cli:<operating-system user> in the manager role, through the checked functions."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from dashboard.core.authz import User, system_user
from dashboard.core.db import open_database
from dashboard.followup import links
from dashboard.followup import repository as fu

EXIT_OK, EXIT_USAGE = 0, 2
COLUMNS = (("status", 10), ("treatment", 18), ("treated", 11), ("injector", 20), ("clinic", 18), ("review due", 11),
           ("reports", 7))


def _actor() -> User:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return system_user(f"cli:{who}", "manager")


def _cell(value: object, width: int) -> str:
    text = "" if value is None else str(value)
    return text[: width - 1] + "~" if len(text) > width else text.ljust(width)


def run(args: argparse.Namespace) -> int:
    """Dispatch patient-link or followups."""
    db = open_database(args.db)
    try:
        return _patient_link(db, args) if args.command == "patient-link" else _followups(db, args)
    finally:
        db.close()


def _patient_link(db, args: argparse.Namespace) -> int:
    base = args.base_url
    if base is not None and not base.startswith(("http://", "https://")):
        print(f"patient-link: --base-url must start with http:// or https://, not {base!r}", file=sys.stderr)
        return EXIT_USAGE
    try:
        link = links.create_link(db, _actor(), args.treatment_id, base=base)
    except PermissionError:
        print(f"patient-link: there is no treatment {args.treatment_id}; nothing was made.", file=sys.stderr)
        return EXIT_USAGE
    print(link.url)
    print(f"patient-link: link for treatment {args.treatment_id}, valid until {link.expires_at:%Y-%m-%d %H:%M} "
          "(only its hash is stored: keep this output safe or make a new link).", file=sys.stderr)
    return EXIT_OK


def _followups(db, args: argparse.Namespace) -> int:
    wanted = tuple(s for s, on in (("urgent", args.urgent), ("overdue", args.overdue), ("due_today", args.due)) if on)
    rows = fu.list_followups(db, _actor(), fu.FollowUpFilter(statuses=wanted or ("urgent", "overdue", "due_today")))
    records = [{
        "treatment_id": int(r.treatment_id), "treatment_ref": r.treatment_ref, "status": r.status,
        "treated_at": r.treated_at.isoformat(), "patient_ref": r.patient_ref, "injector": r.injector,
        "clinic": r.clinic, "review_due": f"{r.review_due:%Y-%m-%d}", "watch_until": f"{r.watch_until:%Y-%m-%d}",
        "patient_reports_waiting": int(r.patient_reports_waiting), "red_flag_reports": int(r.red_flag_reports),
    } for r in rows.itertuples()]
    if args.format == "json":
        print(json.dumps({"format": "injectwatch-followups/1", "followups": records}, indent=2))
    else:
        print("  ".join(_cell(n, w) for n, w in COLUMNS))
        for r in records:
            values = (r["status"], r["treatment_ref"], r["treated_at"][:10], r["injector"], r["clinic"],
                      r["review_due"], r["patient_reports_waiting"])
            print("  ".join(_cell(v, w) for v, (_, w) in zip(values, COLUMNS, strict=True)))
    counts = {s: sum(r["status"] == s for r in records) for s in ("urgent", "overdue", "due_today")}
    print(f"followups: {len(records)} listed ({counts['urgent']} urgent, {counts['overdue']} overdue, "
          f"{counts['due_today']} due today).", file=sys.stderr)
    return EXIT_OK
