"""Every Trends query against the hand-built clinic (tests/test_trends_fixture.py) with known answers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from dashboard.core.authz import PermissionDenied
from dashboard.core.db import Database
from dashboard.trends import queries
from dashboard.trends.drill import Drill
from tests.test_trends_fixture import JAN, clinic_fixture  # noqa: F401 - provides the clinic fixture
from tools.pandas_ref import run_all_pandas


def _kpi(frame, period: str) -> dict:
    return frame.set_index("period").loc[period].to_dict()


def test_kpis_and_previous_period(clinic: Database, manager) -> None:
    k = queries.kpis(clinic, manager, JAN)
    cur, prev = _kpi(k, "current"), _kpi(k, "previous")
    assert (cur["treatments"], cur["events"], cur["serious_events"], cur["open_cases"]) == (40, 4, 1, 2)
    assert (prev["treatments"], prev["events"], prev["serious_events"], prev["open_cases"]) == (20, 1, 0, 0)
    assert cur["rate"] == pytest.approx(100.0)
    assert prev["rate"] == pytest.approx(50.0)
    lo, hi = proportion_confint(4, 40, method="wilson")
    assert (cur["rate_lo"], cur["rate_hi"]) == pytest.approx((1000 * lo, 1000 * hi))


def test_previous_period_has_the_same_length() -> None:
    assert JAN.previous() == (date(2025, 12, 1), date(2025, 12, 31))


def test_area_filter_uses_treatments_of_that_area(clinic: Database, manager) -> None:
    glabella = _kpi(queries.kpis(clinic, manager, replace(JAN, area="glabella")), "current")
    assert (glabella["treatments"], glabella["events"]) == (40, 4)
    forehead = _kpi(queries.kpis(clinic, manager, replace(JAN, area="forehead")), "current")
    assert (forehead["treatments"], forehead["events"]) == (10, 1)  # E3 had no area: attributed to forehead too


def test_event_filters(clinic: Database, manager) -> None:
    assert _kpi(queries.kpis(clinic, manager, replace(JAN, min_severity=2)), "current")["events"] == 3
    assert _kpi(queries.kpis(clinic, manager, replace(JAN, serious_only=True)), "current")["events"] == 1
    ptosis = queries.kpis(clinic, manager, replace(JAN, term="eyelid_ptosis"))
    assert (_kpi(ptosis, "current")["events"], _kpi(ptosis, "previous")["events"]) == (1, 1)
    # the old version of E5 (headache) no longer counts
    assert _kpi(queries.kpis(clinic, manager, replace(JAN, term="headache")), "current")["events"] == 1


def test_dimension_filters(clinic: Database, manager) -> None:
    b = _kpi(queries.kpis(clinic, manager, replace(JAN, injector=2)), "current")
    assert (b["treatments"], b["events"]) == (10, 1)
    assert _kpi(queries.kpis(clinic, manager, replace(JAN, clinic=1)), "current")["treatments"] == 30
    assert _kpi(queries.kpis(clinic, manager, replace(JAN, product="abo")), "current")["treatments"] == 10
    assert _kpi(queries.kpis(clinic, manager, replace(JAN, lot=1)), "current")["events"] == 3


def test_trend_by_week_with_wilson_intervals(clinic: Database, manager) -> None:
    t = queries.trend(clinic, manager, replace(JAN, grain="week"))
    overall = t[t["term_group"] == "All adverse events"].set_index("bucket")
    assert list(overall.index) == [pd.Timestamp(2026, 1, 5), pd.Timestamp(2026, 1, 19)]
    assert list(overall["treatments"]) == [30, 10]
    assert list(overall["events"]) == [3, 1]
    lo, hi = proportion_confint(3, 30, method="wilson")
    assert overall.loc[pd.Timestamp(2026, 1, 5), "rate_lo"] == pytest.approx(1000 * lo)
    assert overall.loc[pd.Timestamp(2026, 1, 5), "rate_hi"] == pytest.approx(1000 * hi)
    eyes = t[t["term_group"] == "Eyes and eyelids"].set_index("bucket")
    assert list(eyes["events"]) == [1, 0]  # every bucket appears for every group, zero when no events
    assert set(t["term_group"]) == {"All adverse events", "Eyes and eyelids", "Injection site",
                                    "Brow and forehead", "Whole body"}


def test_trend_by_month(clinic: Database, manager) -> None:
    t = queries.trend(clinic, manager, replace(JAN, grain="month"))
    overall = t[t["term_group"] == "All adverse events"]
    assert list(overall["bucket"]) == [pd.Timestamp(2026, 1, 1)]
    assert list(overall["rate"]) == pytest.approx([100.0])


def test_area_rates_use_area_denominators(clinic: Database, manager) -> None:
    a = queries.area_rates(clinic, manager, JAN).set_index("area")
    assert a.loc["glabella", "treatments"] == 40 and a.loc["glabella", "events"] == 4
    assert a.loc["forehead", "treatments"] == 10 and a.loc["forehead", "events"] == 1
    assert a.loc["forehead", "rate"] == pytest.approx(100.0)
    # the face keeps its context when an area is chosen
    assert set(queries.area_rates(clinic, manager, replace(JAN, area="forehead"))["area"]) == {"glabella", "forehead"}


def test_injector_area_and_greying_threshold(clinic: Database, manager) -> None:
    g = queries.injector_area(clinic, manager, JAN).set_index(["injector", "area"])
    assert g.loc[("Dr A", "glabella"), "treatments"] == 30 and g.loc[("Dr A", "glabella"), "events"] == 3
    assert not g.loc[("Dr A", "glabella"), "too_few"]
    assert g.loc[("Dr B", "forehead"), "treatments"] == 10 and g.loc[("Dr B", "forehead"), "too_few"]
    assert g.loc[("Dr B", "glabella"), "events"] == 1


def test_product_and_lot_rates(clinic: Database, manager) -> None:
    p = queries.product_rates(clinic, manager, JAN).set_index("product")
    assert (p.loc["ona", "treatments"], p.loc["ona", "events"]) == (30, 3)
    assert (p.loc["abo", "treatments"], p.loc["abo", "events"]) == (10, 1)
    lots = queries.lot_rates(clinic, manager, JAN).set_index("lot_number")
    assert lots.loc["L1", "rate"] == pytest.approx(100.0)
    assert lots.loc["L2", "lot_label"].endswith("lot L2")


def test_dose_distribution_against_usual_range(clinic: Database, manager) -> None:
    d = queries.dose(clinic, manager, JAN).set_index(["product", "area"])
    ona = d.loc[("ona", "glabella")]
    assert ona["treatments"] == 30 and ona["p50"] == 20 and ona["p10"] == 20 and ona["p90"] == 20
    assert (ona["usual_lo"], ona["usual_hi"], ona["label_total"]) == (10, 40, 20)
    assert ona["below_usual"] == 0 and ona["above_usual"] == 0
    assert d.loc[("abo", "forehead"), "p50"] == 30
    assert d.loc[("abo", "glabella"), "p50"] == 50


def test_cases_listing_and_drill_down(clinic: Database, manager) -> None:
    c = queries.cases(clinic, manager, JAN)
    assert set(c["event_ref"]) == {"E1", "E2", "E3", "E5"}
    assert int(c["total"].iloc[0]) == 4
    assert "Headache" in set(c["event"]) or any("head" in e.lower() for e in c["event"])
    assert set(queries.cases(clinic, manager, JAN, Drill(injector=2))["event_ref"]) == {"E3"}
    assert set(queries.cases(clinic, manager, JAN, Drill(area="forehead"))["event_ref"]) == {"E3"}
    assert set(queries.cases(clinic, manager, JAN, Drill(group="Eyes and eyelids"))["event_ref"]) == {"E1"}
    week = Drill(group="All adverse events", date_from=date(2026, 1, 19), date_to=date(2026, 1, 25))
    assert set(queries.cases(clinic, manager, JAN, week)["event_ref"]) == {"E3"}
    assert len(queries.cases(clinic, manager, JAN, limit=2)) == 2


def test_empty_filter_gives_zeros_not_errors(clinic: Database, manager) -> None:
    f = replace(JAN, start=date(2030, 1, 1), end=date(2030, 1, 31))
    k = _kpi(queries.kpis(clinic, manager, f), "current")
    assert (k["treatments"], k["events"]) == (0, 0)
    assert queries.trend(clinic, manager, f).empty
    assert queries.cases(clinic, manager, f).empty


def test_only_managers(clinic: Database, practitioner, admin) -> None:
    for user in (practitioner, admin):
        with pytest.raises(PermissionDenied):
            queries.kpis(clinic, user, JAN)


def test_run_all_matches_the_pandas_reference(clinic: Database, manager) -> None:
    for f in (JAN, replace(JAN, area="glabella", grain="week"), replace(JAN, min_severity=2),
              replace(JAN, injector=1, term="eyelid_ptosis")):
        fast, slow = queries.run_all(clinic, manager, f), run_all_pandas(clinic, manager, f)
        assert set(fast) == set(slow)
        cols = ["treatments", "events", "serious_events", "open_cases"]
        assert fast["kpis"][cols].to_dict("records") == slow["kpis"][cols].to_dict("records")
        a = fast["trend"].assign(bucket=lambda x: x["bucket"].astype(str))
        b = slow["trend"].assign(bucket=lambda x: x["bucket"].astype(str))
        key = ["term_group", "bucket"]
        assert (a.sort_values(key)[key + ["treatments", "events"]].to_dict("records")
                == b.sort_values(key)[key + ["treatments", "events"]].to_dict("records"))
        for name, k in (("areas", ["area"]), ("injector_area", ["injector_id", "area"]), ("products", ["product"]),
                        ("lots", ["lot_id"])):
            x = fast[name].sort_values(k)[k + ["treatments", "events"]].reset_index(drop=True)
            y = slow[name].sort_values(k)[k + ["treatments", "events"]].reset_index(drop=True)
            x[k] = x[k].astype(str)
            y[k] = y[k].astype(str)
            assert x.astype({"treatments": int, "events": int}).to_dict("records") == y.astype(
                {"treatments": int, "events": int}).to_dict("records"), name
        dcols = ["product", "area", "treatments", "p10", "p25", "p50", "p75", "p90"]
        fd = fast["dose"].sort_values(["product", "area"])[dcols].reset_index(drop=True)
        sd = slow["dose"].sort_values(["product", "area"])[dcols].reset_index(drop=True)
        nums = {c: float for c in dcols[2:]}
        assert fd.astype(nums).to_dict("records") == sd.astype(nums).to_dict("records")
        assert len(fast["cases"]) == len(slow["cases"])
