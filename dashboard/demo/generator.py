"""Synthetic demo chain: treatments, treated areas and adverse events in the CSV shape of spec section 1.

Pure and numpy-vectorised (loops only over injectors, products, areas and reference rows, never over
treatments): `generate(treatments, seed)` returns {"treatments", "injections", "events"} DataFrames with
exactly the spec columns. The same seed gives the same frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from dashboard.core.config import AREAS, PRODUCTS, RISK_FACTORS
from dashboard.core.reference_data import ReferenceTables, build_tables
from dashboard.demo import catalog as cat
from dashboard.demo import planted as pl
from dashboard.demo.arrays import strings

TREATMENT_COLUMNS = [
    "treatment_id", "clinic", "treated_at", "patient_ref", "patient_birth_year", "patient_sex", "injector",
    "product", "lot", "vial_units", "diluent_ml", "reconstituted_at", *RISK_FACTORS,
]
INJECTION_COLUMNS = ["treatment_id", "area", "side", "point", "units", "points", "volume_ml", "depth"]
EVENT_COLUMNS = [
    "event_id", "treatment_id", "term", "onset_at", "severity", "serious", "seriousness", "outcome",
    "resolved_at", "side", "area", "causality", "action_taken", "reported_by", "reported_at", "narrative",
]

_DEPTH = {"glabella": "intramuscular", "forehead": "intramuscular", "lateral_canthal": "subcutaneous",
          "bunny_lines": "subcutaneous", "gummy_smile": "intramuscular", "perioral": "intramuscular",
          "dao": "intramuscular", "mentalis": "intramuscular", "masseter": "intramuscular",
          "platysma": "subcutaneous", "axillary_hyperhidrosis": "intradermal"}
_CENTRAL = {"glabella", "perioral", "mentalis"}
_SEX_DOSE = {"glabella": 1.35, "forehead": 1.25, "masseter": 1.3}
_PLATYSMA_POINTS = (6, 16)


@dataclass
class Sessions:
    """Treatment-level arrays (one element per treatment, chronological)."""

    n: int
    day: np.ndarray
    minute: np.ndarray
    injector: np.ndarray
    clinic: np.ndarray
    patient: np.ndarray
    product: np.ndarray
    lot: np.ndarray  # index into catalog.lots()
    potency: np.ndarray
    vial_units: np.ndarray
    diluent: np.ndarray  # NaN = not recorded
    recon_hours: np.ndarray  # NaN = not recorded
    age: np.ndarray
    sex: np.ndarray  # index into SEXES order F, M, X, U
    birth_year: np.ndarray
    risk: dict[str, np.ndarray]  # true value of each risk factor (bool)
    recorded: dict[str, np.ndarray]  # whether the factor was recorded (else NULL)
    patient_codes: np.ndarray  # patient number per patient index
    planted: bool  # False: no planted problems and no risk-factor effects (a clinic with nothing to find)


@dataclass
class Areas:
    """Area-level arrays (one element per treated area of a session, before any per-side split)."""

    t: np.ndarray  # treatment index
    area: np.ndarray  # index into AREAS
    units: np.ndarray
    points: np.ndarray
    volume: np.ndarray
    ratio: np.ndarray  # effective dose relative to the usual dose for the product (and sex)
    vpp: np.ndarray  # volume per point, mL


def _dates(d: np.ndarray) -> np.ndarray:
    return np.datetime64(cat.PERIOD_START.isoformat(), "D") + d.astype("timedelta64[D]")


def _day_weights() -> np.ndarray:
    """Relative activity per calendar day: weekdays, season, growth and the Christmas closure."""
    days = np.arange(cat.N_DAYS)
    dates = _dates(days)
    weekday = (days + cat.PERIOD_START.weekday()) % 7
    w = np.where(weekday < 5, 1.0, np.where(weekday == 5, 0.55, 0.0))
    doy = (dates - dates.astype("datetime64[Y]")).astype(int)
    w *= 1.0 + 0.12 * np.cos(2 * np.pi * (doy - 110) / 365.0)  # busier in spring, quieter in summer
    w *= 1.0 + 0.18 * days / 365.0  # the chain grows
    md = (dates.astype("datetime64[M]").astype(int) % 12 + 1) * 100 + (
        dates - dates.astype("datetime64[M]")).astype(int) + 1
    w[(md >= 1224) | (md <= 101)] = 0.0
    return w


def _schedule(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw (day, minute, injector) for n sessions: injector volume, working days and active periods."""
    base = _day_weights()
    weekday = (np.arange(cat.N_DAYS) + cat.PERIOD_START.weekday()) % 7
    per_day, expected = [], []
    for inj in cat.INJECTORS:
        w = base * np.isin(weekday, inj.weekdays)
        w[: max(cat.day_index(inj.start), 0)] = 0.0
        w[cat.day_index(inj.end) + 1:] = 0.0
        per_day.append(w / w.sum())
        expected.append(inj.weight * w.sum())
    fixed = {i: min(inj.fixed_count, max(n // 40, 1)) for i, inj in enumerate(cat.INJECTORS) if inj.fixed_count}
    free = [i for i in range(len(cat.INJECTORS)) if i not in fixed]
    share = np.array([expected[i] for i in free])
    counts = dict(zip(free, rng.multinomial(n - sum(fixed.values()), share / share.sum()), strict=True))
    counts.update(fixed)
    days, injs = [], []
    for i in range(len(cat.INJECTORS)):
        days.append(rng.choice(cat.N_DAYS, size=counts[i], p=per_day[i]))
        injs.append(np.full(counts[i], i, dtype=np.int16))
    day = np.concatenate(days)
    injector = np.concatenate(injs)
    minute = 9 * 60 + 15 * rng.integers(0, 39, n)
    order = np.lexsort((injector, minute, day))
    return day[order].astype(np.int32), minute[order].astype(np.int32), injector[order]


REGULAR_SHARE = 0.55  # share of sessions by regular patients, who come back about every six months
REGULAR_GAP_DAYS = 150  # regulars return no sooner than this, on average


def _patients(rng: np.random.Generator, day: np.ndarray, injector: np.ndarray) -> tuple[np.ndarray, int]:
    """Give each session a patient of its injector: regulars in rotation (every ~6 months), occasional patients
    once or twice over the period."""
    patient = np.zeros(injector.size, dtype=np.int64)
    regular = rng.random(injector.size) < REGULAR_SHARE
    offset = 0
    for i in range(len(cat.INJECTORS)):
        mine = injector == i
        reg, occ = np.flatnonzero(mine & regular), np.flatnonzero(mine & ~regular)  # both in time order
        if reg.size:
            span = max(int(day[reg].max() - day[reg].min()) + 1, 1)
            n_reg = int(np.ceil(reg.size * min(1.0, max(0.25, REGULAR_GAP_DAYS / span))))
            order = rng.permutation(n_reg)
            patient[reg] = offset + order[np.arange(reg.size) % n_reg]
            offset += n_reg
        if occ.size:
            n_occ = max(int(np.ceil(occ.size / 1.4)), 1)
            order = rng.permutation(n_occ)
            patient[occ] = offset + order[np.arange(occ.size) % n_occ]
            offset += n_occ
    return patient, offset


def _prior_visit_within(day: np.ndarray, patient: np.ndarray, days: int) -> np.ndarray:
    """True where the same patient had a session in the previous `days` days."""
    order = np.lexsort((day, patient))
    p, d = patient[order], day[order]
    close = np.zeros(day.size, dtype=bool)
    close[1:] = (p[1:] == p[:-1]) & (d[1:] - d[:-1] <= days)
    out = np.zeros(day.size, dtype=bool)
    out[order] = close
    return out


def _choose(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a probability matrix."""
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    return (rng.random(probs.shape[0])[:, None] > cum).sum(axis=1)


def _in_window(day: np.ndarray, window: tuple[date, date]) -> np.ndarray:
    return (day >= cat.day_index(window[0])) & (day <= cat.day_index(window[1]))


def _sessions(rng: np.random.Generator, n: int, planted: bool) -> Sessions:
    day, minute, injector = _schedule(rng, n)
    n_inj = len(cat.INJECTORS)
    home = np.array([cat.CLINICS.index(inj.clinic) for inj in cat.INJECTORS])
    second = np.array([cat.CLINICS.index(inj.second_clinic) if inj.second_clinic else -1 for inj in cat.INJECTORS])
    clinic = home[injector]
    away = (second[injector] >= 0) & (rng.random(n) < 0.25)
    clinic = np.where(away, second[injector], clinic)

    patient, n_pat = _patients(rng, day, injector)
    p_age = np.clip(rng.normal(44, 11, n_pat), 19, 84)
    p_sex = _choose(rng, np.tile([0.86, 0.12, 0.005, 0.015], (n_pat, 1)))
    p_anticoag = rng.random(n_pat) < 1 / (1 + np.exp(-(p_age - 65) / 7)) * 0.35 + 0.06
    p_allergy = rng.random(n_pat) < 0.09
    p_neuro = rng.random(n_pat) < 0.0015
    p_interact = rng.random(n_pat) < 0.015
    p_codes = rng.permutation(n_pat) + 1

    prod_table = np.zeros((n_inj, len(cat.CLINICS), len(PRODUCTS)))
    for i, inj in enumerate(cat.INJECTORS):
        for c, name in enumerate(cat.CLINICS):
            row = np.array([cat.CLINIC_PRODUCTS[name][p] * inj.product_bias.get(p, 1.0) for p in PRODUCTS])
            prod_table[i, c] = row / row.sum()
    product = _choose(rng, prod_table[injector, clinic])
    reid = (injector == cat.INJECTOR_INDEX["Dr Marcus Reid"]) & _in_window(day, pl.DOSING_WINDOW) & planted
    product = np.where(reid & (rng.random(n) < 0.9), PRODUCTS.index("ona"), product)
    hoff = (injector == cat.INJECTOR_INDEX["Dr Lena Hoffmann"]) & _in_window(day, pl.REVERSE_WINDOW) & planted
    product = np.where(hoff & (rng.random(n) < 0.9), PRODUCTS.index("abo"), product)

    lots = cat.lots()
    lot = np.zeros(n, dtype=np.int64)
    vial = np.zeros(n, dtype=np.int64)
    diluent = np.full(n, np.nan)
    ml100 = np.array([inj.ml_per_100u for inj in cat.INJECTORS])
    for k, p in enumerate(PRODUCTS):
        m = product == k
        sub = lots[lots["product"] == p]
        starts = sub["start"].to_numpy()
        latest = np.searchsorted(starts, day[m], side="right") - 1
        back = _choose(rng, np.tile([0.5, 0.33, 0.17], (int(m.sum()), 1)))
        lot[m] = sub.index.to_numpy()[np.maximum(latest - back, 0)]
        sizes, probs = cat.VIAL_SIZES[p]
        v = np.asarray(sizes)[_choose(rng, np.tile(probs, (int(m.sum()), 1)))]
        vial[m] = v
        if p in ("abo", "daxi"):
            d = np.zeros(v.size)
            for size in sizes:
                d[v == size] = cat.LABEL_DILUENT[(p, size)]
            if p == "abo":
                d = np.where((v == 300) & (rng.random(v.size) < 0.4), 1.5, d)
        else:
            habit = np.where(rng.random(v.size) < 0.85, ml100[injector[m]], 2.5)
            d = habit * v / 100.0
        diluent[m] = np.round(d, 2)
    potency = np.where((lots["lot"].to_numpy()[lot] == pl.SUBPOTENT_LOT) & planted, pl.SUBPOTENT_POTENCY, 1.0)
    diluent[rng.random(n) < 0.05] = np.nan
    recon = rng.uniform(0.1, 6.0, n)
    late = rng.random(n) < 0.005
    recon[late] = rng.uniform(26, 40, int(late.sum()))
    recon[rng.random(n) < 0.1] = np.nan

    age = p_age[patient]
    sex = p_sex[patient]
    female_young = (sex == 0) & (age < 45)
    risk = {
        "alcohol_48h": rng.random(n) < 0.08,
        "anticoagulant": p_anticoag[patient],
        "interacting_medication": p_interact[patient] | (rng.random(n) < 0.004),
        "prior_toxin_90d": _prior_visit_within(day, patient, 90) | (rng.random(n) < 0.02),  # or elsewhere
        "allergy_history": p_allergy[patient],
        "allergy_test_done": rng.random(n) < np.where(p_allergy[patient], 0.3, 0.01),
        "neuromuscular_disorder": p_neuro[patient],
        "pregnant_or_breastfeeding": female_young & (rng.random(n) < 0.002),
        "skin_infection_at_site": rng.random(n) < 0.0015,
        "aftercare_lay_down_4h": rng.random(n) < 0.04,
        "aftercare_heat_or_exercise": rng.random(n) < 0.10,
    }
    med_rate = np.array([cat.CLINIC_RECORDING[c][0] for c in cat.CLINICS])[clinic]
    care_rate = np.array([cat.CLINIC_RECORDING[c][1] for c in cat.CLINICS])[clinic]
    recorded = {k: rng.random(n) < (care_rate if k.startswith("aftercare") else med_rate) for k in RISK_FACTORS}
    return Sessions(
        n=n, day=day, minute=minute, injector=injector, clinic=clinic, patient=patient, product=product,
        lot=lot, potency=potency, vial_units=vial, diluent=diluent, recon_hours=recon, age=age, sex=sex,
        birth_year=(2026 - np.floor(age)).astype(np.int64), risk=risk, recorded=recorded, patient_codes=p_codes,
        planted=planted,
    )


def _dose_tables(ref: ReferenceTables) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Usual centre, low and high total units per (area, product), from the product's own usual range."""
    doses = ref.area_doses.set_index(["area", "product"])
    centre = np.zeros((len(AREAS), len(PRODUCTS)))
    lo = np.zeros_like(centre)
    hi = np.zeros_like(centre)
    for a, area in enumerate(AREAS):
        for p, prod in enumerate(PRODUCTS):
            row = doses.loc[(area, prod)]
            lo[a, p], hi[a, p] = float(row["usual_lo"]), float(row["usual_hi"])
            label = row["label_total"]
            inside = pd.notna(label) and lo[a, p] < float(label) < hi[a, p]
            centre[a, p] = float(label) if inside else lo[a, p] + 0.55 * (hi[a, p] - lo[a, p])
    return centre, lo, hi


def _round_units(units: np.ndarray, product: np.ndarray, centre: np.ndarray) -> np.ndarray:
    abo, daxi = PRODUCTS.index("abo"), PRODUCTS.index("daxi")
    step = np.where(product == abo, 5.0, np.where(product == daxi, np.where(centre < 24, 2.0, 4.0),
                                                   np.where(centre < 12, 1.0, 2.0)))
    return np.maximum(np.round(units / step) * step, step)


def _areas(rng: np.random.Generator, s: Sessions, ref: ReferenceTables) -> Areas:
    profiles = list(cat.AREA_PROFILES)
    prof = np.array([profiles.index(inj.profile) for inj in cat.INJECTORS])[s.injector]
    table = np.array([[cat.AREA_PROFILES[p][a] for a in AREAS] for p in profiles])
    pick = np.zeros((s.n, len(AREAS)), dtype=bool)
    for k in range(len(AREAS)):
        pick[:, k] = rng.random(s.n) < table[prof, k]
    gl, fh, ms = AREAS.index("glabella"), AREAS.index("forehead"), AREAS.index("masseter")
    pick[:, gl] |= pick[:, fh] & (rng.random(s.n) < 0.7)
    none = ~pick.any(axis=1)
    lower = prof == profiles.index("lower_face")
    pick[none & ~lower, gl] = True
    pick[none & lower, ms] = True
    t, area = np.nonzero(pick)
    t, area = t.astype(np.int32), area.astype(np.int8)

    centre, lo, hi = _dose_tables(ref)
    product = s.product[t]
    dose_product = product.copy()
    ona, abo = PRODUCTS.index("ona"), PRODUCTS.index("abo")
    reid = (s.injector[t] == cat.INJECTOR_INDEX["Dr Marcus Reid"]) & _in_window(s.day[t], pl.DOSING_WINDOW) & s.planted
    dose_product[reid & (product == ona)] = abo  # Dysport numbers charted on BOTOX
    hoff = ((s.injector[t] == cat.INJECTOR_INDEX["Dr Lena Hoffmann"]) & _in_window(s.day[t], pl.REVERSE_WINDOW)
            & s.planted)
    dose_product[hoff & (product == abo)] = ona  # BOTOX numbers charted on Dysport
    sex_scale = np.ones(t.size)
    for name, f in _SEX_DOSE.items():
        sex_scale = np.where((area == AREAS.index(name)) & (s.sex[t] == 1), f, sex_scale)
    habit = np.array([inj.dose_habit for inj in cat.INJECTORS])[s.injector[t]]
    c = centre[area, dose_product]
    a_lo, a_hi = lo[area, dose_product], hi[area, dose_product]
    fixed = a_hi <= a_lo * 1.01  # a single labelled dose: most injectors give exactly that
    varied = c * habit * sex_scale * np.exp(rng.normal(0.0, 0.2, t.size))
    varied = np.clip(varied, a_lo, a_hi * sex_scale)
    label = c * sex_scale * np.where(rng.random(t.size) < 0.8, 1.0, rng.uniform(0.85, 1.2, t.size))
    units = np.where(fixed, label, varied)
    generous = rng.random(t.size) < 0.025
    units = np.where(generous, units * rng.uniform(1.05, 1.35, t.size), units)
    units = np.minimum(_round_units(units, dose_product, c), 900.0)
    ratio = units * s.potency[t] / (centre[area, product] * sex_scale)

    pts_lo = ref.areas.set_index("code").loc[list(AREAS), "points_lo"].fillna(_PLATYSMA_POINTS[0]).to_numpy()
    pts_hi = ref.areas.set_index("code").loc[list(AREAS), "points_hi"].fillna(_PLATYSMA_POINTS[1]).to_numpy()
    points = rng.integers(pts_lo[area].astype(int), pts_hi[area].astype(int) + 1)
    label_ml = ref.products.set_index("code").loc[list(PRODUCTS), "label_ml_per_100u"].to_numpy()
    dil = s.diluent[t]
    conc = np.where(np.isnan(dil), 100.0 / label_ml[product], s.vial_units[t] / np.where(np.isnan(dil), 1.0, dil))
    volume = np.maximum(np.round(units / conc, 2), 0.01)
    return Areas(t=t, area=area, units=units, points=points, volume=volume, ratio=ratio, vpp=volume / points)


def _fmt_ids(prefix: str, n: int) -> pd.Series:
    return prefix + pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(7)


_cat = strings


def _timestamps(day: np.ndarray, minutes: np.ndarray) -> pd.Series:
    base = np.datetime64(cat.PERIOD_START.isoformat(), "m")
    return pd.Series(base + (day.astype(np.int64) * 1440 + minutes.astype(np.int64)).astype("timedelta64[m]"))


def _treatment_frame(s: Sessions, ids: pd.Series, treated: pd.Series) -> pd.DataFrame:
    lots = cat.lots()
    recon = treated - pd.to_timedelta(np.round(np.nan_to_num(s.recon_hours) * 60), unit="min")
    recon[np.isnan(s.recon_hours)] = pd.NaT
    vial = pd.array(s.vial_units, dtype="Int64")
    frame = pd.DataFrame({
        "treatment_id": ids,
        "clinic": _cat(s.clinic, cat.CLINICS),
        "treated_at": treated,
        "patient_ref": "P-" + pd.Series(s.patient_codes[s.patient]).astype(str).str.zfill(6),
        "patient_birth_year": pd.array(s.birth_year, dtype="Int64"),
        "patient_sex": _cat(s.sex, ("F", "M", "X", "U")),
        "injector": _cat(s.injector, [inj.name for inj in cat.INJECTORS]),
        "product": _cat(s.product, PRODUCTS),
        "lot": _cat(s.lot, lots["lot"].to_numpy()),
        "vial_units": vial,
        "diluent_ml": s.diluent,
        "reconstituted_at": recon,
    })
    for k in RISK_FACTORS:
        col = pd.array(s.risk[k], dtype="boolean")
        col[~s.recorded[k]] = pd.NA
        frame[k] = col
    return frame[TREATMENT_COLUMNS]


def _injection_frame(rng: np.random.Generator, s: Sessions, a: Areas, ids: pd.Series) -> pd.DataFrame:
    area_names = np.asarray(AREAS, dtype=object)
    central = np.array([x in _CENTRAL for x in AREAS])
    side = np.where(central[a.area], 3, 2)  # index into SIDES: L, R, B, C
    units, points, volume, t, area = a.units, a.points, a.volume, a.t, a.area
    split = np.zeros(t.size, dtype=bool)
    for clinic, split_areas in cat.PER_SIDE_CLINICS.items():
        in_split = np.array([x in split_areas for x in area_names])
        split |= (s.clinic[t] == cat.CLINICS.index(clinic)) & in_split[area]
    rep = np.where(split, 2, 1)
    idx = np.repeat(np.arange(t.size), rep)
    first = np.concatenate([[True], idx[1:] != idx[:-1]])
    is_split = split[idx]
    side_out = np.where(is_split, np.where(first, 0, 1), side[idx])
    units_out = np.where(is_split, np.maximum(np.round(units[idx] / 2 * 2) / 2, 0.5), units[idx])
    points_out = np.where(is_split, np.maximum(points[idx] // 2, 1), points[idx])
    volume_out = np.where(is_split, np.maximum(np.round(volume[idx] / 2, 2), 0.01), volume[idx])
    m = idx.size
    vol = pd.Series(volume_out)
    vol[rng.random(m) < 0.06] = np.nan
    pts = pd.array(points_out, dtype="Int64")
    pts[rng.random(m) < 0.04] = pd.NA
    depths = sorted(set(_DEPTH.values()))
    depth_code = np.array([depths.index(_DEPTH[x]) for x in AREAS])[area[idx]]
    depth_code[rng.random(m) < 0.12] = -1
    frame = pd.DataFrame({
        "treatment_id": ids.iloc[t[idx]].reset_index(drop=True),
        "area": _cat(area[idx], AREAS),
        "side": _cat(side_out, ("L", "R", "B", "C")),
        "point": pd.Series(pd.NA, index=range(m), dtype="str"),
        "units": units_out.astype(float),
        "points": pts,
        "volume_ml": vol,
        "depth": _cat(depth_code, depths),
    })
    return frame[INJECTION_COLUMNS]


def generate(treatments: int = 20000, seed: int = 1, *, planted: bool = True) -> dict[str, pd.DataFrame]:
    """Generate the demo chain as spec-shaped frames {"treatments", "injections", "events"}; deterministic.

    planted=False gives the same chain with no planted problem and no risk-factor effect (look-alikes stay):
    a clinic where a signal run should raise nothing at the `act` level."""
    from dashboard.demo.events import draw_events

    if treatments < 1:
        raise ValueError("treatments must be at least 1")
    streams = [np.random.default_rng([seed, 2026, k]) for k in range(4)]  # one stream per stage
    ref = build_tables()
    s = _sessions(streams[0], treatments, planted)
    a = _areas(streams[1], s, ref)
    ids = _fmt_ids("T-", treatments)
    treated_at = _timestamps(s.day, s.minute)
    events = draw_events(streams[2], s, a, ref, ids, treated_at)
    inj = _injection_frame(streams[3], s, a, ids)
    del a
    treat = _treatment_frame(s, ids, treated_at)
    return {"treatments": treat, "injections": inj, "events": events}
