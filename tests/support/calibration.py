"""Calibration of the signal engine on random clinics it was not built on (`python -m dashboard calibrate`).

Each clinic comes from the scenario generator (tests/support/scenarios.py, independent of the demo): null clinics
plant nothing, planted clinics plant one to six problems of random kind and size. Every clinic is imported into a
fresh DuckDB file through the product's importer and analysed by the full signal run, exactly as a clinic would
run `import` then `signals`. The result is one JSON object (format injectwatch-calibration/1): the share of null
clinics with any `act` signal (with its exact 95% interval) and, over the planted problems, how many were found,
found at `act` with the right kind, and given the right kind, by kind and by effect size.
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import beta

from tests.support.scenarios import Lookalike, Problem, Scenario, generate_scenario

FORMAT = "injectwatch-calibration/1"
KINDS = ("placement", "dosing", "product_lot", "time_cluster", "patient_factor")
RATE_RATIO_BANDS = ((1.5, 2.0), (2.0, 3.0), (3.0, 6.0))  # planted ratios are drawn from 1.5 to 6 (6 in the top band)
EXPECTED_BANDS = ((0.0, 5.0), (5.0, 10.0), (10.0, 20.0), (20.0, 50.0), (50.0, math.inf))


@dataclass
class ClinicResult:
    """What one clinic gave: its problems with what was found, the false `act` signals and look-alike hits."""

    seed: int
    planted: bool
    treatments: int
    signals: int
    watch: int
    act: int
    problems: list[dict[str, Any]] = field(default_factory=list)
    false_act: list[dict[str, Any]] = field(default_factory=list)
    lookalike_act: list[str] = field(default_factory=list)
    seconds: float = 0.0


# ------------------------------------------------------------------------------------------------ matching
def _terms(signal: dict[str, Any]) -> set[str]:
    return {signal["term"], *(signal.get("also_terms") or [])}


def _overlap(a0: Any, a1: Any, b0: Any, b1: Any) -> bool:
    if None in (a0, a1, b0, b1):
        return False
    return not (str(a1) < str(b0) or str(a0) > str(b1))


def points_at(signal: dict[str, Any], p: Problem) -> bool:
    """True when a signal points at the planted problem: a related term and the problem's defining unit (the
    injector, the lot, the factor, or an overlapping time window), whatever kind the signal gives."""
    if p.term not in _terms(signal):
        return False
    if p.kind in ("placement", "dosing"):
        if signal["injector"] is not None:
            return signal["injector"] == p.injector
        return signal["kind"] == "dosing" and signal["area"] == p.area and p.product in (None, signal["product"])
    if p.kind == "product_lot":
        return signal["lot"] == p.lot or (signal["kind"] == "time_cluster" and _overlap(
            signal["window_start"], signal["window_end"], p.window_start, p.window_end))
    if p.kind == "patient_factor":
        return signal["factor"] == p.factor
    if signal["kind"] != "time_cluster":
        return False
    same_site = p.clinic is None or signal.get("clinic") in (None, p.clinic)
    return same_site and _overlap(signal["window_start"], signal["window_end"], p.window_start, p.window_end)


def right_kind(signal: dict[str, Any], p: Problem) -> bool:
    """True when a signal that points at the problem also names its cause (and, for placement, the area)."""
    if signal["kind"] != p.kind:
        return False
    return p.kind != "placement" or signal["area"] in (None, p.area)


def _lookalike_hit(signal: dict[str, Any], look: Lookalike) -> bool:
    if look.injector is not None:
        return signal["injector"] == look.injector
    if look.lot is not None:
        return signal["lot"] == look.lot
    if look.term is not None:
        return look.term in _terms(signal)
    return False


def evaluate(scenario: Scenario, signals: list[dict[str, Any]]) -> ClinicResult:
    """Score one clinic's signals against what was planted in it."""
    act = [s for s in signals if s["level"] == "act"]
    out = ClinicResult(scenario.seed, scenario.planted, scenario.treatments, len(signals),
                       len(signals) - len(act), len(act))
    for p in scenario.problems:
        hits = [s for s in signals if points_at(s, p)]
        out.problems.append({
            "kind": p.kind, "term": p.term, "rate_ratio": p.rate_ratio, "expected_events": p.expected_events,
            "found": bool(hits), "kind_right": any(right_kind(s, p) for s in hits),
            "found_act": any(right_kind(s, p) and s["level"] == "act" for s in hits),
            "detail": p.detail,
        })
    for s in act:
        if any(points_at(s, p) for p in scenario.problems):
            continue
        out.false_act.append({k: s.get(k) for k in ("kind", "term", "injector", "area", "product", "lot", "factor",
                                                     "clinic", "window_start", "observed", "expected", "p_value")})
        out.lookalike_act.extend(look.kind for look in scenario.lookalikes if _lookalike_hit(s, look))
    return out


# ------------------------------------------------------------------------------------------------ running
def run_clinic(seed: int, treatments: int, planted: bool) -> ClinicResult:
    """Generate one clinic, import it into a fresh DuckDB file, run the signals and score them."""
    from dashboard.core.db import open_database
    from dashboard.importer import import_frames
    from dashboard.signals.detect import run_signals

    start = time.perf_counter()
    scenario = generate_scenario(seed, treatments, planted=planted)
    with tempfile.TemporaryDirectory(prefix="injectwatch-calibrate-") as tmp:
        db = open_database(Path(tmp) / "clinic.duckdb")
        try:
            import_frames(db, scenario.frames, source=f"calibration seed {seed}", actor="calibrate")
            signals = run_signals(db)["signals"]
        finally:
            db.close()
    result = evaluate(scenario, signals)
    result.seconds = round(time.perf_counter() - start, 2)
    return result


def clinic_plan(null: int, planted: int, treatments: tuple[int, int], seed: int) -> list[tuple[int, int, bool]]:
    """Return (seed, treatments, planted) per clinic: sizes log-uniform over the range, seeds derived from seed."""
    rng = np.random.default_rng(seed)
    lo, hi = treatments
    plan = []
    for i in range(null + planted):
        size = int(round(math.exp(rng.uniform(math.log(lo), math.log(hi))))) if hi > lo else lo
        plan.append((seed * 1_000_003 + i, size, i >= null))
    return plan


def _run(args: tuple[int, int, bool]) -> ClinicResult:
    return run_clinic(*args)


def run_plan(plan: list[tuple[int, int, bool]], jobs: int = 1) -> Iterator[ClinicResult]:
    """Run every clinic of the plan (in `jobs` processes), yielding results as they finish, in plan order."""
    if jobs <= 1:
        for item in plan:
            yield _run(item)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(_run, plan)


# ------------------------------------------------------------------------------------------------ summary
def clopper_pearson(k: int, n: int) -> list[float]:
    """Exact 95% interval of a binomial proportion k / n."""
    if n == 0:
        return [0.0, 1.0]
    lo = 0.0 if k == 0 else float(beta.ppf(0.025, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(0.975, k + 1, n - k))
    return [round(lo, 4), round(hi, 4)]


def _band_label(lo: float, hi: float) -> str:
    return f"{lo:g}+" if not math.isfinite(hi) else f"{lo:g}-{hi:g}"


def _in_band(value: float, lo: float, hi: float, last: bool) -> bool:
    return lo <= value < hi or (last and value == hi)


def summarise(results: list[ClinicResult], seconds: float) -> dict[str, Any]:
    """Return the injectwatch-calibration/1 object for a list of clinic results."""
    nulls = [r for r in results if not r.planted]
    planted = [r for r in results if r.planted]
    with_act = sum(1 for r in nulls if r.act > 0)
    null_kinds: dict[str, int] = {}
    looks: dict[str, int] = {}
    for r in nulls:
        for s in r.false_act:
            null_kinds[s["kind"]] = null_kinds.get(s["kind"], 0) + 1
        for k in r.lookalike_act:
            looks[k] = looks.get(k, 0) + 1
    problems = [p for r in planted for p in r.problems]
    by_kind = {k: {"problems": 0, "found": 0, "found_act": 0, "kind_right": 0} for k in KINDS}
    for p in problems:
        row = by_kind[p["kind"]]
        row["problems"] += 1
        row["found"] += p["found"]
        row["found_act"] += p["found_act"]
        row["kind_right"] += p["kind_right"]
    by_effect = []
    for i, (rlo, rhi) in enumerate(RATE_RATIO_BANDS):
        for elo, ehi in EXPECTED_BANDS:
            cell = [p for p in problems if _in_band(p["rate_ratio"], rlo, rhi, i == len(RATE_RATIO_BANDS) - 1)
                    and elo <= p["expected_events"] < ehi]
            if cell:
                by_effect.append({"rate_ratio_band": _band_label(rlo, rhi), "expected_events_band": _band_label(elo, ehi),
                                  "problems": len(cell), "found": sum(p["found"] for p in cell),
                                  "found_act": sum(p["found_act"] for p in cell)})
    strong = [p for p in problems if p["rate_ratio"] >= 3 and p["expected_events"] >= 10]
    return {
        "format": FORMAT,
        "null": {
            "clinics": len(nulls), "clinics_with_act": with_act,
            "act_rate": round(with_act / len(nulls), 4) if nulls else None,
            "act_rate_ci95": clopper_pearson(with_act, len(nulls)),
            "mean_watch": round(float(np.mean([r.watch for r in nulls])), 3) if nulls else None,
            "act_by_kind": dict(sorted(null_kinds.items())), "lookalike_act": dict(sorted(looks.items())),
        },
        "planted": {
            "clinics": len(planted), "problems": len(problems),
            "found": sum(p["found"] for p in problems),
            "found_act": sum(p["found_act"] for p in problems),
            "kind_right": sum(p["kind_right"] for p in problems),
            "by_kind": by_kind, "by_effect": by_effect,
            "strong": {"problems": len(strong), "found_act": sum(p["found_act"] for p in strong),
                       "by_kind": {k: {"problems": sum(1 for p in strong if p["kind"] == k),
                                       "found_act": sum(p["found_act"] for p in strong if p["kind"] == k)}
                                   for k in KINDS}},
            "clinics_with_false_act": sum(1 for r in planted if r.false_act),
            "false_act": sum(len(r.false_act) for r in planted),
        },
        "seconds": round(seconds, 1),
    }


def calibrate(null: int, planted: int, treatments: tuple[int, int], seed: int, jobs: int = 1,
              progress: Callable[[int, int, ClinicResult], None] | None = None,
              details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Run the whole calibration and return its JSON object (details, if given, receives one dict per clinic)."""
    start = time.perf_counter()
    plan = clinic_plan(null, planted, treatments, seed)
    results = []
    for i, r in enumerate(run_plan(plan, jobs), start=1):
        results.append(r)
        if details is not None:
            details.append(asdict(r))
        if progress is not None:
            progress(i, len(plan), r)
    return summarise(results, time.perf_counter() - start)


def progress_bar(done: int, total: int, r: ClinicResult) -> None:
    """Write a one-line progress bar to stderr."""
    width = 30
    filled = int(width * done / total)
    sys.stderr.write(f"\rcalibrate [{'#' * filled}{'.' * (width - filled)}] {done}/{total} clinics "
                     f"(last: {'planted' if r.planted else 'null'}, {r.treatments} treatments, {r.act} act, "
                     f"{r.seconds:.1f} s)   ")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
