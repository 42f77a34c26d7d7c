"""The face chart: a schematic face with one clickable marker per treatment area (pure Plotly).

Used to pick areas when logging a treatment and, coloured by a value per area, as the trends heatmap.
Every marker carries its area code in `customdata`, so `st.plotly_chart(on_select="rerun")` tells which
area was clicked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from dashboard.charts import face_anatomy as anatomy
from dashboard.charts.plain import CLICKABLE, HEAT_SCALE, PlainFigure
from dashboard.core.reference_data import build_tables

_SELECTED = "#d9480f"
_IDLE = "#4c6ef5"


def area_positions() -> list[tuple[str, str, float, float]]:
    """Return (code, name, x, y) for every marker; bilateral areas get a mirrored second marker."""
    out: list[tuple[str, str, float, float]] = []
    for row in build_tables().areas.itertuples():
        out.append((row.code, row.name, float(row.chart_x), float(row.chart_y)))
        if row.chart_x != 0:
            out.append((row.code, row.name, -float(row.chart_x), float(row.chart_y)))
    return out


# Where each labelled marker's text goes, chosen so no label covers another marker or leaves the chart:
# the forehead label sits above its marker (below it would cover the glabella marker), the glabella label to
# its right like the side areas' (below it, it reached the bunny-lines markers when both are picked), the underarm label
# on two lines below its marker (one line ran past the chart's right edge; above, it met the platysma label), the bunny-lines label on two lines
# (one line reached the crow's-feet marker when the face is drawn small).
_LABEL_POSITIONS = {"forehead": "top center", "glabella": "middle right", "axillary_hyperhidrosis": "bottom center"}
_LABEL_TEXT = {"axillary_hyperhidrosis": "Underarm<br>sweating", "bunny_lines": "Bunny<br>lines"}


def _label_position(code: str, x: float) -> str:
    """Label right of right-side markers, below midline ones unless placed explicitly (mirrored ones unlabelled)."""
    if code in _LABEL_POSITIONS:
        return _LABEL_POSITIONS[code]
    return "middle right" if x > 0 else "bottom center"


def _label_text(code: str, name: str) -> str:
    """The short label shown on the chart: the area name without its bracketed explanation."""
    return _LABEL_TEXT.get(code, name.split(" (")[0])


def _value_text(value: float) -> str:
    """A value as drawn beside its marker: whole numbers from 10 up (as on the injector grid), else one decimal."""
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:.1f}"


_STYLE = {
    "outline": {"color": "#6c727c", "width": 2},
    "hairline": {"color": "#9aa0a8", "width": 1.5, "dash": "dot"},
    "brow": {"color": "#7b6f64", "width": 3},
    "lid": {"color": "#5f6670", "width": 1.8},
    "iris": {"color": "#8a8f98", "width": 1.2},
    "lip": {"color": "#b0707a", "width": 1.6},
    "feature": {"color": "#8a8f98", "width": 1.4},
    "fold": {"color": "#c3c7cd", "width": 1.2},
}
_ZONE_IDLE = "rgba(76, 110, 245, 0.07)"
_ZONE_PICKED = "rgba(217, 72, 15, 0.20)"
_ZONE_LINE = {"color": "rgba(76, 110, 245, 0.25)", "width": 1}
_DANGER_FILL = "rgba(201, 42, 42, 0.10)"
_DANGER_LINE = {"color": "rgba(201, 42, 42, 0.55)", "width": 1, "dash": "dot"}
_MUSCLE_FILL = "rgba(214, 51, 108, 0.08)"


def _zone_colour(value: float | None, top: float) -> str:
    if value is None:
        return "rgba(222, 226, 230, 0.45)"
    rgb = sample_colorscale(HEAT_SCALE, [min(max(value / top, 0.0), 1.0) if top > 0 else 0.0])[0]
    return rgb.replace("rgb(", "rgba(").replace(")", ", 0.55)")


def _outline(fig: go.Figure, *, zones: Mapping[str, str], muscles: bool) -> None:
    """Draw the zones (filled), the muscle overlay and the face's anatomy lines as layout shapes."""
    drawn: list[dict] = []
    for area, fill in zones.items():
        for _side, path in anatomy.zone_paths(area):
            drawn.append({"type": "path", "path": path, "fillcolor": fill, "line": _ZONE_LINE, "layer": "below"})
    if muscles:
        for _name, path in anatomy.muscle_paths():
            drawn.append({"type": "path", "path": path, "fillcolor": _MUSCLE_FILL,
                          "line": {"color": "rgba(214, 51, 108, 0.35)", "width": 0.8}, "layer": "below"})
    for path, kind in anatomy.anatomy_paths():
        drawn.append({"type": "path", "path": path, "line": _STYLE[kind], "fillcolor": "rgba(0,0,0,0)",
                      "layer": "below"})
    # one assignment: add_shape per shape re-validates every shape already there (quadratic, ~0.15 s a chart)
    fig.update_layout(shapes=[*fig.layout.shapes, *drawn])


def _danger_traces() -> list[go.Scatter]:
    """The danger zones: faint red fills whose hover tells the rule and the event a misplaced dose risks."""
    out = []
    for d in anatomy.dangers():
        for path in d.paths:
            pts = anatomy.path_points(path)
            out.append(go.Scatter(
                x=[p[0] for p in pts], y=[p[1] for p in pts], mode="lines", fill="toself", fillcolor=_DANGER_FILL,
                line=_DANGER_LINE, hoveron="fills", hoverinfo="text", text=d.text, name="danger",
                showlegend=False))
    return out


def _point_traces(chosen: set[str], sides: Mapping[str, str]) -> go.Scatter:
    """The usual injection points of every area; a tap adds the area on that side (customdata 'area|side')."""
    xs, ys, data, colours, texts = [], [], [], [], []
    names = {r.code: r.name for r in build_tables().areas.itertuples()}
    for code in names:
        for side, x, y in anatomy.injection_points(code):
            xs.append(x)
            ys.append(y)
            data.append(f"{code}|{side}")
            on = code in chosen and sides.get(code, "B") in ("B", "C", side)
            colours.append(_SELECTED if on else "#495057")
            where = {"L": "patient's left", "R": "patient's right", "C": "midline"}[side]
            texts.append(f"{names[code]}, usual point ({where})")
    return go.Scatter(x=xs, y=ys, mode="markers", customdata=data, hovertext=texts, hoverinfo="text",
                      marker={"size": 9, "color": colours, "line": {"color": "white", "width": 1.5}},
                      name="points", showlegend=False)


def face_figure(
    values: Mapping[str, float] | None = None,
    *,
    selected: Iterable[str] = (),
    title: str = "",
    colorbar_title: str = "",
    hover: Mapping[str, str] | None = None,
    height: int = 460,
    sides: Mapping[str, str] | None = None,
    muscles: bool = False,
) -> go.Figure:
    """Build the face chart; with `values` the zones and markers are coloured by value (grey where missing).

    Without values it is the picking chart: zones of the chosen areas tinted, the usual injection points
    tappable one side at a time (`sides` tells which side of each chosen area is treated), danger zones on hover.
    """
    chosen = set(selected)
    pos = area_positions()
    xs = [p[2] for p in pos]
    ys = [p[3] for p in pos]
    codes = [p[0] for p in pos]
    names = [p[1] for p in pos]
    texts = [hover.get(c, n) if hover else n for c, n in zip(codes, names, strict=True)]
    fig = PlainFigure()
    codes_all = list(build_tables().areas["code"])
    if values is None:
        zones = {c: (_ZONE_PICKED if c in chosen else _ZONE_IDLE) for c in codes_all}
    else:
        top = max([v for v in values.values() if v is not None] + [1e-9])
        zones = {c: _zone_colour(values.get(c), top) for c in codes_all}
    _outline(fig, zones=zones, muscles=muscles)
    if values is None:
        fig.add_traces([*_danger_traces(), _point_traces(chosen, sides or {})])
    if values is None:
        colours = [_SELECTED if c in chosen else _IDLE for c in codes]
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="markers+text", customdata=codes,
            text=[_label_text(c, n) if x >= 0 else "" for c, n, x in zip(codes, names, xs, strict=True)],
            textposition=[_label_position(c, x) for c, x in zip(codes, xs, strict=True)], textfont={"size": 11},
            hovertext=texts, hoverinfo="text",
            marker={"size": [22 if c in chosen else 16 for c in codes], "color": colours,
                    "line": {"color": "white", "width": 2}},
            name="areas", showlegend=False,
        ))
    else:
        known = [i for i, c in enumerate(codes) if values.get(c) is not None]
        missing = [i for i in range(len(codes)) if i not in set(known)]
        if missing:
            fig.add_trace(go.Scatter(
                x=[xs[i] for i in missing], y=[ys[i] for i in missing], mode="markers",
                customdata=[codes[i] for i in missing],
                hovertext=[f"{names[i]}: no treatments in this view" for i in missing], hoverinfo="text",
                marker={"size": 16, "color": "#dee2e6", "line": {"color": "white", "width": 2}},
                name="no data", showlegend=False,
            ))
        if known:
            fig.add_trace(go.Scatter(
                x=[xs[i] for i in known], y=[ys[i] for i in known], mode="markers+text",
                customdata=[codes[i] for i in known],
                text=[_value_text(values[codes[i]]) if xs[i] >= 0 else "" for i in known],
                textposition=[_label_position(codes[i], xs[i]) for i in known], textfont={"size": 11},
                hovertext=[texts[i] for i in known], hoverinfo="text",
                marker={"size": [26 if codes[i] in chosen else 20 for i in known],
                        "color": [values[codes[i]] for i in known], "colorscale": HEAT_SCALE, "cmin": 0,
                        "cmax": max([values[codes[i]] for i in known] + [1e-9]),  # without cmax, cmin is ignored
                        "showscale": True, "colorbar": {"title": {"text": colorbar_title}, "thickness": 14},
                        "line": {"color": "#343a40", "width": 1}},
                name="areas", showlegend=False,
            ))
    # room right of the face and below the shoulders for the labels (the chart is narrower than tall, so the
    # taller range costs no size)
    fig.update_xaxes(visible=False, range=[-100, 108], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-102, 140], fixedrange=True, scaleanchor="x", scaleratio=1)
    fig.update_layout(
        title={"text": title} if title else None, height=height,
        margin={"l": 10, "r": 10, "t": 20 + 20 * (title.count("<br>") + 1) if title else 10, "b": 10},
        plot_bgcolor="white", paper_bgcolor="white", **CLICKABLE,
    )
    return fig


def area_from_selection(selection: object) -> list[str]:
    """Return the area codes picked in a st.plotly_chart selection event (empty when none)."""
    try:
        points = selection["selection"]["points"]  # type: ignore[index]
    except (KeyError, TypeError):
        return []
    out: list[str] = []
    for p in points:
        code = p.get("customdata")
        if isinstance(code, list):
            code = code[0] if code else None
        if isinstance(code, str):
            code = code.split("|")[0]
            if code not in out:
                out.append(code)
    return out


def sides_from_selection(selection: object) -> dict[str, str]:
    """Return {area: side} for the injection points tapped one side at a time ('L' or 'R'; both sides: 'B')."""
    try:
        points = selection["selection"]["points"]  # type: ignore[index]
    except (KeyError, TypeError):
        return {}
    out: dict[str, str] = {}
    for p in points:
        code = p.get("customdata")
        if isinstance(code, list):
            code = code[0] if code else None
        if isinstance(code, str) and "|" in code:
            area, side = code.split("|", 1)
            if side in ("L", "R"):
                out[area] = side if out.get(area) in (None, side) else "B"
    return out
