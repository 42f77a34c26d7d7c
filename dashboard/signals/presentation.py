"""Plain-language tables for the Signals page: names instead of codes, readable dates (no streamlit import)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd

from dashboard.practice.repository import OUTCOME_NAMES

DAY = "%d %b %Y"
CASE_COLUMNS = {
    "event_ref": "Case", "treated_on": "Treated on", "onset_on": "Onset", "injector": "Injector", "clinic": "Clinic",
    "product": "Product", "lot": "Lot", "area": "Area", "severity": "Grade", "outcome": "Outcome",
    "treatment_ref": "Treatment",
}


def readable_day(value: Any) -> str:
    """Return a day as '23 Feb 2026' (from a date, timestamp or ISO text); '-' when there is none."""
    if value is None or (not isinstance(value, str | date) and pd.isna(value)) or value == "":
        return "-"
    return pd.Timestamp(value).strftime(DAY)


def p_value_text(value: float | None) -> str:
    """Return a p- or q-value as text a manager can read: 'below 0.0001' for the tiniest."""
    if value is None:
        return "-"
    return "below 0.0001" if value < 0.0001 else f"{value:.4f}"


def evidence_table(signal: Mapping[str, Any]) -> pd.DataFrame:
    """One row of evidence for a signal: cases, expected, ratio, p/q-values, treatments and the period."""
    ratio = signal.get("rate_ratio")
    return pd.DataFrame([{
        "Cases": int(signal["observed"]), "Expected": round(float(signal["expected"]), 1),
        "Actual ÷ expected": None if ratio is None else round(float(ratio), 2),
        "p-value": p_value_text(signal.get("p_value")),
        "q-value (after testing many groups)": p_value_text(signal.get("q_value")),
        "Treatments": int(signal["treatments"]),
        "From": readable_day(signal.get("window_start")), "To": readable_day(signal.get("window_end")),
    }])


def readable_cases(cases: pd.DataFrame, names: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """The cases behind a signal with plain column names, product/area/outcome names and readable dates."""
    out = cases.copy()
    for col in ("treated_on", "onset_on"):
        if col in out:
            out[col] = [readable_day(v) for v in out[col]]
    for col, kind in (("product", "product"), ("area", "area")):
        if col in out:
            plain = names.get(kind, {})
            out[col] = [("not recorded" if v is None or pd.isna(v) else plain.get(v, v)) for v in out[col]]
    if "outcome" in out:
        out["outcome"] = [OUTCOME_NAMES.get(v, v) for v in out["outcome"]]
    return out.rename(columns=CASE_COLUMNS)
