"""`python -m dashboard users list|add|reset-password|unlock`: manage accounts from the command line.

New and reset passwords are random and printed once on stdout; the person should change nothing else.
Everything is written to the audit trail with the actor "cli:<operating-system user>".
"""

from __future__ import annotations

import argparse
import getpass
import sys

from dashboard.accounts.passwords import generate_password
from dashboard.accounts.repository import AccountError, add_account, list_accounts, reset_password, unlock
from dashboard.core.authz import User
from dashboard.core.db import open_database

EXIT_OK, EXIT_USAGE = 0, 2


def cli_user() -> User:
    """Return the acting user for command-line account changes (the operator, with admin rights)."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return User(username=f"cli:{who}", role="admin", display_name=f"Command line ({who})")


def _missing(args: argparse.Namespace, *names: str) -> str | None:
    absent = [f"--{n.replace('_', '-')}" for n in names if not getattr(args, n, None)]
    return f"users {args.action} needs {', '.join(absent)}" if absent else None


def run(args: argparse.Namespace) -> int:
    """Run one `users` action; returns 0, or 2 for a usage error or a rejected change (nothing changed)."""
    needs = {"list": (), "add": ("username", "role", "display_name"), "reset-password": ("username",),
             "unlock": ("username",)}[args.action]
    if msg := _missing(args, *needs):
        print(f"error: {msg}", file=sys.stderr)
        return EXIT_USAGE
    by = cli_user()
    db = open_database(args.db)
    try:
        if args.action == "list":
            frame = list_accounts(db, by)
            if frame.empty:
                print("no accounts yet: start the app for the setup screen, or run "
                      "`python -m dashboard users add --username NAME --role manager --display-name 'Full Name'`",
                      file=sys.stderr)
            else:
                print(frame.to_string(index=False))
            return EXIT_OK
        if args.action == "add":
            password = generate_password()
            add_account(db, by, username=args.username, password=password, role=args.role,
                        display_name=args.display_name, injector_name=getattr(args, "injector_name", None),
                        email=getattr(args, "email", None))
            print(f"created {args.role} account {args.username.strip().lower()!r}", file=sys.stderr)
            print(f"password: {password}")
            return EXIT_OK
        if args.action == "reset-password":
            password = reset_password(db, by, args.username)
            print(f"new password for {args.username!r} (any sign-in wait is cleared)", file=sys.stderr)
            print(f"password: {password}")
            return EXIT_OK
        had_wait = unlock(db, by, args.username)
        print(f"{args.username!r}: failed sign-ins cleared, no wait" if had_wait
              else f"{args.username!r} had no failed sign-ins to clear", file=sys.stderr)
        return EXIT_OK
    except AccountError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        db.close()
