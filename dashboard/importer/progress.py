"""A progress bar on stderr for big imports: one step per stage, weighted by the size of each file."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import TextIO

WIDTH = 30


class Progress:
    """Stage progress; `weights` maps a stage key to its share of the work (file sizes in bytes)."""

    def __init__(self, weights: Mapping[str, float] | None = None, *, enabled: bool = True,
                 stream: TextIO | None = None) -> None:
        """Create a bar; nothing is printed when `enabled` is False."""
        self.weights = dict(weights or {})
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.done_weight = 0.0
        self.current: str | None = None
        self.started = time.monotonic()

    def _total(self) -> float:
        return sum(self.weights.values()) or 1.0

    def step(self, label: str, key: str) -> None:
        """Mark the previous stage finished and show the one starting now."""
        if self.current is not None:
            self.done_weight += self.weights.get(self.current, 0.0)
        self.current = key
        self._draw(label)

    def done(self) -> None:
        """Finish the bar."""
        if self.current is not None:
            self.done_weight = self._total()
            self._draw("done")
            if self.enabled and self.stream.isatty():
                self.stream.write("\n")
        self.current = None

    def _draw(self, label: str) -> None:
        if not self.enabled:
            return
        share = min(self.done_weight / self._total(), 1.0)
        filled = int(share * WIDTH)
        bar = "#" * filled + "-" * (WIDTH - filled)
        elapsed = time.monotonic() - self.started
        text = f"[{bar}] {share:4.0%}  {elapsed:5.1f}s  {label}"
        if self.stream.isatty():
            self.stream.write("\r" + text.ljust(78))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
