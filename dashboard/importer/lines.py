"""Line numbers of CSV rows as a text editor shows them (spec section 2: the quarantine keeps the line number).

The CSV reader numbers records, not lines: it skips empty lines, and a quoted value that spans lines (a narrative
with line breaks) is one record. A file without any double quote has one record per line; for the others the
file is scanned once to find where each record starts. A newline is inside a quoted value when an odd number of
double quotes comes before it (RFC 4180 quotes whole values and doubles the quotes inside them).
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CHUNK = 1 << 25  # bytes compared at a time, so the scan of a large file needs little memory


@dataclass(frozen=True)
class Lines:
    """The line of each row the reader kept (in order) and of each record it rejected (by record number)."""

    rows: np.ndarray
    rejected: dict[int, int]


def _positions(data: np.ndarray, byte: int) -> np.ndarray:
    parts = [np.flatnonzero(data[i:i + CHUNK] == byte) + i for i in range(0, data.size, CHUNK)]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def _record_starts(data: np.ndarray, newline: int) -> tuple[np.ndarray, np.ndarray]:
    """The line each record starts on (the header is record 1) and whether the record is empty."""
    breaks = _positions(data, newline)
    quotes = _positions(data, ord('"'))
    ends = breaks[np.searchsorted(quotes, breaks) % 2 == 0]  # newlines outside quoted values end a record
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [data.size]))
    if starts[-1] >= data.size:  # the file ends with a newline: no record after it
        starts, stops = starts[:-1], stops[:-1]
    length = stops - starts
    blank = (length == 0) | ((length == 1) & (data[np.minimum(starts, data.size - 1)] == 13))
    return np.searchsorted(breaks, starts) + 1, blank


def _blank_lines(buf: mmap.mmap) -> list[int]:
    """Line numbers of empty lines in a file without quotes (one record per line)."""
    positions: set[int] = set()
    for pattern in (b"\n\n", b"\n\r\n"):
        pos = buf.find(pattern)
        while pos != -1:
            positions.add(pos)
            pos = buf.find(pattern, pos + 1)
    found, newlines, last = [], 0, 0
    for pos in sorted(positions):  # count newlines incrementally: one pass over the file at most
        newlines += buf[last:pos + 1].count(b"\n")
        last = pos + 1
        found.append(newlines + 1)
    return found


def _skipping(skipped: list[int], staged_rows: int) -> np.ndarray:
    """Lines of the rows when each record is one line and the given lines are not rows."""
    thresholds = np.asarray([line - j - 1 for j, line in enumerate(sorted(set(skipped)), start=1)], dtype=np.int64)
    n = np.arange(staged_rows, dtype=np.int64)
    return n + 2 + np.searchsorted(thresholds, n, side="right")


def row_lines(path: Path, rejected: list[int], staged_rows: int) -> Lines:
    """Line of every staged row and rejected record of a CSV file.

    `rejected` holds the reader's record numbers of the records it could not read; `staged_rows` is how many it
    kept. When the scan does not agree with the reader (a stray quote), rows are numbered past rejected records only.
    """
    with open(path, "rb") as fh:
        if fh.seek(0, 2) == 0:
            return Lines(np.empty(0, dtype=np.int64), {})
        fh.seek(0)
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            if buf.find(b'"') < 0:
                return Lines(_skipping(_blank_lines(buf) + rejected, staged_rows), {r: r for r in rejected})
            newline = 10 if buf.find(b"\n") >= 0 else 13  # CR alone as line end (old Mac files) counts CRs
            data = np.frombuffer(buf, dtype=np.uint8)
            try:
                first_line, blank = _record_starts(data, newline)
            finally:
                del data  # release the view before the map closes
    keep = ~blank
    keep[:1] = False  # the header
    keep[[r - 1 for r in rejected if 0 < r <= keep.size]] = False
    if int(keep.sum()) != staged_rows:
        return Lines(_skipping(rejected, staged_rows), {r: r for r in rejected})
    return Lines(first_line[keep], {r: int(first_line[r - 1]) if r <= first_line.size else r for r in rejected})
