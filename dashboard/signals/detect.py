"""The signal run: aggregate in DuckDB, fit the case-mix models, run every detection family, classify.

Entry points: `run_detection(db, user, date_from, date_to) -> SignalRun` for the Signals page (checks signals.view),
and the engine `run_signals(db, date_from=None, date_to=None) -> dict` (spec §6 JSON object) that the `signals`
command, the bench and the calibration tooling call without a user.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from dashboard.core.authz import User, require
from dashboard.core.config import RISK_FACTORS
from dashboard.core.db import Database
from dashboard.signals import benchmark, classify, doses, expected, sites
from dashboard.signals.cells import SignalData
from dashboard.signals.control import RunControl
from dashboard.signals.expected import CellProbabilities
from dashboard.signals.findings import (
    WATCH_MIN_OBSERVED,
    Finding,
    cusum_screen,
    dose_findings,
    factor_tests,
    grade_factor_findings,
    injector_findings,
    injector_variance,
    injector_variance_by_row,
    lot_findings,
    poisson_p,
    time_findings,
)
from dashboard.stats import cusum
from dashboard.stats.casemix import CaseMixModel, Columns, fit_casemix
from dashboard.trends import refresh as trends_refresh

FORMAT = "injectwatch-signals/1"
# The model is fitted with every dose band as its own level (below, lower half, upper half, up to 1.5 x the top,
# beyond) and predicts each treatment as if its dose had been usual (`_as_if_usual`): harm from out-of-range doses
# then shows as excess, and it cannot leak into the in-range coefficients (pooled with the upper half, a dosing
# error raised the "upper half" risk and was absorbed into the expected counts).
# The clinic is in every term's model, then replaced by a site level pooled over all terms (signals/sites.py): sites
# differ in how completely they report, but one injector's excess must not be absorbed into their site's level.
# "areas_band" (1, 2, 3, 4+ areas in the session) for the session-level terms, counted once per treatment on its main
# area: a session with more injections has more chances of bruising, pain or a headache.
BASE_COVARIATES = ("area", "product", "dose_band", "vpp_model", "age_band", "sex", "areas_band", "clinic")
# the case-mix model's reference comes from usual practice: an in-range dose band, a risk factor's absence
_REFERENCE_LEVELS: dict[str, tuple[int, ...]] = {"dose_band": (1, 2)} | {f: (0,) for f in RISK_FACTORS}

@dataclass
class SignalRun:
    """Everything one run produced: the signals (spec §6 dicts) and the data their charts need."""

    signals: list[dict[str, Any]]
    date_from: date | None
    date_to: date | None
    findings: dict[str, Finding] = field(default_factory=dict)
    funnel: pd.DataFrame = field(default_factory=pd.DataFrame)
    daily: pd.DataFrame = field(default_factory=pd.DataFrame)
    daily_by_clinic: pd.DataFrame = field(default_factory=pd.DataFrame)
    dose_bands: pd.DataFrame = field(default_factory=pd.DataFrame)
    usual_doses: pd.DataFrame = field(default_factory=pd.DataFrame)
    sequences: dict[str, pd.DataFrame] = field(default_factory=dict)
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def _split(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _term_areas(cells: pd.DataFrame, cell_events: pd.DataFrame, pairs: pd.DataFrame) -> dict[str, set[str]]:
    """Return the areas each term is analysed over: reference pairs plus pairs seen in the data."""
    out: dict[str, set[str]] = {}
    for row in pairs.itertuples(index=False):
        out.setdefault(row.term, set()).add(row.area)
    seen = cell_events.merge(cells[["cell_id", "area"]], on="cell_id")[["term", "area"]].drop_duplicates()
    for row in seen.itertuples(index=False):
        out.setdefault(row.term, set()).add(row.area)
    return out


def _numeric_cells(cells: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Return the cells with text columns replaced by integer codes (fast grouping) and the code tables."""
    num = pd.DataFrame({"cell_id": cells["cell_id"].to_numpy(dtype=np.int64),
                        "n": cells["n"].to_numpy(dtype=float)})
    codes: dict[str, np.ndarray] = {}
    for col in ("area", "product", "sex"):
        idx, uniques = pd.factorize(cells[col].astype(str), sort=True)
        num[col] = idx
        codes[col] = np.asarray(uniques, dtype=object)
    num["clinic"] = cells["clinic_id"].to_numpy(dtype=np.int64)
    for col in ("dose_band", "dose_model", "vpp_model", "age_band", "is_main", "areas_band", *RISK_FACTORS):
        num[col] = cells[col].to_numpy(dtype=np.int64)
    return num, codes


def _as_if_usual(cells: Columns) -> Columns:
    """Return the cells with out-of-range dose bands moved to the nearest in-range half (for prediction)."""
    return cells.assign(dose_band=cells["dose_model"])


def fit_expected(cells: pd.DataFrame, cell_events: pd.DataFrame, term_areas: dict[str, set[str]],
                 control: RunControl, systemic: set[str] | None = None
                 ) -> tuple[CellProbabilities, list[Finding]]:
    """Fit the case-mix model per term; return per-cell probabilities and the graded patient-factor findings.

    One model per term holds every recorded risk factor with the base covariates (the clinic among them): its factor
    coefficients are the patient-factor tests, and its predictions (doses taken as usual, the term's own clinic levels
    replaced by the site levels pooled over all terms) give the expected counts."""
    num, codes = _numeric_cells(cells)
    area_index = {a: i for i, a in enumerate(codes["area"])}
    cell_ids = num["cell_id"].to_numpy()
    columns = {c: num[c].to_numpy() for c in num.columns}
    fitted: dict[str, tuple[np.ndarray, Columns, CaseMixModel, np.ndarray]] = {}
    tests: list[Finding] = []
    events_by_term = {t: g.set_index("cell_id")["events"] for t, g in cell_events.groupby("term", sort=True)}
    for term in sorted(term_areas):
        ev = events_by_term.get(term)
        if ev is None or ev.sum() < WATCH_MIN_OBSERVED:
            continue
        if term in (systemic or set()):
            mask = num["is_main"].to_numpy() == 1
        else:
            wanted = [area_index[a] for a in term_areas[term] if a in area_index]
            mask = np.isin(num["area"].to_numpy(), wanted)
        rows = np.flatnonzero(mask)
        ct = Columns({c: v[rows] for c, v in columns.items()}
                     | {"events": ev.reindex(cell_ids[rows]).fillna(0).to_numpy()})
        if ct["events"].sum() < WATCH_MIN_OBSERVED:
            continue
        present = tuple(f for f in RISK_FACTORS if ct[f].any())
        model = fit_casemix(ct, BASE_COVARIATES + present, covariance=True, reference=_REFERENCE_LEVELS)
        given = model.fitted if model.fitted is not None else model.predict(ct)  # at the doses given
        tests += factor_tests(term, ct, model, present, given)  # the other factors and the clinic held fixed
        fitted[term] = (rows, ct, model, given)
    pooled = sites.pooled_site_levels([sites.term_site_levels(m, ct) for _, ct, m, _ in fitted.values()])
    probs = {term: (rows, sites.predict_with_sites(m, ct, _as_if_usual(ct), pooled, given))
             for term, (rows, ct, m, given) in fitted.items()}
    return expected.from_terms(cell_ids, probs), grade_factor_findings(tests, control)


def _cusum_series(data: SignalData, by_inj: pd.DataFrame,
                  placement: dict[str, list[str]]) -> dict[tuple[str, str], pd.DataFrame]:
    """Fetch the time-ordered series of each term x area where a misplaced injection shows (reference) and
    some injector's count is already nominally high (O >= 3, 1.25 x expected, one-sided p < 0.001): the CUSUM tells
    whether that excess is a recent drift worth acting on."""
    pairs = {(a, t) for t, areas in placement.items() for a in areas}
    df = by_inj[(by_inj["observed"] >= 3) & (by_inj["observed"] >= 1.25 * by_inj["expected"])]
    df = df[poisson_p(df["observed"], df["expected"]) < 0.001]
    out = {}
    for area, term in sorted(set(zip(df["area"], df["term"], strict=True)) & pairs):
        out[(area, term)] = data.cusum_series(area, term)
    return out


def run_detection(db: Database, user: User | None, date_from: date | None = None,
                  date_to: date | None = None) -> SignalRun:
    """For a user who may see signals (signals.view): run the detection over the period (see _detect)."""
    require(user, "signals.view")
    return _detect(db, date_from, date_to)


def _detect(db: Database, date_from: date | None = None, date_to: date | None = None) -> SignalRun:
    """Run every detection family over the period and return the classified, merged signals."""
    clock = _Clock()
    _bring_rows_up_to_date(db)
    clock.lap("refresh")
    with db.cursor() as cur:
        data = SignalData(cur, date_from, date_to)
        clock.lap("aggregate")
        names = data.names()
        cells = data.cells()
        cell_events = data.cell_events()
        pairs = data.ref_pairs()
        placement = {t: _split(a) for t, a in names.get("placement", {}).items() if _split(a)}
        systemic = {t for t, flag in names.get("systemic", {}).items() if flag}
        control = RunControl()
        probs, factor_found = fit_expected(cells, cell_events, _term_areas(cells, cell_events, pairs), control,
                                           systemic)
        clock.lap("case_mix")
        data.set_expected(probs, cells, names.get("injector", {}))
        whole = data.by_injector()
        # the spread between injectors, before the peers' scaling (which sets the excess of one injector against the
        # deficit of the others twice over): per term for the dose family, per row (own injector left out) for theirs
        spread = injector_variance(whole[whole["expected"] > 0])
        by_inj = benchmark.against_others(whole)
        row_spread = injector_variance_by_row(by_inj.assign(expected=whole["expected"].to_numpy()))
        series = _cusum_series(data, by_inj, placement)
        phat_map = {t: probs.term_series(t) for t in sorted({t for _, t in series})}
        hits = cusum_screen(series, phat_map)
        clock.lap("cusum")
        tied = {(a, t) for t, areas in placement.items() for a in areas}
        found: dict[str, list[Finding]] = {"injector": injector_findings(by_inj, hits, control, row_spread, tied)}
        clock.lap("injectors")
        bands = band_sums(cells, cell_events, probs)
        found["dose"] = dose_findings(bands, control, spread)
        clock.lap("dose")
        found["lot"] = lot_findings(data.by_lot(), control)
        clock.lap("lots")
        daily_by_clinic = data.by_day_clinic()
        found["time"] = time_findings(daily_by_clinic, control)
        by_day = data.by_day()
        found["factor"] = factor_found
        for family in found.values():
            control.grade(family)
        clock.lap("time")
        ctx = classify.Context(names=names, injector_products=data.injector_products(),
                               breakdown=_memo(data.breakdown), dose_breakdown=_memo(data.dose_breakdown),
                               window_units=_memo(data.window_units),
                               injector_doses=doses.InjectorDoses(data.cur, probs, found["injector"],
                                                                  data.injector_dose_cells).bands,
                               recorded_in_area=data.recorded_in_area)
        primaries = classify.merge_findings(found, ctx)
        signals = [classify.to_signal(f, ctx) for f in primaries]
        order = sorted(range(len(signals)), key=lambda i: classify.urgency(signals[i]))
        signals = [signals[i] for i in order]
        primaries = [primaries[i] for i in order]
        clock.lap("classify")
        run = SignalRun(signals, date_from, date_to, names=names)
        run.findings = {s["id"]: f for s, f in zip(signals, primaries, strict=True)}
        run.funnel = by_inj
        run.daily = by_day
        run.daily_by_clinic = daily_by_clinic
        run.usual_doses = data.usual_doses()
        run.dose_bands = bands.rename(columns={"n": "treatments", "o": "observed", "e": "expected"})[
            ["area", "product", "term", "dose_band", "treatments", "observed", "expected"]]
        for s, f in zip(signals, primaries, strict=True):
            if f.family == "injector" and f.area and (f.area, f.term) in series:
                run.sequences[s["id"]] = _sequence(series[(f.area, f.term)], phat_map[f.term], f.injector_id)
        clock.lap("charts")
    run.timings = clock.laps
    return run


def _bring_rows_up_to_date(db: Database) -> None:
    """Bring the stored signal rows up to date (a no-op when current; incremental after additions)."""
    if not db.read_only:
        trends_refresh.refresh(db, actor="signals")
    elif not trends_refresh.is_current(db):
        raise RuntimeError("the signal rows are behind the records and the database is open read-only: "
                           "open it writable (or run the Trends page or an import) to bring them up to date")


def _memo(fn: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
    """Remember a query's result per argument tuple for the length of one run."""
    seen: dict[tuple, pd.DataFrame] = {}

    def wrapper(*args: Any) -> pd.DataFrame:
        if args not in seen:
            seen[args] = fn(*args)
        return seen[args]

    return wrapper


class _Clock:
    """Phase timings of a run (seconds), reported by the bench and the report."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._t, 3)
        self._t = now


def band_sums(cells: pd.DataFrame, cell_events: pd.DataFrame, probs: CellProbabilities) -> pd.DataFrame:
    """Return treatments n, observed o, expected e and dose-ratio weight wr per area x product x term x dose
    band, over the cells where the term is analysed (sparse band x cell sums of the cells x terms matrices)."""
    cols = ["area", "product", "term", "dose_band", "n", "o", "e", "wr"]
    if not probs.terms:
        return pd.DataFrame(columns=cols)
    keys = cells[["area", "product", "dose_band"]]
    band = pd.factorize(pd.MultiIndex.from_frame(keys))[0]
    first = np.unique(band, return_index=True)[1]
    groups = sparse.csr_matrix((np.ones(len(cells)), (band, np.arange(len(cells)))), shape=(len(first), len(cells)))
    n = cells["n"].to_numpy(dtype=float)[:, None]
    ratio = cells["dose_ratio"].astype(float).fillna(1.0).to_numpy()[:, None]
    term_col = {t: j for j, t in enumerate(probs.terms)}
    events = np.zeros_like(probs.p)
    ce = cell_events[cell_events["term"].isin(term_col)]
    events[probs.cell_index(ce["cell_id"].to_numpy()), ce["term"].map(term_col).to_numpy()] = ce["events"].to_numpy()
    mask = probs.analysed
    sums = {name: np.asarray(groups @ m) for name, m in (("n", mask * n), ("o", events * mask), ("e", probs.p * n),
                                                          ("wr", mask * (n * ratio)))}
    r, c = np.nonzero(np.asarray(groups @ mask.astype(float)) > 0)
    out = keys.iloc[first[r]].reset_index(drop=True)
    out.insert(2, "term", np.asarray(probs.terms, dtype=object)[c])
    for name, m in sums.items():
        out[name] = m[r, c]
    out["n"] = np.rint(out["n"]).astype(np.int64)
    return out[cols].sort_values(["area", "product", "term", "dose_band"], kind="stable").reset_index(drop=True)


def _sequence(series: pd.DataFrame, p: pd.Series, injector_id: int | None) -> pd.DataFrame:
    """Return one injector's CUSUM and VLAD path for a chart."""
    s = series[series["injector_id"] == injector_id]
    risk = np.clip(p.reindex(s["cell_id"].to_numpy()).fillna(p.mean()).to_numpy(), 1e-6, 0.5)
    y = s["event"].to_numpy(dtype=float)
    return pd.DataFrame({"day": s["day"].to_numpy(), "expected": risk, "event": y,
                         "cusum": cusum.cusum_path(cusum.steiner_weights(risk, y, 2.0)),
                         "vlad": cusum.vlad(risk, y)})


def _period(run: SignalRun, db: Database) -> tuple[str | None, str | None]:
    lo = run.date_from or db.scalar("SELECT CAST(min(treated_at) AS DATE) FROM treatments")
    hi = run.date_to or db.scalar("SELECT CAST(max(treated_at) AS DATE) FROM treatments")
    return (None if lo is None else str(lo)), (None if hi is None else str(hi))


def run_signals(db: Database, date_from: date | None = None, date_to: date | None = None) -> dict[str, Any]:
    """Return the spec §6 object: format, generated_at, from, to and the signals, most urgent first."""
    run = _detect(db, date_from, date_to)
    lo, hi = _period(run, db)
    return {
        "format": FORMAT,
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "from": lo,
        "to": hi,
        "signals": run.signals,
    }
