"""Error control over every test of a signal run together: what `act` means across all families at once.

Each family (injectors, dose bands, lots, time windows, patient factors) screens many cells; a run on a clinic
with nothing wrong must raise no `act` at all in nearly every clinic, whatever the number of families, injectors,
areas and terms. Within a family, Benjamini-Hochberg keeps the `watch` list short. For `act`, every test of the run
enters one weighted Benjamini-Hochberg procedure (Genovese, Roeder and Wasserman 2006): each family gets an equal
share of the error budget, spread evenly over that family's tests, so a family of 5 scans is not drowned by a
family of 5,000 injector cells. A family may split its share equally between groups of tests named before the data
are seen: the injector family gives half of its share to the few injector x area x term cells where the reference says
a misplaced injection in that area produces that term (eyelid ptosis after glabella), and half to all the others, so
the cells that can show a placement error are not drowned by the many that cannot. The weights still average one
over the run, which is all the procedure's guarantees need. When nothing is wrong the chance of any `act` in a run is at most ACT_RUN_Q (weak
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
        self._p: dict[str, dict[str, list[float]]] = {}
        self._by_group: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] | None = None
        self._weights: dict[tuple[str, str], float] = {}

    def add(self, family: str, p_values: Iterable[float], group: str = "") -> None:
        """Record the p-values of a family's tests (every test screened, not only the findings), in one group."""
        self._p.setdefault(family, {}).setdefault(group, []).extend(float(p) for p in p_values)
        self._by_group = None

    def tests(self, family: str | None = None) -> int:
        """Return the number of tests recorded (of one family, or of the run)."""
        if family is not None:
            return sum(len(v) for v in self._p.get(family, {}).values())
        return sum(self.tests(f) for f in self._p)

    def weight(self, family: str, group: str = "") -> float:
        """Return the weighted BH weight of one test of a family's group (the weights average one over the run)."""
        if self._by_group is None:
            self._prepare()
        return self._weights.get((family, group), 0.0)

    def _prepare(self) -> None:
        total = self.tests()
        self._weights = {}
        families = [f for f in self._p if self.tests(f)]
        keys: list[tuple[str, str]] = []
        for f in families:  # equal budget per family, shared equally by its groups, then by each group's tests
            groups = [g for g, v in self._p[f].items() if v]
            for g in groups:
                keys.append((f, g))
                self._weights[(f, g)] = total / (len(families) * len(groups) * len(self._p[f][g]))
        p = np.concatenate([np.asarray(self._p[f][g]) for f, g in keys]) if keys else np.empty(0)
        w = np.concatenate([np.full(len(self._p[f][g]), self._weights[(f, g)]) for f, g in keys]) if keys else p
        q = weighted_bh_qvalues(p, w)
        self._by_group = {}
        start = 0
        for key in keys:  # each group's recorded p sorted, with their run-wide q
            stop = start + len(self._p[key[0]][key[1]])
            order = np.argsort(p[start:stop], kind="stable")
            self._by_group[key] = (p[start:stop][order], q[start:stop][order])
            start = stop

    def q_value(self, family: str, p: float, group: str = "") -> float:
        """Return the run-wide weighted BH q-value of a test of `family` (and group) with p-value p (one recorded)."""
        if self._by_group is None:
            self._prepare()
        assert self._by_group is not None
        if (family, group) not in self._by_group:
            return 1.0
        recorded, q = self._by_group[(family, group)]
        k = int(np.searchsorted(recorded, p * (1 + 1e-12), side="right")) - 1
        return float(q[max(k, 0)])  # the q of the largest recorded p not above this one

    def grade(self, findings: Iterable) -> None:
        """Keep `act` only for findings whose run-wide q is below ACT_RUN_Q; the others become `watch`.

        Each finding carries the p of its test in details['act_p'] (its family's screening p) and, where its family
        splits its share, the group of that test in details['act_group']."""
        for f in findings:
            if f.level != "act":
                continue
            p = f.details.get("act_p", f.p_value if f.p_value is not None else 1.0)
            q = self.q_value(f.family, float(p), str(f.details.get("act_group", "")))
            f.details["run_q"] = q
            f.details["run_tests"] = self.tests()
            f.method += f"; run-wide weighted BH q = {q:.2g} over {self.tests():,} tests (act needs < {ACT_RUN_Q:g})"
            if q >= ACT_RUN_Q:
                f.level = "watch"
