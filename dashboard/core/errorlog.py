"""Unexpected errors: the details go to a log file, and people get one plain sentence naming that file.

The log goes to `logs/` beside the database (data/logs/ by default), or to the system's temporary folder when
that cannot be written.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

from dashboard.core.config import db_path


def log_folders(db: str | os.PathLike[str] | None) -> list[Path]:
    """The folders a log may go to, first choice first: logs/ beside the database, then the temporary folder."""
    folders = []
    try:
        database = db_path(db)
        if str(database) != ":memory:":
            folders.append(database.resolve().parent / "logs")
    except Exception:  # a broken setting must not stop the error from being logged
        pass
    folders.append(Path(tempfile.gettempdir()))
    return folders


def write_error_log(exc: BaseException, what: str, db: str | os.PathLike[str] | None = None) -> Path | None:
    """Write the details of an unexpected error to a new log file and return its path (None if none was writable)."""
    stamp = datetime.now()
    name = f"injectwatch-{what}-{stamp:%Y%m%d-%H%M%S}-{os.getpid()}.log"
    text = (f"InjectWatch: {what} stopped by an unexpected error at {stamp:%Y-%m-%d %H:%M:%S}\n"
            f"command line: {' '.join(sys.argv)}\n\n" + "".join(traceback.format_exception(exc)))
    for folder in log_folders(db):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return None


def unexpected_sentence(what: str, log: Path | None, *, nothing_changed: bool = False) -> str:
    """The one sentence shown when something unexpected stopped `what` ("the import", "the command")."""
    changed = ", and nothing was changed" if nothing_changed else ""
    where = (f"the details are in {log} (send that file to whoever looks after InjectWatch)" if log is not None
             else "no log file could be written, so run it again from a terminal to see the details")
    return f"An unexpected problem stopped {what}{changed}; {where}."
