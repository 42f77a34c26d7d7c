"""Plain figures: no template goes to the browser, the house look fills gaps only, datarevision follows the data."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.charts.plain import AXIS, GRID, LAYOUT, PlainFigure


def _spec(fig: go.Figure) -> dict:
    """What st.plotly_chart sends: plotly.tools turns a figure into fig.to_dict(), then JSON."""
    import plotly.tools

    return json.loads(pio.to_json(plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True),
                                  validate=False))


def _fig(y, **layout) -> PlainFigure:
    return PlainFigure(data=[{"type": "scatter", "x": list(range(len(y))), "y": y}],
                       layout={"xaxis2": {"domain": [0.5, 1]}, **layout})


def test_no_template_reaches_the_browser_while_a_plain_figure_still_has_one() -> None:
    fig = _fig([1, 2, 3])
    assert fig.layout.template is not None  # plotly.py fills its default in, as for any figure
    assert "template" not in _spec(fig)["layout"]
    assert "template" in _spec(go.Figure(fig.to_plotly_json()))["layout"]  # a plain go.Figure would send it


def test_datarevision_is_the_same_for_the_same_data_and_changes_with_it() -> None:
    a, b, c = _spec(_fig([1, 2, 3])), _spec(_fig([1, 2, 3])), _spec(_fig([1, 2, 4]))
    assert a["layout"]["datarevision"] == b["layout"]["datarevision"]
    assert a["layout"]["datarevision"] != c["layout"]["datarevision"]


def test_datarevision_sees_a_change_in_the_middle_of_a_long_array() -> None:
    y = np.arange(2000.0)
    changed = y.copy()
    changed[1000] = -1.0
    assert _spec(_fig(y))["layout"]["datarevision"] != _spec(_fig(changed))["layout"]["datarevision"]


def test_house_look_fills_what_the_figure_leaves_unset_and_the_figure_wins() -> None:
    layout = _spec(_fig([1, 2, 3], plot_bgcolor="#fafafa", title={"text": "T", "x": 0.5},
                        yaxis={"gridcolor": "#000000", "title": {"text": "per 1,000"}}))["layout"]
    assert layout["plot_bgcolor"] == "#fafafa" and layout["paper_bgcolor"] == LAYOUT["paper_bgcolor"]
    assert layout["title"]["text"] == "T" and layout["title"]["x"] == 0.5
    assert layout["title"]["font"] == LAYOUT["title"]["font"]
    assert layout["font"]["family"] == LAYOUT["font"]["family"]
    assert layout["yaxis"]["gridcolor"] == "#000000"
    assert layout["yaxis"]["title"] == {"text": "per 1,000", "font": AXIS["title"]["font"]}
    # every axis the figure has gets the house grid, also the second panel's
    assert layout["xaxis"]["gridcolor"] == GRID and layout["xaxis2"]["gridcolor"] == GRID
    assert layout["xaxis2"]["domain"] == [0.5, 1]
