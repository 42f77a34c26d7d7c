"""Treatment sessions of a scenario: when, where, who, which product and lot, which patient, areas and doses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from dashboard.core.config import AREAS, PRODUCTS, RISK_FACTORS
from tests.support.scenario_reference import UNIT_STEP, Reference
from tests.support.scenario_world import World

PERSISTENT = ("anticoagulant", "allergy_history", "neuromuscular_disorder", "interacting_medication")
MALE_DOSE_AREAS = ("glabella", "forehead")
LOT_FORMATS = {"ona": ("C", 4, "C", 1), "inco": ("", 6, "", 0), "prabot": ("JV", 5, "", 0),
               "leti": ("LB", 6, "", 0), "abo": ("S", 5, "", 0), "daxi": ("DX", 4, "A", 1)}


@dataclass
class Rows:
    """Treated areas (one per treatment x area): treatment index, area index, total units, points."""

    t: np.ndarray
    area: np.ndarray
    units: np.ndarray
    points: np.ndarray


@dataclass
class Lots:
    """Lots in use: name, product index, tiny flag."""

    names: list[str]
    product: np.ndarray
    tiny: np.ndarray


@dataclass
class Sessions:
    """Per-treatment arrays in time order (index = treatment)."""

    day: np.ndarray
    minute: np.ndarray
    site: np.ndarray
    inj: np.ndarray
    product: np.ndarray
    lot: np.ndarray  # index into lots, -1 = not recorded
    patient: np.ndarray
    rank: np.ndarray  # the injector's treatments before this one in the period
    factor: np.ndarray  # N x factors, true value
    recorded: np.ndarray  # N x factors, value filled in
    vial: np.ndarray
    diluent: np.ndarray
    ml_per_100u: np.ndarray
    lots: Lots
    birth_year: np.ndarray  # per patient, 0 = not recorded
    sex: np.ndarray  # per patient code (object), None = not recorded
    rows: Rows

    @property
    def n(self) -> int:
        """Number of treatments."""
        return int(self.day.size)


def weekday(world: World, day: np.ndarray) -> np.ndarray:
    """Return the weekday (0 = Monday) of period days."""
    return (world.start.weekday() + day) % 7


def _sample_rows(rng: np.random.Generator, weights: np.ndarray, which: np.ndarray) -> np.ndarray:
    """Draw one column per item from the weight row `which` selects (rows need not be normalised)."""
    cum = np.cumsum(weights, axis=1)
    cum /= cum[:, -1:]
    u = rng.random(which.size)
    return np.minimum((cum[which] < u[:, None]).sum(axis=1), weights.shape[1] - 1)


def _days_sites(rng: np.random.Generator, world: World, n: int) -> tuple[np.ndarray, ...]:
    s = world.sites
    days = np.arange(world.days)
    w = world.day_weight[:, None] * s.share[None, :] * s.weekdays[:, weekday(world, days)].T
    w *= days[:, None] >= s.open_day[None, :]
    pick = rng.choice(w.size, size=n, p=(w / w.sum()).ravel())
    day, site = pick // s.n, pick % s.n
    minute = 540 + 15 * rng.integers(0, 43, n)
    order = np.lexsort((site, minute, day))
    return day[order], minute[order], site[order]


def _injector_weights(world: World, day: np.ndarray, site: np.ndarray) -> np.ndarray:
    inj = world.injectors
    site_w = (inj.home[None, :] == site[:, None]) * 1.0 + (inj.second[None, :] == site[:, None]) * 0.35
    active = (inj.start_day[None, :] <= day[:, None]) & (day[:, None] <= inj.end_day[None, :])
    w = inj.share[None, :] * site_w * active * inj.weekdays[:, weekday(world, day)].T
    w[:, inj.newcomer] = 0.0
    empty = w.sum(axis=1) == 0
    w[empty, site[empty]] = 1.0  # the site's core injector
    return w


def _injectors(rng: np.random.Generator, world: World, day: np.ndarray, site: np.ndarray) -> np.ndarray:
    combo, inverse = np.unique(day * world.sites.n + site, return_inverse=True)
    w = _injector_weights(world, combo // world.sites.n, combo % world.sites.n)
    inj = _sample_rows(rng, w, inverse.ravel())
    wd = weekday(world, day)
    for i in np.flatnonzero(world.injectors.newcomer):
        ok = (site == world.injectors.home[i]) & (day >= world.injectors.start_day[i])
        ok &= world.injectors.weekdays[i, wd] > 0
        ok &= ~world.injectors.newcomer[inj]
        pool = np.flatnonzero(ok)
        k = min(int(rng.integers(10, 150)), int(pool.size * 0.3))
        inj[rng.choice(pool, size=k, replace=False)] = i
    return inj


def _products(rng: np.random.Generator, world: World, site: np.ndarray, inj: np.ndarray) -> np.ndarray:
    n_inj = world.injectors.n
    w = world.sites.products[:, None, :] * world.injectors.product_pref[None, :, :]
    return _sample_rows(rng, w.reshape(-1, len(PRODUCTS)), site * n_inj + inj)


def _lot_name(rng: np.random.Generator, product: str, taken: set[str]) -> str:
    pre, digits, mid, tail = LOT_FORMATS[product]
    while True:
        name = pre + "".join(str(d) for d in rng.integers(0, 10, digits)) + mid
        name += "".join(str(d) for d in rng.integers(0, 10, tail))
        if name not in taken:
            taken.add(name)
            return name


def _timeline(rng: np.random.Generator, days: int) -> np.ndarray:
    """Return the start days of consecutive lots covering the period (the first may start before it)."""
    median = rng.uniform(10, 90)
    dur = np.clip(rng.lognormal(np.log(median), 0.8, days // 2 + 2), 2, 240)
    starts = np.cumsum(np.r_[-rng.uniform(0, dur[0]), dur[:-1]])
    return starts[: int(np.searchsorted(starts, days)) + 1]


def _tiny_lots(rng: np.random.Generator, lot: np.ndarray, product: np.ndarray, site: np.ndarray,
               first_id: int) -> list[int]:
    """Move a handful of consecutive treatments (same product and site) to new tiny lots; returns their products."""
    made: list[int] = []
    for _ in range(1 + int(rng.integers(0, 3))):
        anchor = int(rng.integers(0, lot.size))
        same = np.flatnonzero((product == product[anchor]) & (site == site[anchor]))
        same = same[same >= anchor][: int(rng.integers(3, 13))]
        lot[same] = first_id + len(made)
        made.append(int(product[anchor]))
    return made


def _lots(rng: np.random.Generator, world: World, day: np.ndarray, product: np.ndarray,
          site: np.ndarray) -> tuple[np.ndarray, Lots]:
    lot = np.full(day.size, -1, dtype=np.int64)
    prod_of: list[int] = []
    for p in np.unique(product):
        sel = np.flatnonzero(product == p)
        starts = _timeline(rng, world.days)
        k = np.searchsorted(starts, day[sel], side="right") - 1
        old = (k > 0) & (day[sel] - starts[np.maximum(k, 0)] < 21) & (rng.random(sel.size) < 0.15)
        k = k - old
        lot[sel] = len(prod_of) + k
        prod_of.extend([int(p)] * starts.size)
    base = len(prod_of)
    prod_of.extend(_tiny_lots(rng, lot, product, site, base))
    used, lot = np.unique(lot, return_inverse=True)
    taken: set[str] = set()
    products = np.asarray(prod_of)[used]
    names = [_lot_name(rng, PRODUCTS[int(p)], taken) for p in products]
    is_tiny = used >= base
    lot = lot.ravel()
    lot[rng.random(lot.size) < world.sites.lot_missing[site]] = -1
    return lot, Lots(names=names, product=products, tiny=is_tiny)


def _earlier_visit(rng: np.random.Generator, d: np.ndarray) -> np.ndarray:
    """Pick, for each visit, a random visit 84-200 days earlier (positions into d; -1 = none in the period)."""
    target = np.floor(d - rng.uniform(84, 200, d.size))
    lo, hi = np.searchsorted(d, target, side="left"), np.searchsorted(d, target, side="right")
    k = lo + np.floor(rng.random(d.size) * (hi - lo)).astype(np.int64)
    ok = (target >= d[0]) & (k < d.size)
    k = np.minimum(k, d.size - 1)
    return np.where(ok & (d[k] <= d - 60), k, -1)


def _link_site(rng: np.random.Generator, idx: np.ndarray, day: np.ndarray, share: float) -> np.ndarray:
    """Return each visit's earlier visit of the same patient at one site (-1 = first visit): chains, not trees."""
    d = day[idx]
    wants = rng.random(idx.size) < share
    parent = np.full(idx.size, -1, dtype=np.int64)
    taken = np.zeros(idx.size, dtype=bool)
    for _ in range(3):  # a visit whose earlier visit was claimed by another tries again
        k = _earlier_visit(rng, d)
        ok = wants & (parent < 0) & (k >= 0)
        ok[ok] &= ~taken[k[ok]]
        first = np.flatnonzero(ok)[np.unique(k[ok], return_index=True)[1]]
        parent[first] = k[first]
        taken[k[first]] = True
    return np.where(parent >= 0, idx[np.maximum(parent, 0)], -1)


def _patients(rng: np.random.Generator, world: World, day: np.ndarray, site: np.ndarray) -> np.ndarray:
    parent = np.full(day.size, -1, dtype=np.int64)
    for s in range(world.sites.n):
        idx = np.flatnonzero(site == s)
        if idx.size:
            parent[idx] = _link_site(rng, idx, day, float(world.sites.returning[s]))
    root = np.where(parent < 0, np.arange(day.size), parent)
    while True:
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    return np.unique(root, return_inverse=True)[1].ravel()


def _demographics(rng: np.random.Generator, world: World, day: np.ndarray, site: np.ndarray,
                  patient: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    first = np.unique(patient, return_index=True)[1]
    n_pat = first.size
    s = site[first]
    u = rng.random(n_pat)
    f = world.sites.female[s]
    sex = np.where(u < f, "F", np.where(u < f + (1 - f) * 0.97, "M", np.where(u < f + (1 - f) * 0.985, "X", "U")))
    sex = sex.astype(object)
    sex[rng.random(n_pat) < world.sites.sex_missing[s]] = None
    first_year = (np.datetime64(world.start) + day[first]).astype("datetime64[Y]").astype(np.int64) + 1970
    age = np.clip(rng.normal(44, 11, n_pat), 18, 84)
    birth = (first_year - age).astype(np.int64)
    birth[rng.random(n_pat) < world.sites.birth_missing[s]] = 0
    return birth, sex


def _factors(rng: np.random.Generator, world: World, site: np.ndarray, patient: np.ndarray,
             female: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    prev = world.sites.prevalence[site]
    n_pat = int(patient.max()) + 1
    true = rng.random(prev.shape) < prev
    trait = rng.random((n_pat, len(PERSISTENT)))
    first_site = site[np.unique(patient, return_index=True)[1]]
    for j, name in enumerate(PERSISTENT):  # a patient's medication and allergies persist between visits
        k = RISK_FACTORS.index(name)
        true[:, k] = (trait[:, j] < world.sites.prevalence[first_site, k])[patient]
    a, t = RISK_FACTORS.index("allergy_history"), RISK_FACTORS.index("allergy_test_done")
    true[:, t] = rng.random(site.size) < np.clip(prev[:, t] * np.where(true[:, a], 4.0, 0.4), 0, 0.9)
    preg = RISK_FACTORS.index("pregnant_or_breastfeeding")
    true[:, preg] &= female
    recorded = rng.random(prev.shape) < world.sites.recorded[site]
    return true, recorded


def _areas(rng: np.random.Generator, world: World, site: np.ndarray, inj: np.ndarray) -> np.ndarray:
    p = np.clip(world.sites.area_p[site] * world.injectors.area_tilt[inj], 0, 0.95)
    spec = world.injectors.spec_p[inj]
    p = np.where(np.isnan(spec), p, spec)
    mask = rng.random(p.shape) < p
    empty = ~mask.any(axis=1)
    mask[np.flatnonzero(empty), np.argmax(p[empty] * rng.random((int(empty.sum()), p.shape[1])), axis=1)] = True
    ax = AREAS.index("axillary_hyperhidrosis")
    alone = mask[:, ax] & (rng.random(site.size) < 0.85)
    mask[alone] = False
    mask[alone, ax] = True
    return mask


def round_units(units: np.ndarray, product: np.ndarray) -> np.ndarray:
    """Round doses to the product's usual step (never below one step, never above 1,000)."""
    step = np.array([UNIT_STEP[p] for p in PRODUCTS])[product]
    return np.clip(np.round(units / step) * step, step, 1000.0)


def _doses(rng: np.random.Generator, world: World, ref: Reference, t: np.ndarray, area: np.ndarray,
           s: Sessions) -> np.ndarray:
    prod = s.product[t]
    lo, hi = ref.usual_lo[area, prod], ref.usual_hi[area, prod]
    q = world.dose_out_share
    width = np.log(hi / lo)
    sd = np.sqrt(np.maximum((width / 2 / norm.ppf(1 - q / 2)) ** 2 - 0.07 ** 2, 0.0) + world.dose_sd_extra ** 2)
    units = np.sqrt(lo * hi) * np.exp(world.injectors.dose_style[s.inj[t], area] + rng.normal(0, 1, t.size) * sd)
    male = (s.sex[s.patient[t]] == "M") & np.isin(area, [AREAS.index(a) for a in MALE_DOSE_AREAS]) & (width > 0.69)
    units[male] *= world.male_dose
    label = width == 0
    off = rng.random(t.size) < q
    units[label] = lo[label] * np.where(off[label], rng.choice([0.5, 0.75, 1.25, 1.5], size=t.size)[label], 1.0)
    return round_units(units, prod)


def _rows(rng: np.random.Generator, world: World, ref: Reference, s: Sessions) -> Rows:
    mask = _areas(rng, world, s.site, s.inj)
    t, area = np.nonzero(mask)
    units = _doses(rng, world, ref, t, area, s)
    points = rng.integers(ref.points_lo[area], ref.points_hi[area] + 1)
    return Rows(t=t, area=area, units=units, points=points)


def _experience(inj: np.ndarray) -> np.ndarray:
    order = np.argsort(inj, kind="stable")
    first = np.r_[0, np.flatnonzero(np.diff(inj[order])) + 1]
    start = np.repeat(first, np.diff(np.r_[first, inj.size]))
    rank = np.empty(inj.size, dtype=np.int64)
    rank[order] = np.arange(inj.size) - start
    return rank


def _vials(rng: np.random.Generator, world: World, ref: Reference, site: np.ndarray,
           product: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ml = world.sites.ml_per_100u[site, product]
    vial = np.zeros(site.size, dtype=np.int64)
    for k, code in enumerate(PRODUCTS):
        sel = product == k
        sizes = np.array(ref.vial_sizes[code])
        p = np.r_[0.8, np.full(sizes.size - 1, 0.2 / max(sizes.size - 1, 1))][: sizes.size]
        vial[sel] = rng.choice(sizes, size=int(sel.sum()), p=p / p.sum())
    diluent = np.round(ml * vial / 100.0, 2)
    return vial, diluent, ml


def draw_sessions(rng: np.random.Generator, world: World, ref: Reference, n: int) -> Sessions:
    """Draw n treatments of the world in time order, with patients, risk factors, areas and doses."""
    day, minute, site = _days_sites(rng, world, n)
    inj = _injectors(rng, world, day, site)
    product = _products(rng, world, site, inj)
    lot, lots = _lots(rng, world, day, product, site)
    patient = _patients(rng, world, day, site)
    birth, sex = _demographics(rng, world, day, site, patient)
    factor, recorded = _factors(rng, world, site, patient, sex[patient] == "F")
    vial, diluent, ml = _vials(rng, world, ref, site, product)
    s = Sessions(day=day, minute=minute, site=site, inj=inj, product=product, lot=lot, patient=patient,
                 rank=_experience(inj) + world.injectors.experience_offset[inj], factor=factor, recorded=recorded,
                 vial=vial, diluent=diluent, ml_per_100u=ml, lots=lots, birth_year=birth, sex=sex,
                 rows=Rows(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), np.empty(0, np.int64)))
    s.rows = _rows(rng, world, ref, s)
    return s
