"""Finding an event term or a treatment area by the word a clinician types.

The pickers search their option labels in the browser (a fuzzy, best-match-first filter), so a label
must carry every word a clinician may type: the plain name, the coded (preferred) term and the common
clinical synonyms below. `rank` is the same idea on the server, used by the tests and anywhere a
best-first list is needed without a browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# Clinical and lay words for each event term (the coded term and the plain name are always searched too).
TERM_SYNONYMS: dict[str, tuple[str, ...]] = {
    "eyelid_ptosis": ("ptosis", "lid ptosis", "eyelid droop", "lid drop", "blepharoptosis"),
    "brow_ptosis": ("ptosis", "brow drop", "brow droop", "heavy brow", "frontalis weakness"),
    "brow_malposition": ("spock brow", "mephisto", "brow asymmetry", "raised brow"),
    "eyelid_sensory_disorder": ("lid heaviness", "heavy eyelid", "numb eyelid", "paraesthesia"),
    "diplopia": ("double vision", "strabismus", "squint"),
    "vision_blurred": ("blurred vision", "blurry", "blur"),
    "dry_eye": ("dry eyes", "xerophthalmia", "gritty eye", "keratitis"),
    "photophobia": ("light sensitivity", "glare"),
    "eyelid_oedema": ("eyelid swelling", "puffy eyelid", "oedema", "edema", "swelling"),
    "ectropion_or_lower_lid_laxity": ("ectropion", "lid laxity", "lower lid", "scleral show"),
    "smile_asymmetry": ("asymmetric smile", "crooked smile", "uneven smile"),
    "lip_ptosis": ("ptosis", "lip droop", "upper lip droop"),
    "lip_incompetence_drooling": ("drooling", "dribbling", "lip incompetence", "oral incompetence"),
    "dysarthria": ("slurred speech", "speech difficulty"),
    "masticatory_weakness": ("chewing weakness", "weak bite", "jaw weakness"),
    "paradoxical_bulging": ("paradoxical bulging", "masseter bulge", "bulging"),
    "sunken_cheek": ("hollow cheek", "cheek hollowing"),
    "skin_sagging": ("sagging", "laxity", "jowl"),
    "neck_muscle_weakness": ("neck weakness", "head drop", "weak neck"),
    "dysphagia": ("swallowing", "difficulty swallowing", "swallow"),
    "dysphonia": ("hoarseness", "hoarse voice", "voice change"),
    "dyspnoea": ("dyspnea", "shortness of breath", "breathless", "breathing difficulty", "sob"),
    "headache": ("head ache", "migraine", "cephalgia"),
    "injection_site_pain": ("pain", "sore", "tenderness"),
    "injection_site_erythema": ("erythema", "redness", "red skin"),
    "injection_site_oedema": ("swelling", "oedema", "edema", "lump"),
    "injection_site_pruritus": ("itch", "itching", "pruritus"),
    "injection_site_bruising": ("bruise", "bruising", "ecchymosis", "ecchymoses"),
    "injection_site_haematoma": ("hematoma", "haematoma", "blood collection"),
    "injection_site_infection": ("infection", "abscess", "nodule", "granuloma"),
    "hypersensitivity": ("allergy", "allergic reaction", "hypersensitivity"),
    "urticaria": ("hives", "wheals", "urticaria", "rash"),
    "rash": ("rash", "skin eruption", "urticaria"),
    "anaphylactic_reaction": ("anaphylaxis", "anaphylactic shock"),
    "influenza_like_illness": ("flu", "flu-like", "fever", "malaise"),
    "nausea": ("sick", "queasy", "vomiting"),
    "distant_spread_botulism_like": ("botulism", "distant spread", "generalised weakness", "spread of toxin"),
    "drug_ineffective": ("no effect", "not working", "lack of effect", "resistance", "non-responder"),
    "medication_error": ("wrong dose", "wrong product", "wrong site", "dilution error"),
    "suspected_counterfeit": ("counterfeit", "fake product", "falsified"),
    "skin_tightness": ("tight skin", "tightness"),
    "compensatory_sweating": ("sweating", "hyperhidrosis elsewhere"),
    "other": ("other", "unlisted"),
}

# Words clinicians use for the treatment areas.
AREA_SYNONYMS: dict[str, tuple[str, ...]] = {
    "glabella": ("frown", "frown lines", "11s", "elevens", "corrugator", "procerus"),
    "forehead": ("forehead", "frontalis", "horizontal lines"),
    "lateral_canthal": ("crow's feet", "crows feet", "smile lines", "orbicularis oculi", "eye wrinkles"),
    "bunny_lines": ("bunny lines", "nasalis", "nose scrunch"),
    "gummy_smile": ("gummy smile", "levator labii", "lalsn"),
    "perioral": ("lip lines", "smoker's lines", "orbicularis oris", "lip flip"),
    "dao": ("mouth corners", "marionette", "depressor anguli oris", "downturned mouth"),
    "mentalis": ("chin", "dimpled chin", "orange peel chin", "pebble chin"),
    "masseter": ("jaw", "jawline", "bruxism", "teeth grinding", "jaw slimming"),
    "platysma": ("neck bands", "neck", "platysmal bands", "nefertiti"),
    "axillary_hyperhidrosis": ("underarm", "armpit", "axilla", "sweating", "hyperhidrosis"),
}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def searchable(code: str, *names: str, synonyms: Mapping[str, Iterable[str]] = TERM_SYNONYMS) -> list[str]:
    """All the strings one option is found by: its names, its code in words and its synonyms."""
    out = [n for n in names if n]
    out.append(code.replace("_", " "))
    out.extend(synonyms.get(code, ()))
    return list(dict.fromkeys(out))


def term_label(plain: str, preferred: str, region: str, code: str) -> str:
    """The picker label of an event term: plain words first, then the coded term, region and synonyms."""
    extra = [s for s in TERM_SYNONYMS.get(code, ()) if s.lower() not in f"{plain} {preferred}".lower()]
    label = f"{plain} · {preferred} — {region}" if preferred.lower() != plain.lower() else f"{plain} — {region}"
    return label + (f" ({', '.join(extra)})" if extra else "")


def area_label(name: str, code: str) -> str:
    """The picker label of a treatment area: its name, then the words clinicians use for it."""
    extra = [s for s in AREA_SYNONYMS.get(code, ()) if s.lower() not in name.lower()]
    return name + (f" · {', '.join(extra[:4])}" if extra else "")


def score(query: str, texts: Iterable[str]) -> float:
    """How well `query` matches the best of `texts`: 0 = not at all; higher is better.

    An exact name beats a phrase found at a word start, which beats a phrase inside a word, which beats
    all query words found at word starts, which beats letters in order (the browser's fuzzy filter).
    """
    q = " ".join(_words(query))
    if not q:
        return 0.0
    best = 0.0
    for i, text in enumerate(texts):
        t = " ".join(_words(text))
        if not t:
            continue
        if t == q:
            s = 100.0
        elif re.search(r"(^| )" + re.escape(q), t):
            s = 80.0 - min(len(t), 60) / 10
        elif q in t:
            s = 60.0 - min(len(t), 60) / 10
        elif all(re.search(r"(^| )" + re.escape(w), t) for w in q.split()):
            s = 40.0
        elif _in_order(q.replace(" ", ""), t.replace(" ", "")):
            s = 5.0
        else:
            s = 0.0
        if s:
            s -= min(i, 10) * 0.05  # an option's own names (listed first) win a tie over another's synonym
        best = max(best, s)
    return best


def _in_order(needle: str, hay: str) -> bool:
    i = 0
    for ch in needle:
        i = hay.find(ch, i) + 1
        if i == 0:
            return False
    return True


def rank(query: str, options: Mapping[str, Iterable[str]]) -> list[str]:
    """Return the option codes matching `query`, best match first (stable for ties)."""
    scored = [(score(query, texts), i, code) for i, (code, texts) in enumerate(options.items())]
    return [code for s, _, code in sorted(scored, key=lambda x: (-x[0], x[1])) if s > 0]
