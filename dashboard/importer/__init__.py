"""The import of spec section 2: a data set (folder, .zip or DataFrames) into the database, checked in bulk.

Public API: `import_path`, `import_frames`, `refresh_trends`, `ImportResult`, `list_quarantine`, `quarantine_csv`,
`ImportInputError` (unreadable input; nothing changed).
"""

from __future__ import annotations

from dashboard.importer.api import import_frames, import_path, refresh_trends
from dashboard.importer.quarantine import list_quarantine, quarantine_csv
from dashboard.importer.result import FileCounts, ImportResult
from dashboard.importer.staging import ImportInputError

__all__ = [
    "FileCounts",
    "ImportInputError",
    "ImportResult",
    "import_frames",
    "import_path",
    "list_quarantine",
    "quarantine_csv",
    "refresh_trends",
]
