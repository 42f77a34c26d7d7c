"""The fixed world of the demo chain: clinics, injectors, product shares, lots and the time period.

Everything here is the same for every seed (the seed only changes the draws), so the planted problems in
`dashboard.demo.planted` can name injectors, lots and windows as constants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

from dashboard.core.config import PRODUCTS

PERIOD_START = date(2024, 10, 1)
PERIOD_END = date(2026, 10, 31)  # last treatment day
AS_OF = pd.Timestamp("2026-11-24 23:00")  # nothing (onset, report, resolution) after this moment

CLINICS = ("Northgate Clinic", "Riverside Aesthetics", "Harbour Street Clinic", "Elm Park Skin Centre")

# Product mix each clinic stocks (weights, normalised per clinic); the chain-wide mix is roughly
# ona 40 %, abo 20 %, inco 14 %, prabot 11 %, leti 8 %, daxi 7 %.
CLINIC_PRODUCTS = {
    "Northgate Clinic": {"ona": 0.50, "abo": 0.18, "inco": 0.10, "prabot": 0.12, "leti": 0.02, "daxi": 0.08},
    "Riverside Aesthetics": {"ona": 0.36, "abo": 0.14, "inco": 0.25, "prabot": 0.08, "leti": 0.12, "daxi": 0.05},
    "Harbour Street Clinic": {"ona": 0.38, "abo": 0.18, "inco": 0.10, "prabot": 0.18, "leti": 0.06, "daxi": 0.10},
    "Elm Park Skin Centre": {"ona": 0.30, "abo": 0.34, "inco": 0.10, "prabot": 0.06, "leti": 0.14, "daxi": 0.06},
}
# How completely each clinic records the medical risk factors, and the after-care questions.
CLINIC_RECORDING = {
    "Northgate Clinic": (0.98, 0.80),
    "Riverside Aesthetics": (0.96, 0.70),
    "Harbour Street Clinic": (0.92, 0.65),
    "Elm Park Skin Centre": (0.85, 0.50),
}
# How readily each clinic reports mild events (multiplies the grade 1-2 reporting probability).
CLINIC_REPORTING = {
    "Northgate Clinic": 1.0,
    "Riverside Aesthetics": 0.92,
    "Harbour Street Clinic": 0.85,
    "Elm Park Skin Centre": 0.75,
}
# Clinics that chart bilateral areas as one row per side.
PER_SIDE_CLINICS = {"Northgate Clinic": ("lateral_canthal", "masseter")}

# Share of each area in a session by case-mix profile (probability that the area is treated).
AREA_PROFILES = {
    "general": {"glabella": 0.74, "forehead": 0.48, "lateral_canthal": 0.44, "bunny_lines": 0.07,
                "gummy_smile": 0.03, "perioral": 0.04, "dao": 0.05, "mentalis": 0.04, "masseter": 0.07,
                "platysma": 0.04, "axillary_hyperhidrosis": 0.02},
    "upper_face": {"glabella": 0.85, "forehead": 0.62, "lateral_canthal": 0.58, "bunny_lines": 0.08,
                   "gummy_smile": 0.01, "perioral": 0.02, "dao": 0.02, "mentalis": 0.01, "masseter": 0.02,
                   "platysma": 0.02, "axillary_hyperhidrosis": 0.01},
    "lower_face": {"glabella": 0.35, "forehead": 0.20, "lateral_canthal": 0.20, "bunny_lines": 0.05,
                   "gummy_smile": 0.05, "perioral": 0.05, "dao": 0.08, "mentalis": 0.07, "masseter": 0.68,
                   "platysma": 0.12, "axillary_hyperhidrosis": 0.03},
}


@dataclass(frozen=True)
class Injector:
    """One practitioner of the demo chain and their habits."""

    name: str
    clinic: str
    weight: float  # sessions per working day, relative
    years: float  # experience on PERIOD_START
    start: date = PERIOD_START
    end: date = PERIOD_END
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5)  # Monday = 0
    second_clinic: str | None = None
    profile: str = "general"
    product_bias: dict[str, float] = field(default_factory=dict)
    dose_habit: float = 1.0  # multiplies the usual dose
    ml_per_100u: float = 2.5  # dilution habit for 1:1 products
    fixed_count: int | None = None  # a fixed number of sessions, whatever N is


INJECTORS: tuple[Injector, ...] = (
    Injector("Dr Ada Park", "Northgate Clinic", 1.6, 12, dose_habit=1.0),
    Injector("Dr Marcus Reid", "Northgate Clinic", 1.2, 6, second_clinic="Riverside Aesthetics",
             product_bias={"abo": 3.0}, dose_habit=1.05),
    Injector("Dr Sofia Marin", "Riverside Aesthetics", 1.2, 4, profile="upper_face"),
    Injector("Dr Priya Shah", "Riverside Aesthetics", 0.9, 9, profile="lower_face"),
    Injector("Dr James Whitfield", "Harbour Street Clinic", 1.3, 15, dose_habit=1.08, ml_per_100u=2.0),
    Injector("Nurse Hannah Cole", "Northgate Clinic", 0.9, 3, weekdays=(1, 3)),
    Injector("Dr Lena Hoffmann", "Elm Park Skin Centre", 1.0, 8, product_bias={"abo": 2.5}),
    Injector("Dr Omar Haddad", "Harbour Street Clinic", 1.0, 5, ml_per_100u=3.0),
    Injector("Dr Grace Liu", "Elm Park Skin Centre", 0.9, 10, weekdays=(0, 2, 5),
             second_clinic="Harbour Street Clinic", dose_habit=0.92),
    Injector("Dr Tom Okafor", "Northgate Clinic", 0.8, 1.5, start=date(2025, 3, 3), profile="upper_face"),
    Injector("Nurse Chloe Bennett", "Riverside Aesthetics", 0.8, 0.5, start=date(2025, 9, 1),
             weekdays=(0, 1, 4)),
    Injector("Dr Isabel Ferreira", "Harbour Street Clinic", 0.8, 7, end=date(2025, 12, 19), ml_per_100u=2.0),
    Injector("Dr Samuel Adeyemi", "Elm Park Skin Centre", 0.9, 7, dose_habit=0.95),
    Injector("Dr Noah Brennan", "Northgate Clinic", 1.0, 0.2, start=date(2026, 10, 5), fixed_count=25),
)
INJECTOR_INDEX = {inj.name: i for i, inj in enumerate(INJECTORS)}

VIAL_SIZES = {  # product -> (sizes, probabilities)
    "ona": ((100, 50), (0.85, 0.15)),
    "inco": ((100, 50), (0.8, 0.2)),
    "prabot": ((100,), (1.0,)),
    "leti": ((100, 50), (0.7, 0.3)),
    "abo": ((300, 125), (0.8, 0.2)),
    "daxi": ((100, 50), (0.75, 0.25)),
}
LABEL_DILUENT = {("abo", 300): 2.5, ("abo", 125): 0.63, ("daxi", 100): 1.2, ("daxi", 50): 0.6}

LOT_SPACING_DAYS = {"ona": 30, "inco": 42, "prabot": 45, "leti": 55, "abo": 35, "daxi": 55}
LOT_LIFE = 3  # a lot stays in use for about this many spacings
_LOT_FORMAT = {"ona": ("C", 4, True), "inco": ("", 6, False), "prabot": ("JV", 4, True),
               "leti": ("L", 5, False), "abo": ("T", 5, True), "daxi": ("DX", 4, False)}


def day_index(d: date) -> int:
    """Days from PERIOD_START to d."""
    return (d - PERIOD_START).days


N_DAYS = day_index(PERIOD_END) + 1


@lru_cache(maxsize=1)
def lots() -> pd.DataFrame:
    """Every lot of every product with its first and last day of use (day indexes), same for every seed."""
    rng = np.random.default_rng(20241001)
    rows = []
    letters = np.array(list("ABCDEFGHJKLMNPRSTUVWXYZ"))
    for product in PRODUCTS:
        spacing = LOT_SPACING_DAYS[product]
        prefix, digits, suffix = _LOT_FORMAT[product]
        start = -spacing * LOT_LIFE
        used: set[str] = set()
        while start <= N_DAYS:
            while True:
                name = prefix + "".join(str(d) for d in rng.integers(0, 10, digits))
                if suffix:
                    name += str(rng.choice(letters))
                if name not in used:
                    used.add(name)
                    break
            rows.append({"product": product, "lot": name, "start": start})
            start += int(spacing + rng.integers(-spacing // 5, spacing // 5 + 1))
    frame = pd.DataFrame(rows)
    frame["seq"] = frame.groupby("product").cumcount()
    return frame


def lot_window(lot: str) -> tuple[date, date]:
    """First and last possible day of use of a lot (until the lot LOT_LIFE places later starts)."""
    frame = lots()
    row = frame[frame["lot"] == lot].iloc[0]
    later = frame[(frame["product"] == row["product"]) & (frame["seq"] == row["seq"] + LOT_LIFE)]
    last = int(later.iloc[0]["start"]) - 1 if len(later) else N_DAYS - 1
    first = max(int(row["start"]), 0)
    return (PERIOD_START + timedelta(days=first), PERIOD_START + timedelta(days=min(last, N_DAYS - 1)))


def lot_active_at(product: str, day: int) -> str:
    """Name of the newest lot of a product in use on a day (used by the planted-problem constants)."""
    frame = lots()
    sub = frame[(frame["product"] == product) & (frame["start"] <= day)]
    return str(sub.iloc[-1]["lot"])
