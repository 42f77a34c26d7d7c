"""The naive reference: the same Trends aggregates computed by reading the raw tables into pandas.

This is how many Streamlit apps do it; the benchmark times it against `queries.run_all` (pandas_ratio)
and the tests check both give the same figures. Not used by the page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.core.authz import User, require
from dashboard.core.db import Database
from dashboard.trends.filters import Filters
from dashboard.trends.queries import CASE_LIMIT, PERMISSION, bounds
from dashboard.trends.stats import add_rates

ALL_EVENTS = "All adverse events"


def _tables(db: Database) -> dict[str, pd.DataFrame]:
    """Read every raw table the page needs, whole."""
    names = ("treatments", "injections", "events", "event_versions", "ref_terms", "ref_areas", "ref_products",
             "ref_area_doses", "injectors", "clinics", "lots")
    return {n: db.df(f"SELECT * FROM {n}") for n in names}  # table names from the fixed tuple above


def _dims(frame: pd.DataFrame, f: Filters) -> pd.Series:
    keep = pd.Series(True, index=frame.index)
    for col, value in (("clinic_id", f.clinic), ("injector_id", f.injector), ("product", f.product),
                       ("lot_id", f.lot)):
        if value is not None:
            keep &= frame[col] == value
    return keep


def _between(days: pd.Series, lo: object, hi: object) -> pd.Series:
    return (days >= pd.Timestamp(lo)) & (days <= pd.Timestamp(hi))


def run_all_pandas(db: Database, user: User | None, filters: Filters) -> dict[str, pd.DataFrame]:
    """Compute kpis, trend, areas, injector_area, products, lots, dose and cases the naive pandas way."""
    require(user, PERMISSION)
    if filters.start is None or filters.end is None:
        filters = filters.resolved(bounds(db, user)[1])
    f = filters
    prev_start, prev_end = f.previous()
    t = _tables(db)
    tr = t["treatments"][["treatment_id", "clinic_id", "injector_id", "product", "lot_id", "treated_at"]].copy()
    tr["day"] = tr["treated_at"].dt.normalize()
    tr = tr[_dims(tr, f)]
    inj = t["injections"]
    ta = (inj.groupby(["treatment_id", "area"], as_index=False)["units"].sum())
    ta["dose"] = np.round(ta["units"].astype(float) * 2) / 2
    ta = ta.merge(tr, on="treatment_id")

    ev = t["event_versions"]
    latest = ev.loc[ev.groupby("event_id")["version"].idxmax()]
    facts = t["events"][["event_id", "treatment_id"]].merge(latest.drop(columns=["event_id"]).assign(
        event_id=latest["event_id"]), on="event_id")
    facts = facts.merge(tr, on="treatment_id").merge(
        t["ref_terms"][["code", "body_region"]].rename(columns={"code": "term"}), on="term")
    facts["is_open"] = facts["outcome"].isin(["recovering", "not_recovered", "unknown"]) & facts["resolved_at"].isna()
    treated_areas = inj[["treatment_id", "area"]].drop_duplicates().rename(columns={"area": "treated_area"})
    facts = facts.merge(treated_areas, on="treatment_id", how="left")
    facts["attr_area"] = facts["area"].where(facts["area"].notna(), facts["treated_area"])
    facts = facts.drop_duplicates(["event_id", "attr_area"])
    efilter = (facts["severity"] >= f.min_severity) & (facts["serious"] | (not f.serious_only))
    if f.term is not None:
        efilter &= facts["term"] == f.term
    ev_all = facts[efilter]
    ev_area = ev_all if f.area is None else ev_all[ev_all["attr_area"] == f.area]
    den = tr if f.area is None else ta[ta["area"] == f.area]

    out: dict[str, pd.DataFrame] = {}
    rows = []
    for name, lo, hi in (("current", f.start, f.end), ("previous", prev_start, prev_end)):
        e = ev_area[_between(ev_area["day"], lo, hi)]
        rows.append({"period": name, "treatments": int(_between(den["day"], lo, hi).sum()),
                     "events": e["event_id"].nunique(), "serious_events": e.loc[e["serious"], "event_id"].nunique(),
                     "open_cases": e.loc[e["is_open"], "event_id"].nunique()})
    out["kpis"] = add_rates(pd.DataFrame(rows))

    cur_den = den[_between(den["day"], f.start, f.end)]
    cur_ev = ev_area[_between(ev_area["day"], f.start, f.end)]
    freq = "W-SUN" if f.grain == "week" else "M"

    def bucket(days: pd.Series) -> pd.Series:
        return days.dt.to_period(freq).dt.start_time
    tb = cur_den.groupby(bucket(cur_den["day"])).size().rename("treatments")
    e = cur_ev.assign(bucket=bucket(cur_ev["day"]))
    by_group = e.groupby(["bucket", "body_region"])["event_id"].nunique().rename("events").reset_index()
    overall = e.groupby("bucket")["event_id"].nunique().rename("events").reset_index().assign(body_region=ALL_EVENTS)
    ecounts = pd.concat([by_group, overall])
    groups = sorted(ecounts["body_region"].unique(), key=lambda g: (g != ALL_EVENTS, g))
    grid = pd.MultiIndex.from_product([groups, tb.index], names=["term_group", "bucket"]).to_frame(index=False)
    grid = grid.merge(tb.reset_index().rename(columns={"day": "bucket"}), on="bucket")
    grid = grid.merge(ecounts.rename(columns={"body_region": "term_group"}), on=["bucket", "term_group"], how="left")
    grid["events"] = grid["events"].fillna(0).astype(int)
    out["trend"] = add_rates(grid[["bucket", "term_group", "treatments", "events"]])

    cur_ta = ta[_between(ta["day"], f.start, f.end)]
    cur_ev_all = ev_all[_between(ev_all["day"], f.start, f.end) & ev_all["attr_area"].notna()]
    a_den = cur_ta.groupby("area").size().rename("treatments")
    a_ev = cur_ev_all.groupby("attr_area")["event_id"].nunique().rename("events")
    areas = a_den.to_frame().join(a_ev).fillna({"events": 0}).reset_index()
    areas = areas.merge(t["ref_areas"][["code", "name"]].rename(columns={"code": "area", "name": "area_name"}), on="area")
    out["areas"] = add_rates(areas)

    g_ta = cur_ta if f.area is None else cur_ta[cur_ta["area"] == f.area]
    g_ev = cur_ev_all if f.area is None else cur_ev_all[cur_ev_all["attr_area"] == f.area]
    ia = g_ta.groupby(["injector_id", "area"]).size().rename("treatments").to_frame().join(
        g_ev.groupby(["injector_id", "attr_area"])["event_id"].nunique().rename("events").rename_axis(
            ["injector_id", "area"])).fillna({"events": 0}).reset_index()
    out["injector_area"] = add_rates(ia.merge(t["injectors"][["injector_id", "name"]].rename(
        columns={"name": "injector"}), on="injector_id"))

    for name, col in (("products", "product"), ("lots", "lot_id")):
        d = cur_den[cur_den[col].notna()].groupby(col).size().rename("treatments").to_frame()
        d = d.join(cur_ev[cur_ev[col].notna()].groupby(col)["event_id"].nunique().rename("events"))
        out[name] = add_rates(d.fillna({"events": 0}).reset_index())

    dose_rows = []
    for (product, area), g in g_ta.groupby(["product", "area"]):
        doses = np.sort(g["dose"].to_numpy())
        n = len(doses)

        def q(p: float, doses: np.ndarray = doses, n: int = n) -> float:
            return float(doses[int(np.ceil(p * n)) - 1]) if p * n >= 1 else float(doses[0])
        dose_rows.append({"product": product, "area": area, "treatments": n, "min_dose": doses[0],
                          "p10": q(0.10), "p25": q(0.25), "p50": q(0.50), "p75": q(0.75), "p90": q(0.90),
                          "max_dose": doses[-1]})
    out["dose"] = pd.DataFrame(dose_rows)

    c = cur_ev[["event_id", "day"]].drop_duplicates("event_id").sort_values(
        ["day", "event_id"], ascending=False)
    out["cases"] = c.head(CASE_LIMIT).assign(total=len(c))
    return out
