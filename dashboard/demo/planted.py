"""The problems planted in the demo chain, and the look-alikes that are not problems (machine-readable).

Each entry has the keys of a signal (spec section 6) that identify the cluster: kind, term, injector, area,
product, lot, factor, window_start, window_end, plus id, clinic, also_terms (other terms the same problem
raises), strength (the planted rate ratio, roughly, before reporting) and a plain description.
The same problems are planted for every seed and every size; their exposure grows with the number of
treatments because they are shares of the chain's activity (except the new injector, fixed at ~25 sessions).
"""

from __future__ import annotations

from datetime import date

from dashboard.demo.catalog import day_index, lot_active_at, lot_window

SUBPOTENT_LOT = lot_active_at("ona", day_index(date(2026, 3, 2)))
SUBPOTENT_WINDOW = lot_window(SUBPOTENT_LOT)
SUBPOTENT_POTENCY = 0.42  # the lot delivers ~42 % of its labelled units

DOSING_WINDOW = (date(2025, 4, 7), date(2026, 1, 30))  # Dysport numbers on BOTOX
REVERSE_WINDOW = (date(2025, 8, 4), date(2026, 1, 16))  # BOTOX numbers on Dysport
OUTBREAK_WINDOW = (date(2026, 4, 13), date(2026, 4, 30))  # contaminated saline at one clinic
OUTBREAK_CLINIC = "Northgate Clinic"
OUTBREAK_ATTACK_RATE = 0.05
PLACEMENT_RR = 3.5
ANTICOAGULANT_RR = {"injection_site_bruising": 2.5, "injection_site_haematoma": 3.0}
WEAKNESS = ("eyelid_ptosis", "brow_ptosis", "dysphagia", "neck_muscle_weakness", "dysphonia", "diplopia")
ALLERGY_TERMS = ("hypersensitivity", "urticaria", "rash", "anaphylactic_reaction")
# Relative risk of each recorded risk factor per event term in the demo (the planted anticoagulant effect and the
# real, label-documented background effects below).
RISK_EFFECTS: dict[str, dict[str, float]] = {
    "anticoagulant": ANTICOAGULANT_RR,
    "alcohol_48h": {"injection_site_bruising": 1.2},
    "prior_toxin_90d": {t: 1.5 for t in WEAKNESS},
    "interacting_medication": {t: 1.8 for t in WEAKNESS},
    "neuromuscular_disorder": {**{t: 4.0 for t in WEAKNESS}, "dysphagia": 6.0, "dyspnoea": 6.0},
    "allergy_history": {t: 3.0 for t in ALLERGY_TERMS},
}
SKIN_INFECTION_EXTRA_P = 0.01  # infection at the site adds this absolute risk of injection-site infection


def _entry(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {k: None for k in (
        "id", "kind", "term", "injector", "area", "product", "lot", "factor", "window_start", "window_end",
        "clinic", "also_terms", "strength", "description")}
    base.update(kw)
    if base["also_terms"] is None:
        base["also_terms"] = []
    for key in ("window_start", "window_end"):
        if isinstance(base[key], date):
            base[key] = base[key].isoformat()  # type: ignore[union-attr]
    return base


PLANTED: list[dict[str, object]] = [
    _entry(
        id="dosing-dysport-numbers-on-botox", kind="dosing", term="eyelid_ptosis", injector="Dr Marcus Reid",
        area="glabella", product="ona", window_start=DOSING_WINDOW[0], window_end=DOSING_WINDOW[1],
        also_terms=["brow_ptosis"], strength=2.4,
        description=("Dr Marcus Reid, trained on Dysport, kept using Dysport unit numbers when the clinic switched "
                     "him to BOTOX (about 2.5 times the usual BOTOX dose: glabella ~50 U, forehead ~35 U) from "
                     "April 2025 to January 2026: more eyelid and brow ptosis, mostly on both sides, and doses "
                     "above the usual BOTOX range."),
    ),
    _entry(
        id="dosing-botox-numbers-on-dysport", kind="dosing", term="drug_ineffective", injector="Dr Lena Hoffmann",
        product="abo", window_start=REVERSE_WINDOW[0], window_end=REVERSE_WINDOW[1], strength=5.7,
        description=("Dr Lena Hoffmann used BOTOX unit numbers on Dysport (about 0.4 times the usual Dysport dose) "
                     "from August 2025 to mid-January 2026: lack of effect (drug_ineffective) about five times as often, "
                     "in every area she treated, and doses below the usual Dysport range."),
    ),
    _entry(
        id="placement-low-glabellar-injections", kind="placement", term="eyelid_ptosis", injector="Dr Sofia Marin",
        area="glabella", strength=PLACEMENT_RR,
        description=("Dr Sofia Marin places the lateral corrugator injections too low: eyelid ptosis after glabella "
                     "treatment about 3.5 times the usual rate, at normal doses, almost always on one side, for the "
                     "whole period."),
    ),
    _entry(
        id="lot-subpotent-botox", kind="product_lot", term="drug_ineffective", product="ona", lot=SUBPOTENT_LOT,
        window_start=SUBPOTENT_WINDOW[0], window_end=SUBPOTENT_WINDOW[1], strength=4.9,
        description=(f"BOTOX lot {SUBPOTENT_LOT} (in use from late February to May 2026) is sub-potent (~42 % of labelled "
                     "units, e.g. a cold-chain failure): lack of effect about five times as often, across every "
                     "injector, clinic and area that used it, and no extra ptosis."),
    ),
    _entry(
        id="time-cluster-site-infections", kind="time_cluster", term="injection_site_infection",
        clinic=OUTBREAK_CLINIC, window_start=OUTBREAK_WINDOW[0], window_end=OUTBREAK_WINDOW[1],
        strength=OUTBREAK_ATTACK_RATE / 0.0002,
        description=("Contaminated saline at Northgate Clinic: about 5 % of sessions given there from 13 to 30 April "
                     "2026 were followed 2-6 weeks later by an injection-site infection (atypical mycobacteria), "
                     "across injectors, products and lots; the background is about 1 in 5,000 sessions."),
    ),
    _entry(
        id="patient-factor-anticoagulant-bruising", kind="patient_factor", term="injection_site_bruising",
        factor="anticoagulant", also_terms=["injection_site_haematoma"], strength=2.5,
        description=("Patients on anticoagulants, antiplatelets or NSAIDs (about 10 % of sessions, more among older patients) bruise about 2.5 "
                     "times as often and get haematomas about 3 times as often, with every injector and lot."),
    ),
]

LOOKALIKES: list[dict[str, object]] = [
    _entry(
        id="lookalike-new-injector", kind="placement", term="eyelid_ptosis", injector="Dr Noah Brennan",
        area="glabella",
        description=("Dr Noah Brennan started in October 2026 and has about 25 sessions, one of them followed by "
                     "eyelid ptosis: too few to say anything, not a signal."),
    ),
    _entry(
        id="lookalike-masseter-case-mix", kind="placement", term="masticatory_weakness", injector="Dr Priya Shah",
        area="masseter",
        description=("Dr Priya Shah mostly treats masseters, so she has many more reports of chewing weakness "
                     "(masticatory_weakness), at the usual rate per masseter treatment: case mix, not a signal."),
    ),
    _entry(
        id="lookalike-lay-down-aftercare", kind="patient_factor", term="eyelid_ptosis",
        factor="aftercare_lay_down_4h",
        description=("Lying down within 4 h after injection is recorded (about 4 % of sessions) but has no effect on "
                     "ptosis in the demo, as the evidence suggests: not a signal."),
    ),
]

# Real risk-factor effects that are part of the simulated world but not planted problems: a signal for one of
# them is correct (not a false alarm), though most are too rare to reach significance at 20,000 treatments.
BACKGROUND: list[dict[str, object]] = [
    _entry(id="background-allergy-hypersensitivity", kind="patient_factor", term="hypersensitivity",
           factor="allergy_history", also_terms=list(ALLERGY_TERMS[1:]), strength=3.0,
           description="A known allergy (about 9 % of patients) triples hypersensitivity, urticaria and rash."),
    _entry(id="background-site-infection", kind="patient_factor", term="injection_site_infection",
           factor="skin_infection_at_site", strength=SKIN_INFECTION_EXTRA_P / 0.0002,
           description="Treating through an infection at the site (a contraindication, ~0.15 % of sessions) gives "
                       "about 1 % injection-site infections."),
    _entry(id="background-neuromuscular", kind="patient_factor", term="dysphagia", factor="neuromuscular_disorder",
           also_terms=[t for t in WEAKNESS if t != "dysphagia"], strength=6.0,
           description="A neuromuscular disorder (~0.15 % of patients) makes weakness events 4-6 times as likely."),
    _entry(id="background-interacting-medication", kind="patient_factor", term="eyelid_ptosis",
           factor="interacting_medication", also_terms=[t for t in WEAKNESS if t != "eyelid_ptosis"], strength=1.8,
           description="Interacting medication (~2 % of sessions) makes weakness events 1.8 times as likely."),
    _entry(id="background-prior-toxin", kind="patient_factor", term="eyelid_ptosis", factor="prior_toxin_90d",
           also_terms=[t for t in WEAKNESS if t != "eyelid_ptosis"], strength=1.5,
           description="Another toxin treatment in the previous 90 days makes weakness events 1.5 times as likely."),
    _entry(id="background-alcohol-bruising", kind="patient_factor", term="injection_site_bruising",
           factor="alcohol_48h", strength=1.2, description="Alcohol within 48 h: bruising 1.2 times as likely."),
]
