"""Planted problems: pick a unit (injector x area, lot, window, factor) near a target size and raise one term there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from dashboard.core.config import AREAS, PRODUCTS, RISK_FACTORS
from tests.support.scenario_events import Baseline, Effects, realised_ratio
from tests.support.scenario_reference import DOSE_TERMS, Reference
from tests.support.scenario_sessions import Sessions, round_units
from tests.support.scenario_world import World

MIN_EXPECTED = 1.5  # a smaller problem is invisible to any method and says nothing about power
KINDS = ("placement", "dosing", "product_lot", "time_cluster", "patient_factor")
BOTOX_LIKE = ("ona", "inco", "prabot", "leti")
TIME_VARIANTS = (("injection_site_infection", True, "bad saline batch: infections 1-4 weeks later"),
                 ("injection_site_oedema", False, "run of injection-site swelling"),
                 ("injection_site_erythema", False, "run of injection-site redness"),
                 ("drug_ineffective", True, "toxin stored warm after a fridge failure"))
PLACEMENT_DETAIL = {
    ("glabella", "eyelid_ptosis"): "too low placement: under 1 cm above the brow, near the levator",
    ("glabella", "brow_malposition"): "asymmetric corrugator placement",
    ("forehead", "brow_ptosis"): "too low placement: lowest frontalis row near the brow",
    ("forehead", "brow_malposition"): "lateral frontalis left untreated ('Spock' brow)",
    ("forehead", "skin_tightness"): "too superficial frontalis injections",
    ("lateral_canthal", "diplopia"): "crow's feet injected too medial and deep",
    ("lateral_canthal", "dry_eye"): "lower-lid spread from crow's feet injections",
    ("lateral_canthal", "ectropion_or_lower_lid_laxity"): "lower-lid spread from crow's feet injections",
    ("lateral_canthal", "smile_asymmetry"): "crow's feet injected too low (zygomaticus)",
    ("bunny_lines", "lip_ptosis"): "bunny lines injected too low and lateral (LLSAN)",
    ("dao", "smile_asymmetry"): "DAO injected too medial (depressor labii inferioris)",
    ("mentalis", "lip_incompetence_drooling"): "mentalis injected too high and lateral",
    ("masseter", "smile_asymmetry"): "masseter injected too anterior and shallow (risorius)",
    ("masseter", "paradoxical_bulging"): "uneven, too superficial masseter injections",
    ("axillary_hyperhidrosis", "compensatory_sweating"): "axillae injected too deep, patchy coverage",
}
LOT_VARIANTS = (("drug_ineffective", "sub-potent lot"), ("injection_site_infection", "contaminated lot"),
                ("injection_site_erythema", "contaminated lot (redness)"),
                ("injection_site_oedema", "contaminated lot (swelling)"))


@dataclass(frozen=True)
class Problem:
    """A planted problem: which term it raises, where, how much, and its baseline expected events there."""

    kind: str  # 'placement' | 'dosing' | 'product_lot' | 'time_cluster' | 'patient_factor'
    term: str
    rate_ratio: float
    expected_events: float
    injector: str | None = None
    area: str | None = None
    product: str | None = None
    lot: str | None = None
    factor: str | None = None
    clinic: str | None = None
    window_start: date | None = None
    window_end: date | None = None
    detail: str = ""


@dataclass
class Context:
    """What the planting needs: the world, sessions, baseline, the effects so far and what is off limits."""

    rng: np.random.Generator
    world: World
    ref: Reference
    s: Sessions
    base: Baseline
    effects: Effects
    excluded_injectors: set[int] = field(default_factory=set)
    excluded_lots: set[int] = field(default_factory=set)
    used: set[tuple[str, ...]] = field(default_factory=set)

    def free_injectors(self) -> np.ndarray:
        """Return the injectors a problem may be planted on."""
        return np.array([i for i in range(self.world.injectors.n) if i not in self.excluded_injectors], dtype=int)


def _pick(rng: np.random.Generator, expected: np.ndarray, target: float) -> int:
    """Pick a candidate whose expected count is near the target (-1 when none is big enough)."""
    w = _closeness(expected, target)
    return int(rng.choice(expected.size, p=w / w.sum())) if (w > 0).any() else -1


def _cap(rr: float, p: np.ndarray) -> float:
    top = float(p.max()) if p.size else 0.0
    return float(min(rr, 0.9 / top)) if top > 0 else rr


def _term_base(ctx: Context, term: str) -> tuple[np.ndarray, bool]:
    """Return the term's baseline per row (area term) or per treatment (session term) and which."""
    if ctx.base.is_session(term):
        return ctx.base.session_base(term), True
    return ctx.base.row_base(term), False


def _observable(ctx: Context, term: str, idx: np.ndarray, session: bool) -> np.ndarray:
    """Return the chance that an event of the term on each affected row or treatment has its onset by the export
    date (later ones are not in the data set)."""
    ch = ctx.ref.channels
    s = ctx.s
    if session:
        on = np.tile(ch.onset[np.flatnonzero((ch.term == term) & (ch.area < 0))[0]], (idx.size, 1))
        day = s.day[idx]
    else:
        chan = np.zeros(len(AREAS), dtype=np.int64)
        for c in np.flatnonzero((ch.term == term) & (ch.area >= 0)):
            chan[ch.area[c]] = c
        on, day = ch.onset[chan[s.rows.area[idx]]], s.day[s.rows.t[idx]]
    h = (ctx.world.export - ctx.world.start).days - day + 1.0
    typical = np.clip((h - on[:, 1]) / (on[:, 2] - on[:, 1] + 0.999), 0, 1)
    full = np.clip((h - on[:, 0]) / (on[:, 3] - on[:, 0] + 0.999), 0, 1)
    return 0.8 * typical + 0.2 * full


def _apply(ctx: Context, term: str, idx: np.ndarray, session: bool, mult: np.ndarray | float) -> tuple[float, float]:
    """Scale the term's rate over the affected rows or treatments; returns (expected events at baseline that would
    be reported by the export date, realised rate ratio)."""
    base, _ = _term_base(ctx, term)
    p = base[idx]
    if session:
        ctx.effects.scale_sessions(term, idx, mult)
    else:
        ctx.effects.scale_rows(term, idx, mult)
    return float((p * _observable(ctx, term, idx, session)).sum()), realised_ratio(p, mult)


def _injector_area_candidates(ctx: Context, pairs: list[tuple[int, str]]) -> list[tuple[int, int, str, float]]:
    """Return (injector, area, term, expected) for every free injector and each (area, term) pair."""
    rows, inj = ctx.s.rows, ctx.s.inj[ctx.s.rows.t]
    free = ctx.free_injectors()
    out: list[tuple[int, int, str, float]] = []
    for a, term in pairs:
        if ("injector_term", str(a), term) in ctx.used:
            continue
        base = ctx.base.row_base(term)
        sel = rows.area == a
        e = np.bincount(inj[sel], weights=base[sel], minlength=ctx.world.injectors.n)
        out.extend((int(i), a, term, float(e[i])) for i in free)
    return out


def _closeness(expected: np.ndarray, target: float) -> np.ndarray:
    """Return how near each candidate's expected count is to the target (0 for one too small to plant)."""
    near = np.exp(-np.log(np.maximum(expected, 1e-9) / target) ** 2 / (2 * 0.35 ** 2))
    return np.where(expected >= MIN_EXPECTED, near, 0.0)


def _choose(ctx: Context, cands: list, target: float) -> tuple | None:
    """Pick a candidate (its last item is the expected count): first a group (all items but the first and the
    last, e.g. area x term) uniformly among those with a candidate near the target, then one inside it."""
    if not cands:
        return None
    w = _closeness(np.array([c[-1] for c in cands], dtype=float), target)
    if not (w > 0).any():
        return None
    groups: dict[tuple, list[int]] = {}
    for k, c in enumerate(cands):
        groups.setdefault(tuple(c[1:-1]), []).append(k)
    good = [g for g, idx in groups.items() if w[idx].max() > 0.3] or [g for g, idx in groups.items() if w[idx].max() > 0]
    members = np.array(groups[good[int(ctx.rng.integers(len(good)))]])
    return cands[int(ctx.rng.choice(members, p=w[members] / w[members].sum()))]


def _placement(ctx: Context, target: float, rr: float) -> Problem | None:
    pairs = [(AREAS.index(a), t) for a, ts in ctx.ref.placement.items() for t in ts]
    got = _choose(ctx, _injector_area_candidates(ctx, pairs), target)
    if got is None:
        return None
    i, a, term, _ = got
    idx = np.flatnonzero((ctx.s.inj[ctx.s.rows.t] == i) & (ctx.s.rows.area == a))
    rr = _cap(rr, ctx.base.row_base(term)[idx])
    e, ratio = _apply(ctx, term, idx, False, rr)
    ctx.excluded_injectors.add(i)
    ctx.used.add(("injector_term", str(a), term))
    return Problem("placement", term, ratio, e, injector=ctx.world.injectors.names[i], area=AREAS[a],
                   detail=PLACEMENT_DETAIL.get((AREAS[a], term), f"{AREAS[a]} injected too deep") + ", usual doses")


def _dose_response(ctx: Context, idx: np.ndarray, k: np.ndarray, term: str, rr: float) -> np.ndarray:
    """Return per-row multipliers that grow with the dose multiple k and average rr (baseline-weighted)."""
    p = ctx.base.row_base(term)[idx]
    kbar = float((p * k).sum() / p.sum()) if p.sum() > 0 else float(k.mean())
    return 1.0 + (rr - 1.0) * np.clip(k - 1.0, 0, None) / max(kbar - 1.0, 1e-6)


def _overdose(ctx: Context, target: float, rr: float) -> Problem | None:
    pairs = [(AREAS.index(a), t) for a, ts in DOSE_TERMS.items() for t in ts]
    got = _choose(ctx, _injector_area_candidates(ctx, pairs), target)
    if got is None:
        return None
    i, a, term, _ = got
    rows = ctx.s.rows
    idx = np.flatnonzero((ctx.s.inj[rows.t] == i) & (rows.area == a))
    prod = ctx.s.product[rows.t[idx]]
    k0 = ctx.rng.uniform(1.8, 3.0)
    old = rows.units[idx]
    floor = ctx.ref.usual_hi[a, prod] * ctx.rng.uniform(1.05, 1.3, idx.size)
    new = round_units(np.maximum(old * k0 * ctx.rng.lognormal(0, 0.12, idx.size), floor), prod)
    rows.units[idx] = new
    rr = _cap(rr, ctx.base.row_base(term)[idx])
    e, ratio = _apply(ctx, term, idx, False, _dose_response(ctx, idx, new / old, term, rr))
    ctx.excluded_injectors.add(i)
    ctx.used.add(("injector_term", str(a), term))
    return Problem("dosing", term, ratio, e, injector=ctx.world.injectors.names[i], area=AREAS[a],
                   detail=f"overdosing {AREAS[a]}: about {k0:.1f}x the usual dose, above the usual range")


def _conversion_candidates(ctx: Context) -> list[tuple[int, int, int, str, float]]:
    """Return (injector, product, main area, term, expected) for Dysport numbers given with a BOTOX-like product."""
    rows, s = ctx.s.rows, ctx.s
    out: list[tuple[int, int, int, str, float]] = []
    for code in BOTOX_LIKE:
        p = PRODUCTS.index(code)
        for a, terms in DOSE_TERMS.items():
            for term in terms:
                base = ctx.base.row_base(term)
                sel = (s.product[rows.t] == p) & (base > 0)
                e = np.bincount(s.inj[rows.t][sel], weights=base[sel], minlength=ctx.world.injectors.n)
                out.extend((int(i), p, AREAS.index(a), term, float(e[i])) for i in ctx.free_injectors())
    return out


def _conversion(ctx: Context, target: float, rr: float) -> Problem | None:
    got = _choose(ctx, _conversion_candidates(ctx), target)
    if got is None:
        return None
    i, p, a, term, _ = got
    rows, s = ctx.s.rows, ctx.s
    dosed = np.flatnonzero((s.inj[rows.t] == i) & (s.product[rows.t] == p))
    rows.units[dosed] = round_units(rows.units[dosed] * 2.5, s.product[rows.t[dosed]])
    idx = dosed[ctx.base.row_base(term)[dosed] > 0]
    rr = _cap(rr, ctx.base.row_base(term)[idx])
    e, ratio = _apply(ctx, term, idx, False, rr)
    ctx.excluded_injectors.add(i)
    return Problem("dosing", term, ratio, e, injector=ctx.world.injectors.names[i], area=AREAS[a],
                   product=PRODUCTS[p], detail=f"unit conversion: Dysport units on {PRODUCTS[p]} (about 2.5x)")


def _reverse(ctx: Context, target: float, rr: float) -> Problem | None:
    s, rows = ctx.s, ctx.s.rows
    abo = PRODUCTS.index("abo")
    base = ctx.base.session_base("drug_ineffective")
    e = np.bincount(s.inj[s.product == abo], weights=base[s.product == abo], minlength=ctx.world.injectors.n)
    free = ctx.free_injectors()
    if ("dosing_reverse",) in ctx.used or not free.size:
        return None
    k = _pick(ctx.rng, e[free], target)
    if k < 0:
        return None
    i = int(free[k])
    dosed = np.flatnonzero((s.inj[rows.t] == i) & (s.product[rows.t] == abo))
    rows.units[dosed] = round_units(rows.units[dosed] / 2.5, s.product[rows.t[dosed]])
    main = int(np.bincount(rows.area[dosed], minlength=len(AREAS)).argmax())
    idx = np.flatnonzero((s.inj == i) & (s.product == abo))
    e_i, ratio = _apply(ctx, "drug_ineffective", idx, True, _cap(rr, base[idx]))
    ctx.excluded_injectors.add(i)
    ctx.used.add(("dosing_reverse",))
    return Problem("dosing", "drug_ineffective", ratio, e_i, injector=ctx.world.injectors.names[i],
                   area=AREAS[main], product="abo", detail="unit conversion: BOTOX units on Dysport (under-dosing)")


def _dosing(ctx: Context, target: float, rr: float) -> Problem | None:
    u = ctx.rng.random()
    order: list[Callable[[Context, float, float], Problem | None]]
    order = [_overdose, _conversion, _reverse] if u < 0.6 else (
        [_conversion, _overdose, _reverse] if u < 0.85 else [_reverse, _overdose, _conversion])
    for fn in order:
        got = fn(ctx, target, rr)
        if got is not None:
            return got
    return None


def _lot(ctx: Context, target: float, rr: float) -> Problem | None:
    term, detail = LOT_VARIANTS[int(ctx.rng.integers(len(LOT_VARIANTS)))]
    base, session = _term_base(ctx, term)
    s = ctx.s
    lot = s.lot if session else s.lot[s.rows.t]
    n_lots = len(s.lots.names)
    e = np.bincount(np.where(lot < 0, n_lots, lot), weights=base, minlength=n_lots + 1)[:n_lots]
    size = np.bincount(s.lot[s.lot >= 0], minlength=n_lots)
    ok = ~s.lots.tiny & (size >= 30) & ~np.isin(np.arange(n_lots), list(ctx.excluded_lots))
    k = _pick(ctx.rng, np.where(ok, e, 0.0), target)
    if k < 0:
        return None
    idx = np.flatnonzero(lot == k)
    e_k, ratio = _apply(ctx, term, idx, session, _cap(rr, base[idx]))
    ctx.excluded_lots.add(k)
    return Problem("product_lot", term, ratio, e_k, product=PRODUCTS[int(s.lots.product[k])],
                   lot=s.lots.names[k], detail=detail)


def _windows(ctx: Context, per_day: np.ndarray, target: float) -> tuple[int, int] | None:
    """Pick a 5-30 day window whose expected count is near the target (start, end day inclusive)."""
    days = per_day.size
    lo, hi = 30, days - 60
    if hi - lo < 31:
        return None
    cum = np.r_[0.0, np.cumsum(per_day)]
    start = ctx.rng.integers(lo, hi - 30, 200)
    length = ctx.rng.integers(5, 31, 200)
    e = cum[start + length] - cum[start]
    k = _pick(ctx.rng, e, target)
    return (int(start[k]), int(start[k] + length[k] - 1)) if k >= 0 else None


def _time_cluster(ctx: Context, target: float, rr: float) -> Problem | None:
    term, site_only, detail = TIME_VARIANTS[int(ctx.rng.integers(len(TIME_VARIANTS)))]
    s, world = ctx.s, ctx.world
    base, session = _term_base(ctx, term)
    per_t = base if session else np.bincount(s.rows.t, weights=base, minlength=s.n)
    scopes = list(range(world.sites.n)) + ([] if site_only or world.sites.n == 1 else [-1])
    scope = scopes[int(ctx.rng.integers(len(scopes)))]
    in_scope = np.ones(s.n, dtype=bool) if scope < 0 else s.site == scope
    per_day = np.bincount(s.day[in_scope], weights=per_t[in_scope], minlength=world.days)
    win = _windows(ctx, per_day, target)
    if win is None or ("time", term, str(scope)) in ctx.used:
        return None
    t_idx = np.flatnonzero(in_scope & (s.day >= win[0]) & (s.day <= win[1]))
    idx = t_idx if session else np.flatnonzero(np.isin(s.rows.t, t_idx))
    e, ratio = _apply(ctx, term, idx, session, _cap(rr, base[idx]))
    ctx.used.add(("time", term, str(scope)))
    return Problem("time_cluster", term, ratio, e, clinic=None if scope < 0 else world.sites.names[scope],
                   window_start=world.day(win[0]), window_end=world.day(win[1]), detail=detail)


def _factor_candidates(ctx: Context) -> list[tuple[int, int, str, float]]:
    s = ctx.s
    have = set(ctx.base.term.tolist())
    out = []
    for f, name in enumerate(RISK_FACTORS):
        on = s.factor[:, f] & s.recorded[:, f]
        for term in ctx.ref.related.get(name, ()):
            if term not in have or ("factor", name, term) in ctx.used:
                continue
            base, session = _term_base(ctx, term)
            e = base[on].sum() if session else base[on[s.rows.t]].sum()
            out.append((0, f, term, float(e)))
    return out


def _patient_factor(ctx: Context, target: float, rr: float) -> Problem | None:
    got = _choose(ctx, _factor_candidates(ctx), target)
    if got is None:
        return None
    _, f, term, _ = got
    s = ctx.s
    on = s.factor[:, f] & s.recorded[:, f]
    base, session = _term_base(ctx, term)
    idx = np.flatnonzero(on if session else on[s.rows.t])
    e, ratio = _apply(ctx, term, idx, session, _cap(rr, base[idx]))
    ctx.used.add(("factor", RISK_FACTORS[f], term))
    return Problem("patient_factor", term, ratio, e, factor=RISK_FACTORS[f],
                   detail=f"{RISK_FACTORS[f]} (recorded true) raises {term}")


PLANTERS: dict[str, Callable[[Context, float, float], Problem | None]] = {
    "placement": _placement, "dosing": _dosing, "product_lot": _lot, "time_cluster": _time_cluster,
    "patient_factor": _patient_factor}


def plant(ctx: Context, count: int) -> list[Problem]:
    """Plant `count` problems of random kinds, sizes (target 3-60 expected events) and rate ratios (1.5-6)."""
    out: list[Problem] = []
    tries = 0
    while len(out) < count and tries < 10 * count + 10:
        tries += 1
        kind = KINDS[int(ctx.rng.integers(len(KINDS)))]
        target = float(np.exp(ctx.rng.uniform(np.log(3), np.log(60))))
        rr = float(np.exp(ctx.rng.uniform(np.log(1.5), np.log(6))))
        got = PLANTERS[kind](ctx, target, rr)
        if got is not None:
            out.append(got)
    return out
