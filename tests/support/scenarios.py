"""Random clinic scenarios for calibrating the signal engine, independent of the product's demo generator.

generate_scenario(seed, treatments, planted=...) draws a whole clinic chain (sites, injectors, products, lots,
patients, risk factors, areas, doses and events from the reference rates) and, when planted, 1-6 problems of
random kind and size, returned as spec section 1 frames with the truth (problems, look-alikes, world)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dashboard.core.config import AREAS, PRODUCTS, RISK_FACTORS
from tests.support.scenario_events import Baseline, Drawn, Effects, baseline, draw
from tests.support.scenario_frames import injections_frame, treatment_ids, treatments_frame
from tests.support.scenario_problems import Context, Problem, plant
from tests.support.scenario_reference import Reference, reference
from tests.support.scenario_report import events_frame
from tests.support.scenario_sessions import Sessions, draw_sessions
from tests.support.scenario_world import World, draw_world

RARE_EXAMPLES = ("smile_asymmetry", "diplopia", "dysphagia")


@dataclass(frozen=True)
class Lookalike:
    """Something that looks unusual but has nothing wrong with it (a signal on it is a false alarm)."""

    kind: str  # 'specialist' | 'newcomer' | 'small_lot' | 'rare_term' | 'high_volume' | 'leaver' | 'new_site'
    injector: str | None = None
    lot: str | None = None
    term: str | None = None
    area: str | None = None
    note: str = ""


@dataclass
class Scenario:
    """A generated clinic: the frames to import and the truth behind them."""

    seed: int
    planted: bool
    treatments: int
    frames: dict[str, pd.DataFrame]
    problems: list[Problem]
    lookalikes: list[Lookalike]
    description: dict


@dataclass
class _Looks:
    items: list[Lookalike]
    injectors: set[int]
    lots: set[int]
    extra: Drawn


def _injector_looks(world: World, s: Sessions) -> tuple[list[Lookalike], set[int]]:
    inj = world.injectors
    count = np.bincount(s.inj, minlength=inj.n)
    out: list[Lookalike] = []
    for i in range(inj.n):
        if inj.specialist[i] and count[i]:
            out.append(Lookalike("specialist", injector=inj.names[i], area=inj.specialist[i][0],
                                 note=f"only {', '.join(inj.specialist[i])}; {count[i]} treatments"))
        if inj.newcomer[i] and count[i]:
            out.append(Lookalike("newcomer", injector=inj.names[i],
                                 note=f"starts {world.day(int(inj.start_day[i]))}; {count[i]} treatments"))
        if inj.leaver[i] and count[i]:
            out.append(Lookalike("leaver", injector=inj.names[i], note=f"left {world.day(int(inj.end_day[i]))}"))
    top = int(count.argmax())
    out.append(Lookalike("high_volume", injector=inj.names[top], note=f"{count[top] / s.n:.0%} of treatments"))
    excluded = {i for i in range(inj.n) if inj.specialist[i] or inj.newcomer[i] or inj.leaver[i]} | {top}
    return out, excluded


def _newcomer_ptosis(rng: np.random.Generator, world: World, ref: Reference, s: Sessions,
                     items: list[Lookalike]) -> Drawn:
    """Maybe give one newcomer a single eyelid ptosis (nothing wrong: one event among few treatments)."""
    ch = ref.channels
    rows = s.rows
    for k, look in enumerate(items):
        if look.kind != "newcomer" or rng.random() < 0.5:
            continue
        i = world.injectors.names.index(str(look.injector))
        for area in ("glabella", "forehead"):
            a = AREAS.index(area)
            cand = np.flatnonzero((s.inj[rows.t] == i) & (rows.area == a))
            c = np.flatnonzero((ch.area == a) & (ch.term == "eyelid_ptosis"))
            if cand.size and c.size:
                r = int(rng.choice(cand))
                items[k] = Lookalike("newcomer", injector=look.injector, area=area,
                                     note=look.note + "; one eyelid ptosis")
                return Drawn(t=np.array([rows.t[r]]), row=np.array([r]), channel=c[:1])
    return Drawn(t=np.empty(0, np.int64), row=np.empty(0, np.int64), channel=np.empty(0, np.int64))


def _lot_looks(world: World, s: Sessions) -> tuple[list[Lookalike], set[int]]:
    size = np.bincount(s.lot[s.lot >= 0], minlength=len(s.lots.names))
    out, lots = [], set()
    for k in np.flatnonzero(s.lots.tiny & (size > 0)):
        out.append(Lookalike("small_lot", lot=s.lots.names[k],
                             note=f"{size[k]} treatments of {PRODUCTS[int(s.lots.product[k])]}"))
        lots.add(int(k))
    for site in np.flatnonzero(world.sites.open_day > 0):
        out.append(Lookalike("new_site", note=f"{world.sites.names[site]} opened "
                                              f"{world.day(int(world.sites.open_day[site]))}"))
    return out, lots


def _rare_terms(rng: np.random.Generator, base: Baseline, s: Sessions, skip: set[str]) -> list[Lookalike]:
    """Return 1-4 terms with about 5-50 expected events in the whole clinic (none of them planted)."""
    terms = sorted(set(base.term.tolist()) - skip)
    total = np.array([base.total(t) for t in terms])
    ok = np.flatnonzero((total >= 5) & (total <= 50))
    if not ok.size:
        ok = np.array([int(np.argmin(np.abs(np.log(np.maximum(total, 1e-6) / 16))))])
    named = [k for k in ok if terms[k] in RARE_EXAMPLES]
    rest = [int(k) for k in rng.permutation(ok) if k not in named]
    out = []
    for k in (named + rest)[: int(rng.integers(1, 5))]:
        term = terms[int(k)]
        area = None
        if not base.is_session(term):
            per = np.bincount(s.rows.area, weights=base.row_base(term), minlength=len(AREAS))
            area = AREAS[int(per.argmax())]
        out.append(Lookalike("rare_term", term=term, area=area, note=f"{total[k]:.1f} expected in the clinic"))
    return out


def _looks(rng: np.random.Generator, world: World, ref: Reference, s: Sessions) -> _Looks:
    items, injectors = _injector_looks(world, s)
    extra = _newcomer_ptosis(rng, world, ref, s, items)
    lot_items, lots = _lot_looks(world, s)
    return _Looks(items=items + lot_items, injectors=injectors, lots=lots, extra=extra)


def _describe(world: World, s: Sessions, seed: int) -> dict:
    """Return the drawn world parameters (plain data, for debugging)."""
    sites, inj = world.sites, world.injectors
    count = np.bincount(s.inj, minlength=inj.n)
    return {
        "seed": seed, "period": [str(world.start), str(world.day(world.days - 1))], "export": str(world.export),
        **world.info, "dose_out_share": round(world.dose_out_share, 3), "male_dose": round(world.male_dose, 2),
        "products": [PRODUCTS[p] for p in world.products], "lots": len(s.lots.names),
        "patients": int(s.patient.max()) + 1,
        "sites": [{"name": sites.names[k], "code": sites.codes[k], "share": round(float(sites.share[k]), 3),
                   "opened": str(world.day(int(sites.open_day[k]))),
                   "completeness": round(float(sites.completeness[k].mean()), 3),
                   "area_recorded": round(float(sites.area_recorded[k]), 2),
                   "products": {PRODUCTS[p]: round(float(sites.products[k, p]), 3) for p in world.products},
                   "prevalence": {f: round(float(sites.prevalence[k, j]), 4) for j, f in enumerate(RISK_FACTORS)},
                   "recorded": {f: round(float(sites.recorded[k, j]), 2) for j, f in enumerate(RISK_FACTORS)}}
                  for k in range(sites.n)],
        "injectors": [{"name": inj.names[i], "home": sites.names[int(inj.home[i])], "treatments": int(count[i]),
                       "start": str(world.day(int(inj.start_day[i]))), "end": str(world.day(int(inj.end_day[i]))),
                       "part_time": bool(inj.part_time[i]), "specialist": list(inj.specialist[i]),
                       "newcomer": bool(inj.newcomer[i]), "leaver": bool(inj.leaver[i]),
                       "rate_mult": round(float(np.exp(np.log(inj.rate_mult[i]).mean())), 3)}
                      for i in range(inj.n)],
    }


def _problem_count(rng: np.random.Generator, planted: bool, problems: int | None) -> int:
    if problems is not None and problems < 0:
        raise ValueError("problems must be 0 or more")
    if not planted:
        if problems:
            raise ValueError("a null clinic (planted=False) has no problems")
        return 0
    return int(rng.integers(1, 7)) if problems is None else int(problems)


def _merge(a: Drawn, b: Drawn) -> Drawn:
    return Drawn(t=np.r_[a.t, b.t], row=np.r_[a.row, b.row], channel=np.r_[a.channel, b.channel])


def generate_scenario(seed: int, treatments: int, *, planted: bool, problems: int | None = None) -> Scenario:
    """Same seed and arguments -> identical frames. problems=None: draw 1-6 when planted."""
    if treatments < 50:
        raise ValueError("treatments must be at least 50")
    streams = [np.random.default_rng(x) for x in np.random.SeedSequence(seed).spawn(6)]
    count = _problem_count(streams[2], planted, problems)
    ref = reference()
    ch = ref.channels
    world = draw_world(streams[0], treatments, (ch.p, ch.p_lo, ch.p_hi), len(ref.terms))
    s = draw_sessions(streams[1], world, ref, treatments)
    base = baseline(world, ref, s)
    looks = _looks(streams[3], world, ref, s)
    ctx = Context(streams[2], world, ref, s, base, Effects(s.rows.t.size, s.n), set(looks.injectors),
                  set(looks.lots))
    found = plant(ctx, count)
    rare = _rare_terms(streams[3], base, s, {p.term for p in found})
    drawn = _merge(draw(streams[4], base, ctx.effects, s.rows.t), looks.extra)
    ids = treatment_ids(world, s)
    rng = streams[5]
    frames = {"treatments": treatments_frame(rng, world, s, ids),
              "injections": injections_frame(rng, world, ref, s, ids),
              "events": events_frame(rng, world, ref, s, drawn, ids)}
    return Scenario(seed=seed, planted=planted, treatments=treatments, frames=frames,
                    problems=[replace(p, rate_ratio=round(float(p.rate_ratio), 4),
                                      expected_events=round(float(p.expected_events), 4)) for p in found], lookalikes=looks.items + rare,
                    description=_describe(world, s, seed))
