"""Synthetic, valid data sets of any size for import tests and the 1M-treatment measurement.

`python -m tools.synth OUT_DIR --treatments N` writes treatments.csv, injections.csv and
events.csv (about 2 injection rows per treatment and one event per 5 treatments).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.core.config import AREAS, PRODUCTS, RISK_FACTORS

TERMS = ("eyelid_ptosis", "headache", "injection_site_bruising", "brow_ptosis", "injection_site_pain")
START = np.datetime64("2024-01-01T08:00:00")


def synth_frames(treatments: int, seed: int = 1, prefix: str = "T") -> dict[str, pd.DataFrame]:
    """Return valid treatments/injections/events frames (text columns) for `treatments` sessions."""
    rng = np.random.default_rng(seed)
    n = treatments
    ids = np.char.add(prefix, np.arange(1, n + 1).astype(str))
    minutes = rng.integers(0, 2 * 365 * 24 * 60, n)
    treated = START + minutes.astype("timedelta64[m]")
    t = pd.DataFrame({
        "treatment_id": ids,
        "clinic": np.array(["North Clinic", "South Clinic", "City Clinic"])[rng.integers(0, 3, n)],
        "treated_at": np.datetime_as_string(treated, unit="m"),
        "patient_ref": np.char.add("P", rng.integers(1, max(n // 3, 2), n).astype(str)),
        "injector": np.char.add("Injector ", rng.integers(1, 13, n).astype(str)),
        "product": np.array(PRODUCTS)[rng.integers(0, len(PRODUCTS), n)],
        "lot": np.char.add("L", rng.integers(1, 200, n).astype(str)),
        "vial_units": np.array(["50", "100", "300"])[rng.integers(0, 3, n)],
        "diluent_ml": np.array(["1", "2.5", "4"])[rng.integers(0, 3, n)],
    })
    for factor in RISK_FACTORS:
        t[factor] = np.where(rng.random(n) < 0.1, "yes", "no")
    per = rng.integers(1, 4, n)  # 1..3 areas, mean 2
    rows = np.repeat(np.arange(n), per)
    k = np.arange(len(rows)) - np.repeat(np.cumsum(per) - per, per)
    area_idx = (rng.integers(0, len(AREAS), n)[rows] + k) % len(AREAS)
    i = pd.DataFrame({
        "treatment_id": ids[rows],
        "area": np.array(AREAS)[area_idx],
        "side": "B",
        "units": np.round(rng.uniform(4, 40, len(rows)), 1).astype(str),
        "points": rng.integers(1, 6, len(rows)).astype(str),
        "depth": "intramuscular",
    })
    ev_rows = np.flatnonzero(rng.random(n) < 0.2)
    onset = treated[ev_rows] + rng.integers(60, 14 * 24 * 60, len(ev_rows)).astype("timedelta64[m]")
    e = pd.DataFrame({
        "event_id": np.char.add("E", np.arange(1, len(ev_rows) + 1).astype(str)),
        "treatment_id": ids[ev_rows],
        "term": np.array(TERMS)[rng.integers(0, len(TERMS), len(ev_rows))],
        "onset_at": np.datetime_as_string(onset, unit="m"),
        "severity": rng.integers(1, 3, len(ev_rows)).astype(str),
        "outcome": "recovered",
        "narrative": "synthetic event",
    })
    return {"treatments": t, "injections": i, "events": e}


def write_dataset(out: Path, treatments: int, seed: int = 1) -> dict[str, int]:
    """Write a synthetic data set as CSV files into `out`; return the row count of each file."""
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, frame in synth_frames(treatments, seed).items():
        frame.to_csv(out / f"{name}.csv", index=False)
        counts[name] = len(frame)
    return counts


def main(argv: list[str] | None = None) -> int:
    """Command line: write a synthetic data set."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("out", type=Path)
    p.add_argument("--treatments", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    print(write_dataset(args.out, args.treatments, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
