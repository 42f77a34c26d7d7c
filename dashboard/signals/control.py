"""Error control over every test of a signal run together: what `act` means across all families at once.

Each family (injectors, dose bands, lots, time windows, patient factors) screens many cells; a run on a clinic
with nothing wrong must raise no `act` at all in nearly every clinic, whatever the number of families, injectors,
areas and terms. Within a family, Benjamini-Hochberg keeps the `watch` list short. For `act`, every test of the run
enters one weighted Benjamini-Hochberg procedure (Genovese, Roeder and Wasserman 2006): each family gets an equal
share of the error budget, spread evenly over that family's tests, so a family of 5 scans is not drowned by a
family of 5,000 injector cells. When nothing is wrong the chance of any `act` in a run is at most ACT_RUN_Q (weak
family-wise control); when problems are present the expected share of false `act` among them is at most ACT_RUN_Q.
Scan families count one test per scanned series (its Monte-Carlo p already allows for every window or lot).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from dashboard.stats.fdr import weighted_bh_qvalues

ACT_RUN_Q = 0.02  # run-wide weighted BH level for act


class RunControl:
    """Collects the p-values of every test of a run, per family, and grades `act` over all of them."""

    def __init__(self) -> None:
        """Start with no tests."""
        self._p: dict[str, list[float]] = {}
        self._by_family: dict[str, tuple[np.ndarray, np.ndarray]] | None = None
        self._weights: dict[str, float] = {}

    def add(self, family: str, p_values: Iterable[float]) -> None:
        """Record the p-values of a family's tests (every test screened, not only the findings)."""
        self._p.setdefault(family, []).extend(float(p) for p in p_values)
        self._by_family = None

    def tests(self, family: str | None = None) -> int:
        """Return the number of tests recorded (of one family, or of the run)."""
        if family is not None:
            return len(self._p.get(family, []))
        return sum(len(v) for v in self._p.values())

    def _prepare(self) -> None:
        families = [f for f, v in self._p.items() if v]
        total = self.tests()
        # equal budget per family, shared by its tests
        self._weights = {f: total / (len(families) * len(self._p[f])) for f in families}
        p = np.concatenate([np.asarray(self._p[f]) for f in families]) if families else np.empty(0)
        w = np.concatenate([np.full(len(self._p[f]), self._weights[f]) for f in families]) if families else p
        q = weighted_bh_qvalues(p, w)
        self._by_family = {}
        start = 0
        for f in families:  # each family's recorded p sorted, with their run-wide q
            stop = start + len(self._p[f])
            order = np.argsort(p[start:stop], kind="stable")
            self._by_family[f] = (p[start:stop][order], q[start:stop][order])
            start = stop

    def q_value(self, family: str, p: float) -> float:
        """Return the run-wide weighted BH q-value of a test of `family` with p-value p (one of its recorded p)."""
        if self._by_family is None:
            self._prepare()
        assert self._by_family is not None
        if family not in self._by_family:
            return 1.0
        recorded, q = self._by_family[family]
        k = int(np.searchsorted(recorded, p * (1 + 1e-12), side="right")) - 1
        return float(q[max(k, 0)])  # the q of the largest recorded p not above this one

    def grade(self, findings: Iterable) -> None:
        """Keep `act` only for findings whose run-wide q is below ACT_RUN_Q; the others become `watch`.

        Each finding carries the p of its test in details['act_p'] (its family's screening p)."""
        for f in findings:
            if f.level != "act":
                continue
            p = f.details.get("act_p", f.p_value if f.p_value is not None else 1.0)
            q = self.q_value(f.family, float(p))
            f.details["run_q"] = q
            f.details["run_tests"] = self.tests()
            f.method += f"; run-wide weighted BH q = {q:.2g} over {self.tests():,} tests (act needs < {ACT_RUN_Q:g})"
            if q >= ACT_RUN_Q:
                f.level = "watch"
