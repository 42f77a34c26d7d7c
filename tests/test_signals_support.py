"""Helpers for the detection tests and the recall report: load a demo clinic (optionally with every planted
problem switched off), run the signals, and match them against `dashboard.demo.planted.PLANTED`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from dashboard.core.db import open_database


@contextmanager
def planted_effects_off() -> Iterator[None]:
    """Generate a clinic with no planted problem: every planted effect set to 'no effect' while inside."""
    from dashboard.demo import events, generator, planted

    saved_pl = {k: getattr(planted, k) for k in ("PLACEMENT_RR", "SUBPOTENT_POTENCY", "OUTBREAK_ATTACK_RATE",
                                                 "DOSING_WINDOW", "REVERSE_WINDOW")}
    saved_rr = dict(events.RISK_EFFECTS["anticoagulant"])
    never = (date(1900, 1, 2), date(1900, 1, 1))
    try:
        planted.PLACEMENT_RR = 1.0
        planted.SUBPOTENT_POTENCY = 1.0
        planted.OUTBREAK_ATTACK_RATE = 0.0
        planted.DOSING_WINDOW = never
        planted.REVERSE_WINDOW = never
        events.RISK_EFFECTS["anticoagulant"].clear()
        assert generator.pl is planted and events.pl is planted
        yield
    finally:
        for k, v in saved_pl.items():
            setattr(planted, k, v)
        events.RISK_EFFECTS["anticoagulant"].clear()
        events.RISK_EFFECTS["anticoagulant"].update(saved_rr)


def load_clinic(path: Path, treatments: int, seed: int, null: bool = False) -> None:
    """Load the demo clinic into a new database file (planted problems switched off when null)."""
    from dashboard.demo.command import load_demo_file

    if null:
        with planted_effects_off():
            load_demo_file(path, treatments, seed)
    else:
        load_demo_file(path, treatments, seed)


def _overlap(a0: Any, a1: Any, b0: Any, b1: Any) -> bool:
    if None in (a0, a1, b0, b1):
        return False
    return not (str(a1) < str(b0) or str(a0) > str(b1))


def matches(signal: dict[str, Any], p: dict[str, Any]) -> bool:
    """True when a signal is the planted problem p: same kind, same defining dimension, a related term."""
    terms = {p["term"], *p.get("also_terms", [])}
    if signal["kind"] != p["kind"] or not ({signal["term"], *signal.get("also_terms", [])} & terms):
        return False
    if p["kind"] in ("dosing", "placement"):
        return signal["injector"] == p["injector"]
    if p["kind"] == "product_lot":
        return signal["lot"] == p["lot"]
    if p["kind"] == "patient_factor":
        return signal["factor"] == p["factor"]
    return _overlap(signal["window_start"], signal["window_end"], p["window_start"], p["window_end"])


def real_unplanted_effect(signal: dict[str, Any]) -> bool:
    """True for a patient-factor signal that the demo world really contains although it is not 'planted'
    (events.RISK_EFFECTS: e.g. neuromuscular disorder and weakness, allergy history and hypersensitivity)."""
    from dashboard.demo.events import RISK_EFFECTS

    if signal["kind"] != "patient_factor" or not signal["factor"]:
        return False
    effects = RISK_EFFECTS.get(signal["factor"], {})
    return any(t in effects for t in {signal["term"], *signal.get("also_terms", [])})


def evaluate(signals: list[dict[str, Any]], planted: list[dict[str, Any]]) -> dict[str, Any]:
    """Return which planted problems were found (with the right kind) and the act signals matching none."""
    found = {p["id"]: any(matches(s, p) for s in signals) for p in planted}
    false_act = [s for s in signals if s["level"] == "act" and not any(matches(s, p) for p in planted)]
    return {
        "found": found,
        "recall": sum(found.values()) / len(planted) if planted else None,
        "false_act": len(false_act),
        "false_act_excluding_real_risk_factors": sum(1 for s in false_act if not real_unplanted_effect(s)),
        "false_act_list": [(s["kind"], s["term"], s["injector"] or s["lot"] or s["factor"] or s["area"])
                           for s in false_act],
    }


def evaluate_clinic(path: Path, treatments: int, seed: int, null: bool = False) -> dict[str, Any]:
    """Load a clinic, run the signals and evaluate them against the planted list (empty for a null clinic)."""
    from dashboard.demo.planted import PLANTED
    from dashboard.signals.detect import run_signals

    load_clinic(path, treatments, seed, null=null)
    db = open_database(path)
    try:
        result = run_signals(db)
    finally:
        db.close()
    out = evaluate(result["signals"], [] if null else PLANTED)
    out.update({"seed": seed, "treatments": treatments, "null": null, "signals": len(result["signals"])})
    return out
