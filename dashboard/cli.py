"""The command line of spec section 3: argument parsing and dispatch to each command's module.

Exit codes: 0 success, 2 usage error or unreadable input (nothing changed), 3 import with quarantined rows,
1 when the database ran out of its working memory (INJECTWATCH_MEMORY_LIMIT; the transaction was rolled back).
An unexpected error never ends in a traceback: one plain sentence names the log file holding the details, exit 2.
Each command module exposes `run(args: argparse.Namespace) -> int` and prints its summary to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import duckdb

from dashboard.core.config import DATE_FORMATS, ROOT, memory_limit
from dashboard.core.db import DatabaseLockedError
from dashboard.core.errorlog import unexpected_sentence, write_error_log

EXIT_OK, EXIT_USAGE, EXIT_QUARANTINE, EXIT_OUT_OF_MEMORY, EXIT_INTERRUPTED = 0, 2, 3, 1, 130

# command -> module whose run(args) implements it
COMMANDS = {
    "init": "dashboard.commands.init",
    "demo": "dashboard.demo.command",
    "import": "dashboard.importer.command",
    "quarantine": "dashboard.importer.quarantine_command",
    "export": "dashboard.export.command",
    "signals": "dashboard.signals.command",
    "backup": "dashboard.backup.snapshot",
    "restore": "dashboard.backup.snapshot",
    "bench": "tools.bench",
    "calibrate": "tools.calibrate",
    "users": "dashboard.accounts.command",
    "patient-link": "dashboard.followup.command",
    "followups": "dashboard.followup.command",
}
# developer tools kept out of the shipped package: they run from a checkout, where tools/ sits beside dashboard/
TOOL_COMMANDS = frozenset({"bench", "calibrate"})


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    """Build the argparse parser for every command."""
    common = _Parser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS, help="database file (default data/clinic.duckdb)")
    p = _Parser(prog="python -m dashboard", description="InjectWatch command line", parents=[common])
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("init", parents=[common], help="create or migrate the database (idempotent)")
    s.add_argument("--demo-if-new", action="store_true",
                   help="load the demo clinic when the database has never held data (used by `make run`)")

    s = sub.add_parser("demo", parents=[common], help="fill the database with a synthetic demo clinic")
    s.add_argument("--treatments", type=int, default=20000)
    s.add_argument("--seed", type=int, default=1)

    s = sub.add_parser("import", parents=[common], help="import a data set (folder or .zip)")
    s.add_argument("path")
    s.add_argument("--encoding", default=None, metavar="NAME",
                   help="encoding of files that are not UTF-8, e.g. windows-1252 or utf-16 (a UTF-8 file is read "
                        "as UTF-8 anyway)")
    s.add_argument("--date-format", dest="date_format", choices=DATE_FORMATS, default=None,
                   help="also read date-times written DD/MM/YYYY or MM/DD/YYYY (with an optional H:MM[:SS])")

    s = sub.add_parser("quarantine", parents=[common], help="write the quarantined rows of the imports as CSV")
    s.add_argument("--import", dest="import_id", type=int, default=None, metavar="ID",
                   help="only this import (default: every import)")
    s.add_argument("--out", default=None, metavar="FILE.csv", help="file to write (default: stdout)")

    s = sub.add_parser("export", parents=[common], help="write the quarterly export")
    s.add_argument("--quarter", required=True, help="YYYYQn, e.g. 2026Q3")
    s.add_argument("--out", default=".", help="folder to write into (default: current folder)")
    s.add_argument("--identified", action="store_true", help="keep patient refs and free text (audited)")
    s.add_argument("--actor", default=None, help="who exports (default: the OS user)")

    s = sub.add_parser("signals", parents=[common], help="print the current signals")
    s.add_argument("--from", dest="date_from", default=None, help="first date (YYYY-MM-DD)")
    s.add_argument("--to", dest="date_to", default=None, help="last date (YYYY-MM-DD)")
    s.add_argument("--format", choices=("json", "table"), default="json")

    s = sub.add_parser("backup", parents=[common], help="write a consistent snapshot with a manifest")
    s.add_argument("--out", required=True)
    s = sub.add_parser("restore", parents=[common], help="rebuild a database from a backup folder")
    s.add_argument("path")
    s.add_argument("--force", action="store_true",
                   help="replace a database that already holds data (the old file is kept beside it)")

    s = sub.add_parser("bench", parents=[common], help="benchmark at clinic-chain scale (prints JSON)")
    s.add_argument("--treatments", type=int, default=1_000_000)
    s.add_argument("--runs", type=int, default=5)
    s.add_argument("--dataset", type=Path, help="time an existing data-set folder (treatments.csv, injections.csv, "
                                                "events.csv) instead of generating the demo chain")

    s = sub.add_parser("calibrate", help="run the signal engine on random null and planted clinics (prints JSON)")
    s.add_argument("--null", type=int, default=20, metavar="N", help="clinics with nothing planted (default 20)")
    s.add_argument("--planted", type=int, default=20, metavar="N", help="clinics with 1-6 planted problems")
    s.add_argument("--treatments", default="5000", metavar="T",
                   help="treatments per clinic, or a range such as 10000-50000 (default 5000)")
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--jobs", type=int, default=1, help="clinics analysed side by side (processes)")
    s.add_argument("--details", metavar="FILE.json", help="also write every clinic's result to this file")

    s = sub.add_parser("users", parents=[common], help="manage accounts")
    s.add_argument("action", choices=("list", "add", "reset-password", "unlock"))
    s.add_argument("--username")
    s.add_argument("--role", choices=("practitioner", "manager", "admin"))
    s.add_argument("--display-name")
    s.add_argument("--injector-name", help="add: a practitioner's name as it appears on their treatments "
                                           "(default: the display name)")
    s.add_argument("--email", help="add: the e-mail that single sign-on maps to this account")

    s = sub.add_parser("patient-link", parents=[common], help="print a patient's self-report link for a treatment")
    s.add_argument("treatment_id", type=int, metavar="TREATMENT_ID")
    s.add_argument("--base-url", default=None, metavar="URL",
                   help="address the app is reached at (default: the setting patient_link_base_url, else "
                        "http://localhost:8501)")
    s = sub.add_parser("followups", parents=[common], help="list the follow-ups (default: urgent, overdue, due today)")
    s.add_argument("--due", action="store_true", help="due today")
    s.add_argument("--overdue", action="store_true")
    s.add_argument("--urgent", action="store_true")
    s.add_argument("--format", choices=("json", "table"), default="table")
    return p


def main(argv: list[str] | None = None) -> int:
    """Parse argv, run the command and return its exit code; never ends in a traceback."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not hasattr(args, "db"):
        args.db = None
    try:
        if args.command in TOOL_COMMANDS:
            if not (ROOT / "tools").is_dir():
                print(f"{args.command}: this command runs from a checkout of the repository (it lives in tools/, "
                      "which is not part of an installed app)", file=sys.stderr)
                return EXIT_USAGE
            if str(ROOT) not in sys.path:
                sys.path.insert(0, str(ROOT))
        module = importlib.import_module(COMMANDS[args.command])
        return int(module.run(args))
    except DatabaseLockedError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except duckdb.OutOfMemoryException:
        advice = " or import the data set in smaller parts" if args.command == "import" else ""
        print(f"{args.command}: the database needed more working memory than INJECTWATCH_MEMORY_LIMIT allows "
              f"({memory_limit()}), so the work was stopped and its transaction rolled back: nothing was stored. "
              f"Run it again with a higher limit (e.g. INJECTWATCH_MEMORY_LIMIT=4GB){advice}.", file=sys.stderr)
        return EXIT_OUT_OF_MEMORY
    except KeyboardInterrupt:
        print(f"{args.command}: stopped (Ctrl+C); work in progress was rolled back.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the last line of defence: the details go to a log file
        log = write_error_log(exc, args.command, args.db)
        sentence = unexpected_sentence("the command", log, nothing_changed=args.command == "import")
        print(f"{args.command}: {sentence}", file=sys.stderr)
        return EXIT_USAGE
