"""'Show as table' under every chart: the numbers a chart draws, as rows a screen reader or a spreadsheet user
can read. The table is taken from the figure itself, so it always matches what is drawn.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import plotly.graph_objects as go

_TAG = re.compile(r"<[^>]+>")


def _plain(text: Any) -> str:
    return _TAG.sub(" ", str(text)).replace("  ", " ").strip() if text is not None else ""


def _axis_title(fig: go.Figure, trace: Any, axis: str) -> str:
    ref = getattr(trace, f"{axis}axis", None) or axis
    name = ref.replace(axis, f"{axis}axis") if ref != axis else f"{axis}axis"
    layout_axis = getattr(fig.layout, name, None) if hasattr(fig.layout, name) else None
    title = getattr(getattr(layout_axis, "title", None), "text", None) if layout_axis is not None else None
    return _plain(title) or axis.upper()


def _ticks(fig: go.Figure, trace: Any, axis: str) -> dict[Any, str]:
    """Category names of an axis drawn with tickvals/ticktext (e.g. the dose chart's areas)."""
    ref = getattr(trace, f"{axis}axis", None) or axis
    layout_axis = fig.layout[ref.replace(axis, f"{axis}axis")] if ref != axis else fig.layout[f"{axis}axis"]
    if layout_axis is not None and layout_axis.tickvals is not None and layout_axis.ticktext is not None:
        return dict(zip(layout_axis.tickvals, layout_axis.ticktext, strict=False))
    return {}


def figure_table(fig: go.Figure) -> pd.DataFrame:
    """One row per drawn value: series, the x and y values (named after their axes), the value a colour stands
    for, and the hover text in plain words."""
    rows: list[dict[str, Any]] = []
    for trace in fig.data:
        if (trace.hoverinfo == "skip" and trace.type != "box") or getattr(trace, "hoveron", None) == "fills":
            continue  # interval bands and danger zones: their numbers are in the other traces' details
        series = _plain(trace.name) or trace.type
        xt, yt = _axis_title(fig, trace, "x"), _axis_title(fig, trace, "y")
        ticks = _ticks(fig, trace, "y")
        if trace.type == "box":
            for i, y in enumerate(trace.y or []):
                rows.append({"Series": series, yt: ticks.get(y, y), "10th percentile": trace.lowerfence[i],
                             "25th percentile": trace.q1[i], "Median": trace.median[i],
                             "75th percentile": trace.q3[i], "90th percentile": trace.upperfence[i]})
            continue
        xs, ys = list(trace.x) if trace.x is not None else [], list(trace.y) if trace.y is not None else []
        if not xs or all(v is None for v in xs):
            continue
        colours = trace.marker.color if trace.marker is not None else None
        values = list(colours) if isinstance(colours, list | tuple) and colours and \
            isinstance(colours[0], int | float) else None
        hover = trace.hovertext if trace.hovertext is not None else trace.text
        for i, x in enumerate(xs):
            row: dict[str, Any] = {"Series": series, xt: x, yt: ticks.get(ys[i], ys[i]) if i < len(ys) else None}
            if values is not None and i < len(values):
                row["Value"] = values[i]
            if isinstance(hover, list | tuple) and i < len(hover):
                row["Details"] = _plain(hover[i])
            rows.append(row)
    frame = pd.DataFrame(rows)
    if not frame.empty and frame["Series"].nunique() == 1:
        frame = frame.drop(columns="Series")
    return frame

