"""Suspected cause (domain.md §7.1), merging of overlapping findings into one signal, ids and summaries."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from scipy.stats import poisson

from dashboard.signals.findings import DOSE_TREND_P, Finding, dose_response_text
from dashboard.stats.doseresponse import dose_response

LEVEL_RANK = {"act": 0, "watch": 1}
DOSE_EXCESS_SHARE = 0.5  # at least this share of an injector's excess sits on out-of-range doses -> dosing (if it
MIN_IN_RANGE_EXPECTED = 1.0  # also rises with units, or if nearly every dose is out of range: expected in range < 1)
DOMINANT_SHARE = 0.6  # one lot / injector holding this share of a cluster's events explains it


@dataclass
class Context:
    """Lookups the classification needs: display names, dose profiles and event breakdowns."""

    names: dict[str, dict[str, str]]
    injector_products: pd.DataFrame
    breakdown: Callable[..., pd.DataFrame]
    dose_breakdown: Callable[..., pd.DataFrame]
    window_units: Callable[..., pd.DataFrame]
    injector_doses: Callable[..., pd.DataFrame]  # (injector_id, area, term) -> per dose band: dose, n, o, e
    recorded_in_area: Callable[[int, str, str], tuple[int, int]] = lambda i, a, t: (0, 0)
    _by_pair: dict[tuple[int, str], pd.DataFrame] | None = field(default=None, repr=False)
    _no_pair: pd.DataFrame | None = field(default=None, repr=False)

    def products_of(self, injector_id: int | None, area: str | None) -> pd.DataFrame:
        """Return the injector_products rows of one injector x area (indexed once per run)."""
        if self._by_pair is None:
            prof = self.injector_products
            self._by_pair = {(int(k[0]), str(k[1])): g for k, g in prof.groupby(["injector_id", "area"], sort=False)}
            self._no_pair = prof.iloc[:0]
        if injector_id is None or area is None:
            return self._no_pair
        return self._by_pair.get((int(injector_id), str(area)), self._no_pair)

    def session_level(self, term: str) -> bool:
        """True for a term counted once per treatment (whole body, allergy, lack of effect, injection site)."""
        return bool(self.names.get("systemic", {}).get(term))

    def says_nothing_of_place(self, term: str) -> bool:
        """True for a session-level term that no injection technique explains (not an injection-site term)."""
        return self.session_level(term) and self.names.get("region", {}).get(term) != "Injection site"

    def placement_areas(self, term: str) -> set[str]:
        """Return the areas where a misplaced injection produces this term (reference data)."""
        return {a.strip() for a in self.names.get("placement", {}).get(term, "").split(",") if a.strip()}

    def name(self, kind: str, code: object) -> str:
        """Return the display name of a code (the code itself when unknown)."""
        return self.names.get(kind, {}).get(str(code), str(code))


def _strength(f: Finding) -> tuple:
    return (LEVEL_RANK.get(f.level or "", 2), f.p_value if f.p_value is not None else 1.0, -f.observed)


def _absorb(target: Finding, other: Finding) -> None:
    target.merged.append(other)
    target.merged.extend(other.merged)
    other.merged = []
    if LEVEL_RANK.get(other.level or "", 2) < LEVEL_RANK.get(target.level or "", 2):
        target.level = other.level


# ------------------------------------------------------------------------------------------- injectors
def classify_injector(f: Finding, ctx: Context) -> None:
    """Dosing or placement (domain.md §7.1), from where the excess sits and whether it rises with units.

    Dosing: at least half of the excess sits on doses outside the usual range and the injector's own rate moves with
    units towards that side (logistic regression over the injector's dose bands with the case-mix expected as offset,
    likelihood-ratio p < DOSE_TREND_P; Cochran-Armitage shown beside it), or nearly every dose is out of range so
    there is nothing in range to compare with. Placement: the excess is at usual doses or does not follow the dose."""
    mine = ctx.products_of(f.injector_id, f.area)
    treated = int(mine["treatments"].sum())
    below, above = int(mine["below"].sum()), int(mine["above"].sum())
    side = "below" if below > above else "above"
    excess = f.observed - f.expected
    excess_out = f.details.get("observed_out", 0) - f.details.get("expected_out", 0.0)
    expected_in = f.expected - f.details.get("expected_out", 0.0)
    on_out = excess > 0 and excess_out >= DOSE_EXCESS_SHARE * excess
    trend = None
    if on_out and below + above > 0 and f.injector_id is not None and f.area:  # only then can it be dosing
        b = ctx.injector_doses(f.injector_id, f.area, f.term)
        if len(b):
            trend = dose_response(b["dose"].to_numpy(), b["treatments"].to_numpy(), b["observed"].to_numpy(),
                                  b["expected"].to_numpy(), increasing=side == "above")
    f.details["dose_response"] = trend
    rises = trend is not None and trend.logistic_p < DOSE_TREND_P
    f.details["on_out"] = bool(treated and on_out)
    if treated:
        f.details.update({"direction": side, "share_out": (below + above) / treated,
                          "dose_product": str(mine.sort_values([side, "product"], ascending=[False, True]).iloc[0][
                              "product"])})
    if treated and on_out and (rises or expected_in < MIN_IN_RANGE_EXPECTED):
        f.kind = "dosing"
        f.product = f.details["dose_product"]
    elif ctx.says_nothing_of_place(f.term):
        # a session-level term says nothing about where the toxin went: never placement. Its excess at usual doses
        # points at the effective dose (dilution, storage, units), but without dose evidence the cause is open.
        f.kind = "dosing"
        f.product = f.details.get("dose_product")
        _cause_unclear(f, "session-level term at usual doses")
    else:
        f.kind = "placement"
        if not mine.empty and len(mine) == 1:
            f.product = str(mine.iloc[0]["product"])
        if f.area not in ctx.placement_areas(f.term) and f.injector_id is not None and f.area:
            here, events = ctx.recorded_in_area(f.injector_id, f.area, f.term)
            f.details.update({"recorded_here": here, "events_placed": events})
            if here < 0.5 * events:  # neither the anatomy nor the reports put the excess in this area
                _cause_unclear(f, "the reports do not say the events were in this area")
    f.method += dose_response_text(trend, " within the injector")


def _cause_unclear(f: Finding, why: str) -> None:
    """Keep a finding whose suspected cause has no evidence of its own at watch: act names a cause to act on."""
    f.details["cause_unclear"] = why
    if f.level == "act":
        f.level = "watch"


def _share_top(df: pd.DataFrame, col: str) -> tuple[Any, float]:
    df = df[df[col].notna()]
    if df.empty or df["observed"].sum() == 0:
        return None, 0.0
    g = df.groupby(col)["observed"].sum().sort_values(ascending=False, kind="stable")
    return g.index[0], float(g.iloc[0] / df["observed"].sum())


def merge_findings(found: dict[str, list[Finding]], ctx: Context) -> list[Finding]:
    """Give each finding its suspected cause and fold overlapping findings into one signal each."""
    inj = sorted(found.get("injector", []), key=_strength)
    for f in inj:
        classify_injector(f, ctx)
    dose_found = sorted(found.get("dose", []), key=_strength)
    for f in dose_found:
        _attribute_dose(f, ctx)
    # Another event of an injector already found dosing in the area, with its excess mostly on out-of-range doses,
    # is the same dosing problem even when that event alone shows no clear dose-response.
    dosing_areas = {(f.injector_id, f.area) for f in inj + dose_found if f.kind == "dosing" and f.injector_id is not None
                    and (f.family == "dose" or f.details.get("dose_response") is not None)}
    for f in inj:
        if f.kind == "placement" and f.details.get("on_out") and (f.injector_id, f.area) in dosing_areas:
            f.kind, f.product = "dosing", f.details["dose_product"]
    # the flagged finding of each injector and term: its own funnel finding, else a dose finding it dominates
    inj_by_key = {(f.injector_id, f.term): f for f in reversed(dose_found) if f.injector_id is not None}
    inj_by_key.update({(f.injector_id, f.term): f for f in reversed(inj)})
    lots: list[Finding] = []
    for f in sorted(found.get("lot", []), key=_strength):
        f.kind = "product_lot"
        b = ctx.breakdown(f.term)
        top_inj, share = _share_top(b[b["lot_id"] == f.lot_id], "injector_id")
        owner = inj_by_key.get((top_inj, f.term))
        if share >= DOMINANT_SHARE and owner is not None:
            _absorb(owner, f)
        else:
            lots.append(f)
    lot_by_key = {(f.lot_id, f.term): f for f in lots}
    times: list[Finding] = []
    for f in sorted(found.get("time", []), key=_strength):
        b = ctx.breakdown(f.term, None, f.clinic_id, f.window_start, f.window_end)  # a clinic's own scan: its events
        excess = max(f.observed - f.expected, 1.0)
        f.details.update({"lots_with_events": int(b.loc[b["observed"] > 0, "lot_id"].nunique()),
                          "injectors_with_events": int(b.loc[b["observed"] > 0, "injector_id"].nunique())})
        top_clinic, clinic_share = _share_top(b, "clinic_id")
        if f.clinic_id is None and clinic_share >= DOMINANT_SHARE:
            f.clinic_id = int(top_clinic)
        units = ctx.window_units(f.term, f.window_start, f.window_end)
        host = _explaining(units, "lot_id", {k[0]: v for k, v in lot_by_key.items() if k[1] == f.term}, excess)
        if host is None:
            host = _explaining(units, "injector_id", {k[0]: v for k, v in inj_by_key.items() if k[1] == f.term},
                               excess)
        if host is not None:
            _absorb(host, f)
            continue
        f.kind = "time_cluster"
        same = [t for t in times if t.term == f.term and not (
            f.window_end < t.window_start or f.window_start > t.window_end)]
        if same:
            _absorb(same[0], f)
        else:
            times.append(f)
    # Findings explained by a lot or a time cluster are folded into it.
    keep_inj = []
    for f in inj:
        if f in _all_merged(lots + times):
            continue
        b = ctx.breakdown(f.term, f.area)
        mine = b[b["injector_id"] == f.injector_id]
        total = mine["observed"].sum()
        host = None
        for lot in lots:
            if lot.term == f.term and total and mine.loc[mine["lot_id"] == lot.lot_id, "observed"].sum() >= 0.5 * total:
                host = lot
                break
        if host is None:
            for t in times:
                if t.term != f.term or not total:
                    continue
                w = ctx.breakdown(f.term, f.area, None, t.window_start, t.window_end)
                if w.loc[w["injector_id"] == f.injector_id, "observed"].sum() >= 0.5 * total:
                    host = t
                    break
        if host is not None:
            _absorb(host, f)
        else:
            keep_inj.append(f)
    for lot in list(lots):
        for t in times:
            if lot.term != t.term:
                continue
            w = ctx.breakdown(t.term, None, None, t.window_start, t.window_end)
            if w.loc[w["lot_id"] == lot.lot_id, "observed"].sum() >= 0.5 * lot.observed and \
                    t.details.get("lots_with_events", 0) >= 3:
                _absorb(t, lot)
                lots.remove(lot)
                break
    doses = []
    for f in dose_found:
        if f.injector_id is not None:  # the injector's own finding (its kind decided by its own dose-response)
            owner = next((i for i in keep_inj if i.injector_id == f.injector_id and i.term == f.term
                          and i.area == f.area), None)
        else:
            owner = next((i for i in keep_inj if i.kind == "dosing" and i.term == f.term and i.area == f.area
                          and i.product == f.product), None)
        if owner is not None and owner.kind == "dosing" and _strength(f) < _strength(owner):
            # the injector's dosing finding, led by its clearest piece of evidence (this dose finding)
            f.injector_id = owner.injector_id
            keep_inj[next(k for k, i in enumerate(keep_inj) if i is owner)] = f
            _absorb(f, owner)
        elif owner is not None:
            _absorb(owner, f)
        else:
            doses.append(f)
    factors = []
    for f in sorted(found.get("factor", []), key=_strength):
        f.kind = "patient_factor"
        factors.append(f)
    return _merge_same_problem(keep_inj + doses + lots + times + factors)


def _attribute_dose(f: Finding, ctx: Context) -> None:
    """Mark a dose finding as dosing and name the injector who gave at least DOMINANT_SHARE of its cases."""
    f.kind = "dosing"
    b = ctx.dose_breakdown(f.area, f.product, f.term, f.details.get("direction") == "below")
    if not b.empty and b["observed"].sum() > 0:
        top = b.iloc[0]
        if top["observed"] >= DOMINANT_SHARE * b["observed"].sum():
            f.injector_id = int(top["injector_id"])
            f.details["injector_share"] = float(top["observed"] / b["observed"].sum())


def _explaining(units: pd.DataFrame, col: str, flagged: dict, excess: float) -> Finding | None:
    """Return the flagged unit (lot or injector) that explains a time window: it holds at least half of the
    window's excess, and once its treatments are set aside the rest of the window is unremarkable
    (fewer than 3 events, one-sided Poisson p >= 0.01, or less than 1.25 times expected)."""
    if units.empty or not flagged:
        return None
    per = units[units[col].isin(list(flagged))].groupby(col)[["observed", "expected"]].sum()
    per = per.sort_values("observed", ascending=False, kind="stable")
    if per.empty or per["observed"].iloc[0] < 0.5 * excess:
        return None
    rest_o = units["observed"].sum() - per["observed"].iloc[0]
    rest_e = units["expected"].sum() - per["expected"].iloc[0]
    if rest_o >= 3 and rest_e > 0 and poisson.sf(rest_o - 1, rest_e) < 0.01 and rest_o >= 1.25 * rest_e:
        return None
    return flagged[per.index[0]]


def _all_merged(findings: list[Finding]) -> list[Finding]:
    out = []
    for f in findings:
        out.extend(f.merged)
    return out


def _problem_key(f: Finding) -> tuple:
    """Findings with the same key are one problem (e.g. one injector's systematic overdosing)."""
    if f.kind == "dosing":
        return ("dosing", f.injector_id) if f.injector_id is not None else ("dosing", f.area, f.product, f.term)
    if f.kind == "placement":
        return ("placement", f.injector_id, f.area)
    if f.kind == "product_lot":
        return ("product_lot", f.lot_id)
    if f.kind == "patient_factor":
        return ("patient_factor", f.factor)
    return ("time_cluster", f.term, f.clinic_id, f.window_start)


def _merge_same_problem(findings: list[Finding]) -> list[Finding]:
    groups: dict[tuple, list[Finding]] = {}
    for f in sorted(findings, key=_strength):
        groups.setdefault(_problem_key(f), []).append(f)
    out = []
    for members in groups.values():
        head = members[0]
        for other in members[1:]:
            _absorb(head, other)
        out.append(head)
    return out


# ------------------------------------------------------------------------------------------- output
def signal_id(f: Finding) -> str:
    """Stable id: a hash of the kind, the defining dimensions and the term."""
    parts = [f.kind, f.term, f.injector_id, f.area if f.kind != "dosing" or f.injector_id is None else None,
             f.product if f.kind == "dosing" and f.injector_id is None else None, f.lot_id, f.factor,
             f.clinic_id if f.kind == "time_cluster" else None,
             f.window_start if f.kind == "time_cluster" else None]
    digest = hashlib.sha256("|".join("" if p is None else str(p) for p in parts).encode()).hexdigest()
    return f"sig-{digest[:12]}"


def _num(x: float | None, digits: int = 4) -> float | None:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return None
    return float(f"{x:.{digits}g}") if x != 0 else 0.0


def also_terms(f: Finding) -> list[str]:
    """Other terms folded into this signal, in a stable order."""
    return sorted({m.term for m in f.merged if m.term != f.term})


def to_signal(f: Finding, ctx: Context) -> dict[str, Any]:
    """Return the spec §6 object for a merged finding."""
    return {
        "id": signal_id(f),
        "kind": f.kind,
        "level": f.level,
        "term": f.term,
        "injector": None if f.injector_id is None else ctx.name("injector", f.injector_id),
        "area": f.area,
        "product": f.product,
        "lot": f.lot,
        "factor": f.factor,
        "window_start": None if f.window_start is None else str(pd.Timestamp(f.window_start).date()),
        "window_end": None if f.window_end is None else str(pd.Timestamp(f.window_end).date()),
        "observed": int(f.observed),
        "expected": _num(float(f.expected), 4),
        "treatments": int(f.treatments),
        "rate_ratio": _num(f.rate_ratio),
        "p_value": _num(f.p_value),
        "q_value": _num(f.q_value),
        "method": f.method,
        "summary": summary(f, ctx),
        "clinic": None if f.clinic_id is None else ctx.name("clinic", f.clinic_id),
        "also_terms": also_terms(f),
    }


def urgency(signal: dict[str, Any]) -> tuple:
    """Sort key: act before watch, then smallest q, smallest p, largest rate ratio, id."""
    q = signal["q_value"] if signal["q_value"] is not None else 1.0
    p = signal["p_value"] if signal["p_value"] is not None else 1.0
    rr = signal["rate_ratio"] if signal["rate_ratio"] is not None else 0.0
    return (LEVEL_RANK.get(signal["level"], 2), q, p, -rr, signal["id"])


def _about(x: float) -> str:
    return f"{x:.1f}" if x < 10 else f"{x:.0f}"


def _date(d: object) -> str:
    ts = pd.Timestamp(d)
    return f"{ts.day} {ts.strftime('%b %Y')}"


def summary(f: Finding, ctx: Context) -> str:
    """One plain-language sentence a clinic manager understands."""
    term = ctx.name("term", f.term).lower()
    rr = f.rate_ratio
    times = f"{rr:.1f} times" if math.isfinite(rr) else "far above"
    counts = f"{f.observed} reports of {term} where about {_about(f.expected)} were expected ({times} the usual rate)"
    extra = also_terms(f)
    also = f", with more {', '.join(ctx.name('term', t).lower() for t in extra)} too" if extra else ""
    if f.kind in ("placement", "dosing") and f.injector_id is not None:
        who = ctx.name("injector", f.injector_id)
        where = ctx.name("area", f.area).lower() if f.area else "their"
        if f.kind == "placement" and f.details.get("cause_unclear"):
            return (f"{who}: {counts} after {where} treatments at usual doses{also} - the reports do not say where "
                    f"the events were; review this injector's technique.")
        if f.kind == "placement":
            return (f"{who}: {counts} after {where} treatments at usual doses{also} - "
                    f"review this injector's injection technique and placement in this area.")
        product = ctx.name("product", f.product) if f.product else "the product"
        if f.family == "dose":
            side = "below" if f.details.get("direction") == "below" else "above"
            return (f"{who}: {counts} after {where} treatments given {side} the usual {product} dose range{also} - "
                    f"check the units used for {product} (another product's unit numbers?).")
        if f.details.get("cause_unclear") and not f.details.get("on_out"):
            return (f"{who}: {counts} after {where} treatments at usual doses{also} - check this injector's "
                    f"dilution, vial storage and units; the reports do not show where the problem lies.")
        if f.details.get("direction") == "below":
            return (f"{who}: {counts} after {where} treatments{also}; many of the {product} doses were below the "
                    f"usual range - check the units used for {product} (another product's unit numbers?).")
        return (f"{who}: {counts} after {where} treatments{also}; many of the {product} doses were above the usual "
                f"range - check the units used for {product} (another product's unit numbers?).")
    if f.kind == "dosing":
        product = ctx.name("product", f.product)
        side = "below" if f.details.get("direction") == "below" else "above"
        return (f"{product} doses {side} the usual range for {ctx.name('area', f.area).lower()}: {counts} - "
                f"review the clinic's dosing protocol for this area.")
    if f.kind == "product_lot":
        product = ctx.name("product", f.product)
        inj = f.details.get("injectors_with_events")
        across = f" across {inj} injectors" if inj and inj > 1 else ""
        return (f"{product} lot {f.lot}: {counts}{across}{also}, used {_date(f.window_start)} to "
                f"{_date(f.window_end)} - check how this lot was stored and consider setting it aside.")
    if f.kind == "time_cluster":
        where = f" at {ctx.name('clinic', f.clinic_id)}" if f.clinic_id is not None else ""
        n_inj = f.details.get("injectors_with_events", 0)
        n_lot = f.details.get("lots_with_events", 0)
        return (f"Sessions{where} from {_date(f.window_start)} to {_date(f.window_end)}: {counts}, "
                f"across {n_inj} injectors and {n_lot} lots - look for a shared cause such as saline, "
                f"equipment or hygiene in that period.")
    label = ctx.name("factor", f.factor)
    return (f"Treatments recorded with '{label}': {counts}{also} - patients with this factor are at higher risk; "
            f"review the advice and checks given to them before treatment.")
