"""'Show as table' draws its rows from the figure; chart layouts keep titles, legends and lines in view."""

import numpy as np
import pandas as pd

from dashboard.charts import signal_charts
from dashboard.charts.as_table import figure_table
from dashboard.charts.face import face_figure
from dashboard.trends import charts


def test_bar_chart_as_table_has_one_row_per_bar_with_its_details():
    frame = pd.DataFrame({"product_name": ["A", "B"], "product": ["a", "b"], "rate": [10.0, 20.0],
                          "rate_lo": [5.0, 15.0], "rate_hi": [15.0, 25.0], "events": [1, 2],
                          "treatments": [100, 100], "too_few": [False, False]})
    table = figure_table(charts.rate_bar_figure(frame, "product_name", "product", "Rate by product", "Product"))
    assert len(table) == 2
    assert set(table["Product"]) == {"A", "B"}
    assert "95% CI" in table["Details"].iloc[0]


def test_face_heatmap_as_table_lists_every_area_value():
    table = figure_table(face_figure(values={"glabella": 12.5, "masseter": 3.0}, colorbar_title="per 1,000"))
    assert sorted(v for v in table["Value"].dropna()) == [3.0, 3.0, 12.5]  # masseter on both sides


def test_dose_chart_as_table_names_the_areas_and_the_legend_sits_below_the_plot():
    dose = pd.DataFrame({"product": ["ona"], "area": ["glabella"], "area_name": ["Glabella"], "p10": [10.0],
                         "p25": [15.0], "p50": [20.0], "p75": [25.0], "p90": [30.0], "usual_lo": [10.0],
                         "usual_hi": [40.0], "label_total": [20.0], "treatments": [50], "below_usual": [0],
                         "above_usual": [1]})
    fig = charts.dose_figure(dose, "ona", "BOTOX Cosmetic")
    table = figure_table(fig)
    assert "Glabella" in set(table["Treatment area"]) and "Median" in table.columns
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0


def test_funnel_alarm_lines_stop_at_the_top_of_the_chart():
    pts = pd.DataFrame({"injector": ["A", "B", "C"], "expected": [0.1, 2.0, 8.0], "observed": [0, 3, 9],
                        "treatments": [10, 200, 800]})
    fig = signal_charts.funnel_figure(pts, "B", "Eyelid ptosis", "Glabella")
    top = fig.layout.yaxis.range[1]
    for trace in fig.data:
        if trace.mode == "lines":
            assert np.nanmax(np.array(trace.y, dtype=float)) <= top
    assert any("above the chart" in a.text for a in fig.layout.annotations)


def test_long_signal_titles_wrap_instead_of_being_cut():
    text, lines = signal_charts.wrap_title("x " * 80)
    assert lines > 1 and "<br>" in text
