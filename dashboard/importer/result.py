"""The outcome of one import: counts per file, warnings, the exit code and a one-sentence summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from dashboard.importer.spec import FILES

EXIT_OK, EXIT_QUARANTINE = 0, 3
NOUNS = {"treatments": ("treatment", "treatments"), "injections": ("injection row", "injection rows"),
         "events": ("event", "events")}


@dataclass
class FileCounts:
    """Rows of one file: rows_read = imported + quarantined + unchanged + already_quarantined.

    new_versions is part of imported; already_quarantined are rejected rows an earlier import holds in its
    quarantine with the same raw values and reasons (not quarantined again).
    """

    rows_read: int = 0
    imported: int = 0
    quarantined: int = 0
    unchanged: int = 0
    new_versions: int = 0
    already_quarantined: int = 0

    def balanced(self) -> bool:
        """Return True when every row read is accounted for."""
        return self.rows_read == self.imported + self.quarantined + self.unchanged + self.already_quarantined


def _n(count: int, file: str) -> str:
    one, many = NOUNS[file]
    return f"{count:,} {one if count == 1 else many}"


@dataclass
class ImportResult:
    """What one import did; `exit_code` is 3 when this import quarantined rows, else 0."""

    import_id: int | None
    source: str
    files: dict[str, FileCounts] = field(default_factory=lambda: {f: FileCounts() for f in FILES})
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    known_imports: list[int] = field(default_factory=list)  # earlier imports holding the already-quarantined rows

    @property
    def rows_read(self) -> int:
        """Rows read over all files."""
        return sum(c.rows_read for c in self.files.values())

    @property
    def imported(self) -> int:
        """Rows stored (new rows and event follow-up versions) over all files."""
        return sum(c.imported for c in self.files.values())

    @property
    def quarantined(self) -> int:
        """Rows quarantined over all files."""
        return sum(c.quarantined for c in self.files.values())

    @property
    def unchanged(self) -> int:
        """Rows that were already stored with the same values, over all files."""
        return sum(c.unchanged for c in self.files.values())

    @property
    def already_quarantined(self) -> int:
        """Rejected rows an earlier import already quarantined with the same values and reasons, over all files."""
        return sum(c.already_quarantined for c in self.files.values())

    @property
    def exit_code(self) -> int:
        """3 when this import quarantined rows; 0 when every row was imported, already stored or already quarantined."""
        return EXIT_QUARANTINE if self.quarantined else EXIT_OK

    def _known(self) -> str:
        n, ids = self.already_quarantined, [f"{i:,}" for i in self.known_imports]
        where = ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]
        return (f"{n:,} row{'s were' if n != 1 else ' was'} already quarantined "
                f"(see the quarantine of import{'s' if len(ids) != 1 else ''} {where})")

    def summary(self) -> str:
        """One plain sentence saying what the import did."""
        if self.rows_read == 0:
            return "The data set holds no rows; nothing was imported."
        if self.imported == 0 and self.quarantined == 0:
            if not self.already_quarantined:
                return f"Nothing changed: all {self.rows_read:,} rows were already stored with the same values."
            stored = (f"{self.unchanged:,} row{'s were' if self.unchanged != 1 else ' was'} already stored with the "
                      "same values and " if self.unchanged else "")
            return f"Nothing changed: {stored}{self._known()}."
        parts = []
        for file in FILES:
            c = self.files[file]
            new = c.imported - c.new_versions
            text = f"{_n(new, file)}"
            if file == "events" and c.new_versions:
                text += f" and {c.new_versions:,} follow-up{'s' if c.new_versions != 1 else ''} to stored events"
            parts.append(text)
        sentence = f"Imported {parts[0]}, {parts[1]} and {parts[2]}"
        if self.unchanged:
            sentence += f"; {self.unchanged:,} rows were already stored"
        if self.quarantined:
            sentence += (f"; {self.quarantined:,} row{'s' if self.quarantined != 1 else ''} quarantined "
                         f"(see the quarantine of import {self.import_id})")
        if self.already_quarantined:
            sentence += f"; {self._known()}"
        return sentence + "."

    def as_dict(self) -> dict[str, object]:
        """The counts as plain data (for the audit trail and JSON output)."""
        return {
            "import_id": self.import_id,
            "source": self.source,
            "files": {f: vars(c) for f, c in self.files.items()},
            "warnings": self.warnings,
        }
