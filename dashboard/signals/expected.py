"""Expected counts from the case-mix model without joining probabilities to rows.

The model gives one probability per case-mix cell and term. DuckDB counts treatments per unit (injector x area,
lot, day) and cell; the expected count of a unit is then a sparse (units x cells) by dense (cells x terms) product,
which costs the number of unit-cell pairs times the number of terms however many treatments there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse


@dataclass
class CellProbabilities:
    """Per-cell event probability of every analysed term (0 where the term is not analysed over the cell)."""

    cell_ids: np.ndarray  # sorted cell ids, the rows of p
    terms: list[str]  # the columns of p
    p: np.ndarray  # cells x terms
    analysed: np.ndarray  # cells x terms, True where the term is analysed over the cell
    _both: np.ndarray | None = field(default=None, repr=False, compare=False)  # [p | analysed], built once

    def cell_index(self, cell_ids: np.ndarray) -> np.ndarray:
        """Return the row of each cell id (every id must be a known cell)."""
        return np.searchsorted(self.cell_ids, np.asarray(cell_ids, dtype=np.int64))

    def term_series(self, term: str) -> pd.Series:
        """Return the probabilities of one term indexed by cell id (analysed cells only)."""
        j = self.terms.index(term)
        keep = self.analysed[:, j]
        return pd.Series(self.p[keep, j], index=self.cell_ids[keep], name="p")

    def unit_sums(self, unit: np.ndarray, rows: np.ndarray, n: np.ndarray,
                  units: int) -> tuple[np.ndarray, np.ndarray]:
        """Return (expected, treatments) as units x terms: sums of n x p and of n over the analysed cells, for
        counts n of unit `unit` in the cell at row `rows` (cell_index) of the matrices."""
        counts = sparse.csr_matrix((np.asarray(n, dtype=float), (np.asarray(unit, dtype=np.int64), rows)),
                                   shape=(units, len(self.cell_ids)))
        both = counts @ self._p_and_analysed()  # one pass over the counts for both (each column as on its own)
        k = len(self.terms)
        return np.asarray(both[:, :k]), np.asarray(both[:, k:])

    def _p_and_analysed(self) -> np.ndarray:
        if self._both is None:
            self._both = np.hstack([self.p, self.analysed.astype(float)])
        return self._both

    def long(self, frame: pd.DataFrame, unit_cols: list[str], expected: np.ndarray, treatments: np.ndarray,
             extra: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
        """Return one row per unit (rows of frame) x analysed term with treatments and expected (and extras)."""
        r, c = np.nonzero(treatments > 0)
        out = frame.iloc[r][unit_cols].reset_index(drop=True)
        out["term"] = np.asarray(self.terms, dtype=object)[c]
        out["treatments"] = np.rint(treatments[r, c]).astype(np.int64)
        out["expected"] = expected[r, c]
        for name, values in (extra or {}).items():
            out[name] = values[r, c]
        return out


def from_terms(cell_ids: np.ndarray, per_term: dict[str, tuple[np.ndarray, np.ndarray]]) -> CellProbabilities:
    """Build the cells x terms matrices from each term's (cell rows, probabilities); terms in sorted order."""
    terms = sorted(per_term)
    p = np.zeros((len(cell_ids), len(terms)))
    analysed = np.zeros((len(cell_ids), len(terms)), dtype=bool)
    for j, term in enumerate(terms):
        rows, probs = per_term[term]
        p[rows, j] = probs
        analysed[rows, j] = True
    return CellProbabilities(np.asarray(cell_ids, dtype=np.int64), terms, p, analysed)
