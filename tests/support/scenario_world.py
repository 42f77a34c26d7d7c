"""The drawn world of one scenario: period, sites, injectors, products and the clinic's habits (no sessions yet)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from dashboard.core.config import AREAS, PRODUCTS, RISK_FACTORS

LAST_END = date(2026, 11, 29)  # the period ends on or before this day
LATEST_EXPORT = date(2026, 12, 2)  # nothing in a data set is later than this
SPECIALIST_SETS: tuple[tuple[str, ...], ...] = (
    ("masseter", "lateral_canthal"), ("masseter",), ("axillary_hyperhidrosis",), ("perioral", "mentalis"),
    ("perioral", "dao", "mentalis"), ("masseter", "platysma"), ("gummy_smile", "perioral"), ("platysma", "dao"),
)
# Share of treatments that include each area in a typical site (varied per site and injector).
AREA_BASE = np.array([0.72, 0.42, 0.45, 0.07, 0.03, 0.05, 0.06, 0.05, 0.08, 0.03, 0.025])
ML_PER_100U = {"ona": (1.0, 2.0, 2.5, 4.0), "inco": (1.0, 2.0, 2.5, 4.0), "prabot": (1.0, 2.5, 4.0),
               "leti": (1.25, 2.5, 4.0), "abo": (0.5, 0.83, 1.0), "daxi": (1.2, 1.8)}
# prevalence range of each risk factor (true share of treatments)
PREVALENCE = {"alcohol_48h": (0.02, 0.25), "anticoagulant": (0.02, 0.15), "interacting_medication": (0.005, 0.05),
              "prior_toxin_90d": (0.005, 0.08), "allergy_history": (0.05, 0.4), "allergy_test_done": (0.002, 0.1),
              "neuromuscular_disorder": (0.002, 0.006), "pregnant_or_breastfeeding": (0.002, 0.01),
              "skin_infection_at_site": (0.002, 0.01), "aftercare_lay_down_4h": (0.01, 0.12),
              "aftercare_heat_or_exercise": (0.02, 0.3)}
PLACES = ("Larch", "Quayside", "Fenwick", "Marlow", "Ashby", "Copper Beech", "Saltmarsh", "Kingsbridge", "Orchard",
          "Thornbury", "Westcliff", "Bramley", "Highfield", "Linden", "Carrow", "Mill Lane", "Pembury", "Redfern",
          "Hollis", "Stanmore", "Wrenfield", "Alder Court", "Greyfriars", "Moorgate", "Clover Hill")
KINDS = ("Aesthetics", "Skin Studio", "Medical Aesthetics", "Face Clinic", "Dermatology", "Laser & Skin",
         "Cosmetic Clinic", "Skin Rooms", "Injectables")
FIRST = ("Amara", "Bea", "Callum", "Dana", "Eitan", "Farah", "Greta", "Hugo", "Imke", "Jonah", "Kiri", "Lior",
         "Mina", "Niamh", "Odile", "Pavel", "Quinn", "Rosa", "Sanjay", "Tove", "Ulla", "Vik", "Wren", "Xavi",
         "Yara", "Zofia", "Anouk", "Bram", "Cleo", "Dev", "Esme", "Finn", "Gita", "Hana", "Ilse", "Jarek", "Kaia",
         "Luca", "Maud", "Nico")
LAST = ("Okafor", "Lindqvist", "Moreau", "Tanaka", "Brennan", "Haddad", "Kowalski", "Nguyen", "Ferreira", "Osei",
        "Rahman", "Castell", "Duvall", "Eriksen", "Fontaine", "Galloway", "Holm", "Iqbal", "Jansen", "Kerr",
        "Lowe", "Mistry", "Novak", "Oduya", "Petrakis", "Quintero", "Rossi", "Sato", "Thorne", "Varga")
TITLES = ("Dr", "Dr", "Nurse", "NP", "Dr", "Nurse Prescriber")


@dataclass
class Sites:
    """Per-site arrays (index = site)."""

    names: list[str]
    codes: list[str]
    share: np.ndarray
    open_day: np.ndarray  # first day (index into the period) the site treats
    weekdays: np.ndarray  # sites x 7 weight (Mon..Sun)
    area_p: np.ndarray  # sites x areas inclusion probability
    female: np.ndarray
    products: np.ndarray  # sites x products share
    prevalence: np.ndarray  # sites x factors
    recorded: np.ndarray  # sites x factors: share of treatments with the factor filled in
    completeness: np.ndarray  # sites x terms reporting completeness
    area_recorded: np.ndarray  # share of area-linked events recorded with their area
    split_sides: np.ndarray  # share of bilateral areas recorded as L and R rows
    central_code: np.ndarray  # 0 = leave side empty, 1 = 'C', 2 = 'B' for midline areas
    depth_recorded: np.ndarray
    points_recorded: np.ndarray
    volume_recorded: np.ndarray
    vial_recorded: np.ndarray
    lot_missing: np.ndarray
    sex_missing: np.ndarray
    birth_missing: np.ndarray
    onset_date_only: np.ndarray
    returning: np.ndarray  # share of visits by a returning patient
    ml_per_100u: np.ndarray  # sites x products dilution habit

    @property
    def n(self) -> int:
        """Number of sites."""
        return len(self.names)


@dataclass
class Injectors:
    """Per-injector arrays (index = injector)."""

    names: list[str]
    home: np.ndarray
    second: np.ndarray  # a second site (-1 = none)
    share: np.ndarray
    start_day: np.ndarray
    end_day: np.ndarray
    weekdays: np.ndarray  # injectors x 7 (0/1)
    area_tilt: np.ndarray  # injectors x areas multiplier on the site's inclusion probability
    spec_p: np.ndarray  # injectors x areas inclusion probability of a specialist (NaN rows for the others)
    specialist: list[tuple[str, ...]]  # areas of a specialist, () otherwise
    product_pref: np.ndarray  # injectors x products multiplier
    dose_style: np.ndarray  # injectors x areas log multiplier on the dose
    rate_mult: np.ndarray  # injectors x areas event-rate multiplier (noise, not a problem)
    session_mult: np.ndarray  # per injector, on session-level terms
    experience_excess: np.ndarray  # extra rate at an injector's first treatments
    experience_offset: np.ndarray  # treatments done before the period
    newcomer: np.ndarray  # bool
    leaver: np.ndarray  # bool
    part_time: np.ndarray  # bool

    @property
    def n(self) -> int:
        """Number of injectors."""
        return len(self.names)


@dataclass
class World:
    """The drawn clinic world."""

    start: date
    days: int
    export: date
    sites: Sites
    injectors: Injectors
    products: np.ndarray  # indices into PRODUCTS in use
    day_weight: np.ndarray  # per day relative volume (growth x season x closures)
    p_world: np.ndarray  # per channel: this world's true baseline rate
    dose_out_share: float
    dose_sd_extra: float
    male_dose: float
    info: dict = field(default_factory=dict)

    def day(self, i: int) -> date:
        """Return the date of period day i."""
        return self.start + timedelta(days=int(i))


def _names(rng: np.random.Generator, n: int) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        name = f"{rng.choice(TITLES)} {rng.choice(FIRST)} {rng.choice(LAST)}"
        if name.split(" ", 1)[-1] not in {o.split(" ", 1)[-1] for o in out}:
            out.append(name)
    return out


def _site_names(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    places = rng.choice(len(PLACES), size=n, replace=False)
    names = [f"{PLACES[i]} {rng.choice(KINDS)}" for i in places]
    codes = ["".join(w[0] for w in PLACES[i].split())[:2].upper() + PLACES[i][-1].upper() + str(k)
             for k, i in enumerate(places)]
    return names, codes


def _period(rng: np.random.Generator) -> tuple[date, int, date]:
    end = LAST_END - timedelta(days=int(rng.integers(0, 150)))
    days = int(rng.integers(365, 3 * 365 + 1))
    export = min(end + timedelta(days=int(rng.integers(2, 40))), LATEST_EXPORT)
    return end - timedelta(days=days - 1), days, export


def _day_weight(rng: np.random.Generator, start: date, days: int) -> tuple[np.ndarray, dict]:
    t = np.arange(days)
    growth = rng.uniform(-0.15, 0.6)
    amp = rng.uniform(0.0, 0.3)
    peak = rng.uniform(0, 365)
    doy = (np.datetime64(start) + t - np.datetime64(start).astype("datetime64[Y]")).astype(np.int64) % 365
    w = np.exp(np.log1p(growth) * t / 365.0) * (1 + amp * np.cos(2 * np.pi * (doy - peak) / 365.0))
    dates = np.datetime64(start) + t
    md = (dates - dates.astype("datetime64[Y]")).astype(np.int64)
    w[(md >= 357) | (md <= 0)] *= 0.05  # the Christmas week is nearly closed
    w *= rng.gamma(25.0, 1 / 25.0, size=days)
    return w, {"growth_per_year": round(growth, 3), "season_amplitude": round(amp, 3), "season_peak_doy": int(peak)}


def _sites(rng: np.random.Generator, days: int, products: np.ndarray, n_terms: int) -> Sites:
    n = int(rng.choice([1, 2, 3, 4], p=[0.3, 0.3, 0.25, 0.15]))
    names, codes = _site_names(rng, n)
    share = rng.dirichlet(np.full(n, 3.0))
    open_day = np.zeros(n, dtype=np.int64)
    if n > 1 and rng.random() < 0.4:  # a site that opened during the period
        open_day[int(rng.integers(1, n))] = int(rng.integers(days // 6, days // 2))
    weekdays = np.ones((n, 7))
    weekdays[:, 5] = rng.choice([0.0, 0.4, 0.8, 1.0], size=n)
    weekdays[:, 6] = rng.choice([0.0, 0.0, 0.0, 0.3], size=n)
    weekdays[:, 0] *= rng.choice([0.0, 1.0, 1.0, 1.0], size=n)
    sd = np.where(AREA_BASE > 0.2, 0.25, 0.7)
    area_p = np.clip(AREA_BASE * np.exp(rng.normal(0, 1, (n, len(AREAS))) * sd), 0.002, 0.92)
    prod = np.zeros((n, len(PRODUCTS)))
    base = rng.dirichlet(np.full(products.size, 1.2))
    for s in range(n):
        prod[s, products] = rng.dirichlet(base * 20 + 0.2)
    lo = np.array([PREVALENCE[f][0] for f in RISK_FACTORS])
    hi = np.array([PREVALENCE[f][1] for f in RISK_FACTORS])
    prevalence = np.exp(rng.uniform(np.log(lo), np.log(hi), (n, len(RISK_FACTORS))))
    recorded = np.where(rng.random((n, len(RISK_FACTORS))) < 0.15, 0.0, rng.uniform(0.5, 1.0, (n, len(RISK_FACTORS))))
    site_c = rng.uniform(0.3, 1.0, n)
    completeness = np.clip(site_c[:, None] * np.exp(rng.normal(0, 0.2, (n, n_terms))), 0.15, 1.0)
    ml = np.zeros((n, len(PRODUCTS)))
    for k, code in enumerate(PRODUCTS):
        ml[:, k] = rng.choice(ML_PER_100U[code], size=n)
    return Sites(
        names=names, codes=codes, share=share, open_day=open_day, weekdays=weekdays, area_p=area_p,
        female=rng.uniform(0.78, 0.96, n), products=prod, prevalence=prevalence, recorded=recorded,
        completeness=completeness, area_recorded=np.where(rng.random(n) < 0.15, 0.0, rng.uniform(0.3, 1.0, n)), split_sides=np.where(rng.random(n) < 0.35, rng.uniform(0.3, 1.0, n), 0.0),
        central_code=rng.integers(0, 3, n), depth_recorded=np.where(rng.random(n) < 0.5, rng.uniform(0.5, 1, n), 0),
        points_recorded=rng.uniform(0.6, 1.0, n), volume_recorded=rng.uniform(0.5, 1.0, n),
        vial_recorded=np.where(rng.random(n) < 0.2, 0.0, rng.uniform(0.7, 1.0, n)),
        lot_missing=rng.uniform(0.0, 0.08, n), sex_missing=rng.uniform(0.0, 0.05, n),
        birth_missing=rng.uniform(0.0, 0.1, n), onset_date_only=rng.choice([0.0, 0.3, 1.0], size=n),
        returning=rng.uniform(0.35, 0.75, n), ml_per_100u=ml)


def _injector_count(rng: np.random.Generator, treatments: int) -> int:
    cap = int(np.clip(treatments / 120, 5, 40))
    return int(np.clip(round(np.exp(rng.uniform(np.log(5), np.log(40)))), 5, cap))


def _schedule(rng: np.random.Generator, n: int, days: int, sites: Sites) -> dict[str, np.ndarray]:
    home = rng.choice(sites.n, size=n, p=sites.share)
    home[: sites.n] = np.arange(sites.n)  # every site has a core injector (index = site), present throughout
    second = np.where(rng.random(n) < 0.2, rng.integers(0, sites.n, n), -1)
    second[(second == home) | (np.arange(n) < sites.n)] = -1
    start = np.zeros(n, dtype=np.int64)
    end = np.full(n, days - 1, dtype=np.int64)
    newcomer = np.zeros(n, dtype=bool)
    leaver = np.zeros(n, dtype=bool)
    late = rng.permutation(np.arange(sites.n, n))
    k_new = min(1 + int(rng.integers(0, 3)), late.size - 2)
    newcomer[late[:k_new]] = True
    start[newcomer] = (days * rng.uniform(0.65, 0.92, k_new)).astype(np.int64)
    mid = late[k_new:k_new + int(rng.integers(0, 3))]
    start[mid] = (days * rng.uniform(0.1, 0.5, mid.size)).astype(np.int64)  # joined earlier in the period
    gone = late[k_new + mid.size:k_new + mid.size + int(rng.integers(0, 3))]
    leaver[gone] = True
    end[gone] = (days * rng.uniform(0.3, 0.85, gone.size)).astype(np.int64)
    start = np.maximum(start, sites.open_day[home])
    part = rng.random(n) < 0.35
    part[: sites.n] = False
    weekdays = np.ones((n, 7))
    for i in np.flatnonzero(part):
        weekdays[i] = 0
        weekdays[i, rng.choice(7, size=int(rng.integers(1, 4)), replace=False)] = 1
    return {"home": home, "second": second, "start": start, "end": end, "newcomer": newcomer, "leaver": leaver,
            "part": part, "weekdays": weekdays}


def _specialists(rng: np.random.Generator, n: int, newcomer: np.ndarray, core: int) -> tuple[np.ndarray,
                                                                                                 list[tuple[str, ...]]]:
    """Pick 1-3 specialists: their inclusion probability per area (NaN rows for everyone else) and areas."""
    spec_p = np.full((n, len(AREAS)), np.nan)
    specialist: list[tuple[str, ...]] = [() for _ in range(n)]
    candidates = [i for i in range(core, n) if not newcomer[i]]
    k = min(len(candidates), 1 + int(rng.integers(0, 3)))
    for i in rng.choice(candidates, size=k, replace=False):
        areas = SPECIALIST_SETS[int(rng.integers(len(SPECIALIST_SETS)))]
        specialist[int(i)] = areas
        spec_p[i] = 0.0
        for a in areas:
            spec_p[i, AREAS.index(a)] = rng.uniform(0.5, 0.95)
    return spec_p, specialist


def _injectors(rng: np.random.Generator, treatments: int, days: int, sites: Sites) -> Injectors:
    n = max(_injector_count(rng, treatments), sites.n + 3)
    sch = _schedule(rng, n, days, sites)
    share = rng.lognormal(0.0, rng.uniform(0.6, 1.2), n)
    share[sch["part"]] *= 0.6
    share[sch["newcomer"]] *= 0.3
    tilt = np.exp(rng.normal(0, 0.35, (n, len(AREAS))))
    spec_p, specialist = _specialists(rng, n, sch["newcomer"], sites.n)
    spec = np.array([bool(s) for s in specialist])
    share[spec] = np.maximum(share[spec], np.median(share)) * rng.uniform(0.5, 1.5, int(spec.sum()))
    sch["part"][spec] = False
    sch["weekdays"][spec] = 1.0
    pref = np.exp(rng.normal(0, 0.5, (n, len(PRODUCTS))))
    sigma = rng.uniform(0.1, 0.2)
    overall = rng.normal(0, sigma / np.sqrt(2), n)
    rate = np.exp(overall[:, None] + rng.normal(0, sigma / np.sqrt(2), (n, len(AREAS))))
    offset = np.where(sch["start"] > 0, 0, rng.integers(300, 3000, n))
    offset[sch["newcomer"]] = 0
    return Injectors(
        names=_names(rng, n), home=sch["home"], second=sch["second"], share=share, start_day=sch["start"],
        end_day=sch["end"], weekdays=sch["weekdays"], area_tilt=tilt, spec_p=spec_p, specialist=specialist, product_pref=pref,
        dose_style=rng.normal(0, 0.07, (n, len(AREAS))), rate_mult=rate, session_mult=np.exp(overall),
        experience_excess=rng.uniform(0.0, 0.25, n), experience_offset=offset, newcomer=sch["newcomer"],
        leaver=sch["leaver"], part_time=sch["part"])


def _p_world(rng: np.random.Generator, p: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.clip(p * np.exp(rng.normal(0, 0.3, p.size)), lo, hi)


def draw_world(rng: np.random.Generator, treatments: int, channel_p: tuple[np.ndarray, np.ndarray, np.ndarray],
               n_terms: int) -> World:
    """Draw the period, sites, injectors, products and habits of one clinic chain."""
    start, days, export = _period(rng)
    weight, season = _day_weight(rng, start, days)
    products = np.sort(rng.choice(len(PRODUCTS), size=int(rng.integers(3, 7)), replace=False))
    sites = _sites(rng, days, products, n_terms)
    injectors = _injectors(rng, treatments, days, sites)
    out_share = float(rng.uniform(0.01, 0.06))
    return World(start=start, days=days, export=export, sites=sites, injectors=injectors, products=products,
                 day_weight=weight, p_world=_p_world(rng, *channel_p), dose_out_share=out_share,
                 dose_sd_extra=float(rng.uniform(0.0, 0.05)), male_dose=float(rng.uniform(1.1, 1.35)),
                 info=season)
