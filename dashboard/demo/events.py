"""Adverse events of the demo chain: baseline risks from the reference data, modifiers, planted problems,
severity, reporting, onset, outcome and the free-text fields (all vectorised over events)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dashboard.core.config import AREAS
from dashboard.core.reference_data import ReferenceTables
from dashboard.demo import catalog as cat
from dashboard.demo import planted as pl
from dashboard.demo import texts
from dashboard.demo.arrays import lookup, strings

if TYPE_CHECKING:
    from dashboard.demo.generator import Areas, Sessions

SYSTEMIC = ("headache", "influenza_like_illness", "nausea", "hypersensitivity", "anaphylactic_reaction")
# Terms with no per-area baseline in the reference: per session p, onset_d and dur_d like reference.yaml.
EXTRA_SESSION = {
    "urticaria": (0.0008, (0, 0, 1, 3), (1, 3, 10)),
    "rash": (0.0006, (0, 0, 1, 3), (1, 4, 14)),
    "dyspnoea": (0.0001, (0, 0, 1, 3), (1, 2, 7)),
    "medication_error": (0.0005, (0, 0, 0, 0.02), (0.01, 0.02, 0.05)),
    "other": (0.001, (0, 1, 7, 14), (3, 14, 30)),
    "vision_blurred": (0.0003, (1, 3, 10, 14), (7, 21, 60)),
    "injection_site_infection": (0.0002, (7, 14, 28, 60), (60, 120, 240)),
}
EXTRA_AREA = {"injection_site_pruritus": (0.004, (0, 0, 1, 2), (1, 2, 5))}
INFECTION_ONSET = (10, 16, 30, 45)  # atypical mycobacteria after contaminated saline

# Dose-response above 1.3x the usual dose (exponent) - excess effect in and around the target muscle.
DOSE_OVER = {"eyelid_ptosis": 1.3, "brow_ptosis": 1.5, "eyelid_sensory_disorder": 0.8, "skin_tightness": 0.8,
             "masticatory_weakness": 0.7, "lip_incompetence_drooling": 1.5, "neck_muscle_weakness": 2.0,
             "dysphagia": 2.0, "dysphonia": 2.0, "lip_ptosis": 1.0, "dry_eye": 1.0, "diplopia": 1.0,
             "smile_asymmetry": 0.5, "dysarthria": 1.0}
UNDER_DOSE_EXP = 2.5  # drug_ineffective x (0.8 / ratio) ** 2.5 below 0.8x the usual dose
ADJACENT = ("eyelid_ptosis", "diplopia", "smile_asymmetry", "lip_ptosis", "dry_eye", "brow_malposition")
PLACEMENT_TERMS = ("eyelid_ptosis", "brow_ptosis", "brow_malposition", "smile_asymmetry", "lip_ptosis",
                   "diplopia", "lip_incompetence_drooling")
WEAKNESS = pl.WEAKNESS
RISK_EFFECTS = pl.RISK_EFFECTS
# Grade-1 reporting probability; grade 2 is reported with >= 0.85 and grade 3+ always.
REPORT_G1 = {"injection_site_pain": 0.2, "injection_site_erythema": 0.2, "injection_site_oedema": 0.25,
             "injection_site_pruritus": 0.2, "headache": 0.3, "nausea": 0.3, "influenza_like_illness": 0.3,
             "injection_site_bruising": 0.35, "masticatory_weakness": 0.3, "drug_ineffective": 0.6,
             "eyelid_ptosis": 0.85, "brow_ptosis": 0.7, "medication_error": 0.9, "other": 0.5}
REPORT_G1_DEFAULT = 0.55

SEVERITY = {  # P(grade 1..4) by category
    "local": (0.78, 0.20, 0.02, 0.0), "weak": (0.62, 0.32, 0.06, 0.0), "weak_high": (0.35, 0.47, 0.17, 0.01),
    "systemic": (0.68, 0.27, 0.05, 0.0), "bulbar": (0.5, 0.35, 0.13, 0.02), "anaphylaxis": (0.0, 0.0, 0.7, 0.3),
    "infection": (0.15, 0.6, 0.25, 0.0), "ungraded": (1.0, 0.0, 0.0, 0.0),
}
CATEGORY = {
    **{t: "weak" for t in ("eyelid_ptosis", "brow_ptosis", "diplopia", "smile_asymmetry", "lip_ptosis",
                           "lip_incompetence_drooling", "dysarthria", "masticatory_weakness", "dry_eye",
                           "photophobia", "ectropion_or_lower_lid_laxity", "neck_muscle_weakness",
                           "vision_blurred")},
    **{t: "systemic" for t in ("headache", "influenza_like_illness", "nausea", "hypersensitivity", "urticaria",
                               "rash", "other", "dysphonia")},
    "dysphagia": "bulbar", "dyspnoea": "bulbar", "anaphylactic_reaction": "anaphylaxis",
    "injection_site_infection": "infection", "drug_ineffective": "ungraded", "medication_error": "ungraded",
}
LATERAL = ("eyelid_ptosis", "brow_ptosis", "diplopia", "smile_asymmetry", "lip_ptosis", "brow_malposition",
           "dry_eye", "ectropion_or_lower_lid_laxity", "eyelid_oedema", "paradoxical_bulging", "sunken_cheek",
           "photophobia")


@dataclass
class _Drawn:
    """Events drawn so far, block by block (one block = one term and one reference row)."""

    t: list[np.ndarray]
    area: list[np.ndarray]
    term: list[str]
    count: list[int]
    sevmin: list[int]
    onset: list[tuple[float, ...]]
    dur: list[tuple[float, ...]]
    ratio: list[np.ndarray]

    def add(self, t: np.ndarray, area: np.ndarray, ratio: np.ndarray, term: str, sevmin: int,
            onset: tuple[float, ...], dur: tuple[float, ...]) -> None:
        """Append one block of events of a single term."""
        self.t.append(t)
        self.area.append(area)
        self.ratio.append(ratio)
        self.term.append(term)
        self.count.append(t.size)
        self.sevmin.append(sevmin)
        self.onset.append(tuple(float(x) for x in onset))
        self.dur.append(tuple(float(x) for x in dur))


def _frailty(rng: np.random.Generator, terms: list[str]) -> dict[str, np.ndarray]:
    """Unexplained between-injector variation (overdispersion), lognormal sd 0.12 per injector and term."""
    n_inj = len(cat.INJECTORS)
    return {t: np.exp(rng.normal(0, 0.12, n_inj)) for t in terms}


def _experience() -> np.ndarray:
    years = np.array([inj.years for inj in cat.INJECTORS])
    return np.where(years < 2, 1.25, np.where(years < 8, 1.0, 0.9))


def _modifier(term: str, s: Sessions, t: np.ndarray, ratio: np.ndarray, vpp: np.ndarray, area: int,
              frail: dict[str, np.ndarray], exper: np.ndarray) -> np.ndarray:
    """Relative risk per row for one term: injector, dose, volume, risk factors, age, sex, planted placement."""
    inj = s.injector[t]
    m = frail[term][inj]
    if term in PLACEMENT_TERMS:
        m = m * exper[inj]
    if term in DOSE_OVER:
        over = np.maximum(ratio / 1.3, 1.0) ** DOSE_OVER[term]
        m = m * over * np.where(ratio < 1.0, np.sqrt(np.maximum(ratio, 0.05)), 1.0)
    if term == "drug_ineffective":
        m = m * np.maximum(0.8 / np.maximum(ratio, 0.05), 1.0) ** UNDER_DOSE_EXP
        m = m * np.where(s.sex[t] == 1, 1.2, 1.0)
    if term in ADJACENT:
        periorbital = AREAS[area] in ("glabella", "forehead", "lateral_canthal")
        thr = 0.1 if periorbital else 0.2
        m = m * np.clip(np.nan_to_num(vpp, nan=thr) / thr, 1.0, 2.5) ** 0.7
    for factor, effects in RISK_EFFECTS.items():
        if term in effects and s.planted:
            m = m * np.where(s.risk[factor][t], effects[term], 1.0)
    if term in ("dry_eye", "ectropion_or_lower_lid_laxity"):
        m = m * np.where(s.age[t] >= 65, 2.0, 1.0)
    if term == "brow_ptosis":
        m = m * np.where(s.age[t] >= 60, 1.3, 1.0)
    if term == "eyelid_ptosis" and AREAS[area] == "glabella":
        m = m * np.where((inj == cat.INJECTOR_INDEX["Dr Sofia Marin"]) & s.planted, pl.PLACEMENT_RR, 1.0)
    return m


def _draw(rng: np.random.Generator, s: Sessions, a: Areas, ref: ReferenceTables) -> _Drawn:
    drawn = _Drawn([], [], [], [], [], [], [], [])
    ae = ref.area_events
    terms = sorted(set(ae["term"]) | set(EXTRA_SESSION) | set(EXTRA_AREA))
    frail = _frailty(rng, terms)
    exper = _experience()
    rows_by_area = {k: np.flatnonzero(a.area == k) for k in range(len(AREAS))}
    for rec in ae.itertuples(index=False):
        if rec.term in SYSTEMIC:
            continue
        rows = rows_by_area[AREAS.index(rec.area)]
        t = a.t[rows]
        p = rec.p * _modifier(rec.term, s, t, a.ratio[rows], a.vpp[rows], AREAS.index(rec.area), frail, exper)
        hit = rng.random(rows.size) < np.minimum(p, 0.95)
        onset = (rec.onset_min, rec.onset_lo, rec.onset_hi, rec.onset_max)
        drawn.add(t[hit], a.area[rows][hit], a.ratio[rows][hit], rec.term, int(rec.severity_min), onset,
                  (rec.dur_lo, rec.dur_hi, rec.dur_max))
    for term, (p0, onset, dur) in EXTRA_AREA.items():
        p = p0 * frail[term][s.injector[a.t]]
        hit = rng.random(a.t.size) < p
        drawn.add(a.t[hit], a.area[hit], a.ratio[hit], term, 1, onset, dur)

    first_row = np.searchsorted(a.t, np.arange(s.n))  # a.t is sorted: first treated area of each session
    first_area = a.area[first_row]
    all_t = np.arange(s.n)
    mean_ratio = np.ones(s.n)
    common = ae[ae["area"] == "glabella"]
    for rec in common[common["term"].isin(SYSTEMIC)].itertuples(index=False):
        p = rec.p * _modifier(rec.term, s, all_t, mean_ratio, np.full(s.n, np.nan), 0, frail, exper)
        hit = rng.random(s.n) < p
        drawn.add(all_t[hit], np.full(int(hit.sum()), -1), mean_ratio[hit], rec.term, int(rec.severity_min),
                  (rec.onset_min, rec.onset_lo, rec.onset_hi, rec.onset_max), (rec.dur_lo, rec.dur_hi, rec.dur_max))
    for term, (p0, onset, dur) in EXTRA_SESSION.items():
        p = p0 * _modifier(term, s, all_t, mean_ratio, np.full(s.n, np.nan), 0, frail, exper)
        if term == "injection_site_infection" and s.planted:
            p = p + np.where(s.risk["skin_infection_at_site"], pl.SKIN_INFECTION_EXTRA_P, 0.0)
        hit = rng.random(s.n) < p
        area = np.where(term == "injection_site_infection", first_area[hit], -1)
        drawn.add(all_t[hit], area, mean_ratio[hit], term, 1, onset, dur)

    outbreak = ((s.clinic == cat.CLINICS.index(pl.OUTBREAK_CLINIC))
                & (s.day >= cat.day_index(pl.OUTBREAK_WINDOW[0])) & (s.day <= cat.day_index(pl.OUTBREAK_WINDOW[1])))
    hit = outbreak & (rng.random(s.n) < pl.OUTBREAK_ATTACK_RATE) & s.planted
    drawn.add(all_t[hit], first_area[hit], mean_ratio[hit], "injection_site_infection", 1, INFECTION_ONSET,
              (45, 90, 200))
    return drawn


def _new_injector_lookalike(s: Sessions, a: Areas, t: np.ndarray, ptosis: np.ndarray, keep: np.ndarray) -> tuple[int, int] | None:
    """Remove the new injector's ptosis draws and return (treatment, area) for the single planted one."""
    new = cat.INJECTOR_INDEX["Dr Noah Brennan"]
    keep &= ~((s.injector[t] == new) & ptosis)
    gl_rows = np.flatnonzero((s.injector[a.t] == new) & (a.area == AREAS.index("glabella")))
    if gl_rows.size == 0:
        return None
    row = gl_rows[min(2, gl_rows.size - 1)]
    return int(a.t[row]), int(a.area[row])


def draw_events(rng: np.random.Generator, s: Sessions, a: Areas, ref: ReferenceTables, ids: pd.Series,
                treated_at: pd.Series) -> pd.DataFrame:
    """Draw every adverse event of the demo chain and return the spec-shaped events frame."""
    vocab = list(ref.terms["code"])
    d = _draw(rng, s, a, ref)
    t = np.concatenate(d.t).astype(np.int64)
    area = np.concatenate(d.area).astype(np.int64)
    ratio = np.concatenate(d.ratio)
    term = np.repeat(np.array([vocab.index(x) for x in d.term], dtype=np.int64), d.count)
    sevmin = np.repeat(np.array(d.sevmin), d.count)
    onset_p = np.repeat(np.array(d.onset), d.count, axis=0).reshape(-1, 4)
    dur_p = np.repeat(np.array(d.dur), d.count, axis=0).reshape(-1, 3)

    ptosis = vocab.index("eyelid_ptosis")
    keep = np.ones(t.size, dtype=bool)
    extra = _new_injector_lookalike(s, a, t, term == ptosis, keep)
    forced = np.zeros(t.size, dtype=bool)
    if extra is not None:
        t = np.append(t, extra[0])
        area = np.append(area, extra[1])
        ratio = np.append(ratio, 1.0)
        term = np.append(term, ptosis)
        sevmin = np.append(sevmin, 1)
        onset_p = np.vstack([onset_p, [1, 3, 7, 14]])
        dur_p = np.vstack([dur_p, [14, 42, 90]])
        keep = np.append(keep, True)
        forced = np.append(forced, True)

    n = t.size
    # severity
    cats = list(SEVERITY)
    cat_of = np.array([cats.index(CATEGORY.get(v, "local")) for v in vocab])[term]
    cat_of = np.where((cat_of == cats.index("weak")) & (ratio > 1.8), cats.index("weak_high"), cat_of)
    probs = np.array([SEVERITY[c] for c in cats])[cat_of]
    sev = (rng.random(n)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1) + 1
    sev = np.minimum(np.maximum(sev, sevmin), 4)
    sev[forced] = 1
    # reporting
    g1 = lookup(vocab, REPORT_G1, REPORT_G1_DEFAULT)[term]
    culture = np.array([cat.CLINIC_REPORTING[c] for c in cat.CLINICS])[s.clinic[t]]
    p_rep = np.where(sev >= 3, 1.0, np.where(sev == 2, np.maximum(g1, 0.85), g1) * culture)
    keep &= (rng.random(n) < p_rep) | forced

    # onset
    lo, a_lo, a_hi, hi = onset_p.T
    mode = rng.uniform(a_lo, a_hi)
    onset_days = rng.triangular(lo, np.clip(mode, lo, hi), hi + 0.01)
    onset_days = np.maximum(onset_days, 1 / 48)
    t_at = treated_at.to_numpy()[t]
    onset_at = (t_at + (onset_days * 1440).astype("timedelta64[m]")).astype("datetime64[m]")
    keep &= onset_at <= cat.AS_OF.to_datetime64()

    idx = np.flatnonzero(keep)
    idx = idx[np.lexsort((t[idx], onset_at[idx]))]
    return _event_frame(rng, s, ids, vocab, t[idx], area[idx], term[idx], sev[idx], onset_at[idx],
                        onset_days[idx], dur_p[idx])


def _event_frame(rng: np.random.Generator, s: Sessions, ids: pd.Series, vocab: list[str], t: np.ndarray, area: np.ndarray,
                 term: np.ndarray, sev: np.ndarray, onset_at: np.ndarray, onset_days: np.ndarray,
                 dur_p: np.ndarray) -> pd.DataFrame:
    n = t.size
    as_of = cat.AS_OF.to_datetime64()
    # seriousness (rare)
    bulbar = lookup(vocab, ("dysphagia", "dyspnoea", "injection_site_infection", "anaphylactic_reaction",
                            "distant_spread_botulism_like"))[term]
    p_serious = np.where(sev >= 4, 1.0, np.where(sev == 3, np.where(bulbar, 0.6, 0.08), np.where(sev == 2, 0.003, 0.0)))
    serious = rng.random(n) < p_serious
    seriousness = np.where(sev >= 4, "life_threatening",
                           np.where(bulbar & (sev >= 3), "hospitalisation", "medically_important"))
    seriousness = np.where(serious, seriousness, None)
    # duration and outcome
    d_lo, d_hi, d_max = dur_p.T
    dur = rng.triangular(d_lo * 0.6, rng.uniform(d_lo, d_hi), d_max + 0.01) * (1 + 0.3 * (sev - 1))
    resolved = (onset_at + (dur * 1440).astype("timedelta64[m]")).astype("datetime64[m]")
    done = resolved <= as_of
    u = rng.random(n)
    outcome = np.where(done, np.where(u < np.where(sev >= 3, 0.15, 0.01), "recovered_with_sequelae", "recovered"),
                       np.where(u < 0.7, "recovering", "not_recovered")).astype(object)
    lost = rng.random(n) < 0.06
    outcome[lost] = "unknown"
    resolved_at = pd.Series(resolved)
    resolved_at[~done | lost] = pd.NaT
    # side
    area_names = np.asarray(AREAS + ("",), dtype=object)[area]
    lateral = lookup(vocab, LATERAL)[term]
    marin = (s.injector[t] == cat.INJECTOR_INDEX["Dr Sofia Marin"]) & (term == vocab.index("eyelid_ptosis")) & (
        area_names == "glabella")
    u = rng.random(n)
    p_uni = np.where(marin, 0.93, 0.72)
    side_lat = np.where(u < p_uni / 2, "L", np.where(u < p_uni, "R", "B"))
    side_loc = np.where(np.isin(area_names, ["glabella", "perioral", "mentalis"]), "C",
                        np.where(u < 0.3, "L", np.where(u < 0.6, "R", "B")))
    side = np.where(area < 0, None, np.where(lateral, side_lat, side_loc))
    # causality
    u = rng.random(n)
    systemic = area < 0
    causality = np.where(systemic, np.where(u < 0.15, "probable", np.where(u < 0.65, "possible",
                                                                           np.where(u < 0.93, "unlikely",
                                                                                    "unassessable"))),
                         np.where(u < 0.1, "certain", np.where(u < 0.6, "probable", np.where(u < 0.95, "possible",
                                                                                              "unassessable"))))
    causality = np.where(rng.random(n) < 0.08, None, causality)
    # reporting
    delay = rng.exponential(2.5, n) + 0.05
    reported = np.minimum((onset_at + (delay * 1440).astype("timedelta64[m]")).astype("datetime64[m]"), as_of)
    reported = np.maximum(reported, onset_at)
    names = np.asarray([inj.name for inj in cat.INJECTORS], dtype=object)[s.injector[t]]
    u = rng.random(n)
    reported_by = np.where(u < 0.55, names, np.where(u < 0.8, "Patient (phone)",
                                                     np.where(u < 0.9, "Reception", "Clinic nurse")))
    narrative, action = texts.fill(rng, term, vocab, side, np.floor(onset_days).astype(int), sev)
    frame = pd.DataFrame({
        "event_id": "E-" + pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(7),
        "treatment_id": ids.to_numpy()[t],
        "term": strings(term, vocab),
        "onset_at": pd.Series(onset_at),
        "severity": sev.astype(np.int64),
        "serious": pd.array(serious, dtype="boolean"),
        "seriousness": pd.Series(seriousness, dtype="str"),
        "outcome": pd.Series(outcome, dtype="str"),
        "resolved_at": resolved_at,
        "side": pd.Series(side, dtype="str"),
        "area": pd.Series(np.where(area < 0, None, area_names), dtype="str"),
        "causality": pd.Series(causality, dtype="str"),
        "action_taken": pd.Series(action, dtype="str"),
        "reported_by": pd.Series(reported_by, dtype="str"),
        "reported_at": pd.Series(reported),
        "narrative": pd.Series(narrative, dtype="str"),
    })
    return frame
