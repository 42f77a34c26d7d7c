"""Free-text fields of demo events (narrative, action taken), assembled from short clinical phrases."""

from __future__ import annotations

import numpy as np
import pandas as pd

NARRATIVE = {
    "eyelid_ptosis": ("Upper lid droop noticed by patient", "Lid ptosis, MRD1 reduced <2 mm on exam",
                      "Patient reports heavy eyelid, worse in the evening"),
    "brow_ptosis": ("Brow sits lower than before, feels heavy", "Heavy brow, difficulty raising eyebrows"),
    "brow_malposition": ("Lateral brow raised ('Spock' look)", "Brow asymmetry noticed at review"),
    "eyelid_sensory_disorder": ("Eyelid feels heavy / tight", "Odd sensation in upper lids"),
    "eyelid_oedema": ("Puffy lower lids", "Periorbital swelling"),
    "diplopia": ("Double vision on lateral gaze", "Intermittent double vision when tired"),
    "vision_blurred": ("Blurred vision, settling", "Vision blurry for reading"),
    "dry_eye": ("Gritty, dry eyes; using lubricants", "Dry eye symptoms since treatment"),
    "photophobia": ("Light sensitivity",),
    "ectropion_or_lower_lid_laxity": ("Lower lid appears lax, tearing",),
    "smile_asymmetry": ("Smile uneven", "Asymmetric smile, one corner lower"),
    "lip_ptosis": ("Upper lip droops when smiling",),
    "lip_incompetence_drooling": ("Difficulty drinking through a straw", "Occasional drooling, lip feels weak"),
    "dysarthria": ("Slight slurring of some words",),
    "masticatory_weakness": ("Jaw tires when chewing hard food", "Chewing fatigue"),
    "paradoxical_bulging": ("Bulge in the cheek when clenching",),
    "sunken_cheek": ("Cheek looks hollow",),
    "skin_sagging": ("Lower face looks saggy",),
    "neck_muscle_weakness": ("Neck feels weak lifting head from pillow",),
    "dysphagia": ("Difficulty swallowing solids", "Food sticking when swallowing"),
    "dysphonia": ("Hoarse voice",),
    "dyspnoea": ("Short of breath",),
    "headache": ("Headache", "Frontal headache, paracetamol taken"),
    "injection_site_pain": ("Tender at injection sites",),
    "injection_site_erythema": ("Redness at injection sites",),
    "injection_site_oedema": ("Small bumps / swelling at sites",),
    "injection_site_pruritus": ("Itchy injection sites",),
    "injection_site_bruising": ("Bruise at injection site", "Bruising, 1-2 cm"),
    "injection_site_haematoma": ("Haematoma at injection site",),
    "injection_site_infection": ("Tender red nodules at injection sites", "Painful papules, one discharging"),
    "hypersensitivity": ("Swelling and itch after treatment",),
    "urticaria": ("Hives on neck and chest",),
    "rash": ("Rash on face",),
    "anaphylactic_reaction": ("Facial swelling, wheeze and low blood pressure",),
    "influenza_like_illness": ("Flu-like aches and tiredness",),
    "nausea": ("Nausea after treatment",),
    "drug_ineffective": ("Little or no effect at 2-week review", "Lines still active, patient unhappy",
                         "Effect wore off within a few weeks"),
    "medication_error": ("Near miss: wrong vial picked up, noticed before injecting",
                         "Dose charted differently from the dose drawn up"),
    "compensatory_sweating": ("Sweating elsewhere increased",),
    "skin_tightness": ("Forehead feels tight",),
    "other": ("Patient felt unwell, unclear link", "Tiredness for a few days"),
}
ACTION = {
    "eyelid_ptosis": ("Apraclonidine 0.5% eye drops prescribed; review in 2 weeks", "Reassured; review booked"),
    "brow_ptosis": ("Reassured, will wear off; review booked", "Small top-up laterally to lift brow"),
    "brow_malposition": ("Touch-up to lateral frontalis",),
    "drug_ineffective": ("Top-up offered at review", "Retreated", "Refund discussed; lot noted"),
    "injection_site_bruising": ("Cold compress and arnica advised",),
    "injection_site_haematoma": ("Cold compress, review in 1 week",),
    "injection_site_infection": ("Swab sent for microbiology incl. mycobacteria; antibiotics started",
                                 "Referred to dermatology"),
    "hypersensitivity": ("Antihistamine given",),
    "urticaria": ("Antihistamine given",),
    "anaphylactic_reaction": ("Adrenaline IM, ambulance called",),
    "dysphagia": ("Soft diet advised; GP informed",),
    "medication_error": ("Incident discussed at team meeting",),
}
SEVERITY_NOTE = {1: "Mild.", 2: "Moderate, affecting daily activities.", 3: "Severe.", 4: "Life-threatening.",
                 5: "Fatal."}
SIDE_NOTE = {"L": " Left side.", "R": " Right side.", "B": " Both sides.", "C": ""}


def _pick(rng: np.random.Generator, table: dict[str, tuple[str, ...]], term: np.ndarray, vocab: list[str],
          default: tuple[str, ...]) -> np.ndarray:
    """Choose one phrase per event from its term's phrases (vectorised per term)."""
    out = np.empty(term.size, dtype=object)
    u = rng.random(term.size)
    for code in np.unique(term):
        phrases = np.asarray(table.get(vocab[code], default), dtype=object)
        m = term == code
        out[m] = phrases[np.minimum((u[m] * phrases.size).astype(int), phrases.size - 1)]
    return out


def fill(rng: np.random.Generator, term: np.ndarray, vocab: list[str], side: np.ndarray, onset_day: np.ndarray,
         severity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (narrative, action_taken) arrays for events given as term codes into vocab; some left empty."""
    lead = pd.Series(_pick(rng, NARRATIVE, term, vocab, ("Adverse event reported",)))
    sides = pd.Series(side).map(SIDE_NOTE).fillna("")
    day = pd.Series(onset_day).astype(str)
    sev = pd.Series(severity).map(SEVERITY_NOTE)
    narrative = (lead + ", day " + day + " after treatment." + sides + " " + sev).to_numpy(dtype=object)
    narrative[rng.random(term.size) < 0.15] = None
    action = _pick(rng, ACTION, term, vocab, ("Advice given",))
    action[rng.random(term.size) < 0.4] = None
    return narrative, action
