"""Turn a drawn scenario into the three spec section 1 frames (treatments, injections, events)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.core.config import AREAS, PRODUCTS, RISK_FACTORS
from dashboard.importer.spec import COLUMNS
from tests.support.scenario_reference import BILATERAL, DEPTH, Reference
from tests.support.scenario_sessions import Sessions
from tests.support.scenario_world import World

# the columns of interchange spec section 1, in the order the product's importer lists them
TREATMENT_COLUMNS = [c.name for c in COLUMNS["treatments"]]
INJECTION_COLUMNS = [c.name for c in COLUMNS["injections"]]
EVENT_COLUMNS = [c.name for c in COLUMNS["events"]]
CAUSALITY = np.array(["probable", "possible", "certain", "unlikely", "unassessable", None], dtype=object)
CAUSALITY_P = [0.35, 0.3, 0.1, 0.05, 0.02, 0.18]
REPORTERS = np.array(["Reception", "Clinic nurse", "Practice manager", "Patient by phone"], dtype=object)
SERIOUS_TERMS = ("dysphagia", "anaphylactic_reaction", "dyspnoea", "hypersensitivity", "injection_site_infection")
ACTIONS = {"eyelid_ptosis": "apraclonidine drops advised", "injection_site_bruising": "cold compress advised",
           "drug_ineffective": "top-up offered", "injection_site_infection": "antibiotics prescribed",
           "dysphagia": "referred to GP", "masticatory_weakness": "soft diet advised"}


def make_ids(prefix: np.ndarray, number: np.ndarray, width: int) -> np.ndarray:
    """Return prefix + zero-padded number as strings."""
    return np.char.add(prefix.astype(str), np.char.zfill(number.astype(str), width)).astype(object)


def nullable(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Return the values as objects with None where keep is False."""
    out = values.astype(object)
    out[~keep] = None
    return out


def treatment_times(world: World, s: Sessions) -> np.ndarray:
    """Return the treatment times as datetime64[m]."""
    return np.datetime64(world.start, "m") + (s.day * 1440 + s.minute).astype("timedelta64[m]")


def iso(times: np.ndarray, unit: str = "m") -> np.ndarray:
    """Return datetime64 values as ISO strings (to the minute, or the day with unit='D')."""
    return times.astype(f"datetime64[{unit}]").astype(str).astype(object)


def treatment_ids(world: World, s: Sessions) -> np.ndarray:
    """Return the treatment ids: the site's code and a running number (unique across the chain)."""
    codes = np.array([c + "-" for c in world.sites.codes], dtype=object)[s.site]
    return make_ids(codes, np.arange(1, s.n + 1), 7)


def _patient_refs(rng: np.random.Generator, n: int) -> np.ndarray:
    mult = int(rng.choice([7919, 104729, 1299709, 15485863]))
    scrambled = (np.arange(n, dtype=np.int64) * mult + int(rng.integers(0, 10 ** 7))) % 10 ** 7
    return make_ids(np.full(n, "PT", dtype=object), scrambled, 7)


def treatments_frame(rng: np.random.Generator, world: World, s: Sessions, ids: np.ndarray) -> pd.DataFrame:
    """Return treatments.csv as a frame."""
    sites = world.sites
    times = treatment_times(world, s)
    vial_ok = rng.random(s.n) < sites.vial_recorded[s.site]
    recon = times - rng.integers(5, 360, s.n).astype("timedelta64[m]")
    lots = np.array(s.lots.names + [None], dtype=object)
    birth = pd.array(s.birth_year[s.patient], dtype="Int64")
    birth[s.birth_year[s.patient] == 0] = pd.NA
    frame = pd.DataFrame({
        "treatment_id": ids,
        "clinic": np.array(sites.names, dtype=object)[s.site],
        "treated_at": iso(times),
        "patient_ref": _patient_refs(rng, int(s.patient.max()) + 1)[s.patient],
        "patient_birth_year": birth,
        "patient_sex": s.sex[s.patient],
        "injector": np.array(world.injectors.names, dtype=object)[s.inj],
        "product": np.array(PRODUCTS, dtype=object)[s.product],
        "lot": lots[s.lot],
        "vial_units": pd.array(np.where(vial_ok, s.vial, 0), dtype="Int64"),
        "diluent_ml": np.where(vial_ok, s.diluent, np.nan),
        "reconstituted_at": nullable(iso(recon), vial_ok & (rng.random(s.n) < 0.7)),
    })
    frame.loc[~vial_ok, "vial_units"] = pd.NA
    for k, name in enumerate(RISK_FACTORS):
        col = pd.array(s.factor[:, k], dtype="boolean")
        col[~s.recorded[:, k]] = pd.NA
        frame[name] = col
    return frame[TREATMENT_COLUMNS]


def _sides(rng: np.random.Generator, world: World, s: Sessions) -> tuple[np.ndarray, np.ndarray]:
    """Return per row whether it is split into L and R rows, and its side code otherwise."""
    rows, site = s.rows, s.site[s.rows.t]
    bilateral = np.isin(rows.area, [AREAS.index(a) for a in BILATERAL])
    split = bilateral & (rng.random(rows.t.size) < world.sites.split_sides[site])
    central = np.array([None, "C", "B"], dtype=object)[world.sites.central_code[site]]
    side = np.full(rows.t.size, "B", dtype=object)
    side[rng.random(rows.t.size) < 0.15] = None  # left empty: B by default
    side[~bilateral] = central[~bilateral]
    return split, side


def injections_frame(rng: np.random.Generator, world: World, ref: Reference, s: Sessions,
                     ids: np.ndarray) -> pd.DataFrame:
    """Return injections.csv as a frame (one row per treated area, or an L and an R row)."""
    rows, site = s.rows, s.site[s.rows.t]
    split, side = _sides(rng, world, s)
    rep = np.where(split, 2, 1)
    r = np.repeat(np.arange(rows.t.size), rep)
    second = np.r_[False, r[1:] == r[:-1]]
    half = np.floor(rows.units * 2 / 2) / 2  # the left half, to 0.5 U
    units = np.where(split[r], np.where(second, rows.units[r] - half[r], half[r]), rows.units[r])
    pl = np.maximum(rows.points // 2, 1)
    points = np.where(split[r], np.where(second, np.maximum(rows.points[r] - pl[r], 1), pl[r]), rows.points[r])
    volume = np.maximum(np.round(units * s.ml_per_100u[rows.t[r]] / 100.0, 3), 0.001)
    m = r.size
    depth = np.array([DEPTH[a] for a in AREAS], dtype=object)[rows.area[r]]
    side_out = np.where(split[r], np.where(second, "R", "L"), side[r]).astype(object)
    pts = pd.array(points, dtype="Int64")
    pts[rng.random(m) >= world.sites.points_recorded[site[r]]] = pd.NA
    return pd.DataFrame({
        "treatment_id": ids[rows.t[r]],
        "area": np.array(AREAS, dtype=object)[rows.area[r]],
        "side": side_out,
        "point": np.full(m, None, dtype=object),
        "units": units.astype(float),
        "points": pts,
        "volume_ml": np.where(rng.random(m) < world.sites.volume_recorded[site[r]], volume, np.nan),
        "depth": nullable(depth, rng.random(m) < world.sites.depth_recorded[site[r]]),
    })[INJECTION_COLUMNS]
