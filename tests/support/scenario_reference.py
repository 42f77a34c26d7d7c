"""The reference data the scenario generator draws from, read through dashboard.core.reference_data (never the demo)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from dashboard.core.config import AREAS, PRODUCTS, RISK_FACTORS
from dashboard.core.reference_data import build_tables

# Terms drawn once per treatment, whatever the areas treated (the reference gives them per area as common events).
SESSION_TERMS = ("drug_ineffective", "headache", "influenza_like_illness", "nausea", "hypersensitivity",
                 "anaphylactic_reaction")
# Session terms the reference gives no numeric rate for: a small background so that a planted excess has a baseline
# (p per treatment, onset [min, low, high, max] days, duration [low, high, max] days).
EXTRA_SESSION_TERMS: dict[str, tuple[float, tuple[int, int, int, int], tuple[float, float, float]]] = {
    "urticaria": (0.0015, (0, 0, 2, 7), (1, 3, 10)),
    "rash": (0.0015, (0, 1, 3, 10), (2, 5, 14)),
    "injection_site_infection": (0.0008, (7, 10, 28, 60), (30, 60, 120)),
}
# Terms an overdose of the area raises (the dose-related events of each area).
DOSE_TERMS: dict[str, tuple[str, ...]] = {
    "glabella": ("eyelid_ptosis", "eyelid_sensory_disorder"),
    "forehead": ("brow_ptosis", "eyelid_ptosis"),
    "masseter": ("masticatory_weakness",),
    "platysma": ("dysphagia", "neck_muscle_weakness"),
    "perioral": ("lip_incompetence_drooling", "smile_asymmetry"),
    "dao": ("smile_asymmetry", "lip_incompetence_drooling"),
    "mentalis": ("lip_incompetence_drooling",),
    "gummy_smile": ("lip_ptosis",),
    "bunny_lines": ("lip_ptosis",),
}
BILATERAL = ("lateral_canthal", "bunny_lines", "gummy_smile", "dao", "masseter", "platysma", "axillary_hyperhidrosis")
DEPTH = {"glabella": "intramuscular", "forehead": "intramuscular", "lateral_canthal": "subcutaneous",
         "bunny_lines": "intramuscular", "gummy_smile": "intramuscular", "perioral": "intramuscular",
         "dao": "intramuscular", "mentalis": "intramuscular", "masseter": "intramuscular",
         "platysma": "intramuscular", "axillary_hyperhidrosis": "intradermal"}
UNIT_STEP = {"ona": 1.0, "inco": 1.0, "prabot": 1.0, "leti": 1.0, "abo": 5.0, "daxi": 2.0}
PLATYSMA_POINTS = (6, 16)


@dataclass(frozen=True)
class Channels:
    """Event channels: one row per (area or session) x term x severity floor, with the reference rate and timing."""

    area: np.ndarray  # area index, -1 for a session channel
    term: np.ndarray  # term code (object)
    p: np.ndarray
    p_lo: np.ndarray
    p_hi: np.ndarray
    severity_min: np.ndarray
    onset: np.ndarray  # n x 4 days: min, typical low, typical high, max
    duration: np.ndarray  # n x 3 days: typical low, typical high, max

    def __len__(self) -> int:
        """Number of channels."""
        return int(self.p.size)


@dataclass(frozen=True)
class Reference:
    """Everything the generator needs from the reference data, as arrays indexed by AREAS / PRODUCTS."""

    usual_lo: np.ndarray  # areas x products
    usual_hi: np.ndarray
    points_lo: np.ndarray  # per area
    points_hi: np.ndarray
    channels: Channels
    terms: tuple[str, ...]  # every term with a channel, sorted
    placement: dict[str, tuple[str, ...]]  # area -> placement-signature terms with a baseline rate there
    related: dict[str, tuple[str, ...]]  # risk factor -> related terms (catalog)
    plain: dict[str, str]  # term -> plain name
    vial_sizes: dict[str, tuple[int, ...]]
    ml_per_100u: dict[str, float]


def _doses(tables: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    lo = np.full((len(AREAS), len(PRODUCTS)), np.nan)
    hi = lo.copy()
    for row in tables.itertuples():
        a, p = AREAS.index(str(row.area)), PRODUCTS.index(str(row.product))
        lo[a, p], hi[a, p] = float(row.usual_lo), float(row.usual_hi)
    return lo, hi


def _area_rows(events: pd.DataFrame) -> pd.DataFrame:
    rows = events[~events["term"].isin(SESSION_TERMS)].copy()
    rows["area_idx"] = [AREAS.index(a) for a in rows["area"]]
    return rows


def _session_rows(events: pd.DataFrame) -> pd.DataFrame:
    first = events[events["area"] == "glabella"]
    rows = first[first["term"].isin(SESSION_TERMS)].copy()
    rows["area_idx"] = -1
    extra = []
    for term, (p, on, du) in EXTRA_SESSION_TERMS.items():
        extra.append({"term": term, "p": p, "p_lo": p / 3, "p_hi": p * 3, "severity_min": 1, "area_idx": -1,
                      "onset_min": on[0], "onset_lo": on[1], "onset_hi": on[2], "onset_max": on[3],
                      "dur_lo": du[0], "dur_hi": du[1], "dur_max": du[2]})
    return pd.concat([rows, pd.DataFrame(extra)], ignore_index=True)


def _channels(events: pd.DataFrame) -> Channels:
    rows = pd.concat([_area_rows(events), _session_rows(events)], ignore_index=True)
    p = rows["p"].to_numpy(dtype=float)
    p_lo = rows["p_lo"].to_numpy(dtype=float)
    p_hi = rows["p_hi"].to_numpy(dtype=float)
    p_lo = np.where(np.isfinite(p_lo) & (p_lo > 0), p_lo, p / 2)
    p_hi = np.where(np.isfinite(p_hi) & (p_hi > p), p_hi, p * 2)
    return Channels(
        area=rows["area_idx"].to_numpy(dtype=np.int64), term=rows["term"].to_numpy(dtype=object), p=p,
        p_lo=p_lo, p_hi=p_hi, severity_min=rows["severity_min"].to_numpy(dtype=np.int64),
        onset=rows[["onset_min", "onset_lo", "onset_hi", "onset_max"]].to_numpy(dtype=float),
        duration=rows[["dur_lo", "dur_hi", "dur_max"]].to_numpy(dtype=float))


def _placement(terms: pd.DataFrame, ch: Channels) -> dict[str, tuple[str, ...]]:
    have = {(int(a), str(t)) for a, t in zip(ch.area, ch.term, strict=True) if a >= 0}
    out: dict[str, list[str]] = {a: [] for a in AREAS}
    for code, areas in zip(terms["code"], terms["placement_areas"], strict=True):
        for area in filter(None, str(areas).split(",")):
            if (AREAS.index(area), str(code)) in have:
                out[area].append(str(code))
    return {a: tuple(ts) for a, ts in out.items() if ts}


@lru_cache(maxsize=1)
def reference() -> Reference:
    """Return the generator's view of the reference data (cached)."""
    t = build_tables()
    lo, hi = _doses(t.area_doses)
    areas = t.areas.set_index("code").loc[list(AREAS)]
    pts_lo = areas["points_lo"].to_numpy(dtype=float).copy()
    pts_hi = areas["points_hi"].to_numpy(dtype=float).copy()
    pl = AREAS.index("platysma")
    pts_lo[pl], pts_hi[pl] = PLATYSMA_POINTS
    ch = _channels(t.area_events)
    related = {str(r.code): tuple(x for x in str(r.related_terms).split(",") if x)
               for r in t.risk_factors.itertuples()}
    products = t.products.set_index("code")
    return Reference(
        usual_lo=lo, usual_hi=hi, points_lo=pts_lo.astype(np.int64), points_hi=pts_hi.astype(np.int64),
        channels=ch, terms=tuple(sorted(set(ch.term.tolist()))), placement=_placement(t.terms, ch),
        related={f: related.get(f, ()) for f in RISK_FACTORS},
        plain=dict(zip(t.terms["code"], t.terms["plain_name"], strict=True)),
        vial_sizes={c: tuple(int(v) for v in str(products.loc[c, "vial_sizes"]).split(",")) for c in PRODUCTS},
        ml_per_100u={c: float(products.loc[c, "label_ml_per_100u"]) for c in PRODUCTS})
