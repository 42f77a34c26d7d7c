"""Pure chart builders for the Trends page: DataFrame in, plotly Figure (or plain values) out."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard.charts.face import face_figure
from dashboard.charts.plain import CLICKABLE, HEAT_SCALE, PlainFigure
from dashboard.core.config import AREAS
from dashboard.practice.repository import OUTCOME_NAMES
from dashboard.trends.stats import TOO_FEW, change

RATE_LABEL = "Adverse events per 1,000 treatments"
GREY = "#ced4da"
BAND = "rgba(64, 192, 87, 0.18)"
LINE = "#c92a2a"
ALL_EVENTS = "All adverse events"
COLORBAR_TITLE = "Events per<br>1,000<br>treatments"


@dataclass(frozen=True)
class Kpi:
    """One KPI card: label, formatted value, formatted change against the previous period, and help."""

    label: str
    value: str
    delta: str | None
    delta_color: str
    help: str
    delta_arrow: str = "auto"


def _fmt_delta(diff: float | None, digits: int, unit: str = "") -> str | None:
    if diff is None:
        return None
    # the bare change: the period caption above the cards says what it is compared with (with the words
    # "vs previous period" on every card, the cards cut their changes off at 1,400 px)
    if digits == 0:
        return f"{diff:+,.0f}{unit}"
    return f"{diff:+,.{digits}f}{unit}"


def kpi_cards(kpis: pd.DataFrame) -> list[Kpi]:
    """Turn the two-row KPI frame (current, previous) into five cards; fewer events show green."""
    cur = kpis.set_index("period").loc["current"]
    prev = kpis.set_index("period").loc["previous"]
    rate = None if cur["treatments"] == 0 else float(cur["rate"])
    prev_rate = None if prev["treatments"] == 0 else float(prev["rate"])
    cards = [
        Kpi("Treatments", f"{int(cur['treatments']):,}", _fmt_delta(change(int(cur["treatments"]), int(prev["treatments"])), 0),
            "off", "Treatments in the period (with an area chosen: treatments of that area)."),
        Kpi("Adverse events", f"{int(cur['events']):,}", _fmt_delta(change(int(cur["events"]), int(prev["events"])), 0),
            "inverse", "Events after treatments given in the period."),
        Kpi("Events per 1,000 treatments", "–" if rate is None else f"{rate:.1f}",
            _fmt_delta(change(rate, prev_rate), 1), "inverse",
            "Adverse events per 1,000 treatments; the fair way to compare periods of different size."),
        Kpi("Serious events", f"{int(cur['serious_events']):,}",
            _fmt_delta(change(int(cur["serious_events"]), int(prev["serious_events"])), 0), "inverse",
            "Events marked serious (hospitalisation, disability, life-threatening, medically important…)."),
        Kpi("Open cases", f"{int(cur['open_cases']):,}",
            _fmt_delta(change(int(cur["open_cases"]), int(prev["open_cases"])), 0), "inverse",
            "Events from this period not yet resolved (recovering, not recovered or outcome unknown)."),
    ]
    # no change (also a rate that rounds to 0.0) reads "no change" in grey, not a red or green "+0" arrow
    return [Kpi(c.label, c.value, "no change", "off", c.help, "off")
            if c.delta is not None and float(c.delta.replace(",", "")) == 0 else c for c in cards]


WIDE = (60, 85)  # a chart across the page at 1,024 px (~650 px)
TITLE_CHARS, SUB_CHARS = 30, 40  # what fits a half-width chart at 1,024 px (~300 px: 16 px title, 11 px subtitle)


def _wrapped(text: str, width: int) -> list[str]:
    return [line for part in text.split("<br>") for line in (textwrap.wrap(part, width) or [""])]


def _title(text: str, sub: str = "", fit: tuple[int, int] = (TITLE_CHARS, SUB_CHARS)) -> dict[str, Any]:
    """A chart title wrapped to fit its chart at 1,024 px (a long one was cut off); `fit`: characters a line."""
    head = "<br>".join(_wrapped(text, fit[0]))
    full = head + "".join(f"<br><sup>{line}</sup>" for line in _wrapped(sub, fit[1])) if sub else head
    # pinned to the top of the chart: left to plotly, a three-line title sat low and met the legend under it
    return {"text": full, "x": 0, "xanchor": "left", "yref": "container", "y": 1, "yanchor": "top", "pad": {"t": 8}}


def _top(title: dict[str, Any], below: int = 0) -> int:
    """The top margin a wrapped title needs (20 px a title line, 15 a subtitle line), plus room below it."""
    lines = title["text"].split("<br>")
    subs = sum(1 for line in lines if line.startswith("<sup>"))
    return 16 + 20 * (len(lines) - subs) + 15 * subs + below


def _panel_grid(titles: list[str], rows: int, cols: int, x_title: str, y_title: str) -> dict:
    """Layout of a rows x cols grid of panels (axes x, x2, ... row by row), each with its own dates and scale.

    Built as one layout dict: plotly's make_subplots validates axis by axis and took ~0.35 s for the trend grid."""
    h_gap, v_gap = 0.08, min(0.12, 0.5 / rows)
    width, height = (1 - h_gap * (cols - 1)) / cols, (1 - v_gap * (rows - 1)) / rows
    layout: dict = {"annotations": []}
    for k in range(rows * cols):
        r, c = divmod(k, cols)
        x0, top = c * (width + h_gap), 1 - r * (height + v_gap)
        n = "" if k == 0 else str(k + 1)
        layout[f"xaxis{n}"] = {"domain": [round(x0, 6), round(min(x0 + width, 1.0), 6)], "anchor": f"y{n}", "showticklabels": True,
                               **({"matches": "x"} if n else {}),
                               **({"title": {"text": x_title}} if r == rows - 1 else {})}
        layout[f"yaxis{n}"] = {"domain": [round(max(top - height, 0.0), 6), round(top, 6)], "anchor": f"x{n}", "rangemode": "tozero",
                               "title": {"text": y_title}}
        if k < len(titles):
            layout["annotations"].append({"text": titles[k], "x": x0 + width / 2, "y": top, "xref": "paper",
                                          "yref": "paper", "xanchor": "center", "yanchor": "bottom",
                                          "showarrow": False, "font": {"size": 16}})
    return layout


def trend_figure(trend: pd.DataFrame, grain: str) -> go.Figure:
    """Small multiples: one panel per term group, the rate per 1,000 with its shaded 95% interval."""
    groups = list(dict.fromkeys(trend["term_group"]))
    cols = 2
    rows = max(1, math.ceil(len(groups) / cols))
    unit = "week" if grain == "week" else "month"
    fmt = "%d %b %Y" if grain == "week" else "%b %Y"
    traces = []
    for i, group in enumerate(groups):
        g = trend[trend["term_group"] == group]
        x = list(g["bucket"])
        axes = {"xaxis": f"x{i + 1 if i else ''}", "yaxis": f"y{i + 1 if i else ''}"}
        traces += [
            # the interval as one closed shape (upper limits forward, lower limits back): a trace fewer per
            # panel than an upper line filled down to a lower one, and a quarter less drawing in the browser
            {"type": "scatter", "x": x + x[::-1], "y": list(g["rate_hi"]) + list(g["rate_lo"])[::-1],
             "mode": "lines", "line": {"width": 0}, "fill": "toself", "fillcolor": "rgba(201, 42, 42, 0.15)",
             "hoverinfo": "skip", "name": "95% confidence interval", "showlegend": False, **axes},
            {"type": "scatter", "x": x, "y": list(g["rate"]), "mode": "lines+markers",
             "line": {"color": LINE, "width": 2}, "marker": {"size": 5},
             "customdata": [[group, str(b)[:10]] for b in x],
             "text": [f"{e:,} events / {n:,} treatments (95% CI {lo:.1f}–{hi:.1f})"
                      for e, n, lo, hi in zip(g["events"], g["treatments"], g["rate_lo"], g["rate_hi"], strict=True)],
             "hovertemplate": f"{unit.capitalize()} of %{{x|{fmt}}}: %{{y:.1f}} per 1,000<br>%{{text}}<extra>{group}</extra>",
             "name": RATE_LABEL, "showlegend": False, **axes},
        ]
    layout = _panel_grid(groups or [""], rows, cols, f"{unit.capitalize()} of treatment", "per 1,000")
    head = _title(f"{RATE_LABEL}, by {unit} of treatment and kind of event",
                  "Line: rate · shaded: 95% confidence interval (Wilson) · each panel has its own scale", WIDE)
    layout.update(
        title=head,
        height=max(320, 220 * rows + 80) + _top(head) - 90, margin={"t": _top(head, 30), "b": 40, "l": 50, "r": 20},
        **CLICKABLE,
    )
    return PlainFigure(data=traces, layout=layout)  # validated once, not trace by trace


def face_rate_figure(areas: pd.DataFrame, selected: str | None = None) -> go.Figure:
    """The face chart coloured by events per 1,000 treatments of each area (hover: counts and interval)."""
    values = {r.area: float(r.rate) for r in areas.itertuples() if r.treatments > 0}
    hover = {
        r.area: (f"{r.area_name}: {r.rate:.1f} per 1,000 treatments of this area<br>"
                 f"{int(r.events):,} events / {int(r.treatments):,} treatments (95% CI {r.rate_lo:.1f}–{r.rate_hi:.1f})"
                 + ("<br>fewer than 20 treatments: too few to judge" if r.too_few else "")
                 + "<br>Click to filter the page by this area")
        for r in areas.itertuples() if r.treatments > 0
    }
    return face_figure(values, selected=[selected] if selected else [],
                       title="Events per 1,000 treatments,<br>by area",  # one line ran past the face at 1,024 px
                       colorbar_title=COLORBAR_TITLE, hover=hover)


def injector_area_figure(cells: pd.DataFrame) -> go.Figure:
    """Injector x area grid of rates per 1,000; cells with fewer than 20 treatments are grey."""
    if cells.empty:
        return PlainFigure()
    # areas top of the face to the underarm (the reference order), not alphabetically by code
    rank = {code: i for i, code in enumerate(AREAS)}
    area_order = list(dict.fromkeys(cells.assign(_rank=cells["area"].map(rank).fillna(len(rank)))
                                    .sort_values(["_rank", "area_name"])["area_name"]))
    injectors = sorted(cells["injector"].unique(), reverse=True)
    judged = cells[~cells["too_few"]]
    small = cells[cells["too_few"]]

    def hover(frame: pd.DataFrame, extra: str) -> list[str]:
        return [f"{r.injector} · {r.area_name}<br>{r.rate:.1f} per 1,000 treatments"
                f"<br>{int(r.events):,} events / {int(r.treatments):,} treatments{extra}"
                for r in frame.itertuples()]

    def picked(frame: pd.DataFrame) -> list[list[Any]]:
        return [[int(r.injector_id), r.area, r.injector, r.area_name] for r in frame.itertuples()]

    size = 26
    traces: list[dict[str, Any]] = []
    if not small.empty:
        traces.append({
            "type": "scatter", "x": list(small["area_name"]), "y": list(small["injector"]), "mode": "markers",
            "marker": {"symbol": "square", "size": size, "color": GREY}, "customdata": picked(small),
            "hovertext": hover(small, f"<br>fewer than {TOO_FEW} treatments: too few to judge"), "hoverinfo": "text",
            "name": f"Fewer than {TOO_FEW} treatments (too few to judge)"})
    if not judged.empty:
        top = float(judged["rate"].max()) or 1.0
        traces.append({
            "type": "scatter", "x": list(judged["area_name"]), "y": list(judged["injector"]), "mode": "markers+text",
            "marker": {"symbol": "square", "size": size, "color": list(judged["rate"]), "colorscale": HEAT_SCALE,
                       "cmin": 0, "cmax": top, "showscale": True,  # plotly ignores cmin without cmax
                       "colorbar": {"title": {"text": COLORBAR_TITLE}, "thickness": 14},
                       "line": {"color": "white", "width": 1}},
            "text": [f"{v:.0f}" for v in judged["rate"]],
            "textfont": {"size": 10, "color": ["white" if v > 0.6 * top else "#212529" for v in judged["rate"]]},
            "customdata": picked(judged), "hovertext": hover(judged, ""), "hoverinfo": "text",
            "name": "Rate per 1,000 treatments of the area"})
    head = _title("Injector × area: events per 1,000 treatments",
                  f"Grey squares: fewer than {TOO_FEW} treatments, too few to judge · blank: no treatments<br>"
                  "Click a square to list its cases", WIDE)
    layout = {
        "xaxis": {"title": {"text": "Treatment area"}, "categoryorder": "array", "categoryarray": area_order,
                  "tickangle": -45, "automargin": True},
        "yaxis": {"title": {"text": "Injector", "standoff": 12}, "categoryorder": "array", "categoryarray": injectors,
                  "automargin": True},  # room for the longest name
        "title": head,
        # the title, then the legend (two lines) above the grid
        "height": max(380, 34 * len(injectors) + 140 + _top(head, 60)), "margin": {"t": _top(head, 60), "b": 40},
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom"},
        "plot_bgcolor": "white", **CLICKABLE,
    }
    return PlainFigure(data=traces, layout=layout)  # validated once (trace-by-trace updates re-validate)


def top_lots(lots: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The n lots with the highest rates among those with at least 20 treatments (small lots cannot be judged)."""
    judged = lots[~lots["too_few"]]
    return judged.sort_values(["rate", "treatments"], ascending=[False, False]).head(n)


def rate_bar_figure(frame: pd.DataFrame, label: str, key: str, title: str, axis: str) -> go.Figure:
    """Horizontal bars of the rate per 1,000 with Wilson 95% error bars; small groups greyed."""
    if frame.empty:
        return PlainFigure()
    f = frame.sort_values("rate", ascending=True)
    bar = {
        "type": "bar", "y": list(f[label]), "x": list(f["rate"]), "orientation": "h",
        "marker": {"color": [GREY if few else "#1971c2" for few in f["too_few"]]},
        "error_x": {"type": "data", "symmetric": False, "array": list(f["rate_hi"] - f["rate"]),
                    "arrayminus": list(f["rate"] - f["rate_lo"]), "color": "#495057", "thickness": 1.2},
        "customdata": [[k, lab] for k, lab in zip(f[key], f[label], strict=True)],
        "text": [f"{int(e):,} events / {int(n):,} treatments (95% CI {lo:.1f}–{hi:.1f})"
                 + (f"; fewer than {TOO_FEW} treatments, too few to judge" if few else "")
                 for e, n, lo, hi, few in zip(f["events"], f["treatments"], f["rate_lo"], f["rate_hi"], f["too_few"],
                                              strict=True)],
        "textposition": "none",
        "hovertemplate": "%{y}: %{x:.1f} per 1,000 treatments<br>%{text}<extra></extra>",
        "name": RATE_LABEL, "showlegend": False}
    head = _title(title, "Whiskers: 95% confidence interval · grey: fewer than 20 treatments<br>"
                         "Click a bar to list its cases")
    layout = {
        "xaxis": {"title": {"text": RATE_LABEL}, "rangemode": "tozero"},
        "yaxis": {"title": {"text": axis}, "automargin": True},
        "title": head,
        "height": max(280, 26 * len(f) + 60 + _top(head)), "margin": {"t": _top(head), "b": 40},
        "plot_bgcolor": "white",
        **CLICKABLE}
    return PlainFigure(data=[bar], layout=layout)


def dose_figure(dose: pd.DataFrame, product: str, product_name: str) -> go.Figure:
    """Per area, the spread of the total dose given (box: 25th–75th, whiskers 10th–90th, line: median)
    against the usual range for the product (green band) and the labelled dose (diamond)."""
    d = dose[dose["product"] == product].reset_index(drop=True)
    if d.empty:
        return PlainFigure()
    ys = list(range(len(d)))
    bands = [{"type": "rect", "x0": r.usual_lo, "x1": r.usual_hi, "y0": y - 0.42, "y1": y + 0.42,
              "fillcolor": BAND, "line": {"width": 0}, "layer": "below"}
             for y, r in zip(ys, d.itertuples(), strict=True) if pd.notna(r.usual_lo) and pd.notna(r.usual_hi)]
    outside = [
        f"{r.area_name}: median {r.p50:g} U (middle half {r.p25:g}–{r.p75:g} U) over {int(r.treatments):,} treatments"
        + (f"<br>usual range {r.usual_lo:g}–{r.usual_hi:g} U; {int(r.below_usual):,} below, {int(r.above_usual):,} above"
           if pd.notna(r.usual_lo) else "<br>no usual range on record")
        + "<br>Click to list the cases of this area"
        for r in d.itertuples()]
    traces: list[dict[str, Any]] = [
        {"type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": "Usual dose range for this product",
         "marker": {"symbol": "square", "size": 14, "color": BAND}},
        {"type": "box", "y": ys, "q1": list(d["p25"]), "median": list(d["p50"]), "q3": list(d["p75"]),
         "lowerfence": list(d["p10"]), "upperfence": list(d["p90"]), "orientation": "h",
         "fillcolor": "rgba(25, 113, 194, 0.35)", "line": {"color": "#1971c2"},
         "name": "Doses given (middle half; whiskers 10th–90th percentile)", "hoverinfo": "skip"},
        {"type": "scatter", "x": list(d["p50"]), "y": ys, "mode": "markers",
         "marker": {"symbol": "line-ns-open", "size": 16, "color": "#0b3d91", "line": {"width": 3}},
         "customdata": [[a, n] for a, n in zip(d["area"], d["area_name"], strict=True)], "hovertext": outside,
         "hoverinfo": "text", "name": "Median dose"},
    ]
    labelled = d[d["label_total"].notna()]
    if not labelled.empty:
        traces.append({"type": "scatter", "x": list(labelled["label_total"]), "y": [ys[i] for i in labelled.index],
                       "mode": "markers", "marker": {"symbol": "diamond", "size": 10, "color": "#2b8a3e"},
                       "name": "Labelled dose", "hovertemplate": "Labelled dose: %{x:g} U<extra></extra>"})
    head = _title(f"Doses given per area: {product_name}",
                  "Green band: usual dose range (label or consensus) · box: middle half of treatments · "
                  "whiskers: 10th–90th percentile", WIDE)
    layout = {
        "shapes": bands,
        "yaxis": {"tickvals": ys, "ticktext": list(d["area_name"]), "title": {"text": "Treatment area"},
                  "autorange": "reversed", "automargin": True},
        "xaxis": {"title": {"text": f"Total units (U) of {product_name} in the area, per treatment"},
                  "rangemode": "tozero"},
        "title": head,
        "height": max(300, 44 * len(d) + 180 + _top(head)), "margin": {"t": _top(head), "b": 130},
        "plot_bgcolor": "white",
        # the legend under the axis title, from the bottom of the chart: above the plot it sat on the title
        "legend": {"orientation": "h", "x": 0, "xanchor": "left", "yref": "container", "y": 0, "yanchor": "bottom"},
        **CLICKABLE}
    return PlainFigure(data=traces, layout=layout)


def area_table(areas: pd.DataFrame) -> pd.DataFrame:
    """Areas as a plain table for beside the face chart: name, treatments, events, rate, highest rate first."""
    t = areas[areas["treatments"] > 0].sort_values(["rate", "treatments"], ascending=[False, False])
    # the rate right after the name: the table sits in a narrow column and the last columns scroll out of view
    # short names ("Masseter", not "Masseter (jaw)"): the full ones pushed the last column out of view
    return pd.DataFrame({"Area": t["area_name"].str.split(" (", regex=False).str[0], "Per 1,000": t["rate"].round(1),
                         "Treatments": t["treatments"].astype(int),
                         "Events": t["events"].astype(int)}).reset_index(drop=True)


def selected_points(event: object) -> list[list[Any]]:
    """Return the customdata of every point picked in a st.plotly_chart selection (as lists)."""
    try:
        points = event["selection"]["points"]  # type: ignore[index]
    except (KeyError, TypeError):
        return []
    out: list[list[Any]] = []
    for p in points:
        data = p.get("customdata") if isinstance(p, dict) else None
        if data is None:
            continue
        out.append(list(data) if isinstance(data, list | tuple) else [data])
    return out


def readable_outcomes(frame: pd.DataFrame) -> pd.DataFrame:
    """Outcomes by their plain names ('Recovered with lasting effects'), as on the Cases page, not as stored."""
    if "outcome" not in frame:
        return frame
    plain = {code.replace("_", " "): name for code, name in OUTCOME_NAMES.items()} | OUTCOME_NAMES
    return frame.assign(outcome=[plain.get(v, v) for v in frame["outcome"]])
