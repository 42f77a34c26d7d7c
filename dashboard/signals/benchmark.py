"""Each injector compared with the others: the expected count of an injector x area x term set by the other injectors.

The case-mix model of a term is fitted on every treatment, the injector's own included. When one injector gives a
large share of an area's treatments, their own excess raises the area's fitted rate and so their own expected count:
an injector doing a fifth of the forehead treatments with three times the usual brow ptosis is compared partly with
themselves. So each injector's case-mix expected count is rescaled by how the *other* injectors of that area and
term fare against the same model (indirect standardisation against the others):

    E_i' = E_i x (O_others + K) / (E_others + K),   K = 5

The ratio is shrunk a little towards 1 (as if K events were expected and seen), and it is an estimate: its variance on
the log scale, about 1 / (O_others + K), is returned as benchmark_var and added to the spread between injectors in the
test. So an injector who gives half of an area's treatments is compared with the others' experience, as precisely as
the others' counts allow; a specialist who gives nearly all of them is compared with a benchmark so uncertain that
their own count cannot reach `act` on it. With nothing wrong the ratio is ~1; with one injector high, the others sit
below their expected count and the injector's own excess is no longer absorbed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PRIOR_EXPECTED = 5.0  # K: the others' ratio is shrunk towards 1 as if K events were expected and seen


def against_others(by_inj: pd.DataFrame) -> pd.DataFrame:
    """Return by_inj with each expected (and expected_out) rescaled by the other injectors' O/E in the same area x
    term, the ratio used in column others_ratio and its variance on the log scale in benchmark_var."""
    out = by_inj.copy()
    if out.empty:
        out["others_ratio"] = pd.Series(dtype=float)
        out["benchmark_var"] = pd.Series(dtype=float)
        return out
    totals = out.groupby(["area", "term"], sort=False)[["observed", "expected"]].transform("sum")
    o_others = totals["observed"].to_numpy(dtype=float) - out["observed"].to_numpy(dtype=float)
    e_others = totals["expected"].to_numpy(dtype=float) - out["expected"].to_numpy(dtype=float)
    k = PRIOR_EXPECTED
    ratio = (np.maximum(o_others, 0.0) + k) / (np.maximum(e_others, 0.0) + k)
    out["others_ratio"] = ratio
    out["benchmark_var"] = 1.0 / (np.maximum(o_others, 0.0) + k)
    out["expected"] = out["expected"].to_numpy(dtype=float) * ratio
    out["expected_out"] = out["expected_out"].to_numpy(dtype=float) * ratio
    return out
