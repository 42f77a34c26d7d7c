"""Follow-up reports for the demo: some events are first stored while still open and updated by a second import."""

from __future__ import annotations

import numpy as np
import pandas as pd

FOLLOWED_TERMS = ("eyelid_ptosis", "brow_ptosis", "drug_ineffective", "injection_site_infection", "diplopia",
                  "dysphagia", "smile_asymmetry")


def split_follow_ups(events: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (first reports, follow-ups): the chosen events first read 'recovering' with no resolution date,
    and their follow-up rows carry the final outcome (the generated values). Deterministic for a seed."""
    rng = np.random.default_rng([seed, 7])
    closed = events["outcome"].isin(["recovered", "recovered_with_sequelae"]).to_numpy()
    followed = events["term"].isin(FOLLOWED_TERMS).to_numpy() | (events["severity"].to_numpy() >= 2)
    pick = closed & followed & (rng.random(len(events)) < 0.3)
    final = events[pick].reset_index(drop=True)
    first = events.copy()
    first.loc[pick, "outcome"] = "recovering"
    first.loc[pick, "resolved_at"] = pd.NaT
    first.loc[pick, "action_taken"] = pd.NA
    return first, final
