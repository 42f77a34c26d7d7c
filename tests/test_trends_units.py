"""Pure parts of the Trends page: filters and their URL round trip, Wilson rates, drill-down, chart builders."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from dashboard.stats.intervals import wilson
from dashboard.trends import charts
from dashboard.trends.drill import Drill, bucket_end, drill_from
from dashboard.trends.filters import Filters
from dashboard.trends.stats import add_rates, change
from tests.conftest import ROOT

VECTORS = json.loads((ROOT.parent / "shared" / "reference" / "stat-vectors-public.json").read_text()) \
    if (ROOT.parent / "shared" / "reference" / "stat-vectors-public.json").exists() else []


# ---------------------------------------------------------------------------- filters
def test_query_string_round_trip() -> None:
    f = Filters(start=date(2026, 1, 1), end=date(2026, 3, 31), clinic=2, injector=5, product="abo", lot=7,
                area="glabella", term="eyelid_ptosis", min_severity=3, serious_only=True, grain="week")
    q = f.to_query()
    assert q["start"] == "2026-01-01" and q["serious_only"] == "1" and q["clinic"] == "2"
    back, problems = Filters.from_query(q)
    assert back == f and problems == []


def test_defaults_are_left_out_of_the_link() -> None:
    assert Filters().to_query() == {}
    assert Filters(area="dao").to_query() == {"area": "dao"}


def test_bad_link_values_are_ignored_with_a_reason() -> None:
    f, problems = Filters.from_query({"clinic": "abc", "area": "elbow", "start": "31/01/2026", "grain": "day",
                                      "min_severity": "9", "product": "ona"})
    assert f == Filters(product="ona")
    assert len(problems) == 5
    assert any("clinic value 'abc'" in p and "expected a number" in p for p in problems)
    assert any("area" in p and "not a known treatment area" in p for p in problems)


def test_default_period_is_52_weeks_to_the_last_day_and_previous_has_same_length() -> None:
    f = Filters().resolved(date(2026, 11, 20))
    assert (f.start, f.end, f.days()) == (date(2025, 11, 22), date(2026, 11, 20), 364)
    prev_start, prev_end = f.previous()
    assert prev_end == date(2025, 11, 21)
    assert (prev_end - prev_start).days + 1 == 364


def test_swapped_dates_are_put_in_order() -> None:
    f = Filters(start=date(2026, 5, 1), end=date(2026, 4, 1)).resolved(None)
    assert (f.start, f.end) == (date(2026, 4, 1), date(2026, 5, 1))


# ---------------------------------------------------------------------------- statistics
def test_wilson_matches_the_published_vector() -> None:
    vec = next((v for v in VECTORS if v["id"] == "ci-01"), {"inputs": {"x": 81, "n": 263},
                                                               "expected": {"wilson": [0.2553, 0.3662]}})
    lo, hi = wilson(vec["inputs"]["x"], vec["inputs"]["n"])
    assert (lo, hi) == pytest.approx(tuple(vec["expected"]["wilson"]), abs=0.001)


def test_add_rates_per_1000_with_intervals_and_small_flags() -> None:
    out = add_rates(pd.DataFrame({"events": [81, 0, 5], "treatments": [263, 0, 10]}))
    assert out.loc[0, "rate"] == pytest.approx(1000 * 81 / 263)
    assert (out.loc[0, "rate_lo"], out.loc[0, "rate_hi"]) == pytest.approx((255.3, 366.2), abs=1)
    assert pd.isna(out.loc[1, "rate"]) and pd.isna(out.loc[1, "rate_lo"])
    assert list(out["too_few"]) == [False, True, True]


def test_change() -> None:
    assert change(12.5, 10.0) == 2.5
    assert change(None, 3) is None and change(float("nan"), 3) is None


# ---------------------------------------------------------------------------- drill-down
def test_drill_from_each_chart() -> None:
    d = drill_from("trend", ["Eyes and eyelids", "2026-01-05"], grain="week")
    assert (d.group, d.date_from, d.date_to) == ("Eyes and eyelids", date(2026, 1, 5), date(2026, 1, 11))
    assert "week of 05 Jan 2026" in d.label
    m = drill_from("trend", ["All adverse events", "2026-02-01 00:00:00"], grain="month")
    assert m.date_to == date(2026, 2, 28) and m.params()["drill_group"] is None
    assert drill_from("injector_area", [3, "dao", "Dr C", "DAO"]) == Drill(injector=3, area="dao", label="Dr C · DAO")
    assert drill_from("products", ["abo", "Dysport"]).product == "abo"
    assert drill_from("lots", [4, "BOTOX lot X1"]).lot == 4
    assert drill_from("dose", ["masseter", "Masseter"], product="ona", product_name="BOTOX") == Drill(
        area="masseter", product="ona", label="Masseter · BOTOX")
    assert drill_from("lots", ["not a number"]) is None
    assert bucket_end(date(2024, 2, 1), "month") == date(2024, 2, 29)


# ---------------------------------------------------------------------------- charts
def _rated(frame: pd.DataFrame) -> pd.DataFrame:
    return add_rates(frame)


def test_kpi_cards_show_values_and_changes() -> None:
    k = _rated(pd.DataFrame({"period": ["current", "previous"], "treatments": [400, 200], "events": [8, 2],
                             "serious_events": [1, 0], "open_cases": [3, 1]}))
    cards = charts.kpi_cards(k)
    assert [c.label for c in cards] == ["Treatments", "Adverse events", "Events per 1,000 treatments",
                                        "Serious events", "Open cases"]
    assert cards[0].value == "400" and cards[0].delta == "+200"
    assert cards[2].value == "20.0" and cards[2].delta == "+10.0"
    assert cards[2].delta_color == "inverse"  # more events per 1,000 shows red


def test_kpi_cards_without_previous_treatments_have_no_rate_change() -> None:
    k = _rated(pd.DataFrame({"period": ["current", "previous"], "treatments": [10, 0], "events": [1, 0],
                             "serious_events": [0, 0], "open_cases": [0, 0]}))
    assert charts.kpi_cards(k)[2].delta is None


def _trend() -> pd.DataFrame:
    rows = []
    for g in ("All adverse events", "Eyes and eyelids", "Injection site"):
        for b, n, e in ((date(2026, 1, 5), 30, 3), (date(2026, 1, 12), 40, 1)):
            rows.append({"bucket": pd.Timestamp(b), "term_group": g, "treatments": n, "events": e})
    return _rated(pd.DataFrame(rows))


def test_trend_figure_has_a_panel_per_group_with_band_and_labels() -> None:
    fig = charts.trend_figure(_trend(), "week")
    lines = [t for t in fig.data if t.mode == "lines+markers"]
    assert len(lines) == 3
    assert list(lines[0].y) == pytest.approx([100.0, 25.0])
    assert list(lines[1].customdata[0]) == ["Eyes and eyelids", "2026-01-05"]
    bands = [t for t in fig.data if t.fill == "toself"]
    assert len(bands) == 3
    # each band is one closed shape: the upper limits forward in time, then the lower limits back
    trend = _trend()
    first = trend[trend["term_group"] == "All adverse events"]
    assert list(bands[0].y) == pytest.approx(list(first["rate_hi"]) + list(first["rate_lo"])[::-1])
    assert list(bands[0].x) == list(first["bucket"]) + list(first["bucket"])[::-1]
    assert len(fig.data) == 6  # a band and a line per panel
    assert "per 1,000 treatments" in fig.layout.title.text and "week" in fig.layout.title.text
    assert [a.text for a in fig.layout.annotations][:3] == ["All adverse events", "Eyes and eyelids", "Injection site"]
    assert fig.layout.xaxis3.title.text == "Week of treatment"
    assert fig.layout.yaxis.title.text == "per 1,000"


def test_face_rate_figure_colours_areas_by_rate() -> None:
    areas = _rated(pd.DataFrame({"area": ["glabella", "forehead"], "area_name": ["Glabella", "Forehead"],
                                 "treatments": [40, 10], "events": [4, 1]}))
    fig = charts.face_rate_figure(areas, selected="forehead")
    coloured = [t for t in fig.data if t.name == "areas"][0]
    assert dict(zip(coloured.customdata, coloured.marker.color, strict=True))["glabella"] == pytest.approx(100.0)
    assert "per 1,000" in fig.layout.title.text
    assert any("too few to judge" in h for h in coloured.hovertext)


def test_area_table_lists_names_and_rates_highest_first() -> None:
    areas = _rated(pd.DataFrame({"area": ["glabella", "forehead", "dao"], "area_name": ["Glabella", "Forehead", "DAO"],
                                 "treatments": [40, 10, 0], "events": [4, 2, 0]}))
    table = charts.area_table(areas)
    assert list(table["Area"]) == ["Forehead", "Glabella"]
    assert list(table["Per 1,000"]) == [200.0, 100.0]
    assert list(table.columns) == ["Area", "Per 1,000", "Treatments", "Events"]  # the rate before it scrolls away


def test_injector_area_grid_greys_small_cells() -> None:
    cells = _rated(pd.DataFrame({
        "injector_id": [1, 1, 2], "injector": ["Dr A", "Dr A", "Dr B"], "area": ["glabella", "dao", "glabella"],
        "area_name": ["Glabella", "DAO", "Glabella"], "treatments": [30, 19, 20], "events": [3, 1, 0]}))
    fig = charts.injector_area_figure(cells)
    grey, judged = fig.data
    assert grey.marker.color == charts.GREY and list(grey.customdata[0]) == [1, "dao", "Dr A", "DAO"]
    assert "too few to judge" in grey.hovertext[0] and "1 events / 19 treatments" in grey.hovertext[0]
    assert sorted(judged.y) == ["Dr A", "Dr B"]
    assert fig.layout.xaxis.title.text == "Treatment area" and fig.layout.yaxis.title.text == "Injector"


def test_rate_bars_have_wilson_whiskers_and_grey_small_groups() -> None:
    frame = _rated(pd.DataFrame({"product": ["ona", "abo"], "product_name": ["BOTOX", "Dysport"],
                                 "treatments": [300, 10], "events": [3, 1]}))
    fig = charts.rate_bar_figure(frame, "product_name", "product", "By product", "Product")
    bar = fig.data[0]
    assert list(bar.y) == ["BOTOX", "Dysport"]  # sorted by rate
    assert list(bar.marker.color) == ["#1971c2", charts.GREY]
    rated = frame.set_index("product")
    assert bar.error_x.array[0] == pytest.approx(rated.loc["ona", "rate_hi"] - rated.loc["ona", "rate"])
    assert fig.layout.xaxis.title.text == charts.RATE_LABEL


def test_dose_figure_shades_the_usual_range_per_area() -> None:
    dose = pd.DataFrame({"product": ["ona", "ona", "abo"], "area": ["glabella", "masseter", "glabella"],
                         "area_name": ["Glabella", "Masseter", "Glabella"], "treatments": [30, 12, 5],
                         "min_dose": [10, 20, 40], "p10": [15, 25, 45], "p25": [18, 30, 50], "p50": [20, 40, 50],
                         "p75": [24, 50, 55], "p90": [30, 60, 60], "max_dose": [40, 80, 70], "below_usual": [0, 0, 0],
                         "above_usual": [1, 2, 0], "usual_lo": [10, 20, 25], "usual_hi": [40, 50, 100],
                         "label_total": [20, None, 50]})
    fig = charts.dose_figure(dose, "ona", "BOTOX")
    bands = [(s.x0, s.x1) for s in fig.layout.shapes]
    assert bands == [(10, 40), (20, 50)]
    box = [t for t in fig.data if t.type == "box"][0]
    assert list(box.median) == [20, 40] and list(box.lowerfence) == [15, 25]
    label = [t for t in fig.data if t.name == "Labelled dose"][0]
    assert list(label.x) == [20]
    assert "BOTOX" in fig.layout.xaxis.title.text and "units" in fig.layout.xaxis.title.text
    assert charts.dose_figure(dose, "daxi", "DAXXIFY").data == ()


def test_top_lots_leaves_out_small_lots_and_keeps_the_highest_rates() -> None:
    lots = _rated(pd.DataFrame({"lot_id": range(1, 31), "treatments": [19] + [100] * 29,
                                "events": [19] + list(range(29))}))
    top = charts.top_lots(lots, n=5)
    assert list(top["lot_id"]) == [30, 29, 28, 27, 26]  # lot 1 (19 treatments, all with events) is left out


def test_selected_points_reads_customdata() -> None:
    event = {"selection": {"points": [{"customdata": ["abo", "Dysport"]}, {"x": 1}, {"customdata": "dao"}]}}
    assert charts.selected_points(event) == [["abo", "Dysport"], ["dao"]]
    assert charts.selected_points(None) == []


def test_every_trend_panel_has_its_dates_and_its_unit() -> None:
    fig = charts.trend_figure(_trend(), "month")
    def axes(kind: str) -> list:
        names = sorted((k for k in fig.layout if k.startswith(kind)), key=lambda k: int(k[len(kind):] or 1))
        return [getattr(fig.layout, k) for k in names]

    xaxes, yaxes = axes("xaxis"), axes("yaxis")
    assert len(xaxes) == len(yaxes) == 4  # 3 groups in a 2-column grid
    assert all(ax.showticklabels for ax in xaxes[:3])  # dates on every panel with data, not only the bottom row
    assert all(ax.title.text == "per 1,000" for ax in yaxes[:3])


def test_injector_grid_orders_areas_down_the_face_and_slants_their_names() -> None:
    cells = _rated(pd.DataFrame({
        "injector_id": [1, 1, 1, 1], "injector": ["Dr A"] * 4,
        "area": ["axillary_hyperhidrosis", "masseter", "bunny_lines", "glabella"],
        "area_name": ["Underarm sweating (axillae)", "Masseter (jaw)", "Bunny lines (nose)", "Glabella (frown lines)"],
        "treatments": [30] * 4, "events": [1] * 4}))
    fig = charts.injector_area_figure(cells)
    assert list(fig.layout.xaxis.categoryarray) == [
        "Glabella (frown lines)", "Bunny lines (nose)", "Masseter (jaw)", "Underarm sweating (axillae)"]
    assert fig.layout.xaxis.tickangle == -45 and fig.layout.xaxis.automargin
    assert "treatments" in fig.data[-1].marker.colorbar.title.text
    assert fig.data[-1].marker.cmin == 0 and fig.data[-1].marker.cmax == pytest.approx(max(fig.data[-1].marker.color))


def test_rate_colour_scales_say_what_they_measure() -> None:
    areas = _rated(pd.DataFrame({"area": ["glabella"], "area_name": ["Glabella"], "treatments": [40], "events": [4]}))
    bar = [t for t in charts.face_rate_figure(areas).data if t.name == "areas"][0].marker.colorbar
    assert "1,000" in bar.title.text and "treatments" in bar.title.text


def test_rate_bar_subtitle_lines_fit_a_half_width_chart() -> None:
    frame = _rated(pd.DataFrame({"product": ["ona"], "product_name": ["BOTOX"], "treatments": [300], "events": [3]}))
    fig = charts.rate_bar_figure(frame, "product_name", "product", "By product", "Product")
    subtitle = fig.layout.title.text.split("<sup>")[1].removesuffix("</sup>")
    # a half-width chart at 1,400 px holds ~75 characters of the small subtitle font; longer lines were cut off
    assert all(len(line) <= 75 for line in subtitle.split("<br>"))


def test_case_list_outcomes_read_as_on_the_cases_page() -> None:
    listing = pd.DataFrame({"event_ref": ["E-1", "E-2", "E-3"],
                            "outcome": ["not recovered", "recovered with sequelae", "recovering"]})
    assert list(charts.readable_outcomes(listing)["outcome"]) == [
        "Not recovered", "Recovered with lasting effects", "Recovering"]


def test_kpi_cards_say_no_change_in_grey_instead_of_a_coloured_plus_zero() -> None:
    k = _rated(pd.DataFrame({"period": ["current", "previous"], "treatments": [400, 400], "events": [8, 8],
                             "serious_events": [1, 1], "open_cases": [3, 2]}))
    cards = {c.label: c for c in charts.kpi_cards(k)}
    for label in ("Treatments", "Adverse events", "Events per 1,000 treatments", "Serious events"):
        assert (cards[label].delta, cards[label].delta_color, cards[label].delta_arrow) == ("no change", "off", "off")
    assert (cards["Open cases"].delta, cards["Open cases"].delta_arrow) == ("+1", "auto")
