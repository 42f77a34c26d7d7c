"""The patient's questions, in plain words, each mapped to the event term a clinician starts from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    """One yes/no question: its key, the words the patient reads, the event term and other likely terms."""

    key: str
    text: str
    term: str
    also: tuple[str, ...]
    red_flag: bool


QUESTIONS: tuple[Question, ...] = (
    Question("droop", "Has an eyelid or eyebrow dropped?", "eyelid_ptosis", ("brow_ptosis", "brow_malposition"),
             False),
    Question("breathing", "Any trouble swallowing, speaking or breathing?", "dysphagia",
             ("dysphonia", "dyspnoea", "dysarthria", "distant_spread_botulism_like"), True),
    Question("vision", "Double or blurred vision?", "diplopia", ("vision_blurred",), True),
    Question("weakness", "Weakness in your arms, legs or whole body?", "distant_spread_botulism_like",
             ("neck_muscle_weakness",), True),
    Question("allergy", "Rash, swelling of lips or face, wheeze?", "hypersensitivity",
             ("urticaria", "rash", "anaphylactic_reaction"), True),
    Question("headache", "Headache?", "headache", (), False),
    Question("no_effect", "Did the treatment not work?", "drug_ineffective", (), False),
)
BY_KEY = {q.key: q for q in QUESTIONS}
FREE_TEXT_TERM = "other"
FREE_TEXT_LIMIT = 2000
# Terms that make a report urgent when a practitioner records them too (distant spread, airway, anaphylaxis).
RED_FLAG_TERMS = ("dysphagia", "dysphonia", "dyspnoea", "dysarthria", "diplopia", "distant_spread_botulism_like",
                  "anaphylactic_reaction", "neck_muscle_weakness")
EMERGENCY_TEXT = ("Get emergency help now: call 999 (UK), 911 (US) or 112 (EU), or go to the nearest emergency "
                  "department. Trouble swallowing, speaking or breathing, double vision, weakness of the body or "
                  "swelling of the face or lips can be serious after this treatment.")
