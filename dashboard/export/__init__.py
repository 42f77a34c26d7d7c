"""The quarterly export (interchange-v1 section 5): de-identified by default, audited, from the page or the CLI."""

from dashboard.export.bundle import (
    ExportError,
    ExportPreview,
    ExportResult,
    QuarterChoice,
    bundle_name,
    export_zip_for,
    preview,
    quarters_with_data,
    recent_exports,
    verify_bundle,
    write_bundle,
)
from dashboard.export.quarter import BadQuarterError, Quarter, parse_quarter, quarter_of

__all__ = [
    "BadQuarterError", "ExportError", "ExportPreview", "ExportResult", "Quarter", "QuarterChoice", "bundle_name",
    "export_zip_for", "parse_quarter", "preview", "quarter_of", "quarters_with_data", "recent_exports",
    "verify_bundle", "write_bundle",
]
