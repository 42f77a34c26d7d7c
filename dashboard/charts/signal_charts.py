"""Pure Plotly builders for the Signals page: funnel, CUSUM/VLAD, timeline window, dose bands, factor bars.

Every chart is titled and labelled for a clinic manager: what a dot/bar is, and what "too high" looks like.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.stats import funnel

HIGHLIGHT = "#d9480f"
NEUTRAL = "#4c6ef5"
GREY = "#adb5bd"
LIMIT_95 = "#f59f00"
LIMIT_998 = "#e03131"
BAND_LABELS = {0: "Below usual", 1: "Usual (lower half)", 2: "Usual (upper half)", 3: "Above usual (to 1.5x)",
               4: "Far above usual (>1.5x)"}


def wrap_title(title: str, width: int = 70) -> tuple[str, int]:
    """Break a long title into lines (a cut-off title told the manager half the story); returns (text, lines)."""
    lines = textwrap.wrap(title, width) or [""]
    return "<br>".join(lines), len(lines)


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int = 380) -> go.Figure:
    text, lines = wrap_title(title)
    # the legend goes under the x-axis title, measured from the bottom of the whole chart: at y=-0.2 of the plot
    # it sat on the axis title when the chart was short
    fig.update_layout(title={"text": text, "x": 0, "font": {"size": 15}}, height=height + 20 * (lines - 1),
                      margin={"l": 60, "r": 20, "t": 40 + 20 * lines, "b": 100}, plot_bgcolor="white",
                      legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom", "x": 0},
                      xaxis_title=x, yaxis_title=y)
    fig.update_xaxes(gridcolor="#eeeeee", zeroline=False)
    fig.update_yaxes(gridcolor="#eeeeee", zeroline=False)
    return fig


def funnel_figure(points: pd.DataFrame, highlight: str | None, term_name: str, area_name: str,
                  phi: float | None = None, tau2: float | None = None) -> go.Figure:
    """Funnel plot: one dot per injector, actual/expected against expected cases, with 95% and 99.8% limits."""
    pts = points[points["expected"] > 0].copy()
    pts["ratio"] = pts["observed"] / pts["expected"]
    fig = go.Figure()
    if not pts.empty:
        top = max(3.0, float(pts["ratio"].max()) * 1.25)
        e = np.linspace(max(pts["expected"].min() * 0.8, 0.05), pts["expected"].max() * 1.2, 200)
        od = funnel.Overdispersion(phi or 1.0, tau2 or 0.0, 1.0, len(pts)) if phi else None
        for p, name, colour, dash in ((0.025, "Usual variation (95%)", LIMIT_95, "dash"),
                                      (0.001, "Alarm line (99.8%)", LIMIT_998, "solid")):
            # at small expected counts the limits climb far above the dots: stop the line at the chart's top
            # edge instead of letting it run off (the dots keep the scale)
            upper = np.where(funnel.sr_upper_limit(e, p, od) <= top, funnel.sr_upper_limit(e, p, od), np.nan)
            lower = funnel.sr_lower_limit(e, p, od)
            fig.add_trace(go.Scatter(x=e, y=upper, mode="lines", name=name, line={"color": colour, "dash": dash}))
            fig.add_trace(go.Scatter(x=e, y=lower, mode="lines", showlegend=False, hoverinfo="skip",
                                     line={"color": colour, "dash": dash}))
        fig.add_hline(y=1, line={"color": GREY, "width": 1}, annotation_text="as expected",
                      annotation_position="bottom right")
        other = pts[pts["injector"] != highlight]
        mine = pts[pts["injector"] == highlight]
        fig.add_trace(go.Scatter(
            x=other["expected"], y=other["ratio"], mode="markers", name="Other injectors",
            marker={"color": NEUTRAL, "size": 9, "opacity": 0.7}, text=other["injector"],
            customdata=np.column_stack([other["observed"], other["treatments"]]),
            hovertemplate="%{text}<br>%{customdata[0]} cases, %{x:.1f} expected<br>"
                          "%{customdata[1]} treatments<extra></extra>"))
        if not mine.empty:
            fig.add_trace(go.Scatter(
                x=mine["expected"], y=mine["ratio"], mode="markers+text", name=str(highlight),
                marker={"color": HIGHLIGHT, "size": 15, "symbol": "diamond"}, text=mine["injector"],
                textposition="top center", hovertemplate="%{text}<br>%{y:.2f} x expected<extra></extra>"))
        fig.update_yaxes(range=[0, top])
        cut = e[np.isnan(funnel.sr_upper_limit(e, 0.001, od) * np.where(
            funnel.sr_upper_limit(e, 0.001, od) <= top, 1.0, np.nan))]
        if len(cut):
            fig.add_annotation(x=float(cut.max()), y=top, xanchor="left", yanchor="top", showarrow=False,
                               text="alarm line above the chart here", font={"size": 11, "color": LIMIT_998})
    title = f"{term_name} after {area_name.lower()}: each dot is an injector (above the red line = too many)"
    return _layout(fig, title, "Cases expected for that injector's patients (more treatments → further right)",
                   "Actual ÷ expected (1 = as expected)")


def vlad_figure(seq: pd.DataFrame, who: str, term_name: str) -> go.Figure:
    """VLAD: running 'expected minus actual' cases over an injector's treatments (falling = more than expected)."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=pd.to_datetime(seq["day"]), y=seq["vlad"], mode="lines", name=who,
                             line={"color": HIGHLIGHT, "width": 2}))
    fig.add_hline(y=0, line={"color": GREY, "width": 1})
    title = f"{who}: {term_name.lower()} cases avoided (above 0) or extra (below 0) compared with expected"
    return _layout(fig, title, "Treatment date", "Expected minus actual cases (running total)")


def cusum_figure(seq: pd.DataFrame, h: float | None, who: str) -> go.Figure:
    """Risk-adjusted CUSUM path with its alarm level h."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=pd.to_datetime(seq["day"]), y=seq["cusum"], mode="lines", name="CUSUM",
                             line={"color": NEUTRAL, "width": 2}))
    if h:
        fig.add_hline(y=h, line={"color": LIMIT_998, "dash": "dash"}, annotation_text="alarm level",
                      annotation_position="top left")
    title = f"{who}: build-up of extra cases (crossing the dashed line = alarm)"
    return _layout(fig, title, "Treatment date", "Evidence of a doubled risk (CUSUM)", height=320)


def timeline_figure(daily: pd.DataFrame, window_start: object, window_end: object, term_name: str) -> go.Figure:
    """Weekly actual vs expected cases of a term, with the signal's window shaded."""
    d = daily.copy()
    d["week"] = pd.to_datetime(d["day"]).dt.to_period("W").dt.start_time
    w = d.groupby("week", sort=True)[["observed", "expected"]].sum().reset_index()
    fig = go.Figure()
    fig.add_trace(go.Bar(x=w["week"], y=w["observed"], name="Actual cases", marker={"color": NEUTRAL}))
    fig.add_trace(go.Scatter(x=w["week"], y=w["expected"], mode="lines", name="Expected cases",
                             line={"color": LIMIT_95, "width": 2}))
    if window_start is not None and window_end is not None:
        fig.add_vrect(x0=pd.Timestamp(window_start), x1=pd.Timestamp(window_end) + pd.Timedelta(days=1),
                      fillcolor=HIGHLIGHT, opacity=0.18, line_width=0, annotation_text="signal period",
                      annotation_position="top left")
    title = f"{term_name}: cases per week by treatment date (shaded = the period that stands out)"
    return _layout(fig, title, "Week of treatment", "Cases")


def dose_band_figure(bands: pd.DataFrame, term_name: str, area_name: str, product_name: str,
                     usual: tuple[float, float] | None = None) -> go.Figure:
    """Rate per 1,000 treatments by dose band (actual vs expected), with the usual range shaded (the same unit as
    the Trends page, so the numbers can be compared)."""
    b = bands[bands["treatments"] > 0].sort_values("dose_band").copy()
    b["label"] = b["dose_band"].map(BAND_LABELS)
    b["rate"] = 1000 * b["observed"] / b["treatments"]
    b["expected_rate"] = 1000 * b["expected"] / b["treatments"]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=b["label"], y=b["rate"], name="Actual rate", marker={"color": NEUTRAL},
                         customdata=np.column_stack([b["observed"], b["treatments"]]),
                         hovertemplate="%{x}: %{y:.1f} per 1,000 treatments<br>%{customdata[0]} cases in "
                                       "%{customdata[1]:,} treatments"
                                       "<extra></extra>"))
    fig.add_trace(go.Scatter(x=b["label"], y=b["expected_rate"], mode="markers+lines", name="Expected at usual doses",
                             line={"color": LIMIT_95}))
    usual_labels = [BAND_LABELS[1], BAND_LABELS[2]]
    present = [lab for lab in usual_labels if lab in set(b["label"])]
    if present:
        fig.add_vrect(x0=present[0], x1=present[-1], fillcolor="#2f9e44", opacity=0.12, line_width=0,
                      annotation_text="usual dose range" + (f" ({usual[0]:g}-{usual[1]:g} U)" if usual else ""),
                      annotation_position="top left")
    title = f"{term_name} per 1,000 {product_name} {area_name.lower()} treatments, by dose"
    return _layout(fig, title, "Dose given, compared with the usual range for this product and area",
                   "Cases per 1,000 treatments")


def comparison_figure(observed: int, expected: float, label: str, term_name: str) -> go.Figure:
    """Two bars: actual and expected cases in the group the signal is about."""
    fig = go.Figure(go.Bar(x=["Actual", "Expected"], y=[observed, expected], marker={"color": [HIGHLIGHT, GREY]},
                           text=[f"{observed}", f"{expected:.1f}"], textposition="outside"))
    fig.update_layout(showlegend=False)
    return _layout(fig, f"{term_name}: actual vs expected cases — {label}", "", "Cases", height=320)
