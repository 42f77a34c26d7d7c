"""The face chart: a schematic face with one clickable marker per treatment area (pure Plotly).

Used to pick areas when logging a treatment and, coloured by a value per area, as the trends heatmap.
Every marker carries its area code in `customdata`, so `st.plotly_chart(on_select="rerun")` tells which
area was clicked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import plotly.graph_objects as go

from dashboard.charts.plain import CLICKABLE, PlainFigure
from dashboard.core.reference_data import build_tables

_LINE = {"color": "#8a8f98", "width": 2}
_BROW = {"color": "#c5c9cf", "width": 1.5}
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


def _outline(fig: go.Figure) -> None:
    """Draw the schematic head, eyes, brows, nose, mouth, neck and shoulders as layout shapes."""
    shapes = [
        {"type": "circle", "x0": -70, "x1": 70, "y0": -15, "y1": 135},                    # head
        {"type": "circle", "x0": -36, "x1": -14, "y0": 74, "y1": 84},                     # eyes
        {"type": "circle", "x0": 14, "x1": 36, "y0": 74, "y1": 84},
        {"type": "path", "path": "M -40 90 Q -25 98 -10 91"},                              # brows
        {"type": "path", "path": "M 10 91 Q 25 98 40 90"},
        {"type": "path", "path": "M 0 82 L -6 56 Q 0 52 6 56"},                            # nose
        {"type": "path", "path": "M -20 32 Q 0 22 20 32"},                                  # mouth
        {"type": "path", "path": "M -28 -8 L -30 -50 M 28 -8 L 30 -50"},                   # neck
        {"type": "path", "path": "M -30 -50 Q -70 -55 -100 -70 M 30 -50 Q 70 -55 100 -70"},  # shoulders
    ]
    drawn = []
    for s in shapes:
        # the brows run under the glabella label: drawn lighter so the label stays readable
        line = _BROW if s.get("path", "").startswith(("M -40 90", "M 10 91")) else _LINE
        drawn.append({**s, "line": line, "fillcolor": "rgba(0,0,0,0)", "layer": "below"})
    # one assignment: add_shape per shape re-validates every shape already there (quadratic, ~0.15 s a chart)
    fig.update_layout(shapes=[*fig.layout.shapes, *drawn])


def face_figure(
    values: Mapping[str, float] | None = None,
    *,
    selected: Iterable[str] = (),
    title: str = "",
    colorbar_title: str = "",
    hover: Mapping[str, str] | None = None,
    height: int = 460,
) -> go.Figure:
    """Build the face chart; with `values` the markers are coloured by value (grey where missing)."""
    chosen = set(selected)
    pos = area_positions()
    xs = [p[2] for p in pos]
    ys = [p[3] for p in pos]
    codes = [p[0] for p in pos]
    names = [p[1] for p in pos]
    texts = [hover.get(c, n) if hover else n for c, n in zip(codes, names, strict=True)]
    fig = PlainFigure()
    _outline(fig)
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
                        "color": [values[codes[i]] for i in known], "colorscale": "OrRd", "cmin": 0,
                        "cmax": max([values[codes[i]] for i in known] + [1e-9]),  # without cmax, cmin is ignored
                        "showscale": True, "colorbar": {"title": {"text": colorbar_title}, "thickness": 14},
                        "line": {"color": "#343a40", "width": 1}},
                name="areas", showlegend=False,
            ))
    # room right of the face and below the shoulders for the labels (the chart is narrower than tall, so the
    # taller range costs no size)
    fig.update_xaxes(visible=False, range=[-110, 116], fixedrange=True)
    fig.update_yaxes(visible=False, range=[-102, 140], fixedrange=True, scaleanchor="x", scaleratio=1)
    fig.update_layout(
        title={"text": title} if title else None, height=height, margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
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
        if isinstance(code, str) and code not in out:
            out.append(code)
    return out
