"""Each injector compared with the others: the expected count of an injector x area x term set by the other injectors.

The case-mix model of a term is fitted on every treatment, the injector's own included. When one injector gives a
large share of an area's treatments, their own excess raises the area's fitted rate and so their own expected count:
an injector doing a fifth of the forehead treatments with three times the usual brow ptosis is compared partly with
themselves. So each injector's case-mix expected count is rescaled by how the *other* injectors of that area and
term fare against the same model (indirect standardisation against the others):

    E_i' = E_i x (O_others + K) / (E_others + K),   K = max(E_i, 5)

The ratio is shrunk towards 1 by as many expected events as the injector's own count: the others' evidence moves the
benchmark only as far as it outweighs the injector's own. An injector who gives a fifth of an area's treatments is
compared mostly with the others; a specialist who gives nearly all of them is compared with the model, not with a
handful of colleagues whose mix of sessions differs from theirs. With nothing wrong the ratio is ~1; with one injector
high, the others sit below their expected count and the injector's own excess is no longer absorbed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PRIOR_EXPECTED = 5.0  # the least K: the others' ratio is shrunk towards 1 as if K events were expected and seen


def against_others(by_inj: pd.DataFrame) -> pd.DataFrame:
    """Return by_inj with each expected (and expected_out) rescaled by the other injectors' O/E in the same area x
    term, and the ratio used in column others_ratio."""
    out = by_inj.copy()
    if out.empty:
        out["others_ratio"] = pd.Series(dtype=float)
        return out
    totals = out.groupby(["area", "term"], sort=False)[["observed", "expected"]].transform("sum")
    o_others = totals["observed"].to_numpy(dtype=float) - out["observed"].to_numpy(dtype=float)
    e_others = totals["expected"].to_numpy(dtype=float) - out["expected"].to_numpy(dtype=float)
    k = np.maximum(out["expected"].to_numpy(dtype=float), PRIOR_EXPECTED)
    ratio = (np.maximum(o_others, 0.0) + k) / (np.maximum(e_others, 0.0) + k)
    out["others_ratio"] = ratio
    out["expected"] = out["expected"].to_numpy(dtype=float) * ratio
    out["expected_out"] = out["expected_out"].to_numpy(dtype=float) * ratio
    return out
